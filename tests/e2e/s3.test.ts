/**
 * The S3 preset in real Chromium: a run with classical models end to end (curves, interventions, MSED/Cor against an
 * uploaded curve, the graph with its round scrubber, CSV and bundle exports), a bundle replayed with zero calls, a
 * run interrupted by a reload that resumes to the same results as an uninterrupted one, and S3 runs in the one run
 * list (the simulation worker and database every run uses).
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startFakeOpenAI } from '../integration/fake-openai-server';
import { dumpIndexedDb, openS3, startApp, waitForS3Complete as waitComplete, type App } from './harness';

let app: App;
const work = mkdtempSync(join(tmpdir(), 'spillover-s3-e2e-'));

beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

async function setUp(page: Page, users: number, seeds: string, rounds: number): Promise<void> {
  await page.getByLabel('Users', { exact: true }).fill(String(users));
  await page.getByLabel('Seeds (comma-separated; results pool them)').fill(seeds);
  await page.getByLabel('Rounds', { exact: true }).fill(String(rounds));
}

async function downloadOf(page: Page, click: () => Promise<void>): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = join(work, dl.suggestedFilename());
  await dl.saveAs(path);
  return path;
}

describe('S3 preset in the app', () => {
  it('should run offline end to end, compare with an observed curve, draw the graph and export CSVs and a bundle that replays with zero calls', async () => {
    const { context, page, errors } = await openS3(app);
    await setUp(page, 600, '1,2', 10);
    await page.getByRole('button', { name: '▶ Run S3' }).click();
    await waitComplete(page);
    const results = page.locator('section[aria-labelledby="s3-res-h"]');
    await expect.poll(() => results.locator('svg[role="img"]').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
    const effects = results.locator('table tbody tr');
    await expect.poll(() => effects.count(), { timeout: 20_000 }).toBe(6);
    expect(await results.getByTestId('s3-compare').innerText()).toMatch(/MSED \d\.\d{5} · Cor/);
    writeFileSync(join(work, 'observed.csv'), 'round,value\n0,0\n2,0.2\n4,0.5\n6,0.7\n8,0.8\n10,0.85\n');
    await results.getByLabel(/upload an observed curve/).setInputFiles(join(work, 'observed.csv'));
    await expect.poll(() => results.getByTestId('s3-compare').innerText(), { timeout: 10_000 }).toMatch(/over 6 shared rounds/);
    await page.screenshot({ path: '/tmp/s3shots/s3-desktop-results.png', fullPage: true });

    await page.getByRole('button', { name: 'Show the network' }).click();
    const roundText = page.getByTestId('s3-graph-round');
    const graphSection = page.locator('section[aria-labelledby="s3-graph-h"]');
    await expect.poll(async () => `${await roundText.innerText()} ${await graphSection.locator('.error').allInnerTexts()} ${errors.join(' ')}`, { timeout: 60_000 }).toMatch(/^round 5 · [1-9][\d,]* aware/);
    await page.getByLabel('Round', { exact: true }).fill('8');
    await expect.poll(() => roundText.innerText(), { timeout: 10_000 }).toMatch(/^round 8 · [1-9][\d,]* aware/);
    await page.getByLabel('Colour by').selectOption('emotion');
    await page.waitForTimeout(500);
    await page.locator('section[aria-labelledby="s3-graph-h"]').screenshot({ path: '/tmp/s3shots/s3-desktop-graph.png' });

    const zipPath = await downloadOf(page, () => page.locator('.runs li').first().getByRole('button', { name: 'CSV' }).click());
    const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const names = Object.keys(files).sort();
    expect(names).toContain('outcomes_long.csv');
    expect(names).toContain('seed_2/remove_spreaders_attitude_wide.csv');
    expect(strFromU8(files['seed_1/baseline_emotion_wide.csv']).split('\n')[0]).toBe(['user_id', ...Array.from({ length: 11 }, (_, r) => `round_${r}`)].join(','));

    const bundlePath = await downloadOf(page, () => page.locator('.runs li').first().getByRole('button', { name: 'Bundle' }).click());
    await page.getByLabel(/Import a bundle/).setInputFiles(bundlePath);
    await expect.poll(() => page.locator('section[aria-labelledby="s3-run-h"] .notice').innerText().catch(() => ''), { timeout: 60_000 })
      .toBe('Imported run replayed with zero calls: every round matches the bundle.');
    await waitComplete(page);
    expect(await page.locator('.runs li .status').first().innerText()).toMatch(/0 mismatches/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('should resume a run interrupted by a reload to the same results as an uninterrupted run', async () => {
    const { context, page } = await openS3(app);
    await setUp(page, 3000, '1,2,3', 40);
    await page.getByRole('button', { name: '▶ Run S3' }).click();
    await expect.poll(() => page.locator('.runs li .status').first().innerText().catch(() => ''), { timeout: 60_000 }).toMatch(/^running · [1-9]\d*\//);
    await page.reload();
    await page.getByRole('button', { name: '▶ Run S3' }).waitFor();
    await expect.poll(() => page.locator('.runs li .status').first().innerText().catch(() => ''), { timeout: 20_000 }).toMatch(/^interrupted/);
    await page.locator('.runs li').first().getByRole('button', { name: 'Resume' }).click();
    await waitComplete(page);
    const resumed = await downloadOf(page, () => page.locator('.runs li').first().getByRole('button', { name: 'CSV' }).click());
    // The form starts from its defaults after a reload: set the same run up again.
    await setUp(page, 3000, '1,2,3', 40);
    await page.getByRole('button', { name: '▶ Run S3' }).click();
    await expect.poll(() => page.locator('.runs li').count(), { timeout: 20_000 }).toBe(2);
    await waitComplete(page);
    const fresh = await downloadOf(page, () => page.locator('.runs li').first().getByRole('button', { name: 'CSV' }).click());
    const a = unzipSync(new Uint8Array(readFileSync(resumed)));
    const b = unzipSync(new Uint8Array(readFileSync(fresh)));
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(a)) expect(strFromU8(a[k]), k).toBe(strFromU8(b[k]));
    await context.close();
  });

  it('should fit a 390 px phone screen', async () => {
    const { context, page } = await openS3(app, { width: 390, height: 844 });
    await setUp(page, 300, '1', 8);
    await page.getByRole('button', { name: '▶ Run S3' }).click();
    await waitComplete(page);
    await page.locator('section[aria-labelledby="s3-res-h"] svg[role="img"]').first().waitFor();
    // Wide tables scroll inside their own box; the page itself never scrolls sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: '/tmp/s3shots/s3-phone.png', fullPage: true });
    // One run list: the S3 run is listed with every other run, and opening it there shows S3's own results.
    await page.getByRole('button', { name: 'Voting: LLM-SocioPol and Bond 2012' }).click();
    const listed = page.getByRole('button', { name: /^S3 · .* 300 users$/ }).first();
    await listed.waitFor({ timeout: 20_000 });
    await listed.click();
    await page.locator('section[aria-labelledby="s3-res-h"] svg[role="img"]').first().waitFor({ timeout: 20_000 });
    await context.close();
  });

  it('should run with LLM agents against the local OpenAI-compatible server and store the key nowhere', async () => {
    const KEY = 'fake.key-s3-e2e-NEVER-STORED-5566778899';
    const server = await startFakeOpenAI({ latencyMs: 3 });
    const { context, page, errors } = await openS3(app);
    try {
      await setUp(page, 150, '1', 3);
      await page.getByLabel('LLM agents (your key)').check();
      await page.getByLabel('API key (kept in this tab only)').fill(KEY);
      await page.getByLabel('Endpoint').fill(server.url);
      await page.getByRole('button', { name: '▶ Run S3' }).click();
      await waitComplete(page);
      const summary = page.locator('section[aria-labelledby="s3-res-h"] .hint').first();
      await expect.poll(() => summary.innerText(), { timeout: 20_000 }).toMatch(/ · [1-9]\d* LLM calls, \$\d+\.\d{4}, \d+ invalid answers/);
      const bundlePath = await downloadOf(page, () => page.locator('.runs li').first().getByRole('button', { name: 'Bundle' }).click());
      for (const text of [await dumpIndexedDb(page), readFileSync(bundlePath, 'utf8'), page.url()]) expect(text).not.toContain('NEVER-STORED');
      expect(readFileSync(bundlePath, 'utf8')).toMatch(/"action":"(repost|post)"/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await server.close();
    }
  });
});
