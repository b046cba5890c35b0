/**
 * The S3 worker: builds the world (generated network, census users, roles) the same way the CLI does, runs each seed
 * with offline or LLM agents, writes every round to IndexedDB as it completes, and answers the views (pooled curves,
 * effects, graph states, CSV zip, bundle). Resume and bundle import replay stored decisions, so they make no calls for
 * rounds already decided.
 */
import { expose } from 'comlink';
import { strToU8, zipSync } from 'fflate';
import { SpilloverError } from '../engine/errors';
import { generateTwitterNetwork } from '../engine/network-generator';
import type { FollowNetwork } from '../engine/network';
import { emptyLlmTotals, addTotals, type LlmTotals } from '../engine/types';
import { interventionEffects, pooledCurves, type PooledCurve } from '../protocols/s3/analysis';
import { runS3Seed, s3Population, type S3Population } from '../protocols/s3/assemble';
import { conditionFiles, tidyOutcomesCsv, usersCsv } from '../protocols/s3/csv';
import { replayS3Port, createS3LlmPort } from '../protocols/s3/llm';
import type { S3RoundRecord } from '../protocols/s3/outcomes';
import { S3RunRecord, repostEdges } from '../protocols/s3/record';
import { validateS3Spec, type S3RunSpec } from '../protocols/s3/spec';
import type { S3Outcome, S3Port } from '../protocols/s3/types';
import { s3RoundsTotal } from '../protocols/s3/world';
import { createS3Db, deleteS3Run, loadS3Rounds, markS3Interrupted, writeS3Round, type S3RunRow } from '../storage/s3-db';
import { communityLayout } from './layout';
import { loadPopulationModule } from './modules';
import type { Effect } from '../analysis/types';

const db = createS3Db();
let dataUrl = '';
let running: { runId: number; abort: AbortController } | null = null;
let world: { key: string; network: FollowNetwork; population: S3Population } | null = null;

export interface S3Progress {
  runId: number;
  seed: number;
  condition: string;
  round: number;
  roundsDone: number;
  roundsTotal: number;
  replayed: number;
  llm: LlmTotals;
}

export interface S3RunOutcome {
  runId: number;
  status: S3RunRow['status'];
  error?: { name: string; message: string };
  mismatches?: number;
}

