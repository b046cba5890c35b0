/**
 * Issue 13: the side-by-side comparison and "copy link to this setup" in real Chromium. A run is compared with another
 * run and with the published runs (one seed folder uploaded as a zip); each column's headline effect equals an
 * independent computation — from the raw IndexedDB rows for a run, from the published CSVs read here in Node for the
 * published column. A setup link copied from an LLM run holds no key, and opened in a fresh browser fills the form so
 * that the run it starts has the same configuration and, against the same answers, the same records.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import type { Locator, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { openTab, runButton, runDigest, runList, storedRows, storedRuns, useApp, waitForComplete } from './harness';

const PUBLISHED = '../shared/data/llm-sociopol/seed_1';
const KEY = 'fake.key-e2e-LINK-NEVER-IN-URL-0000';

const servers = useApp({ stableAnswers: true, latencyMs: 1 });

/** Paired share-likely difference (last stated likelihood ≥ 3) between two conditions of a stored run at `round`. */
async function storedShareDiff(page: Page, runIndex: number, treatment: string, round: number): Promise<{ estimate: number; n: number }> {
  const runs = await storedRuns(page);
  const rows = await storedRows<{ runId: number; condition: string; round: number; columns: { likelihood: Int8Array } }>(page, 'rounds');
  const id = runs[runIndex].id;
  const at = (c: string) => rows.find((r) => r.runId === id && r.condition === c && r.round === round)!.columns.likelihood;
  const t = at(treatment);
  const c = at('control');
  let sum = 0;
  let n = 0;
  for (let a = 0; a < t.length; a++) {
    if (t[a] < 0 || c[a] < 0) continue;
    sum += (t[a] >= 3 ? 1 : 0) - (c[a] >= 3 ? 1 : 0);
    n++;
  }
  return { estimate: sum / n, n };
}

