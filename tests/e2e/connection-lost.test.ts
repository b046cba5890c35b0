/**
 * Connection failures in the middle of an LLM run, in real Chromium against the local OpenAI-compatible server (real
 * SDK, real HTTP): a server killed mid-run pauses the run within seconds with "stopped answering" and what to do, and
 * once it is started again Resume completes the run; a server that stops sending CORS headers mid-run (restarted
 * without OLLAMA_ORIGINS) pauses it with the CORS fix for this page's origin. The key is in no message.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startFakeOpenAI, type FakeServer, type FakeServerOptions } from '../integration/fake-openai-server';
import { openTab, runList, runStatuses, startApp, startLlmRun, waitForComplete, type App } from './harness';

const KEY = 'fake.key-e2e-zq9x-000000000000000';

let app: App;
const servers: FakeServer[] = [];
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
  await Promise.all(servers.map((s) => s.close()));
});

/** The browser reports the refused connections and the refused CORS reads itself; those are the point of the test. */
const unexpected = (errors: string[]) => errors.filter((e) => !/CORS policy|ERR_FAILED|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e));

/** Resolves once the server has answered `n` chat requests. */
async function answered(server: FakeServer, n: number): Promise<void> {
  await expect.poll(() => server.counters.answered, { timeout: 60_000, interval: 20 }).toBeGreaterThanOrEqual(n);
}

test('a server killed mid-run pauses the run with "stopped answering" and the fix; started again, Resume completes it', async () => {
  const server = await startFakeOpenAI({ latencyMs: 20 });
  servers.push(server);
  const port = Number(new URL(server.url).port);
  const { page, context, errors } = await openTab(app, '?agents=40');
  page.on('dialog', (d) => void d.accept());
  await startLlmRun(page, server.url, KEY);
  await answered(server, 30);
  await server.close();

  const alert = page.locator('.progress .error');
  await expect.poll(() => alert.innerText().catch(() => ''), { timeout: 60_000 }).toMatch(/^The LLM endpoint stopped answering:/);
  const text = await alert.innerText();
  expect(text).toContain(`${server.url} stopped answering in the middle of the run`);
  expect(text).toContain('nothing answers there now');
  expect(text).toContain('Start the server again or fix the base URL, then resume');
  expect(text).not.toContain('CORS');
  expect(text).not.toContain(KEY);
  await expect.poll(() => runStatuses(page), { timeout: 30_000 }).toEqual(['paused']);

  const back = await startFakeOpenAI({ latencyMs: 1 }, port);
  servers.push(back);
  await runList(page).getByRole('button', { name: 'Resume', exact: true }).click();
  await waitForComplete(page, 1, 120_000);
  expect(back.counters.answered).toBeGreaterThan(0);
  expect(unexpected(errors)).toEqual([]);
  await context.close();
});

test('a server that stops allowing this page mid-run pauses the run with the CORS fix for its origin', async () => {
  const options: FakeServerOptions = { latencyMs: 20 };
  const server = await startFakeOpenAI(options);
  servers.push(server);
  const origin = new URL(app.url).origin;
  const { page, context, errors } = await openTab(app, '?agents=40');
  await startLlmRun(page, server.url, KEY);
  await answered(server, 30);
  options.cors = false;

  const alert = page.locator('.progress .error');
  await expect.poll(() => alert.innerText().catch(() => ''), { timeout: 60_000 }).toMatch(/^The LLM endpoint cannot be used from this page:/);
  const text = await alert.innerText();
  expect(text).toContain(`in the middle of the run the browser started to block the requests to ${server.url}`);
  expect(text).toContain('probably CORS');
  expect(text).toContain(`OLLAMA_ORIGINS=${origin}`);
  expect(text).not.toContain(KEY);
  await expect.poll(() => runStatuses(page), { timeout: 30_000 }).toEqual(['paused']);
  expect(unexpected(errors)).toEqual([]);
  await context.close();
});
