/**
 * S3's results views of a stored run, computed in the analysis worker from the one database like every run's: each
 * seed's stored rounds become the run record (storage/run-record.ts), its views become S3 tables, and the curves,
 * intervention effects, graph states and S3's CSV layout are computed from those — the same functions the CLI's report
 * uses.
 */
import { strToU8, zipSync } from 'fflate';
import type { Effect } from '../../analysis/types';
import { SpilloverError } from '../../engine/errors';
import { buildNetwork, type FollowNetwork } from '../../engine/network';
import { conditionViews } from '../../engine/record';
import type { LlmTotals } from '../../engine/types';
import type { Persona } from '../../population/types';
import { interventionEffects, pooledCurves, type PooledCurve } from '../../protocols/s3/analysis';
import { conditionFiles, tidyOutcomesCsv, usersCsv } from '../../protocols/s3/csv';
import { s3Params, s3Protocol } from '../../protocols/s3/protocol';
import { repostEdges, s3Tables, type S3ConditionTable } from '../../protocols/s3/record';
import { assignRoles } from '../../protocols/s3/users';
import { getRun, loadNetwork, loadPersonas, storedRoundKeys, type RunRow, type SpilloverDb } from '../../storage/db';
import { loadRunRecord } from '../../storage/run-record';

export interface S3Results {
  runId: number;
  name: string;
  status: RunRow['status'];
  seeds: number[];
  conditions: string[];
  users: number;
  roundsDone: number;
  roundsTotal: number;
  curves: PooledCurve[];
  effects: Effect[];
  llm: LlmTotals;
  invalid: number;
}

export interface S3GraphData {
  n: number;
  positions: Float32Array;
  /** Follow edges (a, b) sampled to at most 30,000, interleaved. */
  edges: Int32Array;
  followers: Int32Array;
  conditions: Array<{ name: string; rounds: number; emotion: Int8Array; attitude: Int8Array; action: Uint8Array; reposts: Array<{ round: number; from: number; to: number }> }>;
}

async function requireRun(db: SpilloverDb, runId: number): Promise<RunRow> {
  const run = await getRun(db, runId);
  if (!run) throw new SpilloverError('StorageError', `run ${runId} is not stored; pick a run from the list`);
  return run;
}

/** Every seed with stored rounds, as S3 tables by condition (seeds not started yet are left out). */
async function seedTables(db: SpilloverDb, run: RunRow): Promise<Array<{ seed: number; personas: Persona[]; tables: Map<string, S3ConditionTable> }>> {
  const out = [];
  for (const seed of run.seeds) {
    const personas = await loadPersonas<Persona>(db, run.id as number, seed);
    if (!personas || (await storedRoundKeys(db, run.id as number, seed)).size === 0) continue;
    const record = await loadRunRecord(db, run, seed, s3Protocol.columns);
    out.push({ seed, personas, tables: s3Tables(conditionViews(record, run.config, personas, seed)) });
  }
  return out;
}

export async function s3Results(db: SpilloverDb, runId: number): Promise<S3Results> {
  const run = await requireRun(db, runId);
  const seeds = await seedTables(db, run);
  const R = run.config.lastRound + 1;
  const complete = seeds.filter((s) => s.tables.size === run.config.conditions.length && [...s.tables.values()].every((t) => t.rounds.length === R));
  return {
    runId, name: run.name, status: run.status, seeds: seeds.map((s) => s.seed), conditions: run.config.conditions.map((c) => c.name), users: run.config.agents,
    roundsDone: run.progress.roundsDone, roundsTotal: run.progress.roundsTotal,
    curves: pooledCurves(seeds.map((s) => s.tables)),
    effects: complete.length ? interventionEffects(complete) : [],
    llm: run.totals, invalid: run.totals.invalid,
  };
}

async function networkOf(db: SpilloverDb, run: RunRow): Promise<{ network: FollowNetwork; layout?: Float32Array }> {
  const row = await loadNetwork(db, run.id as number);
  if (!row) throw new SpilloverError('StorageError', `storage: run ${run.id} has no stored network; delete it and start again`);
  return { network: buildNetwork(row.n, row.src, row.dst, row.labels), layout: row.layout };
}

export async function s3Graph(db: SpilloverDb, runId: number, seedIndex: number): Promise<S3GraphData> {
  const run = await requireRun(db, runId);
  const seeds = await seedTables(db, run);
  const { network, layout } = await networkOf(db, run);
  const m = network.outTargets.length;
  const step = Math.max(1, Math.ceil(m / 30_000));
  const edges: number[] = [];
  for (let a = 0; a < network.n; a++) {
    for (let k = network.outOffsets[a]; k < network.outOffsets[a + 1]; k += 1) if (k % step === 0) edges.push(a, network.outTargets[k]);
  }
  const followers = new Int32Array(network.n);
  for (let b = 0; b < network.n; b++) followers[b] = network.inOffsets[b + 1] - network.inOffsets[b];
  const chosen = seeds[Math.min(seedIndex, seeds.length - 1)];
  return {
    n: network.n,
    positions: layout ?? new Float32Array(2 * network.n),
    edges: Int32Array.from(edges),
    followers,
    conditions: chosen ? [...chosen.tables.values()].map((t) => ({ name: t.name, rounds: t.rounds.length, emotion: t.emotion, attitude: t.attitude, action: t.action, reposts: repostEdges(t) })) : [],
  };
}

/** S3's layout, as the CLI writes it: users.csv, outcomes_long.csv and per seed the wide CSVs and messages. */
export async function s3CsvZip(db: SpilloverDb, runId: number): Promise<Uint8Array> {
  const run = await requireRun(db, runId);
  const seeds = await seedTables(db, run);
  const { network } = await networkOf(db, run);
  const deg = (off: Int32Array) => (a: number) => off[a + 1] - off[a];
  const personas = seeds[0]?.personas ?? [];
  const files: Record<string, Uint8Array> = {
    'users.csv': strToU8(usersCsv(personas, assignRoles(network, s3Params(run.config).roles), deg(network.inOffsets), deg(network.outOffsets))),
    'outcomes_long.csv': strToU8(tidyOutcomesCsv(seeds.flatMap((s) => [...s.tables.values()].map((table) => ({ seed: s.seed, table }))))),
  };
  for (const s of seeds) for (const t of s.tables.values()) for (const f of conditionFiles(t)) files[`seed_${s.seed}/${t.name}_${f.suffix}`] = strToU8(f.text);
  return zipSync(files, { level: 6 });
}
