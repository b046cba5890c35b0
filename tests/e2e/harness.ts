/**
 * The end-to-end harness: serves the built app (dist/, or SPILLOVER_DIST) under a sub-path on 127.0.0.1, drives it in
 * real Chromium with a fresh context (and so a fresh IndexedDB) per test, and reads IndexedDB back in the page for
 * digests and key searches. It builds nothing: CI runs `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Frame, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchChromium, serveDirectory, type StaticServer } from '../../src/cli/browser';
import { startFakeOpenAI, type FakeServer, type FakeServerOptions } from '../integration/fake-openai-server';

export const DIST = resolve(process.env.SPILLOVER_DIST ?? 'dist');
/** The app is served from here, never from '/', to prove the build works from any sub-path. */
export const SUB_PATH = '/course/spillover/';

export interface App {
  /** The app's URL under the sub-path, ending in '/'. */
  url: string;
  server: StaticServer;
  browser: Browser;
  close(): Promise<void>;
}

export async function startApp(): Promise<App> {
  if (!existsSync(resolve(DIST, 'index.html'))) {
    throw new Error(`e2e: ${DIST}/index.html is missing; build the app first with 'npm run build' (the tests serve dist/ and build nothing)`);
  }
  const server = await serveDirectory(DIST, SUB_PATH);
  const browser = await launchChromium();
  return {
    url: server.url,
    server,
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** The app, and where a file's tests need one, the local OpenAI-compatible test server; filled before the tests run. */
export interface Servers {
  app: App;
  llm: FakeServer;
}

/**
 * Start the app (and, given options, the local OpenAI-compatible test server) before this file's tests and stop them
 * after. Read the fields inside the tests: they are set once `beforeAll` has run.
 */
export function useApp(): Pick<Servers, 'app'>;
export function useApp(llm: FakeServerOptions): Servers;
export function useApp(llm?: FakeServerOptions): Servers {
  const servers = {} as Servers;
  beforeAll(async () => {
    servers.app = await startApp();
    if (llm) servers.llm = await startFakeOpenAI(llm);
  });
  afterAll(async () => {
    await servers.app?.close();
    await servers.llm?.close();
  });
  return servers;
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors, to show when a test fails. */
  errors: string[];
}

/** A fresh context (its own IndexedDB, localStorage and downloads) with one page at `query` under the app's URL. */
export async function openTab(app: App, query = '', viewport = { width: 1400, height: 1000 }, prepare?: (context: BrowserContext) => Promise<void>): Promise<Tab> {
  const tab = await openPage(app, query, viewport, prepare);
  await runButton(tab.page).waitFor({ state: 'visible' });
  return tab;
}

/** As `openTab`, for pages without the SocioPol Run button (the embed, the S3 page): waits for nothing after load. */
export async function openPage(app: App, query = '', viewport = { width: 1400, height: 1000 }, prepare?: (context: BrowserContext) => Promise<void>): Promise<Tab> {
  const context = await app.browser.newContext({ viewport, acceptDownloads: true });
  await prepare?.(context);
  const tab = await newTab(context);
  await tab.page.goto(app.url + query);
  return tab;
}

/** A page in `context` whose errors are collected, with the browser's own favicon request answered. */
async function newTab(context: BrowserContext): Promise<Tab> {
  // The browser asks the site root for a favicon whatever the page says; answer it so only the app's requests 404.
  await context.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return { context, page, errors };
}

export interface EmbeddedTab extends Tab {
  /** The app's frame inside the course page. */
  frame: Frame;
  /** Close the context and the course site's server. */
  close(): Promise<void>;
}

/**
 * The app embedded as a course site would: a page served from http://localhost:<port>/ holding an iframe of the app at
 * http://127.0.0.1:<port>/… — another site, so the app runs as a third party and Chromium applies its third-party
 * storage rules to it (IndexedDB, localStorage and Web Locks are refused there by this Chromium's defaults).
 */
export async function openEmbedded(app: App, query: string, frameSize = { width: 640, height: 900 }): Promise<EmbeddedTab> {
  const src = app.url + query;
  const html = `<!doctype html><title>Course page</title><h1>Week 5: spillover</h1><iframe title="Spillover" src="${src.replace(/"/g, '&quot;')}" width="${frameSize.width}" height="${frameSize.height}"></iframe>`;
  const site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((ok) => site.listen(0, '127.0.0.1', ok));
  const { port } = site.address() as AddressInfo;
  const context = await app.browser.newContext({ viewport: { width: frameSize.width + 60, height: frameSize.height + 120 }, acceptDownloads: true });
  const { page, errors } = await newTab(context);
  await page.goto(`http://localhost:${port}/`);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  if (!frame) throw new Error('e2e: the course page has no app frame');
  await runButton(frame).waitFor({ state: 'visible' });
  return {
    context,
    page,
    frame,
    errors,
    close: async () => {
      await context.close();
      await new Promise<void>((ok) => site.close(() => ok()));
    },
  };
}

/** What an LLM run set up by `startLlmRun` changes in Setup besides the agents, the key and the endpoint. */
export interface LlmRunOptions {
  /** The agent count typed into Setup (default: the page's, e.g. `?agents=40`). */
  agents?: number;
  /** The budget typed into Setup, in USD. */
  budget?: string;
  /** The conditions kept besides control (default: none). */
  keep?: string[];
}

/**
 * Fill Setup for an LLM run of the control condition (and `keep`) against `url` with `key`, wait for the estimate, and
 * press Run.
 */
export async function startLlmRun(page: Page, url: string, key: string, options: LlmRunOptions = {}): Promise<void> {
  await page.locator('input[type="radio"][value="llm"]').check();
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByLabel('Endpoint (OpenAI-compatible base URL)').fill(url);
  if (options.agents !== undefined) await page.getByLabel('Number of agents').fill(String(options.agents));
  if (options.budget !== undefined) await page.getByLabel(/^Budget/).fill(options.budget);
  await page.getByText('Conditions, schedules and messages').click();
  for (const name of ['treatment_info_message', 'treatment_soc_message', 'experiment_info_message', 'experiment_soc_message']) {
    if (!options.keep?.includes(name)) await page.getByLabel(`include ${name}`, { exact: true }).uncheck();
  }
  await page.locator('.estimate').filter({ hasText: /calls/ }).waitFor({ timeout: 20_000 });
  await runButton(page).click();
}

/** Wait until the page's progress line says the run finished (the embed's view, which has no run list). */
export async function waitForFinished(target: Page | Frame, timeout = 120_000): Promise<void> {
  const state = await target.waitForFunction(
    () => {
      const text = document.querySelector('.progress')?.textContent ?? '';
      if (document.querySelector('.progress .error')) return `error: ${text}`;
      return text.includes('Finished') ? 'finished' : false;
    },
    null,
    { timeout, polling: 250 },
  );
  const said = (await state.jsonValue()) as string;
  if (said !== 'finished') throw new Error(`e2e: the run did not finish (${said})`);
}

/** The S3 page (`?preset=s3`) in a fresh context, once its Run button is there. */
export async function openS3(app: App, viewport = { width: 1400, height: 1000 }): Promise<Tab> {
  const tab = await openPage(app, '?preset=s3', viewport);
  await tab.page.getByRole('button', { name: '▶ Run S3' }).waitFor();
  return tab;
}

/** Wait for run `index` of the S3 run list (0: the newest) to be complete; fails with the app's error if it fails. */
export async function waitForS3Complete(page: Page, index = 0, timeout = 120_000): Promise<void> {
  const status = page.locator('.runs li .status').nth(index);
  await expect
    .poll(
      async () => {
        const err = await page.locator('section[aria-labelledby="s3-run-h"] .error').allInnerTexts();
        if (err.length) throw new Error(err.join('\n'));
        return (await status.count()) ? status.innerText() : '';
      },
      { timeout, interval: 300 },
    )
    .toMatch(/^complete/);
}

/**
 * Record every text the progress line shows (its main line and its waiting note) from page load on, so a test can
 * check what was said on the way, not only at the end. Read it with `progressTexts`. Call before `page.goto`.
 */
export async function recordProgressTexts(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __progressTexts: string[] }).__progressTexts = seen;
    const note = () => {
      for (const el of Array.from(document.querySelectorAll('.progress .where, .progress .wait'))) {
        const t = el.textContent?.trim() ?? '';
        if (t && seen[seen.length - 1] !== t) seen.push(t);
      }
    };
    new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true });
  });
}

