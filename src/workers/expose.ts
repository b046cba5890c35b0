/**
 * A worker entry exposes its comlink API only when it runs as a worker. When storage is refused (see
 * storage/memory-fallback.ts) the page imports the same module and serves the API itself, so the simulation, the
 * analysis and the page share one in-memory database.
 */
import { expose } from 'comlink';

declare const WorkerGlobalScope: { new (): unknown } | undefined;

export function exposeInWorker<T extends object>(api: T): T {
  if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) expose(api);
  return api;
}