export interface S3Results {
  runId: number;
  name: string;
  status: S3RunRow['status'];
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

function plainError(err: unknown): { name: string; message: string } {
  const e = err as { name?: string; message?: string };
  return { name: typeof e?.name === 'string' ? e.name : 'Error', message: typeof e?.message === 'string' ? e.message : String(err) };
}

async function buildWorld(spec: S3RunSpec): Promise<{ network: FollowNetwork; population: S3Population }> {
  const key = `${spec.users}:${spec.seeds[0]}:${JSON.stringify(spec.config.roles)}`;
  if (world?.key === key) return world;
  const network = generateTwitterNetwork({ n: spec.users, seed: spec.seeds[0] });
  const { census } = await loadPopulationModule(dataUrl);
  const population = s3Population(network, census, spec.config, spec.seeds[0]);
  world = { key, network, population };
  return world;
}

type StoredMap = Map<string, { active: ArrayLike<number>; decisions: S3Outcome[] }>;

async function storedDecisions(runId: number, seed: number): Promise<StoredMap> {
  const rows = await loadS3Rounds(db, runId, seed);
  return new Map(rows.map((r) => [`${r.condition}:${r.round}`, r.record as unknown as S3RoundRecord]));
}

function sameRecord(a: S3RoundRecord, b: Pick<S3RoundRecord, 'emotion' | 'attitude' | 'action'>): boolean {
  const eq = (x: ArrayLike<number>, y: ArrayLike<number>) => x.length === y.length && Array.prototype.every.call(x, (v: number, i: number) => v === y[i]);
  return eq(a.emotion, b.emotion) && eq(a.attitude, b.attitude) && eq(a.action, b.action);
}

/**
 * Run (or continue) every seed of a stored LLM run, or replay a bundle. Rounds already stored are replayed from their
 * decisions and not written again; `bundle` supplies the decisions of an imported run (nothing is asked of any agent).
 */
async function execute(runId: number, apiKey: string | null, onProgress: (p: S3Progress) => void, bundle?: Map<number, Map<string, S3RoundRecord>>): Promise<S3RunOutcome> {
  const row = await db.runs.get(runId);
  if (!row) throw new SpilloverError('StorageError', `run ${runId} is not stored; pick a run from the list`);
  const spec = row.spec as unknown as S3RunSpec;
  const abort = new AbortController();
  running = { runId, abort };
  const llm = emptyLlmTotals();
  let mismatches = 0;
  try {
    await db.runs.update(runId, { status: 'running', error: undefined });
    const { network, population } = await buildWorld(spec);
    const perSeed = s3RoundsTotal(spec.config);
    let done = 0;
    for (const seed of spec.seeds) {
      const stored = await storedDecisions(runId, seed);
      const replayFrom: StoredMap = bundle ? new Map([...(bundle.get(seed) ?? new Map())]) : stored;
      let live: S3Port | null = null;
      if (!bundle && spec.agents === 'llm') {
        if (!apiKey) throw new SpilloverError('ConfigError', 'LLM agents: no API key; enter your key, then resume the run');
        live = createS3LlmPort({ apiKey, baseURL: spec.llm!.baseUrl, model: spec.llm!.model, budgetUsd: spec.llm!.budgetUsd, maxConcurrency: spec.llm!.concurrency }, spec.config, seed, population.profiles);
      }
      const port = replayS3Port(replayFrom, live);
      await runS3Seed({ config: spec.config, seed, network, population, port }, {
        async onRound(rec) {
          done++;
          const key = `${rec.condition}:${rec.round}`;
          if (bundle) {
            const b = bundle.get(seed)?.get(key);
            if (!b || !sameRecord(rec, b)) mismatches++;
          }
          addTotals(llm, rec.llm);
          if (!stored.has(key)) {
            await writeS3Round(db, { runId, seed, condition: rec.condition, round: rec.round, record: rec as unknown as Record<string, unknown> }, { roundsDone: (await db.rounds.where('runId').equals(runId).count()) + 1 });
          }
          onProgress({ runId, seed, condition: rec.condition, round: rec.round, roundsDone: done, roundsTotal: perSeed * spec.seeds.length, replayed: port.replayed(), llm: { ...llm } });
        },
      }, abort.signal);
    }
    await db.runs.update(runId, { status: 'complete', roundsDone: perSeed * spec.seeds.length, ...(bundle ? { mismatches } : {}) });
    return { runId, status: 'complete', ...(bundle ? { mismatches } : {}) };
  } catch (err) {
    const e = plainError(err);
    const status = e.name === 'Cancelled' ? 'interrupted' : e.name === 'QuotaExceeded' || e.name === 'BudgetExceeded' ? 'paused' : 'failed';
    await db.runs.update(runId, { status, error: e.message }).catch(() => undefined);
    return { runId, status, error: e };
  } finally {
    running = null;
  }
}

/** Offline runs need no live agent beyond the replay: their port is the offline agent, created by runS3Seed. */
async function executeOfflineAware(runId: number, apiKey: string | null, onProgress: (p: S3Progress) => void): Promise<S3RunOutcome> {
  const row = await db.runs.get(runId);
  if (row && (row.spec as unknown as S3RunSpec).agents === 'offline') return executeOffline(runId, onProgress);
  return execute(runId, apiKey, onProgress);
}

/** Offline: the classical models are cheap and deterministic, so a resume simply recomputes and skips stored rounds. */
async function executeOffline(runId: number, onProgress: (p: S3Progress) => void): Promise<S3RunOutcome> {
  const row = (await db.runs.get(runId))!;
  const spec = row.spec as unknown as S3RunSpec;
  const abort = new AbortController();
  running = { runId, abort };
  try {
    await db.runs.update(runId, { status: 'running', error: undefined });
    const { network, population } = await buildWorld(spec);
    const perSeed = s3RoundsTotal(spec.config);
    let done = 0;
    for (const seed of spec.seeds) {
      const stored = await storedDecisions(runId, seed);
      await runS3Seed({ config: spec.config, seed, network, population }, {
        async onRound(rec) {
          done++;
          const key = `${rec.condition}:${rec.round}`;
          if (!stored.has(key)) await writeS3Round(db, { runId, seed, condition: rec.condition, round: rec.round, record: rec as unknown as Record<string, unknown> }, { roundsDone: done });
          if (rec.round % 5 === 0 || rec.round === spec.config.rounds) {
            onProgress({ runId, seed, condition: rec.condition, round: rec.round, roundsDone: done, roundsTotal: perSeed * spec.seeds.length, replayed: 0, llm: emptyLlmTotals() });
          }
        },
      }, abort.signal);
    }
    await db.runs.update(runId, { status: 'complete', roundsDone: perSeed * spec.seeds.length });
    return { runId, status: 'complete' };
  } catch (err) {
    const e = plainError(err);
    const status = e.name === 'Cancelled' ? 'interrupted' : e.name === 'QuotaExceeded' ? 'paused' : 'failed';
    await db.runs.update(runId, { status, error: e.message }).catch(() => undefined);
    return { runId, status, error: e };
  } finally {
    running = null;
  }
}

async function records(runId: number): Promise<{ row: S3RunRow; spec: S3RunSpec; runs: S3RunRecord[] }> {
  const row = await db.runs.get(runId);
  if (!row) throw new SpilloverError('StorageError', `run ${runId} is not stored; pick a run from the list`);
  const spec = row.spec as unknown as S3RunSpec;
  const order = spec.config.conditions.map((c) => c.name);
  const runs: S3RunRecord[] = [];
  for (const seed of spec.seeds) {
    const rows = await loadS3Rounds(db, runId, seed);
    rows.sort((a, b) => order.indexOf(a.condition) - order.indexOf(b.condition) || a.round - b.round);
    const rec = new S3RunRecord(seed, spec.users, spec.config.rounds);
    for (const r of rows) rec.add(r.record as unknown as S3RoundRecord);
    if (rows.length) runs.push(rec);
  }
  return { row, spec, runs };
}

const api = {
  setDataUrl(url: string) {
    dataUrl = url;
  },
  async listRuns(): Promise<S3RunRow[]> {
    await markS3Interrupted(db, (id) => running?.runId === id);
    return (await db.runs.toArray()).sort((a, b) => b.createdAt - a.createdAt);
  },
  async start(spec: S3RunSpec, apiKey: string | null, onProgress: (p: S3Progress) => void): Promise<S3RunOutcome> {
    validateS3Spec(spec);
    if (running) throw new SpilloverError('ConfigError', 'a run is already going; stop it or wait for it to finish');
    const now = Date.now();
    const runId = (await db.runs.add({ name: spec.name, spec: spec as unknown as S3RunRow['spec'], status: 'running', roundsDone: 0, roundsTotal: s3RoundsTotal(spec.config) * spec.seeds.length, createdAt: now, updatedAt: now })) as number;
    return executeOfflineAware(runId, apiKey, onProgress);
  },
  async resume(runId: number, apiKey: string | null, onProgress: (p: S3Progress) => void): Promise<S3RunOutcome> {
    if (running) throw new SpilloverError('ConfigError', 'a run is already going; stop it or wait for it to finish');
    return executeOfflineAware(runId, apiKey, onProgress);
  },
  stop() {
    running?.abort.abort();
  },
  async remove(runId: number) {
    await deleteS3Run(db, runId);
  },
  async results(runId: number): Promise<S3Results> {
    const { row, spec, runs } = await records(runId);
    const llm = emptyLlmTotals();
    let invalid = 0;
    for (const r of runs) for (const t of r.conditions.values()) {
      addTotals(llm, t.llm);
      invalid += t.invalid;
    }
    const complete = runs.filter((r) => [...r.conditions.values()].every((t) => t.rounds.length === spec.config.rounds + 1) && r.conditions.size === spec.config.conditions.length);
    return {
      runId, name: row.name, status: row.status, seeds: runs.map((r) => r.seed), conditions: spec.config.conditions.map((c) => c.name), users: spec.users,
      roundsDone: row.roundsDone, roundsTotal: row.roundsTotal,
      curves: pooledCurves(runs.map((r) => r.conditions)),
      effects: complete.length ? interventionEffects(complete.map((r) => ({ seed: r.seed, tables: r.conditions }))) : [],
      llm, invalid,
    };
  },
  async graph(runId: number, seedIndex: number): Promise<S3GraphData> {
    const { spec, runs } = await records(runId);
    const { network } = await buildWorld(spec);
    const rec = runs[Math.min(seedIndex, runs.length - 1)];
    const m = network.outTargets.length;
    const step = Math.max(1, Math.ceil(m / 30_000));
    const edges: number[] = [];
    for (let a = 0; a < network.n; a++) {
      for (let k = network.outOffsets[a]; k < network.outOffsets[a + 1]; k += 1) if (k % step === 0) edges.push(a, network.outTargets[k]);
    }
    const followers = new Int32Array(network.n);
    for (let b = 0; b < network.n; b++) followers[b] = network.inOffsets[b + 1] - network.inOffsets[b];
    return {
      n: network.n,
      positions: communityLayout(network, spec.seeds[0]),
      edges: Int32Array.from(edges),
      followers,
      conditions: rec ? [...rec.conditions.values()].map((t) => ({ name: t.name, rounds: t.rounds.length, emotion: t.emotion, attitude: t.attitude, action: t.action, reposts: repostEdges(t) })) : [],
    };
  },
  async exportCsvZip(runId: number): Promise<Uint8Array> {
    const { spec, runs } = await records(runId);
    const { network, population } = await buildWorld(spec);
    const deg = (off: Int32Array) => (a: number) => off[a + 1] - off[a];
    const files: Record<string, Uint8Array> = {
      'users.csv': strToU8(usersCsv(population.personas, population.roles, deg(network.inOffsets), deg(network.outOffsets))),
      'outcomes_long.csv': strToU8(tidyOutcomesCsv(runs.flatMap((r) => [...r.conditions.values()].map((table) => ({ seed: r.seed, table }))))),
    };
    for (const r of runs) for (const t of r.conditions.values()) for (const f of conditionFiles(t)) files[`seed_${r.seed}/${t.name}_${f.suffix}`] = strToU8(f.text);
    return zipSync(files, { level: 6 });
  },
  async exportBundle(runId: number): Promise<string> {
    const row = await db.runs.get(runId);
    if (!row) throw new SpilloverError('StorageError', `run ${runId} is not stored; pick a run from the list`);
    const spec = row.spec as unknown as S3RunSpec;
    const rounds = [];
    for (const seed of spec.seeds) {
      for (const r of await loadS3Rounds(db, runId, seed)) {
        const rec = r.record as unknown as S3RoundRecord;
        rounds.push({ seed, ...rec, active: Array.from(rec.active), emotion: Array.from(rec.emotion), attitude: Array.from(rec.attitude), action: Array.from(rec.action) });
      }
    }
    return JSON.stringify({ format: 'spillover-s3-bundle/1', spec, rounds });
  },
  /** Replay a bundle into a new run with zero calls; `mismatches` counts records that differ from the bundle's. */
  async importBundle(text: string, fileName: string, onProgress: (p: S3Progress) => void): Promise<S3RunOutcome> {
    let doc: { format?: string; spec?: S3RunSpec; rounds?: Array<Record<string, unknown>> };
    try {
      doc = JSON.parse(text);
    } catch {
      throw new SpilloverError('BundleError', `${fileName}: is not JSON; choose a file exported with "Bundle" from the S3 run list`);
    }
    if (doc.format !== 'spillover-s3-bundle/1' || !doc.spec || !Array.isArray(doc.rounds)) {
      throw new SpilloverError('BundleError', `${fileName}: is not an S3 bundle (format '${String(doc.format)}'); choose a file exported with "Bundle" from the S3 run list`);
    }
    validateS3Spec(doc.spec);
    const bundle = new Map<number, Map<string, S3RoundRecord>>();
    for (const r of doc.rounds) {
      const rec = { ...r, active: Int32Array.from(r.active as number[]), emotion: Int8Array.from(r.emotion as number[]), attitude: Int8Array.from(r.attitude as number[]), action: Uint8Array.from(r.action as number[]) } as unknown as S3RoundRecord;
      const seed = r.seed as number;
      if (!bundle.has(seed)) bundle.set(seed, new Map());
      bundle.get(seed)!.set(`${rec.condition}:${rec.round}`, rec);
    }
    const spec = { ...doc.spec, name: `${doc.spec.name} (imported)` };
    const now = Date.now();
    const runId = (await db.runs.add({ name: spec.name, spec: spec as unknown as S3RunRow['spec'], status: 'running', roundsDone: 0, roundsTotal: s3RoundsTotal(spec.config) * spec.seeds.length, createdAt: now, updatedAt: now })) as number;
    return execute(runId, null, onProgress, bundle);
  },
};

export type S3Api = typeof api;
expose(api);