export function progressTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __progressTexts?: string[] }).__progressTexts ?? []);
}

export function runButton(page: Page | Frame): Locator {
  return page.getByRole('button', { name: '▶ Run', exact: true }).first();
}

export function runList(page: Page): Locator {
  return page.locator('section[aria-labelledby="runs-h"]');
}

/** Statuses shown in the run list, newest run first. */
export async function runStatuses(page: Page): Promise<string[]> {
  return runList(page).locator('.badge').allInnerTexts();
}

/**
 * Wait until `count` runs are complete in the run list; fail at once with the app's own message if a run fails or the
 * progress panel shows an error.
 */
export async function waitForComplete(page: Page, count = 1, timeout = 200_000): Promise<void> {
  const handle = await page.waitForFunction(
    (want) => {
      const list = document.querySelector('section[aria-labelledby="runs-h"]');
      const failed = list?.querySelector('.badge.failed');
      if (failed) return `failed: ${failed.closest('tr')?.textContent ?? ''}`;
      const err = document.querySelector('.progress .error');
      if (err) return `error: ${err.textContent ?? ''}`;
      return (list?.querySelectorAll('.badge.complete').length ?? 0) >= want ? 'ok' : false;
    },
    count,
    { timeout, polling: 250 },
  );
  const state = (await handle.jsonValue()) as string;
  if (state !== 'ok') throw new Error(`e2e: the run did not complete (${state})`);
}

