/**
 * A worker entry exposes its comlink API on its own global scope when it runs as its own worker. When storage is
 * refused (see storage/memory-fallback.ts) one worker, memory-store.worker.ts, imports the simulation and analysis
 * entries and serves each API on a port of its own, so both use the one in-memory database; there they stay silent.
 */
import { expose } from 'comlink';

declare const WorkerGlobalScope: { new (): unknown } | undefined;

let hosted = false;

/** Called by the worker that hosts several APIs, before it imports them: they must not answer on its global scope. */
export function hostApisOnPorts(): void {
  hosted = true;
}

export function exposeInWorker<T extends object>(api: T): T {
  if (!hosted && typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) expose(api);
  return api;
}
