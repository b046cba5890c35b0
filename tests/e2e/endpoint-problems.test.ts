/**
 * Issue 13, endpoint problems named: against the local OpenAI-compatible server (real SDK, real HTTP), an endpoint that
 * sends no CORS headers (Ollama without OLLAMA_ORIGINS) stops the run before a single call with "probably CORS" and how
 * to allow this page's origin on Ollama, LM Studio and vLLM; a port where nothing listens is named as such; and a
 * server that leaves requests unanswered shows "waiting on N slow requests (timeout T s)" with "retry now", which
 * sends them again so the run completes. The progress line never leaves "generating personas…" up while the endpoint
 * is being tried.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startFakeOpenAI, type FakeServer } from '../integration/fake-openai-server';
import { openTab, progressTexts, recordProgressTexts, runStatuses, startApp, startLlmRun, waitForComplete, type App } from './harness';

const KEY = 'fake.key-e2e-endpoint-0000000000';

let app: App;
let noCors: FakeServer;
let stalling: FakeServer;
beforeAll(async () => {
  app = await startApp();
  noCors = await startFakeOpenAI({ cors: false, latencyMs: 1 });
  stalling = await startFakeOpenAI({ stallFirst: 4, latencyMs: 1 });
});
afterAll(async () => {
  await app?.close();
  await noCors?.close();
  await stalling?.close();
});

/** The browser reports the refused preflight and the refused connection itself; those are the point of the test. */
const unexpected = (errors: string[]) => errors.filter((e) => !/CORS policy|ERR_FAILED|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e));

test('an endpoint without CORS headers, or with nothing listening, stops the run at once with what to do', async () => {
  const { page, context, errors } = await openTab(app, '?agents=40', undefined, recordProgressTexts);
  const origin = new URL(app.url).origin;
  await startLlmRun(page, noCors.url, KEY);
  const alert = page.locator('.progress .error');
  await alert.waitFor({ timeout: 60_000 });
  const text = await alert.innerText();
  expect(text).toMatch(/^The LLM endpoint cannot be used from this page:/);
  expect(text).toContain(`blocked the requests to ${noCors.url}`);
  expect(text).toContain('probably CORS');
  expect(text).toContain(`OLLAMA_ORIGINS=${origin}`);
  expect(text).toContain('"Enable CORS"');
  expect(text).toContain(`--allowed-origins '["${origin}"]'`);
  expect(text).not.toContain(KEY);
  // Stopped by the check, before a single chat request and before any persona was generated; resumable once fixed.
  expect(noCors.counters.received).toBe(0);
  await expect.poll(() => runStatuses(page), { timeout: 30_000 }).toEqual(['paused']);
  const seen = await progressTexts(page);
  expect(seen).toContain(`trying the LLM endpoint ${noCors.url}…`);
  expect(seen.some((t) => /generating personas/.test(t))).toBe(false);

  // Nothing listening at all is a different problem with a different fix.
  const gone = await startFakeOpenAI({});
  const goneUrl = gone.url;
  await gone.close();
  await page.getByLabel('Endpoint (OpenAI-compatible base URL)').fill(goneUrl);
  await page.getByRole('button', { name: '▶ Run', exact: true }).first().click();
  await expect.poll(() => alert.innerText().catch(() => ''), { timeout: 60_000 }).toContain(`nothing answers at ${goneUrl}`);
  expect(await alert.innerText()).not.toContain('CORS');
  expect(unexpected(errors)).toEqual([]);
  await context.close();
});

test('stalled requests are shown as slow with their timeout, and "retry now" sends them again so the run completes', async () => {
  const { page, context, errors } = await openTab(app, '?agents=40', undefined, recordProgressTexts);
  await startLlmRun(page, stalling.url, KEY);
  // The first four requests (the limiter's first window) never get an answer.
  const note = page.locator('.progress .wait');
  await expect.poll(() => note.innerText().catch(() => ''), { timeout: 60_000 }).toBe('waiting on 4 slow requests (timeout 60 s)');
  expect(stalling.counters.stalled).toBe(4);
  expect(stalling.counters.answered).toBe(0);
  const seen = await progressTexts(page);
  // While the endpoint was tried and the first answers awaited, the line said so instead of the last preparation step.
  const personas = seen.findIndex((t) => /generating personas/.test(t));
  expect(seen.indexOf(`trying the LLM endpoint ${stalling.url}…`)).toBeGreaterThanOrEqual(0);
  expect(seen.findIndex((t) => t.startsWith(`asking the LLM at ${stalling.url}: 4 requests in flight`))).toBeGreaterThan(personas);

  await page.getByRole('button', { name: '↻ retry now' }).click();
  // Not a speed check: without "retry now" the stalled attempts end only at their 60 s timeout, so a run that completes
  // within 45 s of the click (it takes a few seconds) can only have done so because the click sent them again.
  await waitForComplete(page, 1, 45_000);
  // Every stalled request was sent again and answered; nothing else was lost or repeated.
  expect(stalling.counters.received).toBe(stalling.counters.answered + 4);
  await expect(page.locator('.progress .wait, .progress .slow').count()).resolves.toBe(0);
  expect(errors).toEqual([]);
  await context.close();
});
