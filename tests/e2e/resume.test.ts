/**
 * A reload in the middle of a run loses nothing: the run list shows the run as interrupted, Resume continues it from
 * its last complete round, and the final records equal those of an uninterrupted run with the same seed and config.
 */
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { downloadFromRunList, openTab, runButton, runDigest, runList, runStatuses, startApp, waitForComplete, type App } from './harness';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

function csvFiles(zip: Buffer): Record<string, string> {
  const files = unzipSync(new Uint8Array(zip));
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, new TextDecoder().decode(bytes)]));
}

test('a reload mid-run resumes from the run list to the same final records as an uninterrupted run', async () => {
  // Two seeds make the run long enough (about twice the one-click run) that the reload lands well before its end even
  // on a loaded machine, where the old page's worker can go on for a few seconds while the new page loads.
  const query = '?seeds=1,2';
  const reference = await openTab(app, query);
  await runButton(reference.page).click();
  await waitForComplete(reference.page);
  const expected = await runDigest(reference.page);
  const expectedCsv = csvFiles(await downloadFromRunList(reference.page, 'CSV'));
  await reference.context.close();

  const { page, context, errors } = await openTab(app, query);
  await runButton(page).click();
  const bar = page.locator('[role="progressbar"]');
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(10);
  await page.reload();

  await expect.poll(() => runStatuses(page), { timeout: 20_000 }).toEqual(['interrupted']);
  const partial = await runDigest(page);
  expect(partial.rounds).toBeGreaterThan(0);
  expect(partial.rounds).toBeLessThan(expected.rounds);

  // The Run card says so and offers Resume there (the run list offers it too).
  const card = page.locator('section[aria-labelledby="run-h"] .unfinished');
  await expect(card.innerText()).resolves.toMatch(/was interrupted .* at \d+ %, round -?\d+\. Every finished round is stored/);
  await expect(runList(page).locator('tbody tr').first().getByRole('button', { name: 'Resume', exact: true }).count()).resolves.toBe(1);
  await card.getByRole('button', { name: '▶ Resume' }).click();
  await waitForComplete(page);
  await expect(page.locator('.progress').innerText()).resolves.toMatch(/stored rounds replayed without calls/);
  const resumed = await runDigest(page);
  expect(resumed).toEqual(expected);
  expect(csvFiles(await downloadFromRunList(page, 'CSV'))).toEqual(expectedCsv);
  expect(errors).toEqual([]);
  await context.close();
});
