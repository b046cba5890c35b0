/**
 * A run bundle exported in one browser and imported in another (a fresh context: its own IndexedDB) replays with zero
 * calls, the app says every record matches, and the imported run's records equal the original's.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { downloadFromRunList, openTab, runButton, runDigest, runList, startApp, waitForComplete, type App } from './harness';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

test('a run bundle exported in one browser imports in another and replays identically with zero calls', async () => {
  const source = await openTab(app, '?agents=500');
  await runButton(source.page).click();
  await waitForComplete(source.page);
  const original = await runDigest(source.page);
  const bundle = await downloadFromRunList(source.page, 'Bundle');
  expect(source.errors).toEqual([]);
  await source.context.close();
  expect(JSON.parse(bundle.toString('utf8')).format).toBe('spillover-run-bundle');

  const { page, context, errors } = await openTab(app);
  await expect(runList(page).innerText()).resolves.toContain('No runs yet');
  await page.getByLabel('Import a run bundle (.json)').setInputFiles({ name: 'shared-run.json', mimeType: 'application/json', buffer: bundle });
  await expect
    .poll(() => page.locator('.notice').allInnerTexts(), { timeout: 120_000 })
    .toEqual(['Imported run replayed with zero calls: every record matches the bundle.']);
  await waitForComplete(page);
  await expect(runList(page).locator('tbody tr').first().innerText()).resolves.toMatch(/\(imported\)[\s\S]*imported/);
  const imported = await runDigest(page);
  expect(imported).toEqual({ ...original, calls: 0 });
  expect(errors).toEqual([]);
  await context.close();
});
