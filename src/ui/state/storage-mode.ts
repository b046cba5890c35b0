/**
 * Where the page's workers run: in Web Workers with IndexedDB (the normal case), or, when the browser refuses storage
 * to this page, in the page itself over the same comlink API, so that the simulation, the analysis and the page all
 * use the one in-memory database of this realm (workers would each get their own, and nobody could read the rounds).
 */
import { expose } from 'comlink';
import { indexedDbUsable, storageInMemory, useMemoryStorage } from '../../storage/memory-fallback';

type HostedApi = object;
const hosted: Partial<Record<'simulation' | 'analysis', HostedApi>> = {};

/** Decide where runs are kept before anything opens the database; call once, before mounting the app. */
export async function prepareStorage(): Promise<void> {
  if (await indexedDbUsable()) return;
  await useMemoryStorage();
  const [simulation, analysis] = await Promise.all([import('../../workers/simulation.worker'), import('../../workers/analysis.worker')]);
  hosted.simulation = simulation.default;
  hosted.analysis = analysis.default;
}

/**
 * A port to the API served in this page when runs are kept in memory, or null when the API runs in its own Web Worker.
 * Every call gives a fresh channel, so a controller that drops its port never receives answers meant for another.
 */
export function inPageWorker(kind: 'simulation' | 'analysis'): MessagePort | null {
  const api = storageInMemory() ? hosted[kind] : undefined;
  if (!api) return null;
  const channel = new MessageChannel();
  expose(api, channel.port1);
  return channel.port2;
}
