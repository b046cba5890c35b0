/**
 * An LLM run in the browser: the openai SDK inside the simulation worker calls the local OpenAI-compatible test server
 * over real HTTP (cross-origin, so with CORS). The run completes, and the API key is found nowhere it must not be:
 * not in any IndexedDB table, not in the exported bundle or CSV zip, not in localStorage (unless "remember" is
 * ticked) and not in the URL. Its bundle then replays in a fresh browser without a single request.
 */
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startFakeOpenAI, type FakeServer } from '../integration/fake-openai-server';
import { downloadFromRunList, dumpIndexedDb, openTab, runDigest, startApp, startLlmRun, waitForComplete, type App } from './harness';

const KEY = 'fake.key-e2e-DO-NOT-STORE-1234567890';
/** A distinctive part of the key too, in case something stored a truncated or reformatted copy. */
const KEY_PART = 'DO-NOT-STORE';

/** Opens agent 3's card from the graph's agent field and returns the text of its first activation's prompt. */
async function firstPromptOfAgent(page: Page): Promise<{ prompt: string; card: string }> {
  await page.getByLabel('Agent id').fill('3');
  await page.getByRole('button', { name: 'Show agent' }).click();
  const card = page.getByLabel('Agent details');
  const summary = card.locator('summary', { hasText: /^Prompt, round/ }).first();
  await summary.waitFor({ timeout: 60_000 });
  await summary.click();
  const prompt = await card.locator('pre.prompt').first().innerText();
  return { prompt, card: await card.innerText() };
}

let app: App;
let llm: FakeServer;
beforeAll(async () => {
  app = await startApp();
  llm = await startFakeOpenAI({ latencyMs: 5 });
});
afterAll(async () => {
  await app?.close();
  await llm?.close();
});

test('an LLM run against the local test server completes and its API key is stored nowhere', async () => {
  const { page, context, errors } = await openTab(app, '?agents=80');
  await startLlmRun(page, llm.url, KEY, { keep: ['experiment_soc_message'] });
  await waitForComplete(page, 1, 220_000);
  const run = await runDigest(page);
  expect(run.calls).toBeGreaterThan(0);
  expect(llm.counters.answered).toBeGreaterThanOrEqual(run.calls);
  // The key did reach the server, so searching for it below is meaningful.
  expect([...llm.counters.authorization]).toEqual([`Bearer ${KEY}`]);

  // The agent card shows what the agent was asked (its persona line first) and what it answered, never the key.
  const shown = await firstPromptOfAgent(page);
  expect(shown.prompt).toContain('You are @3');
  expect(shown.card).toMatch(/answer/);
  expect(shown.card).not.toContain(KEY_PART);

  const dump = await dumpIndexedDb(page);
  expect(dump).toContain('llmCalls');
  expect(dump).not.toContain(KEY_PART);
  const bundle = await downloadFromRunList(page, 'Bundle');
  expect(bundle.toString('utf8')).toContain('"llmCache"');
  expect(bundle.toString('utf8')).not.toContain(KEY_PART);
  const csv = unzipSync(new Uint8Array(await downloadFromRunList(page, 'CSV')));
  expect(Object.keys(csv).length).toBeGreaterThan(0);
  for (const [name, bytes] of Object.entries(csv)) expect(`${name}: ${new TextDecoder().decode(bytes)}`).not.toContain(KEY_PART);
  const storage = () => page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));
  expect(await storage()).not.toContain(KEY_PART);
  expect(page.url()).not.toContain(KEY_PART);

  // The localStorage search can fail: ticking "remember" is the one way the key is meant to be kept.
  await page.getByLabel(/Remember on this device/).check();
  expect(await storage()).toContain(KEY);
  expect(errors).toEqual([]);
  await context.close();

  const before = llm.counters.received;
  const other = await openTab(app);
  await other.page.getByLabel('Import a run bundle (.json)').setInputFiles({ name: 'llm-run.json', mimeType: 'application/json', buffer: bundle });
  await expect
    .poll(() => other.page.locator('.notice').allInnerTexts(), { timeout: 120_000 })
    .toEqual(['Imported run replayed with zero calls: every record matches the bundle.']);
  await waitForComplete(other.page);
  expect(llm.counters.received).toBe(before);
  expect(await runDigest(other.page)).toEqual({ ...run, calls: 0 });
  // The prompts travel in the bundle's stored outcomes, so the imported run's card shows the same text.
  expect((await firstPromptOfAgent(other.page)).prompt).toBe(shown.prompt);
  expect(other.errors).toEqual([]);
  await other.context.close();
});
