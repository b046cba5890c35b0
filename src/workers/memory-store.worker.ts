/**
 * The one worker that owns the runs when the browser refuses this page storage (storage/memory-fallback.ts): it keeps
 * the in-memory database and runs the simulation and the analysis on it, and serves the page's reads, each API on a
 * port of its own (ui/state/storage-mode.ts hands them out). The page thread only renders, as with storage.
 */
import { expose } from 'comlink';
import { useMemoryStorage } from '../storage/memory-fallback';
import { createDb } from '../storage/db';
import { hostApisOnPorts } from './expose';
import type { MemoryApiKind } from '../ui/state/storage-mode';

hostApisOnPorts();

const apis: Promise<Record<MemoryApiKind, object>> = (async () => {
  await useMemoryStorage();
  const [simulation, analysis, store] = await Promise.all([import('./simulation.worker'), import('./analysis.worker'), import('../ui/state/page-store')]);
  return { simulation: simulation.default, analysis: analysis.default, store: store.pageStoreOn(createDb()) };
})();

// A failure to set up is thrown as an uncaught error, which the page's Worker sees ('error') and reports.
apis.catch((err: unknown) =>
  setTimeout(() => {
    throw err;
  }),
);

self.addEventListener('message', (e: MessageEvent<{ kind: MemoryApiKind; port: MessagePort }>) => {
  const { kind, port } = e.data;
  void apis.then((all) => expose(all[kind], port));
});
