/**
 * Issue 14, finding 15: the built app runs under its own Content-Security-Policy (index.html's meta tag, with Trusted
 * Types required for script sinks) in Chromium: an offline run, its charts and graph, and an LLM run against a local
 * server raise no CSP violation, while a foreign worker URL and a plain-http call to another host are refused.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { DIST, openTab, runButton, startLlmRun, useApp, waitForComplete } from './harness';

const servers = useApp({ latencyMs: 2 });

test('the app works under its CSP and Trusted Types, which refuse foreign workers and plain-http hosts', async () => {
  const { app, llm } = servers;
  expect(readFileSync(resolve(DIST, 'index.html'), 'utf8')).toContain("require-trusted-types-for 'script'");
  const tab = await openTab(app, '?agents=200');
  const { page, context, errors } = tab;
  // Violations are reported as DOM events (and console errors, which the harness collects).
  await page.evaluate(() => {
    (window as unknown as { csp: string[] }).csp = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { csp: string[] }).csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const violations = () => page.evaluate(() => (window as unknown as { csp: string[] }).csp);

  await runButton(page).click();
  await waitForComplete(page, 1, 120_000);
  await expect.poll(() => page.locator('#results svg').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect.poll(() => page.locator('canvas').count(), { timeout: 60_000 }).toBeGreaterThan(0);

  await startLlmRun(page, llm.url, 'fake.key-e2e-csp-0000000000', { agents: 20 });
  await waitForComplete(page, 2, 200_000);
  expect(llm.counters.answered).toBeGreaterThan(0);
  expect(await violations()).toEqual([]);
  expect(errors).toEqual([]);

  // The policy is really enforced: a worker from another origin and a plain-http call to another host are refused.
  const foreignWorker = await page.evaluate(() => {
    try {
      new Worker('https://example.com/evil.js');
      return 'started';
    } catch (err) {
      return (err as Error).message;
    }
  });
  expect(foreignWorker).toMatch(/Trusted Types: refused script URL https:\/\/example.com\/evil.js/);
  const plainHttp = await page.evaluate(() => fetch('http://10.255.255.1/v1/models').then(() => 'fetched', (err) => String(err)));
  expect(plainHttp).toMatch(/Failed to fetch/);
  await expect.poll(violations).toContainEqual(expect.stringMatching(/^connect-src http:\/\/10\.255\.255\.1/));
  await context.close();
});
