/**
 * The app's offline run on the Web Worker pool: its stored records equal those of the same run in the simulation
 * worker alone (`?workers=1`), and a run paused on the pool resumes on the pool to the same records.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { openTab, runButton, runDigest, runList, runStatuses, startApp, waitForComplete, type App } from './harness';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

/** Scripts of the pool's workers that the page's workers started (nested workers are reported on the page). */
function poolWorkers(page: Page): string[] {
  const urls: string[] = [];
  page.on('worker', (w) => {
    if (/conditions\.worker/.test(w.url())) urls.push(w.url());
  });
  return urls;
}

test('a run on the pool stores the records of the run in one worker, also when paused and resumed on the pool', async () => {
  const single = await openTab(app, '?workers=1');
  const singleWorkers = poolWorkers(single.page);
  await runButton(single.page).click();
  await waitForComplete(single.page);
  const expected = await runDigest(single.page);
  expect(singleWorkers).toEqual([]);
  expect(single.errors).toEqual([]);
  await single.context.close();

  const pooled = await openTab(app, '?workers=3');
  const pooledWorkers = poolWorkers(pooled.page);
  await runButton(pooled.page).click();
  await waitForComplete(pooled.page);
  expect(await runDigest(pooled.page)).toEqual(expected);
  expect(pooledWorkers.length).toBe(3);
  expect(pooled.errors).toEqual([]);
  await pooled.context.close();

  const { page, context, errors } = await openTab(app, '?workers=2');
  const workers = poolWorkers(page);
  await runButton(page).click();
  const bar = page.locator('[role="progressbar"]');
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 120_000, interval: 50 }).toBeGreaterThanOrEqual(30);
  await page.getByRole('button', { name: '❚❚ Pause' }).click();
  await expect.poll(() => runStatuses(page), { timeout: 60_000 }).toEqual(['paused']);
  expect(workers.length).toBe(2);
  const partial = await runDigest(page);
  expect(partial.rounds).toBeGreaterThan(0);
  expect(partial.rounds).toBeLessThan(expected.rounds);
  await runList(page).getByRole('button', { name: 'Resume', exact: true }).click();
  await waitForComplete(page);
  expect(await runDigest(page)).toEqual(expected);
  // The resume ran on the pool too (two more workers), its stored rounds replayed there.
  expect(workers.length).toBe(4);
  expect(errors).toEqual([]);
  await context.close();
});