/** Click a run-list button of the newest run (row 0) and return the downloaded file. */
export async function downloadFromRunList(page: Page, button: 'CSV' | 'Bundle', row = 0): Promise<Buffer> {
  const tr = runList(page).locator('tbody tr').nth(row);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), tr.getByRole('button', { name: button, exact: true }).click()]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Every row of one store of the app's database, read in the page (typed arrays come back typed), to check in Node. */
export async function storedRows<T = Record<string, any>>(page: Page, store: string): Promise<T[]> {
  return (await page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((ok, ko) => {
      const req = indexedDB.open('spillover');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => ko(req.error);
    });
    try {
      return await new Promise<unknown[]>((ok, ko) => {
        const req = db.transaction(name, 'readonly').objectStore(name).getAll();
        req.onsuccess = () => ok(req.result);
        req.onerror = () => ko(req.error);
      });
    } finally {
      db.close();
    }
  }, store)) as T[];
}

/** The stored runs, newest first. */
export async function storedRuns(page: Page): Promise<Array<Record<string, any>>> {
  return (await storedRows(page, 'runs')).sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Every IndexedDB database of the page's origin as JSON text (typed arrays as plain arrays), for searching for a
 * string that must never be stored and for "nothing changed" comparisons.
 */
export async function dumpIndexedDb(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const replacer = (_k: string, v: unknown) =>
      ArrayBuffer.isView(v) && !(v instanceof DataView) ? { $t: v.constructor.name, v: Array.from(v as unknown as ArrayLike<number>) } : v;
    const out: Record<string, Record<string, unknown[]>> = {};
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((ok, ko) => {
        const req = indexedDB.open(info.name!);
        req.onsuccess = () => ok(req.result);
        req.onerror = () => ko(req.error);
      });
      const tables: Record<string, unknown[]> = {};
      for (const store of Array.from(db.objectStoreNames)) {
        tables[store] = await new Promise<unknown[]>((ok, ko) => {
          const req = db.transaction(store, 'readonly').objectStore(store).getAll();
          req.onsuccess = () => ok(req.result);
          req.onerror = () => ko(req.error);
        });
      }
      db.close();
      out[info.name] = tables;
    }
    return JSON.stringify(out, replacer);
  });
}

/**
 * SHA-256 of everything a run simulated (config, seeds, network, personas, rounds, events, posts, end-of-run answers), read from
 * IndexedDB in primary-key order with run ids and wall-clock fields left out, so two runs of the same seed and
 * configuration have the same digest whatever their ids; `tables` has one digest per part, so a failure names the part
 * that differs. `runIndex` 0 is the newest run.
 */
