/**
 * Where the page's workers run: each in its own Web Worker with IndexedDB (the normal case), or, when the browser
 * refuses storage to this page, all in one worker that keeps the in-memory database (workers/memory-store.worker.ts):
 * the simulation, the analysis and the page's reads then share that database (separate workers would each get their
 * own, and nobody could read the rounds), and the page thread still only renders.
 */
import { wrap, type Remote } from 'comlink';
import { indexedDbUsable, markStorageInMemory, storageInMemory } from '../../storage/memory-fallback';
import type { PageStore } from './page-store';

export type MemoryApiKind = 'simulation' | 'analysis' | 'store';

let memoryWorker: Worker | null = null;
const failures = new Set<(message: string) => void>();

/** Decide where runs are kept before anything opens the database; call once, before mounting the app. */
export async function prepareStorage(): Promise<void> {
  if (await indexedDbUsable()) return;
  markStorageInMemory();
  memoryWorker = new Worker(new URL('../../workers/memory-store.worker.ts', import.meta.url), { type: 'module', name: 'spillover-memory-store' });
  const failed = (what: string) => {
    for (const fn of failures) fn(`the worker that keeps this tab's runs stopped (${what}); runs kept in memory are lost: reload the page and start again`);
  };
  memoryWorker.addEventListener('error', (ev) => failed(ev.message || 'an error in the worker'));
  memoryWorker.addEventListener('messageerror', () => failed('a message it could not read'));
}

/** Be told when the memory-store worker fails (its ports would otherwise never answer). Returns the unsubscribe. */
export function onMemoryWorkerFailed(fn: (message: string) => void): () => void {
  failures.add(fn);
  return () => failures.delete(fn);
}

/**
 * A port to the API served by the memory-store worker when runs are kept in memory, or null when the API runs in its
 * own Web Worker. Every call gives a fresh channel, so a controller that drops its port never receives answers meant
 * for another.
 */
export function memoryWorkerPort(kind: MemoryApiKind): MessagePort | null {
  if (!storageInMemory() || !memoryWorker) return null;
  const channel = new MessageChannel();
  memoryWorker.postMessage({ kind, port: channel.port1 }, [channel.port1]);
  return channel.port2;
}

/** The page's reads of the in-memory database, served by the memory-store worker; null when the page has storage. */
export function memoryStore(): Remote<PageStore> | null {
  const port = memoryWorkerPort('store');
  return port ? wrap<PageStore>(port) : null;
}
