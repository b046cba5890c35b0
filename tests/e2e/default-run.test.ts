/**
 * A new user's first visit: the built app, served from a sub-path, runs the bundled LLM-SocioPol preset on offline
 * agents from one click and shows the charts, the effects table and the follower graph.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inkedPixels, openTab, runButton, startApp, waitForComplete, type App } from './harness';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

test('the default run completes from one click and shows the charts, the effects table and the graph', async () => {
  const { page, context, errors } = await openTab(app);
  await runButton(page).click();
  await waitForComplete(page);

  const results = page.locator('#results');
  await expect.poll(() => results.locator('svg[role="img"] path').count()).toBeGreaterThan(4);
  // Charts drawn mid-run have no turnout yet; the final results replace them once the run completes.
  await expect.poll(() => results.locator('svg[aria-label="Turnout on election day, per arm"]').count(), { timeout: 30_000 }).toBe(1);
  const effects = results.locator('table').first();
  await expect(effects.locator('th').allInnerTexts()).resolves.toContain('95 % CI');
  const rows = await effects.locator('tbody tr').allInnerTexts();
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.join('\n')).not.toContain('No estimates');

  const graph = page.locator('section[aria-labelledby="graph-h"]');
  await graph.scrollIntoViewIfNeeded();
  await expect.poll(() => graph.locator('.sigma canvas').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect.poll(() => graph.locator('.overlay').count(), { timeout: 30_000 }).toBe(0);
  await expect(graph.locator('.meta').innerText()).resolves.toMatch(/2,000 agents/);
  await expect.poll(() => inkedPixels(page, graph.locator('.sigma')), { timeout: 15_000 }).toBeGreaterThan(1000);

  // The default agents are the published-runs fit, labelled so in the run list; this run's own decisions can be fitted.
  await expect(page.locator('body').innerText()).resolves.toContain('offline agents fitted to the published LLM-SocioPol runs');
  const fit = page.locator('section[aria-labelledby="fit-h"]');
  await fit.getByRole('button', { name: 'Fit agents from this run' }).click();
  await expect.poll(() => fit.locator('pre.report').count(), { timeout: 60_000 }).toBe(1);
  await expect(fit.locator('pre.report').innerText()).resolves.toMatch(/Fitted SocioPol agents from run/);
  await fit.getByRole('button', { name: 'Use these agents in Setup' }).click();
  await expect(page.getByLabel(/Offline agents fitted to run/).isChecked()).resolves.toBe(true);

  // Everything was fetched relative to the page: nothing was asked of the site root.
  expect(app.server.notFound).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});
