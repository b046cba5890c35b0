/**
 * The embed URL for a course page: `?embed&preset=sociopol&agents=300&autorun` shows the compact view (no setup form,
 * no run list), runs on load and shows its chart and, on request, the network.
 */
import { expect, test } from 'vitest';
import { inkedPixels, openPage, useApp, waitForFinished } from './harness';

const servers = useApp();

test('the embed URL shows the compact view and runs to the end on its own', async () => {
  const { app } = servers;
  const { page, context, errors } = await openPage(app, '?embed&preset=sociopol&agents=300&autorun', { width: 640, height: 800 });

  // main.ts awaits the storage probe before mounting, so the shell can appear after the load event: wait for it.
  await page.locator('main.embed').waitFor({ timeout: 30_000 });
  await expect(page.locator('main.embed').count()).resolves.toBe(1);
  await expect(page.locator('.setup, section[aria-labelledby="runs-h"]').count()).resolves.toBe(0);
  await waitForFinished(page);
  await expect.poll(() => page.locator('.embed svg[role="img"] path').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  // Compact: the finding in words and the main effects with their intervals; the full table stays in the full app.
  await expect(page.locator('.embed .finding .sentence').count()).resolves.toBeGreaterThan(0);
  const main = await page.locator('.embed table.effects tbody tr').allInnerTexts();
  expect(main.length).toBeGreaterThan(0);
  expect(main.join('\n')).toMatch(/ to /);

  await page.getByRole('button', { name: 'Show the network', exact: true }).click();
  const stage = page.locator('.embed .sigma');
  await expect.poll(() => page.locator('.embed .graph .meta').innerText().catch(() => ''), { timeout: 30_000 }).toMatch(/^300 agents/);
  await expect.poll(() => page.locator('.embed .overlay').count(), { timeout: 30_000 }).toBe(0);
  await expect.poll(() => inkedPixels(page, stage), { timeout: 15_000 }).toBeGreaterThan(500);
  await expect(page.getByRole('link', { name: 'Open the full app' }).getAttribute('href')).resolves.toBe('/course/spillover/');
  expect(app.server.notFound).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});
