/**
 * Issue 14, finding 5: a bundle of an unfinished run imports as far as it goes; its remaining rounds are not decided
 * silently by offline agents. Resume asks which agents continue it (those chosen under "Who decides"); declining
 * leaves it as it is; accepting finishes it and labels the run as continued with those agents.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { downloadFromRunList, openTab, runButton, runList, runStatuses, startApp, type App } from './harness';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

test('an unfinished imported run continues only with agents the user confirms, and says so in its name', async () => {
  const source = await openTab(app, '?agents=300');
  await runButton(source.page).click();
  await expect.poll(async () => Number(await source.page.locator('[role="progressbar"]').getAttribute('aria-valuenow')), { timeout: 60_000, interval: 50 }).toBeGreaterThan(5);
  await source.page.getByRole('button', { name: '❚❚ Pause' }).click();
  await expect.poll(() => runStatuses(source.page), { timeout: 60_000 }).toEqual(['paused']);
  const bundle = await downloadFromRunList(source.page, 'Bundle');
  await source.context.close();

  const { page, context, errors } = await openTab(app);
  const dialogs: string[] = [];
  let accept = false;
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void (accept ? d.accept() : d.dismiss());
  });
  await page.getByLabel('Import a run bundle (.json)').setInputFiles({ name: 'partial.json', mimeType: 'application/json', buffer: bundle });
  await expect.poll(() => runStatuses(page), { timeout: 60_000 }).toEqual(['failed']);
  const resume = () => runList(page).getByRole('button', { name: 'Resume', exact: true }).click();
  await resume();
  await expect.poll(() => dialogs.length).toBe(1);
  expect(dialogs[0]).toContain('is an imported run that stopped before its end');
  expect(dialogs[0]).toContain('continue it with offline agents (fitted to the published LLM-SocioPol runs)');
  // Declined: nothing ran, nothing changed.
  expect(await runStatuses(page)).toEqual(['failed']);
  accept = true;
  await resume();
  await expect.poll(() => runStatuses(page), { timeout: 120_000, interval: 250 }).toEqual(['complete']);
  expect(await runList(page).innerText()).toContain('(imported) + continued with offline agents');
  expect(errors.filter((e) => !/BundleError|not in the stored run/.test(e))).toEqual([]);
  await context.close();
});
