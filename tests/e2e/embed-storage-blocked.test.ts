/**
 * Issue 13: the embed works when third-party storage is blocked. The app runs in an iframe of another site (a course
 * page on http://localhost, the app on http://127.0.0.1), where Chromium genuinely refuses IndexedDB, localStorage and
 * Web Locks to the frame (checked first, so the test cannot pass against a frame that has storage). The embed must
 * say that runs are not saved and how to keep them, run to results on its in-memory database (simulation, analysis and
 * the graph all read it) without running the simulation on the page thread, and hand over a bundle that a tab with
 * storage imports and replays record for record.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DIST, inkedPixels, openEmbedded, openTab, runDigest, startApp, waitForComplete, waitForFinished, type App } from './harness';

/** A message of the engine's round loop (src/engine/simulation.ts): code that contains it is the simulation. */
const ROUND_LOOP = 'run cancelled: it stopped at a round boundary';
/** A message of the analysis worker's API (src/workers/analysis.worker.ts): code that contains it is the analysis. */
const ANALYSIS = 'does not exist (deleted?); pick another run from the list';

/**
 * The source of every script that ran on the frame's own thread (its page, not its workers: each worker is a target of
 * its own), read through the DevTools protocol, which lists scripts however they were loaded (module, dynamic import,
 * cache).
 */
async function scriptsOnPageThread(page: Page, frame: Frame): Promise<string[]> {
  const session = await page.context().newCDPSession(frame);
  const ids: string[] = [];
  session.on('Debugger.scriptParsed', (e) => ids.push(e.scriptId));
  await session.send('Debugger.enable');
  const sources = await Promise.all(ids.map(async (scriptId) => (await session.send('Debugger.getScriptSource', { scriptId })).scriptSource));
  await session.detach();
  return sources;
}

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

test('an embed on another site, with storage refused, runs to results in memory, says so, and exports a bundle that replays', async () => {
  const embedded = await openEmbedded(app, '?embed&preset=sociopol&agents=300&autorun');
  const { frame, page } = embedded;

  // The block is real, not simulated: the frame's own IndexedDB open fails and its Web Locks are denied.
  const storage = await frame.evaluate(async () => {
    const idb = await new Promise<string>((ok) => {
      try {
        const req = indexedDB.open('e2e-probe');
        req.onsuccess = () => ok('opened');
        req.onerror = () => ok(`refused: ${req.error?.message ?? ''}`);
      } catch (e) {
        ok(`refused: ${(e as Error).message}`);
      }
    });
    const locks = await navigator.locks.request('e2e-lock', () => 'granted').catch((e: Error) => `refused: ${e.name}`);
    return { idb, locks };
  });
  expect(storage.idb).toMatch(/^refused/);
  expect(storage.locks).toMatch(/^refused/);

  const banner = frame.locator('.memory-banner');
  await expect(banner.innerText()).resolves.toMatch(/Runs in this tab are not saved[\s\S]*gone when the tab closes[\s\S]*download its bundle[\s\S]*open the app in its own tab/);
  await expect(banner.getByRole('link', { name: 'open the app in its own tab' }).getAttribute('href')).resolves.toBe('/course/spillover/');

  await waitForFinished(frame);
  await expect.poll(() => frame.locator('.embed table.effects tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  expect((await frame.locator('.embed table.effects tbody tr').allInnerTexts()).join('\n')).toMatch(/ to /);
  await expect(frame.locator('.embed .finding .sentence').count()).resolves.toBeGreaterThan(0);

  // The simulation and the analysis ran off the page thread: the round loop and the analysis API are in the build, but
  // no script that ran on the frame's thread contains either (the page only renders; its own scripts are seen there).
  const built = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(DIST, 'assets', f), 'utf8'));
  for (const marker of [ROUND_LOOP, ANALYSIS]) expect(built.some((src) => src.includes(marker)), marker).toBe(true);
  const onPage = await scriptsOnPageThread(page, frame);
  expect(onPage.some((src) => src.includes('Runs in this tab are not saved'))).toBe(true);
  expect(onPage.filter((src) => src.includes(ROUND_LOOP) || src.includes(ANALYSIS)).map((src) => src.slice(0, 100))).toEqual([]);
  expect(page.workers().map((w) => w.url())).toEqual(expect.arrayContaining([expect.stringMatching(/memory-store\.worker-[\w-]+\.js$/)]));

  // The graph reads the rounds from the same in-memory database, through the worker that keeps it.
  await frame.getByRole('button', { name: 'Show the network', exact: true }).click();
  await expect.poll(() => frame.locator('.embed .graph .meta').innerText().catch(() => ''), { timeout: 30_000 }).toMatch(/^300 agents/);
  await expect.poll(() => frame.locator('.embed .overlay').count(), { timeout: 30_000 }).toBe(0);
  await expect.poll(() => inkedPixels(page, frame.locator('.embed .sigma')), { timeout: 15_000 }).toBeGreaterThan(500);
  // The agent card reads its history from the same database.
  await frame.getByLabel('Agent id').fill('3');
  await frame.getByRole('button', { name: 'Show agent' }).click();
  const card = frame.getByLabel('Agent details');
  await expect.poll(() => card.innerText().catch(() => ''), { timeout: 30_000 }).toMatch(/^Agent 3[\s\S]*active in \d+ rounds/);

  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), banner.getByRole('button', { name: 'Download this run’s bundle' }).click()]);
  const chunks: Buffer[] = [];
  for await (const c of await download.createReadStream()) chunks.push(c as Buffer);
  const bundle = Buffer.concat(chunks);
  const parsed = JSON.parse(bundle.toString('utf8')) as { format: string; run: { config: { agents: number } } };
  expect(parsed.format).toBe('spillover-run-bundle');
  expect(parsed.run.config.agents).toBe(300);
  expect(app.server.notFound).toEqual([]);
  expect(embedded.errors).toEqual([]);
  await embedded.close();

  // Kept: the app in its own tab (storage allowed) imports the bundle and replays every record with zero calls.
  const own = await openTab(app);
  await expect(own.page.locator('.memory-banner').count()).resolves.toBe(0);
  await own.page.getByLabel('Import a run bundle (.json)').setInputFiles({ name: 'from-the-course-page.json', mimeType: 'application/json', buffer: bundle });
  await expect
    .poll(() => own.page.locator('.notice').allInnerTexts(), { timeout: 120_000 })
    .toEqual(['Imported run replayed with zero calls: every record matches the bundle.']);
  await waitForComplete(own.page);
  expect((await runDigest(own.page)).rounds).toBeGreaterThan(0);
  expect(own.errors).toEqual([]);
  await own.context.close();
});
