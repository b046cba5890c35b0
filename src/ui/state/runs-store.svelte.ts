/**
 * The run list, read from IndexedDB on the page (history is read here, never sent back from the worker). On start it
 * marks runs that a closed or reloaded tab left 'running' as interrupted, unless a live tab still holds the run's Web
 * Lock.
 */
import Dexie from 'dexie';
import { createDb, type RunRow } from '../../storage/db';
import { runLocks } from '../../storage/memory-fallback';
import { toUiError, type UiError } from './run-controller.svelte';
import { pageStoreOn, type PageStore } from './page-store';
import { memoryStore } from './storage-mode';

let shared: PageStore | null = null;
/**
 * The page's reads and writes of the run database: on its own connection, or, when runs are kept in memory, served by
 * the worker that keeps them (storage-mode.ts).
 */
export function pageStore(): PageStore {
  shared ??= (memoryStore() as PageStore | null) ?? pageStoreOn(createDb());
  return shared;
}

/** Whether the S3 page's former database (before S3 joined the one database) is still in this browser. */
export async function legacyS3Exists(): Promise<boolean> {
  try {
    return await Dexie.exists('spillover-s3');
  } catch {
    return false;
  }
}

async function heldRunLocks(): Promise<Set<number>> {
  const out = new Set<number>();
  const locks = runLocks();
  if (!locks) return out;
  const state = await locks.query();
  for (const l of [...(state.held ?? []), ...(state.pending ?? [])]) {
    const m = /^spillover-run-(\d+)$/.exec(l.name ?? '');
    if (m) out.add(Number(m[1]));
  }
  return out;
}

export class RunsStore {
  runs = $state<RunRow[]>([]);
  error = $state<UiError | null>(null);
  loaded = $state(false);

  async refresh(): Promise<void> {
    try {
      this.runs = await pageStore().listRuns();
      this.loaded = true;
    } catch (err) {
      this.error = toUiError(err);
    }
  }

  /** Flag runs orphaned by a reload as interrupted, then load the list. */
  async init(): Promise<void> {
    try {
      const alive = await heldRunLocks();
      await pageStore().markInterrupted([...alive]);
    } catch (err) {
      this.error = toUiError(err);
    }
    await this.refresh();
  }

  /** Rename a run in place; an empty name keeps the old one. */
  async rename(runId: number, name: string): Promise<void> {
    const clean = name.trim().slice(0, 200);
    if (!clean) return;
    try {
      await pageStore().updateRun(runId, { name: clean });
    } catch (err) {
      this.error = toUiError(err);
    }
    await this.refresh();
  }

  /**
   * Delete a run unless a tab is running it: the delete takes the run's Web Lock (the lock the running worker holds)
   * without waiting, so a run being written in another tab is never deleted under it. Returns why it was refused, or null.
   */
  async remove(runId: number): Promise<string | null> {
    const del = async (): Promise<string | null> => {
      await pageStore().deleteRun(runId);
      return null;
    };
    try {
      const locks = runLocks();
      if (!locks) return await del();
      return await locks.request(`spillover-run-${runId}`, { ifAvailable: true }, (lock) =>
        lock ? del() : 'This run is running in another tab or window: pause or cancel it there first, then delete it here.',
      );
    } catch (err) {
      this.error = toUiError(err);
      return this.error.message;
    } finally {
      await this.refresh();
    }
  }

}

/** Share of a run's records done, in whole percent, rounded down: the bar, its label and the run list all use it. */
export function progressPercent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 0;
}
