/**
 * S3 with LLM agents in real Chromium against the local OpenAI-compatible server, on an uploaded edge list: the page
 * shows the expected cost before the run; the run is interrupted by a reload, resumed with the key entered again, and
 * finishes with exactly the records of an uninterrupted run of the same setup (made against a second server, so none of
 * its answers come from the first run's response cache).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTwitterNetwork } from '../../src/engine/network-generator';
import { startFakeOpenAI, type FakeServer } from '../integration/fake-openai-server';
import { startApp, type App } from './harness';

const KEY = 'fake.key-s3-resume-NEVER-STORED-1357';
let app: App;
let first: FakeServer;
let second: FakeServer;
const work = mkdtempSync(join(tmpdir(), 'spillover-s3-llm-e2e-'));
const edges = join(work, 'follows.edges');

beforeAll(async () => {
  app = await startApp();
  // Slow enough answers that the reload lands mid-run; answers depend only on the request, so both servers agree.
  first = await startFakeOpenAI({ latencyMs: 40 });
  second = await startFakeOpenAI({ latencyMs: 2 });
  const net = generateTwitterNetwork({ n: 160, seed: 4 });
  const lines: string[] = [];
  for (let a = 0; a < net.n; a++) for (let k = net.outOffsets[a]; k < net.outOffsets[a + 1]; k++) lines.push(`${a} ${net.outTargets[k]}`);
  writeFileSync(edges, lines.join('\n') + '\n');
});
afterAll(async () => {
  await app?.close();
  await first?.close();
  await second?.close();
});

const status = (page: Page) => page.locator('.runs li .status').first().innerText().catch(() => '');

/** The S3 form for an LLM run on the uploaded network, pointed at `url`. */
async function setUp(page: Page, url: string): Promise<void> {
  await page.getByLabel(/^Follower network/).setInputFiles(edges);
  await expect.poll(() => page.getByText(/Using follows\.edges: 160 accounts/).count(), { timeout: 20_000 }).toBe(1);
  await page.getByLabel('Seeds (comma-separated; results pool them)').fill('1');
  await page.getByLabel('Rounds', { exact: true }).fill('4');
  await page.getByLabel('LLM agents (your key)').check();
  await page.getByLabel('API key (kept in this tab only)').fill(KEY);
  await page.getByLabel('Endpoint').fill(url);
}

async function waitComplete(page: Page): Promise<void> {
  await expect.poll(async () => {
    const err = await page.locator('section[aria-labelledby="s3-run-h"] .error').allInnerTexts();
    if (err.length) throw new Error(err.join('\n'));
    return status(page);
  }, { timeout: 180_000, interval: 300 }).toMatch(/^complete/);
}

async function csvOf(page: Page): Promise<Record<string, string>> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('.runs li').first().getByRole('button', { name: 'CSV' }).click()]);
  const path = join(work, `${Date.now()}-${dl.suggestedFilename()}`);
  await dl.saveAs(path);
  const files = unzipSync(new Uint8Array(readFileSync(path)));
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strFromU8(v)]));
}

describe('S3 with LLM agents: interrupted, reloaded, resumed', () => {
  it('should estimate the cost, then finish after a reload with the records of an uninterrupted run', async () => {
    const context = await app.browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.url + '?preset=s3');
    await page.getByRole('button', { name: '▶ Run S3' }).waitFor();
    await setUp(page, first.url);
    await expect.poll(() => page.getByTestId('s3-estimate').innerText().catch(() => ''), { timeout: 20_000 }).toMatch(/about [\d,]+ decisions = [\d,]+ calls, .* ≈ \$\d+\.\d\d/);

    await page.getByRole('button', { name: '▶ Run S3' }).click();
    await expect.poll(() => status(page), { timeout: 60_000, interval: 100 }).toMatch(/^running · [2-9]\//);
    await page.reload();
    await page.getByRole('button', { name: '▶ Run S3' }).waitFor();
    await expect.poll(() => status(page), { timeout: 20_000 }).toMatch(/^interrupted · [2-9]\//);
    const callsBefore = first.counters.received;
    // The key is never stored: enter it again, then resume.
    await page.getByLabel('LLM agents (your key)').check();
    await page.getByLabel('API key (kept in this tab only)').fill(KEY);
    await page.locator('.runs li').first().getByRole('button', { name: 'Resume' }).click();
    await waitComplete(page);
    expect(first.counters.received).toBeGreaterThan(callsBefore);
    const resumed = await csvOf(page);

    await setUp(page, second.url);
    await page.getByRole('button', { name: '▶ Run S3' }).click();
    await expect.poll(() => page.locator('.runs li').count(), { timeout: 20_000 }).toBe(2);
    await waitComplete(page);
    expect(second.counters.received).toBeGreaterThan(0);
    const fresh = await csvOf(page);
    expect(Object.keys(resumed).sort()).toEqual(Object.keys(fresh).sort());
    expect(resumed['seed_1/baseline_messages.csv']).toMatch(/,(repost|post),/);
    for (const k of Object.keys(resumed)) expect(resumed[k], k).toBe(fresh[k]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