export async function runDigest(page: Page, runIndex = 0): Promise<{ digest: string; tables: Record<string, string>; rounds: number; elections: number; calls: number }> {
  return page.evaluate(async (index) => {
    const db = await new Promise<IDBDatabase>((ok, ko) => {
      const req = indexedDB.open('spillover');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => ko(req.error);
    });
    const all = (store: string) =>
      new Promise<Array<Record<string, unknown>>>((ok, ko) => {
        const req = db.transaction(store, 'readonly').objectStore(store).getAll();
        req.onsuccess = () => ok(req.result);
        req.onerror = () => ko(req.error);
      });
    const runs = (await all('runs')).sort((a, b) => (b.createdAt as number) - (a.createdAt as number));
    const run = runs[index];
    if (!run) throw new Error(`e2e: there is no run number ${index} in IndexedDB (${runs.length} runs)`);
    const id = run.id;
    const strip = (rows: Array<Record<string, unknown>>) =>
      rows.filter((r) => r.runId === id).map(({ runId: _r, createdAt: _c, ...rest }) => rest);
    // LLM accounting (per-round totals, per-decision call metadata) is left out: a replay makes no calls, so it records
    // zeros there while every simulated value stays the same.
    const noMeta = (list: unknown) => (list as Array<Record<string, unknown>>).map(({ meta: _m, ...rest }) => rest);
    // Stored rounds keep their lists packed (src/storage/packed-values.ts): the decisions are read back to leave out
    // their accounting; the events are digested as stored (the same events always pack the same).
    type Packed = { tags: Uint8Array; ints: Int32Array; floats: Float64Array; strings: string[]; shapes: string[][]; others: unknown[] };
    const unpack = (v: unknown): unknown[] => {
      if (Array.isArray(v)) return v;
      const p = v as Packed;
      let at = 0;
      const read = (): unknown => {
        const [tag, int] = [p.tags[at], p.ints[at++]];
        if (tag === 7) return Array.from({ length: int }, () => read());
        if (tag === 8) return Object.fromEntries(p.shapes[int].map((k) => [k, read()]));
        return [undefined, null, false, true, int, p.floats[int], p.strings[int], null, null, p.others[int]][tag];
      };
      return read() as unknown[];
    };
    const rounds = strip(await all('rounds')).map(({ llm: _l, decisions, ...rest }) => ({ ...rest, decisions: noMeta(unpack(decisions)) }));
    const elections = strip(await all('finals')).map(({ llm: _l, outcomes, ...rest }) => ({ ...rest, outcomes: noMeta(outcomes) }));
    const content = {
      config: run.config,
      seeds: run.seeds,
      network: strip(await all('networks')),
      personas: strip(await all('personas')),
      rounds,
      events: strip(await all('events')),
      posts: strip(await all('posts')),
      elections,
    };
    db.close();
    const replacer = (_k: string, v: unknown) =>
      ArrayBuffer.isView(v) && !(v instanceof DataView) ? { $t: v.constructor.name, v: Array.from(v as unknown as ArrayLike<number>) } : v;
    const sha = async (value: unknown) => {
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(value, replacer))));
      return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
    };
    const tables: Record<string, string> = {};
    for (const [name, value] of Object.entries(content)) tables[name] = (await sha(value)).slice(0, 16);
    const totals = run.totals as { calls: number };
    return { digest: await sha(content), tables, rounds: rounds.length, elections: elections.length, calls: totals.calls };
  }, runIndex);
}

/** How many pixels of an element's screenshot differ from its white background (a blank WebGL canvas gives 0). */
export async function inkedPixels(page: Page | Frame, target: Locator): Promise<number> {
  const png = (await target.screenshot()).toString('base64');
  return page.evaluate(async (b64) => {
    // Decoded in place: the app's CSP (connect-src) does not allow fetching data: URLs.
    const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' });
    const bitmap = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let inked = 0;
    // Ignore the 3-pixel frame (the container's border and rounded corners).
    for (let y = 3; y < bitmap.height - 3; y++) {
      for (let x = 3; x < bitmap.width - 3; x++) {
        const i = 4 * (y * bitmap.width + x);
        if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) inked++;
      }
    }
    return inked;
  }, png);
}
