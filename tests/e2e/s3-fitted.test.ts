/**
 * Fitted S3 agents in real Chromium (issue 12): a stored S3 run is fitted in the analysis worker ("Fit agents from this
 * run": estimates with standard errors and the curve fit), the fitted agents are taken into the S3 setup, and a new run
 * with them completes with the fit stored as its offline agents (so it resumes with them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpIndexedDb, openS3, startApp, waitForS3Complete as waitComplete, type App } from './harness';

let app: App;

beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

describe('fitted S3 agents in the app', () => {
  it('should fit agents to a stored S3 run, use them in the setup and run them to completion', async () => {
    const { context, page, errors } = await openS3(app);
    await page.getByLabel('Users', { exact: true }).fill('400');
    await page.getByLabel('Seeds (comma-separated; results pool them)').fill('1');
    await page.getByLabel('Rounds', { exact: true }).fill('8');
    await page.getByRole('button', { name: '▶ Run S3' }).click();
    await waitComplete(page);

    await page.getByRole('button', { name: 'Fit agents from this run' }).click();
    const report = page.getByLabel('S3 fit report');
    await expect.poll(async () => `${(await report.count()) ? await report.innerText() : ''} ${await page.locator('section[aria-labelledby="s3-res-h"] .error').allInnerTexts()}`, { timeout: 60_000 })
      .toMatch(/^S3 agents fitted from run “S3 · [^”]+”: \d+ decisions, 400 users, rounds 0…8, seeds 1/);
    const text = await report.innerText();
    // The source ran the classical models at the preset's p = 0.03: the estimate and its standard error are shown.
    const p = /^p\s+(\d\.\d{4})\s+(\d\.\d{4})/m.exec(text);
    expect(p, text).not.toBeNull();
    expect(Math.abs(Number(p![1]) - 0.03)).toBeLessThan(5 * Number(p![2]));
    expect(text).toMatch(/baseline\s+aware\s+\S+\s+(0\.99\d\d|1\.0000)/);

    await page.getByRole('button', { name: 'Use these agents in the S3 setup' }).click();
    const useFitted = page.getByLabel(/Agents fitted to run “S3 ·/);
    expect(await useFitted.isChecked()).toBe(true);
    await page.getByRole('button', { name: '▶ Run S3' }).click();
    await expect.poll(() => page.locator('.runs li').count(), { timeout: 20_000 }).toBe(2);
    await waitComplete(page);

    const dump = JSON.parse(await dumpIndexedDb(page)) as Record<string, Record<string, Array<{ id: number; offlineAgents?: { kind: string; label: string; fitted?: { format: string } } }>>>;
    const runs = Object.values(dump).flatMap((db) => db.runs ?? []).sort((a, b) => a.id - b.id);
    expect(runs).toHaveLength(2);
    expect(runs[0].offlineAgents?.kind).toBe('rules');
    expect(runs[1].offlineAgents).toMatchObject({ kind: 'fitted', label: expect.stringMatching(/^fitted to run “S3 ·/), fitted: { format: 'spillover-s3-fitted-agents' } });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