/** The same from a published voting CSV (one row per adult, sparse columns −15…30, last stated value carried). */
function publishedShareDiff(treatment: string, round: number): number {
  const likely = (condition: string) => {
    const lines = readFileSync(join(PUBLISHED, condition, `${condition}_voting_data.csv`), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const last = header.indexOf(String(round));
    return new Map(
      lines.slice(1).map((line) => {
        const cells = line.split(',');
        let v = NaN;
        for (let k = 1; k <= last; k++) if (cells[k] !== '' && cells[k] !== undefined) v = Number(cells[k]);
        return [cells[0], v] as const;
      }),
    );
  };
  const t = likely(treatment);
  const c = likely('control');
  let sum = 0;
  let n = 0;
  for (const [agent, tv] of t) {
    const cv = c.get(agent);
    if (!Number.isFinite(tv) || cv === undefined || !Number.isFinite(cv)) continue;
    sum += (tv >= 3 ? 1 : 0) - (cv >= 3 ? 1 : 0);
    n++;
  }
  return sum / n;
}

function headlineEstimate(column: Locator, treatment: string): Promise<number> {
  return column
    .locator(`table.effects tr[data-treatment="${treatment}"][data-baseline="control"][data-outcome="share_likely_r30"]`)
    .getAttribute('data-estimate')
    .then(Number);
}

const compareSelect = (page: Page) => page.getByLabel('Compare side by side with');

test('a run side by side with another run and with the published runs: one column each, numbers as computed from the raw data', async () => {
  const { app } = servers;
  const { page, context, errors } = await openTab(app, '?agents=300');
  await runButton(page).click();
  await waitForComplete(page, 1);
  await page.getByLabel('Number of agents').fill('200');
  await runButton(page).click();
  await waitForComplete(page, 2);
  await page.locator('#results table.effects').waitFor();
  const titles = await runList(page).locator('tbody tr').allInnerTexts();
  expect(titles).toHaveLength(2);

  // The newest run (200 agents) against the first (300 agents).
  const first = await page.locator('#results').evaluate(() => document.querySelector('#res-h')?.textContent ?? '');
  await compareSelect(page).selectOption({ index: 1 });
  const columns = page.locator('.compare .col');
  await expect.poll(() => columns.count(), { timeout: 30_000 }).toBe(2);
  expect(first).toContain(await columns.nth(0).locator('h4').innerText());
  for (const [i, runIndex] of [[0, 0], [1, 1]] as const) {
    const col = columns.nth(i);
    await expect(col.locator('.asof').innerText()).resolves.toMatch(/^As of round 30 · 1 seed$/);
    await expect(col.locator('.sentence').count()).resolves.toBeGreaterThan(0);
    await expect(col.locator('svg[aria-label="Share of likely voters"] path').count()).resolves.toBeGreaterThan(0);
    const shown = await headlineEstimate(col, 'treatment_soc_message');
    const raw = await storedShareDiff(page, runIndex, 'treatment_soc_message', 30);
    expect(shown).toBeCloseTo(raw.estimate, 12);
    const n = await col.locator('table.effects tr[data-treatment="treatment_soc_message"][data-outcome="share_likely_r30"] td').last().innerText();
    expect(n).toBe(`${raw.n} / ${raw.n}`);
  }
  // Nothing of a column's table is hidden sideways (at 1400 px each column is ~600 px: the rows become cards).
  await expect(page.locator('.compare .table-wrap').evaluateAll((els) => els.map((el) => el.scrollWidth - el.clientWidth))).resolves.toEqual([0, 0]);
  // Two different runs: 200 and 300 agents (adults only in the counts).
  expect((await storedShareDiff(page, 0, 'treatment_soc_message', 30)).n).toBeLessThanOrEqual(200);
  expect((await storedShareDiff(page, 1, 'treatment_soc_message', 30)).n).toBeGreaterThan(200);

  // The published runs: one seed folder as a zip, then the run again, compared with them.
  const entries: Record<string, Uint8Array> = {};
  for (const condition of readdirSync(PUBLISHED)) {
    for (const f of readdirSync(join(PUBLISHED, condition))) entries[`seed_1/${condition}/${f}`] = readFileSync(join(PUBLISHED, condition, f));
  }
  await page.locator('section[aria-labelledby="pub-h"] input[type="file"]:not([webkitdirectory])').setInputFiles({ name: 'seed_1.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(entries, { level: 1 })) });
  await expect.poll(() => page.locator('#res-h').innerText(), { timeout: 120_000 }).toMatch(/seed_1/);
  await runList(page).locator('tbody tr').first().getByRole('button', { name: 'Results', exact: true }).click();
  await expect.poll(() => page.locator('#res-h').innerText(), { timeout: 30_000 }).not.toMatch(/seed_1/);
  await compareSelect(page).selectOption({ value: 'published' });
  await expect.poll(() => columns.nth(1).locator('h4').innerText(), { timeout: 30_000 }).toMatch(/seed_1/);
  const published = await headlineEstimate(columns.nth(1), 'treatment_soc_message');
  expect(published).toBeCloseTo(publishedShareDiff('treatment_soc_message', 30), 12);
  expect(await headlineEstimate(columns.nth(0), 'treatment_soc_message')).toBeCloseTo((await storedShareDiff(page, 0, 'treatment_soc_message', 30)).estimate, 12);
  expect(errors).toEqual([]);
  await context.close();
});

/** The newest run's stored settings, without its name, times, status and totals. */
async function storedSetup(page: Page): Promise<unknown> {
  const [run] = await storedRuns(page);
  return { config: run.config, seeds: run.seeds, agentsKind: run.agentsKind, llm: run.llm, network: run.network };
}

test('a setup link from an LLM run holds no key and, opened in a fresh browser, reproduces the run', async () => {
  const { app, llm } = servers;
  const { page, context, errors } = await openTab(app, '?agents=40');
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.url).origin });
  await page.locator('input[type="radio"][value="llm"]').check();
  await page.getByLabel('API key', { exact: true }).fill(KEY);
  await page.getByLabel('Endpoint (OpenAI-compatible base URL)').fill(llm.url);
  await page.getByLabel('Requests at once').fill('6');
  await page.getByLabel('Seeds').fill('7');
  await page.getByText('Conditions, schedules and messages').click();
  for (const name of ['treatment_info_message', 'treatment_soc_message', 'experiment_info_message']) {
    await page.getByLabel(`include ${name}`, { exact: true }).uncheck();
  }
  await page.getByLabel('experiment_soc_message period 1').fill('0.3');
  await page.getByLabel('Get-out-the-vote message').fill('Polls are open today: go and vote! (course link test)');
  await page.locator('.estimate').filter({ hasText: /calls/ }).waitFor({ timeout: 20_000 });
  await runButton(page).click();
  await waitForComplete(page, 1, 150_000);
  const original = await storedSetup(page);
  const originalRecords = await runDigest(page);

  await page.getByRole('button', { name: 'Copy link to this setup' }).click();
  await expect(page.locator('#results .copied').innerText()).resolves.toBe('Link copied.');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link.startsWith(`${app.url}?setup=`)).toBe(true);
  const decoded = Buffer.from(new URL(link).searchParams.get('setup')!, 'base64url').toString('utf8');
  for (const text of [link, decoded]) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('LINK-NEVER');
  }
  expect(errors).toEqual([]);
  await context.close();

  // A fresh browser context: no runs, no key; the link fills the form, the key is asked for, the run is the same.
  const fresh = await openTab(app, link.slice(app.url.length));
  await expect(fresh.page.locator('input[type="radio"][value="llm"]').isChecked()).resolves.toBe(true);
  await expect(fresh.page.getByLabel('Endpoint (OpenAI-compatible base URL)').inputValue()).resolves.toBe(llm.url);
  await expect(fresh.page.getByLabel('API key', { exact: true }).inputValue()).resolves.toBe('');
  await fresh.page.getByLabel('API key', { exact: true }).fill(KEY);
  await fresh.page.locator('.estimate').filter({ hasText: /calls/ }).waitFor({ timeout: 20_000 });
  await runButton(fresh.page).click();
  await waitForComplete(fresh.page, 1, 150_000);
  expect(await storedSetup(fresh.page)).toEqual(original);
  const again = await runDigest(fresh.page);
  expect(again.tables).toEqual(originalRecords.tables);
  expect(fresh.errors).toEqual([]);
  await fresh.context.close();
});
