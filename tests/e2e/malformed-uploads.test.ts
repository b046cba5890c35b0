/**
 * Malformed files are refused with a message that says what is wrong, and change nothing: an edge list with a bad
 * line, run bundles that are not JSON, lack sections, have another version or a damaged network, and published-results
 * zips that are not zips or hold a malformed CSV. The run list and every IndexedDB table stay as they were.
 */
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { downloadFromRunList, dumpIndexedDb, openTab, runButton, runList, startApp, waitForComplete, type App } from './harness';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

test('malformed edge lists, run bundles and published-results files are refused with a message and change nothing', async () => {
  const { page, context, errors } = await openTab(app, '?agents=300');
  await runButton(page).click();
  await waitForComplete(page);
  const goodBundle = JSON.parse((await downloadFromRunList(page, 'Bundle')).toString('utf8'));
  const storedBefore = await dumpIndexedDb(page);
  const listBefore = await runList(page).innerText();

  // An edge list with three fields on line 3.
  await page.locator('input[type="file"][accept*=".edges"]').setInputFiles({ name: 'bad.edges', mimeType: 'text/plain', buffer: Buffer.from('0 1\n1 2\n3 4 5\n') });
  const uploadError = page.locator('.setup .error[role="alert"]');
  await expect.poll(() => uploadError.innerText()).toMatch(/Upload refused.*line 3/);
  await expect(page.locator('input[type="radio"][value="uploaded"]').isDisabled()).resolves.toBe(true);
  await expect(page.locator('input[type="radio"][value="bundled"]').isChecked()).resolves.toBe(true);

  // Run bundles: not JSON, sections missing, a version this app does not read, a network that does not fit its size.
  const damaged = { ...goodBundle, network: { ...goodBundle.network, n: 5 } };
  const bundles: Array<[string, string, RegExp]> = [
    ['truncated.json', '{"format": "spillover-run-bundle", "vers', /not valid JSON/],
    ['empty.json', JSON.stringify({ format: 'spillover-run-bundle', version: 1, exportedAt: '2025-01-01' }), /missing or damaged/],
    ['future.json', JSON.stringify({ ...goodBundle, version: 99 }), /version 99 is not supported/],
    ['other.json', JSON.stringify({ hello: 'world' }), /not a Spillover run bundle/],
    ['damaged.json', JSON.stringify(damaged), /damaged\.json/],
  ];
  const progressError = page.locator('.progress .error[role="alert"]');
  for (const [name, text, message] of bundles) {
    await page.getByLabel('Import a run bundle (.json)').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
    await expect.poll(() => progressError.innerText().catch(() => ''), { timeout: 30_000 }).toMatch(message);
    await expect(runList(page).innerText()).resolves.toBe(listBefore);
  }

  // Published results: bytes that are not a zip, then a zip whose voting CSV is malformed.
  const zipInput = page.locator('input[type="file"][accept*=".zip"]');
  const resultsError = page.locator('#results .error[role="alert"]');
  await zipInput.setInputFiles({ name: 'not-a-zip.zip', mimeType: 'application/zip', buffer: Buffer.from('this is not a zip file') });
  await expect.poll(() => resultsError.innerText().catch(() => ''), { timeout: 30_000 }).toMatch(/published results 'not-a-zip\.zip': the file is not a zip archive .*; choose a \.zip of the seed folders .* with "Folder" instead/);
  const badCsv = zipSync({
    'seed_1/control/control_voting_data.csv': strToU8('agent,round_1\n0,three\n1\n'),
    'seed_1/control/control_treatment_data.csv': strToU8('nonsense'),
  });
  await zipInput.setInputFiles({ name: 'bad-csv.zip', mimeType: 'application/zip', buffer: Buffer.from(badCsv) });
  await expect.poll(() => resultsError.innerText().catch(() => ''), { timeout: 30_000 }).toMatch(/control_voting_data\.csv: line 2 column 'round_1' holds 'three'/);

  expect(await runList(page).innerText()).toBe(listBefore);
  expect(await dumpIndexedDb(page)).toBe(storedBefore);
  expect(errors).toEqual([]);
  await context.close();
});
