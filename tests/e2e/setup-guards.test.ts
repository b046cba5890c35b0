/**
 * Issue 14, findings 3, 4 and 16 in the built app: link parameters out of range are reported (not silently dropped),
 * repeated seeds are refused, and an LLM model without a known price must be priced before a budgeted run starts.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openTab, runButton, startApp, type App } from './harness';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

test('out-of-range link parameters are named, repeated seeds are refused and unknown prices block a budgeted run', async () => {
  const { page, context, errors } = await openTab(app, '?agents=10000000&seeds=1,1,1,1&network=mine');
  const notice = await page.locator('.notice').innerText();
  expect(notice).toContain('agents=10000000 is not a whole number between 10 and 200,000; using 2,000');
  expect(notice).toMatch(/seeds=1,1,1,1 was not used \(seeds repeats 1; .*\); using 1/);
  expect(notice).toContain("network=mine is not 'generated' or 'bundled'");
  await expect.poll(() => page.getByLabel('Number of agents').inputValue()).toBe('2000');

  const seeds = page.getByLabel(/^Seeds/);
  await seeds.fill('1, 1');
  await expect.poll(() => page.locator('.go .error').innerText()).toContain('Seeds: 1 appears twice');
  expect(await runButton(page).isDisabled()).toBe(true);
  await seeds.fill('1, 2');
  await expect.poll(() => runButton(page).isDisabled()).toBe(false);

  await page.locator('input[type="radio"][value="llm"]').check();
  await page.getByLabel('API key', { exact: true }).fill('fake.key-e2e-prices-0000000000');
  await page.getByLabel('Base tier model').fill('openai/gpt-4.1-nano');
  await expect.poll(() => page.locator('.llm').innerText()).toContain('openai/gpt-4.1-nano: price unknown — enter $/1M tokens');
  await expect.poll(() => page.locator('.go .error').innerText()).toContain('Budget: the price of openai/gpt-4.1-nano is unknown');
  expect(await runButton(page).isDisabled()).toBe(true);
  await expect.poll(() => page.locator('.estimate').innerText(), { timeout: 20_000 }).toContain('price unknown');
  // Without a budget (empty = no cap) the run may start; with a price entered, the budget applies again.
  const budget = page.getByLabel(/^Budget/);
  await budget.fill('');
  await expect.poll(() => runButton(page).isDisabled()).toBe(false);
  await budget.fill('5');
  await expect.poll(() => runButton(page).isDisabled()).toBe(true);
  await page.getByLabel('openai/gpt-4.1-nano input $/1M').fill('0.1');
  await page.getByLabel('openai/gpt-4.1-nano output $/1M').fill('0.4');
  await expect.poll(() => runButton(page).isDisabled()).toBe(false);
  await expect.poll(() => page.locator('.estimate').innerText(), { timeout: 20_000 }).not.toContain('price unknown');
  expect(errors).toEqual([]);
  await context.close();
});
