/**
 * Importing a run bundle in two steps that cannot half-happen: `checkBundle` validates everything the replay relies on
 * (configuration, seeds, network, personas, records, cache entries, settings) before anything is written, and
 * `writeImportedRun` stores the run row, its network and its cached answers in one IndexedDB transaction. A refused
 * bundle leaves storage untouched; a bundle that fails while being written leaves nothing behind (no run stuck
 * "running", no orphan rows).
 */
import { validateConfig } from '../engine/config';
import { SpilloverError } from '../engine/errors';
import { isCachedCall } from '../engine/ports';
import { validateSeeds } from '../engine/seeds';
import type { RunBundle } from './bundle';
import { DexieResponseCache, storageError, type NetworkRow, type RunRow, type SpilloverDb } from './db';

function fail(source: string, what: string): never {
  throw new SpilloverError('BundleError', `${source}: ${what}; the bundle is damaged or not from this app, export the run again`);
}

/** Throws a BundleError (or the config's ConfigError) naming the first problem; returns the bundle when it is sound. */
export function checkBundle(bundle: RunBundle, source: string): RunBundle {
  const run = bundle.run;
  if (typeof run.name !== 'string') fail(source, 'the run has no name');
  try {
    validateConfig(run.config);
  } catch (err) {
    fail(source, `its configuration is refused (${(err as Error).message})`);
  }
  if (!Array.isArray(run.seeds)) fail(source, 'the seeds are not a list');
  try {
    validateSeeds(run.seeds);
  } catch (err) {
    fail(source, `its seeds are refused (${(err as Error).message})`);
  }
  if (!['offline', 'llm', 'replay'].includes(run.agentsKind)) fail(source, `the agent kind ${JSON.stringify(run.agentsKind)} is unknown`);
  if (run.llm !== undefined) {
    const m = run.llm?.models as Record<string, unknown> | undefined;
    if (!run.llm || typeof run.llm.baseUrl !== 'string' || !m || !['full', 'mini', 'nano'].every((t) => typeof m[t] === 'string')) {
      fail(source, 'the LLM settings lack an endpoint or a model per tier');
    }
  }
  if (!run.network || typeof run.network.label !== 'string') fail(source, 'the network description is missing');
  const { n, src, dst } = bundle.network;
  if (!Number.isInteger(n) || n <= 0) fail(source, `the network size ${n} is not a positive whole number`);
  if (!(src instanceof Int32Array) || !(dst instanceof Int32Array) || dst.length !== src.length) fail(source, 'the network has a different number of followers and followees');
  for (let i = 0; i < src.length; i++) {
    if (src[i] < 0 || src[i] >= n || dst[i] < 0 || dst[i] >= n) fail(source, `follow ${i} (${src[i]} → ${dst[i]}) refers to an account outside the network of ${n}`);
  }
  if (run.config.agents !== n) fail(source, `the configuration has ${run.config.agents} agents but the network has ${n} accounts`);
  if (!Array.isArray(bundle.seeds)) fail(source, 'the seeds section is not a list');
  for (const seed of run.seeds) {
    const s = bundle.seeds.find((x) => x?.seed === seed);
    if (!s || !Array.isArray(s.personas) || s.personas.length !== n || !Array.isArray(s.rounds) || !Array.isArray(s.finals)) {
      fail(source, `seed ${seed} lacks its personas, rounds or end-of-run answers`);
    }
  }
  if (!Array.isArray(bundle.llmCache)) fail(source, 'the LLM cache is not a list of [key, answer] pairs');
  bundle.llmCache.forEach((entry, i) => {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !isCachedCall(entry[1])) fail(source, `LLM cache entry ${i} is not a [key, answer] pair`);
  });
  return bundle;
}

/** Store an imported run's row, network and cached answers in one transaction; returns the new run's id. */
export async function writeImportedRun(db: SpilloverDb, row: Omit<RunRow, 'id'>, network: Omit<NetworkRow, 'runId'>, cache: RunBundle['llmCache']): Promise<number> {
  try {
    return await db.transaction('rw', [db.runs, db.networks, db.llmCalls], async () => {
      const runId = (await db.runs.add(row as RunRow)) as number;
      await db.networks.put({ ...network, runId });
      // The bundle's answers go to this run's own namespace: they replay this run and never answer another.
      await db.llmCalls.bulkPut(new DexieResponseCache(db, runId).importRows(cache));
      return runId;
    });
  } catch (err) {
    throw storageError(err, 'importing the run bundle');
  }
}
