/**
 * Issue 14, finding 7: two tabs of the same browser share the runs. A run being written in one tab cannot be deleted
 * from the other (the delete takes the run's Web Lock without waiting and says why it refused); once the run is done
 * it can. A run whose rows vanish under its writer (site data cleared, an old tab without the lock) stops with a
 * message and leaves no orphan rows.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openTab, runButton, runList, runStatuses, startApp, waitForComplete, type App } from './harness';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});

/** Rows of every table that belong to run `id` (read straight from IndexedDB). */
async function rowsOf(page: Page, id: number): Promise<number> {
  return page.evaluate(async (runId) => {
    const db = await new Promise<IDBDatabase>((ok, ko) => {
      const req = indexedDB.open('spillover');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => ko(req.error);
    });
    let count = 0;
    // The stores a round or end-of-run writer fills (schema v3: end-of-run answers are in 'finals').
    for (const store of ['rounds', 'events', 'posts', 'finals', 'personas']) {
      const all = await new Promise<Array<{ runId: number }>>((ok, ko) => {
        const req = db.transaction(store, 'readonly').objectStore(store).getAll();
        req.onsuccess = () => ok(req.result);
        req.onerror = () => ko(req.error);
      });
      count += all.filter((r) => r.runId === runId).length;
    }
    db.close();
    return count;
  }, id);
}

test('a run written in one tab cannot be deleted from another, and a write to a vanished run stops cleanly', async () => {
  const a = await openTab(app, '?agents=1000&seeds=1,2');
  const b = await a.context.newPage();
  b.on('dialog', (d) => void d.accept());
  await b.goto(app.url);
  await runButton(b).waitFor();

  await runButton(a.page).click();
  await expect.poll(async () => Number(await a.page.locator('[role="progressbar"]').getAttribute('aria-valuenow')), { timeout: 60_000, interval: 50 }).toBeGreaterThan(0);
  await b.reload();
  await expect.poll(() => runStatuses(b), { timeout: 20_000 }).toEqual(['running']);
  await runList(b).getByRole('button', { name: 'Delete', exact: true }).first().click();
  await expect.poll(() => b.locator('.notice').innerText()).toContain('This run is running in another tab or window: pause or cancel it there first');
  await waitForComplete(a.page, 1, 200_000);
  await b.reload();
  await expect.poll(() => runStatuses(b)).toEqual(['complete']);
  await runList(b).getByRole('button', { name: 'Delete', exact: true }).first().click();
  await expect.poll(() => runStatuses(b)).toEqual([]);

  // Rows removed under a running writer (as clearing site data does, with no lock): the writer stops, nothing is left.
  await runButton(a.page).click();
  await expect.poll(async () => Number(await a.page.locator('[role="progressbar"]').getAttribute('aria-valuenow')), { timeout: 60_000, interval: 50 }).toBeGreaterThan(0);
  const id = await b.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, ko) => {
      const req = indexedDB.open('spillover');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => ko(req.error);
    });
    const tx = db.transaction(['runs', 'rounds', 'events', 'posts', 'personas'], 'readwrite');
    const runs = await new Promise<Array<{ id: number }>>((ok) => {
      const req = tx.objectStore('runs').getAll();
      req.onsuccess = () => ok(req.result);
    });
    const runId = runs[runs.length - 1].id;
    tx.objectStore('runs').delete(runId);
    for (const store of ['rounds', 'events', 'posts', 'personas']) tx.objectStore(store).clear();
    await new Promise((ok) => (tx.oncomplete = ok));
    db.close();
    return runId;
  });
  await expect.poll(() => a.page.locator('.progress .error').innerText(), { timeout: 60_000 }).toContain(`run ${id} was deleted while it was running, so nothing more of it is written`);
  expect(await rowsOf(b, id)).toBe(0);
  await a.context.close();
});
