/**
 * Whether one seed of an app run goes to the Web Worker pool, and how many workers it gets: an offline run's seed runs
 * its conditions in parallel after the shared warm-up (condition-pool-web.ts), with the records of the sequential run
 * (from POOL_MIN_AGENTS agents on, unless `?workers=N` asks); a resumed seed too, its stored decisions replayed where
 * each round is played. LLM runs and imported bundles stay in the simulation worker.
 */
import type { SimConfig } from '../engine/config';
import { planShards, POOL_MIN_AGENTS } from './condition-split';

export interface PoolChoice {
  /** Offline agents answer (an LLM run keeps one endpoint, its limiter and its cache in one place). */
  offline: boolean;
  /** A bundle is being imported (its records are checked one by one against the replay). */
  importing: boolean;
  /** Workers asked for (RunSpec.workers); absent: the browser's cores, from POOL_MIN_AGENTS agents on. */
  workers?: number;
}

/** The number of pool workers for this seed, or 0 when it runs in the simulation worker. */
export function appPoolSize(config: SimConfig, choice: PoolChoice): number {
  if (!choice.offline || choice.importing || typeof Worker === 'undefined') return 0;
  if (choice.workers === undefined && config.agents < POOL_MIN_AGENTS) return 0;
  const cores = choice.workers ?? (typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1) ?? 1;
  const size = planShards(config.conditions.length, cores).length;
  return size >= 2 ? size : 0;
}
