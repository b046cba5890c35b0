/**
 * Issue 14 finding 2 and issue 13 item 3: an LLM run's budget and totals cover the whole run across resumes. A run
 * paused by its budget stays paused through three resumes without a single new call (the meter continues from the
 * stored totals), the resume dialog names the endpoint the key goes to (finding 14), a budget raised in Setup applies
 * on resume, and the finished run's calls and spend are the sum over every session.
 */
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { openTab, runList, runStatuses, startLlmRun, storedRuns, useApp, waitForComplete } from './harness';

const servers = useApp({ latencyMs: 2 });

/** The newest run's stored totals. */
async function storedTotals(page: Page): Promise<{ calls: number; costUsd: number; budget: number | null }> {
  const [run] = await storedRuns(page);
  return { calls: run.totals.calls, costUsd: run.totals.costUsd, budget: run.llm.budgetUsd };
}

async function waitForStatus(page: Page, status: string): Promise<void> {
  await expect.poll(() => runStatuses(page), { timeout: 120_000, interval: 200 }).toEqual([status]);
}

test('the budget and the totals of an LLM run cover every resume', async () => {
  const { app, llm } = servers;
  const { page, context, errors } = await openTab(app, '?agents=40');
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });
  await startLlmRun(page, llm.url, 'fake.key-e2e-budget-0000000000', { budget: '0.003' });
  await waitForStatus(page, 'paused');
  const first = await storedTotals(page);
  expect(first.costUsd).toBeGreaterThanOrEqual(0.003);
  expect(first.calls).toBe(llm.counters.answered);

  // Three resumes with the same budget: each pauses again at once, without a call, and the totals stay the run's.
  const resume = () => runList(page).getByRole('button', { name: 'Resume', exact: true }).click();
  for (let i = 0; i < 3; i++) {
    await resume();
    await expect.poll(() => dialogs.length).toBe(i + 1);
    await waitForStatus(page, 'paused');
    expect(llm.counters.answered).toBe(first.calls);
    expect(await storedTotals(page)).toEqual(first);
  }
  expect(dialogs[0]).toContain(`your API key will be sent to ${llm.url}`);
  expect(dialogs[0]).toContain(`Spent so far over the whole run: $${first.costUsd.toFixed(4)}`);
  expect(dialogs[0]).not.toContain('plain http://');

  // A budget raised in Setup applies on resume; the finished run counts every session's calls and spend.
  await page.getByLabel(/^Budget/).fill('');
  await resume();
  await expect.poll(() => dialogs.length).toBe(4);
  expect(dialogs[3]).toContain('Budget for the whole run: no cap (changed in Setup; the run had $0.0030)');
  await waitForComplete(page, 1);
  const done = await storedTotals(page);
  expect(done.budget).toBeNull();
  expect(done.calls).toBe(llm.counters.answered);
  expect(done.costUsd).toBeGreaterThan(first.costUsd);
  const usage = llm.counters.usage['gpt-4.1-nano'];
  const expected = ((usage.prompt - usage.cached) * 0.1 + usage.cached * 0.025 + usage.completion * 0.4) / 1e6;
  expect(done.costUsd).toBeCloseTo(expected, 10);
  // The run list and the progress panel show the whole run's figures.
  expect(await runList(page).innerText()).toContain(`$${done.costUsd.toFixed(2)}`);
  expect(await page.locator('.progress').innerText()).toContain(`${done.calls.toLocaleString('en-US')} calls`);
  expect(errors).toEqual([]);
  await context.close();
});
