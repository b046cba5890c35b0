/**
 * On a 390 px phone the page never scrolls sideways: the setup form (with the LLM settings open), the results, the
 * effects table and the run list (cards, not a wide table) all fit, and the charts are drawn at the phone's width.
 * At 1366 × 900 the LLM settings fit the left panel.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openTab, runButton, runList, startApp, waitForComplete, type App } from './harness';
import type { Page } from 'playwright-core';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

/** Elements whose right edge passes the viewport, for the failure message. */
function overflow(page: Page): Promise<{ scroll: number; wide: string[] }> {
  return page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const wide = Array.from(document.querySelectorAll('body *'))
      .filter((el) => el.getBoundingClientRect().right > w + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > w + 1))
      .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]}`);
    return { scroll: document.documentElement.scrollWidth - w, wide };
  });
}

test('a 390 px phone never scrolls sideways, and the LLM settings fit the left panel on a laptop', async () => {
  const phone = await openTab(app, '', { width: 390, height: 844 });
  const { page } = phone;
  await expect(overflow(page)).resolves.toEqual({ scroll: 0, wide: [] });
  await page.getByLabel(/LLM agents/).check();
  await page.getByText('Conditions, schedules and messages').click();
  await expect(overflow(page)).resolves.toEqual({ scroll: 0, wide: [] });
  await page.locator('input[type="radio"][value="offline"]').check();
  await runButton(page).click();
  await waitForComplete(page);
  await page.locator('#results table.effects').waitFor();
  await expect(overflow(page)).resolves.toEqual({ scroll: 0, wide: [] });
  // The charts are drawn at the width they are shown, so their 12-unit type stays readable instead of shrinking.
  const scales = await page.locator('#results svg[role="img"]').evaluateAll((svgs) => svgs.map((s) => (s as SVGSVGElement).clientWidth / (s as SVGSVGElement).viewBox.baseVal.width));
  expect(scales.length).toBeGreaterThanOrEqual(2);
  for (const k of scales) expect(k).toBeGreaterThan(0.9);
  // The run list is a stack of cards on a phone.
  await expect(runList(page).locator('tbody tr').first().evaluate((tr) => getComputedStyle(tr).display)).resolves.toBe('block');
  expect(phone.errors).toEqual([]);
  await phone.context.close();

  const laptop = await openTab(app, '', { width: 1366, height: 900 });
  await laptop.page.getByLabel(/LLM agents/).check();
  const panel = laptop.page.locator('aside.left');
  await expect(panel.evaluate((el) => el.scrollWidth - el.clientWidth)).resolves.toBe(0);
  await laptop.context.close();
});
