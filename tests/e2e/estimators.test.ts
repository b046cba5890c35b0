/**
 * "Which estimator recovers the truth?" in real Chromium: Causal-MP panels uploaded as a zip under "Analyse
 * published results" give the same bias and RMSE as the Node testbed (the CLI's code) on the same files, and a
 * finished run compares every estimator, the exposure mappings included (the run knows its follower graph).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readCausalmpFiles } from '../../src/analysis/tte/causalmp-files';
import { estimatorViewFromCausalmp } from '../../src/analysis/tte/view';
import { openTab, runButton, startApp, waitForComplete, type App } from './harness';

const DIR = '../shared/data/causalmp/belief-adoption-krupina';
const SEEDS = ['seed0', 'seed1'];
let app: App;
let tmp: string;
beforeAll(async () => {
  app = await startApp();
  tmp = mkdtempSync(join(tmpdir(), 'spillover-cmp-'));
});
afterAll(async () => {
  await app?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('Causal-MP panels from a zip show the estimator table with the numbers the Node testbed gives', async () => {
  const entries: Record<string, Uint8Array> = {};
  const texts = new Map<string, string>();
  for (const s of SEEDS) {
    for (const f of readdirSync(join(DIR, s))) {
      const text = readFileSync(join(DIR, s, f), 'utf8');
      entries[`krupina/${s}/${f}`] = new TextEncoder().encode(text);
      texts.set(`krupina/${s}/${f}`, text);
    }
  }
  const zip = join(tmp, 'krupina.zip');
  writeFileSync(zip, zipSync(entries, { level: 1 }));
  const expected = estimatorViewFromCausalmp(readCausalmpFiles(texts, 'krupina.zip'), 'krupina.zip');

  const { page, context, errors } = await openTab(app);
  await page.locator('section[aria-labelledby="pub-h"] input[type="file"]:not([webkitdirectory])').setInputFiles(zip);
  const panel = page.locator('section[aria-labelledby="est-h"]');
  await expect.poll(() => panel.locator('tbody tr').count(), { timeout: 120_000 }).toBe(4);
  const rows = await panel.locator('tbody tr').allInnerTexts();
  for (const [i, name] of expected.result.meta.estimators.entries()) {
    const s = expected.result.summary[name];
    expect(rows[i]).toContain(name);
    expect(rows[i]).toContain((s.rmse as number).toFixed(4));
  }
  // The design was read off the treated shares: the package's 0 / 0.1 / 0.2 / 0.5 at time steps 0 / 1–2 / 3–4 / 5–6.
  await expect(panel.innerText()).resolves.toContain('0: 0, 1–2: 0.1, 3–4: 0.2, 5–6: 0.5');
  expect(errors).toEqual([]);
  await context.close();
});

test('a finished run compares DM, HT, both CMPs and the exposure mappings against its own truth', async () => {
  const { page, context, errors } = await openTab(app, '?agents=300');
  await runButton(page).click();
  await waitForComplete(page);
  const panel = page.locator('section[aria-labelledby="est-h"]');
  await panel.getByRole('button', { name: 'Compare the estimators' }).click();
  await expect.poll(() => panel.locator('tbody tr').count(), { timeout: 120_000 }).toBe(6);
  const text = (await panel.locator('tbody').innerText()).replace(/\s+/g, ' ');
  for (const name of ['DM', 'HT', 'bCMP', 'CMP', 'EXP-HT', 'EXP-Hajek']) expect(text).toContain(name);
  expect(await panel.locator('svg path').count()).toBe(7);
  expect(errors).toEqual([]);
  await context.close();
});
