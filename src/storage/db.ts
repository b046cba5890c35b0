/**
 * The browser's record of every run: a versioned Dexie schema and the repositories the worker and the UI use. The
 * worker writes each round in one transaction (so a reload never finds half a round), the UI reads history from here,
 * and nothing in these rows ever holds an API key.
 */
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { SimConfig } from '../engine/config';
import { SpilloverError } from '../engine/errors';
import type { CachedCall, ResponseCacheStore } from '../engine/ports';
import type { AgentProfile, FinalOutcome } from '../engine/protocol';
import type { EngagementEvent, FinalRecord, LlmTotals, Post, Reply, RoundRecord } from '../engine/types';
import { buildNetwork, edgeArrays, type FollowNetwork } from '../engine/network';
import { upgradeConfigV1, upgradeElectionV1, upgradePost, upgradeRoundV1 } from './migrations';
import { packValues, storedList, type StoredList } from './packed-values';


export type RunStatus = 'running' | 'paused' | 'interrupted' | 'complete' | 'failed';
export type AgentsKind = 'offline' | 'llm' | 'replay';

/** Where a run's follower graph came from (the edges themselves live in `networks`). */
export interface NetworkSource {
  kind: 'bundled' | 'uploaded' | 'generated' | 'imported';
  /** File name, or 'network-2000.edges', or 'generated (seed 1)'. */
  label: string;
  nodes: number;
  edges: number;
}

/** LLM settings kept with a run so it can resume; the API key is deliberately not a field. */
export interface LlmSettings {
  baseUrl: string;
  models: { full: string; mini: string; nano: string };
  /** Spend cap in US dollars: 0 spends nothing, null means no cap. */
  budgetUsd: number | null;
  /** $/1M tokens entered for models the built-in price table lacks (cached input is billed as input). */
  prices?: Record<string, { input: number; output: number }>;
  /** Requests in flight at once. */
  concurrency: number;
}

export interface RunProgress {
  roundsDone: number;
  roundsTotal: number;
  /** Index into `seeds` of the seed being run. */
  seedIndex: number;
  condition: string;
  round: number;
}

export interface RunRow {
  id?: number;
  name: string;
  status: RunStatus;
  config: SimConfig;
  seeds: number[];
  agentsKind: AgentsKind;
  llm?: LlmSettings;
  network: NetworkSource;
  createdAt: number;
  updatedAt: number;
  progress: RunProgress;
  totals: LlmTotals;
  /** Last error, by stable name, when the run failed or paused on one. */
  error?: { name: string; message: string };
  /** Which offline agents answer (absent on runs made before fitted agents existed: the hand-set rules). */
  offlineAgents?: OfflineAgentsChoice;
}

/**
 * Offline agents of a run: fitted ones (the bundled published-runs fit when `fitted` is absent, else the fit stored
 * here, e.g. from "Fit agents from this run") or the hand-set rules. `label` names their source wherever they are shown.
 */
export interface OfflineAgentsChoice {
  kind: 'fitted' | 'rules';
  label: string;
  /** The protocol's fitted-agents file, kept as stored: the protocol checks it (`offlineAgents.fitted`) before use. */
  fitted?: unknown;
}

/** A RoundRecord without its event lists (those go to `events` and `posts`), keyed by run and seed. */
export interface RoundRow extends Omit<RoundRecord, 'engagements' | 'posts' | 'replies'> {
  runId: number;
  seed: number;
}

/**
 * Engagements and replies of one round, in one row: a round at 20,000 agents has thousands of likes, and one row per
 * round keeps the write inside the per-round time budget; per-agent history is a scan of ≤ 46 rows per condition.
 */
export interface EventsRow {
  runId: number;
  seed: number;
  condition: string;
  round: number;
  engagements: EngagementEvent[];
  replies: Reply[];
}

/**
 * Rows as IndexedDB holds them: the lists of small objects packed into typed arrays (packed-values.ts) since 2026-11,
 * plain before; the load functions below return them unpacked, whichever form they were stored in.
 */
type StoredRoundRow = Omit<RoundRow, 'decisions'> & { decisions: StoredList<RoundRow['decisions'][number]> };
type StoredEventsRow = Omit<EventsRow, 'engagements' | 'replies'> & { engagements: StoredList<EngagementEvent>; replies: StoredList<Reply> };

function readRoundRow(row: StoredRoundRow): RoundRow {
  return Array.isArray(row.decisions) ? (row as RoundRow) : { ...row, decisions: storedList(row.decisions) };
}

function readEventsRow(row: StoredEventsRow): EventsRow {
  return { ...row, engagements: storedList(row.engagements), replies: storedList(row.replies) };
}

/** A post with its run, RNG seed (`runSeed`) and condition. */
export interface PostRow extends Post {
  runId: number;
  runSeed: number;
  condition: string;
}

/** The end-of-run question of one condition (the protocol's `final`), keyed by run and seed. */
export interface FinalRow {
  runId: number;
  seed: number;
  condition: string;
  values: Int8Array;
  invalidAgents: number[];
  outcomes: FinalOutcome[];
  llm: LlmTotals;
}

/** The run's agents (the protocol's persona type), stored per seed. */
export interface PersonasRow {
  runId: number;
  seed: number;
  personas: AgentProfile[];
}

export interface NetworkRow {
  runId: number;
  n: number;
  /** Edge a→b means a follows b. */
  src: Int32Array;
  dst: Int32Array;
  labels?: string[];
  /** Node positions x0,y0,x1,y1… computed once in the worker (seeded community layout). */
  layout?: Float32Array;
}

/** One cached LLM exchange (the response cache). `runId` is the run that first stored it. */
export interface LlmCallRow {
  key: string;
  runId: number | null;
  value: unknown;
  createdAt: number;
}

/**
 * SCHEMA_V1 — 2025-06 (first release). Compound primary keys put one round of one condition of one seed of one run
 * in exactly one row, so re-writing a round on resume is an idempotent put. Never edit this constant once released:
 * add SCHEMA_V2 with its own dated note, an upgrade function if rows change shape, and a migration test.
 */
export const SCHEMA_V1 = {
  runs: '++id, status, createdAt',
  rounds: '[runId+seed+condition+round], runId, [runId+seed]',
  events: '[runId+seed+condition+round], runId, [runId+seed]',
  posts: '[runId+runSeed+condition+id], runId, [runId+runSeed+condition]',
  elections: '[runId+seed+condition], runId, [runId+seed]',
  personas: '[runId+seed], runId',
  networks: 'runId',
  llmCalls: 'key, runId',
} as const;

/**
 * SCHEMA_V2 — 2026-11 (experiments as modules, issue 9). Runs name their protocol and keep its settings in
 * `config.params`; rounds keep the protocol's outcomes as named `columns` and `scalars`; the end-of-run question of any
 * protocol goes to `finals` (`values`). The upgrade rewrites every version-1 row in place (storage/migrations.ts).
 */
export const SCHEMA_V2 = {
  ...SCHEMA_V1,
  finals: '[runId+seed+condition], runId, [runId+seed]',
} as const;

/** SCHEMA_V3 — 2026-11: drops `elections`, whose rows the version-2 upgrade copied into `finals`. */
export const SCHEMA_V3 = {
  ...SCHEMA_V2,
  elections: null,
} as const;

export const DB_VERSION = 3;

export type SpilloverDb = Dexie & {
  runs: EntityTable<RunRow, 'id'>;
  rounds: Table<StoredRoundRow, [number, number, string, number]>;
  events: Table<StoredEventsRow, [number, number, string, number]>;
  posts: Table<PostRow, [number, number, string, number]>;
  finals: Table<FinalRow, [number, number, string]>;
  personas: Table<PersonasRow, [number, number]>;
  networks: Table<NetworkRow, number>;
  llmCalls: Table<LlmCallRow, string>;
};

/** Open (or create) the database; tests pass their own name so they never share state. */
export function createDb(name = 'spillover'): SpilloverDb {
  const db = new Dexie(name) as SpilloverDb;
  db.version(1).stores(SCHEMA_V1);
  db.version(2)
    .stores(SCHEMA_V2)
    .upgrade(async (tx) => {
      await tx.table('runs').toCollection().modify((run: RunRow) => {
        run.config = upgradeConfigV1(run.config);
      });
      await tx.table('rounds').toCollection().modify((row: RoundRow) => {
        upgradeRoundV1(row);
      });
      const elections = await tx.table('elections').toArray();
      await tx.table('finals').bulkPut(elections.map((e) => upgradeElectionV1(e)));
    });
  db.version(3).stores(SCHEMA_V3);
  return db;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

function errorNames(err: unknown, depth = 0): string[] {
  if (!err || typeof err !== 'object' || depth > 4) return [];
  const e = err as { name?: unknown; inner?: unknown; failures?: unknown };
  const out: string[] = typeof e.name === 'string' ? [e.name] : [];
  out.push(...errorNames(e.inner, depth + 1));
  if (Array.isArray(e.failures)) for (const f of e.failures.slice(0, 5)) out.push(...errorNames(f, depth + 1));
  return out;
}

export const QUOTA_HINT =
  'free space by deleting old runs in the run list (or clearing this site’s data in the browser settings), then resume the run';

/**
 * Map a storage failure to a SpilloverError with a stable name. A full quota (directly, inside an AbortError, or
 * inside a BulkError's failures) becomes 'QuotaExceeded' with instructions; everything else 'StorageError'.
 */
export function storageError(err: unknown, what: string): SpilloverError {
  if (err && typeof err === 'object' && (err as { name?: unknown }).name === 'QuotaExceeded') return err as SpilloverError;
  if (err instanceof SpilloverError && err.name === 'StorageError') return err;
  const names = errorNames(err);
  if (names.includes('QuotaExceededError')) {
    return new SpilloverError('QuotaExceeded', `storage: the browser's storage quota is full while ${what}; nothing of this round was written; ${QUOTA_HINT}`);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new SpilloverError('StorageError', `storage: ${what} failed (${names[0] ?? 'error'}: ${detail}); reload the page and resume the run, or delete it if the error persists`);
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

export async function createRun(db: SpilloverDb, row: Omit<RunRow, 'id'>): Promise<number> {
  try {
    return (await db.runs.add(row as RunRow)) as number;
  } catch (err) {
    throw storageError(err, 'creating the run');
  }
}

export async function listRuns(db: SpilloverDb): Promise<RunRow[]> {
  return db.runs.orderBy('createdAt').reverse().toArray();
}

export async function getRun(db: SpilloverDb, runId: number): Promise<RunRow | undefined> {
  return db.runs.get(runId);
}

export async function updateRun(db: SpilloverDb, runId: number, changes: Partial<RunRow>): Promise<void> {
  try {
    await db.runs.update(runId, { ...changes, updatedAt: Date.now() });
  } catch (err) {
    throw storageError(err, 'updating the run');
  }
}

/** Delete a run and every row that belongs to it, in one transaction. */
export async function deleteRun(db: SpilloverDb, runId: number): Promise<void> {
  try {
    await db.transaction('rw', [db.runs, db.rounds, db.events, db.posts, db.finals, db.personas, db.networks, db.llmCalls], async () => {
      await db.rounds.where('runId').equals(runId).delete();
      await db.events.where('runId').equals(runId).delete();
      await db.posts.where('runId').equals(runId).delete();
      await db.finals.where('runId').equals(runId).delete();
      await db.personas.where('runId').equals(runId).delete();
      await db.networks.delete(runId);
      await db.llmCalls.where('runId').equals(runId).delete();
      await db.runs.delete(runId);
    });
  } catch (err) {
    throw storageError(err, `deleting run ${runId}`);
  }
}

/**
 * Mark runs left 'running' by a closed or reloaded tab as 'interrupted'. `isAlive` says whether some tab still runs
 * one (the worker holds a Web Lock per run); runs that are alive are left alone.
 */
export async function markInterrupted(db: SpilloverDb, isAlive: (runId: number) => boolean = () => false): Promise<number[]> {
  const running = await db.runs.where('status').equals('running').toArray();
  const stale = running.filter((r) => r.id !== undefined && !isAlive(r.id)).map((r) => r.id as number);
  for (const id of stale) await updateRun(db, id, { status: 'interrupted' });
  return stale;
}

// ---------------------------------------------------------------------------------------------------------------
// Rounds

/**
 * Inside a write transaction: the run must still exist. A run deleted meanwhile (another tab without the lock, or
 * site data cleared) stops its writer here, and the transaction writes nothing, so no orphan rows are left behind.
 */
async function requireRunRow(db: SpilloverDb, runId: number): Promise<void> {
  if ((await db.runs.where('id').equals(runId).count()) === 0) {
    throw new SpilloverError('StorageError', `storage: run ${runId} was deleted while it was running, so nothing more of it is written; start a new run`);
  }
}

/** Start every request before awaiting any; each failure is handled, the first one is thrown. */
async function together(requests: Array<() => Promise<unknown>>): Promise<void> {
  const started: Promise<unknown>[] = [];
  for (const request of requests) {
    const p = request();
    p.catch(() => undefined);
    started.push(p);
  }
  await Promise.all(started);
}

/**
 * Write one round (its state, events and posts) and the run's progress in a single transaction: either all of it is
 * stored or none. Only Dexie calls happen inside.
 */
export async function writeRound(
  db: SpilloverDb,
  runId: number,
  seed: number,
  record: RoundRecord,
  run?: Partial<RunRow>,
): Promise<void> {
  const key = { runId, seed, condition: record.condition, round: record.round };
  const row: StoredRoundRow = {
    ...key,
    active: record.active,
    treated: record.treated,
    activity: record.activity,
    columns: record.columns,
    scalars: record.scalars,
    invalidAgents: record.invalidAgents,
    decisions: packValues(record.decisions),
    llm: record.llm,
    ...(record.extra !== undefined ? { extra: record.extra } : {}),
  };
  const events: StoredEventsRow = { ...key, engagements: packValues(record.engagements), replies: packValues(record.replies) };
  const posts: PostRow[] = record.posts.map((p) => ({ ...p, runId, runSeed: seed, condition: record.condition }));
  try {
    await db.transaction('rw', [db.rounds, db.events, db.posts, db.runs], async () => {
      // The check and the puts go out together (IndexedDB runs them in order): one round trip to the storage backend
      // instead of four. A deleted run fails the check, which aborts the transaction and with it the puts.
      await together([() => requireRunRow(db, runId), () => db.rounds.bulkPut([row]), () => db.events.bulkPut([events]), ...(posts.length ? [() => db.posts.bulkPut(posts)] : [])]);
      if (run) await db.runs.update(runId, { ...run, updatedAt: Date.now() });
    });
  } catch (err) {
    throw storageError(err, `writing round ${record.round} of '${record.condition}' (seed ${seed})`);
  }
}

/** Write the end-of-run answers of one condition and the run's progress in one transaction. */
export async function writeFinal(db: SpilloverDb, runId: number, seed: number, record: FinalRecord, run?: Partial<RunRow>): Promise<void> {
  const row: FinalRow = {
    runId,
    seed,
    condition: record.condition,
    values: record.values,
    invalidAgents: record.invalidAgents,
    outcomes: record.outcomes,
    llm: record.llm,
  };
  try {
    await db.transaction('rw', [db.finals, db.runs], async () => {
      await requireRunRow(db, runId);
      await db.finals.bulkPut([row]);
      if (run) await db.runs.update(runId, { ...run, updatedAt: Date.now() });
    });
  } catch (err) {
    throw storageError(err, `writing the end-of-run answers of '${record.condition}' (seed ${seed})`);
  }
}

/** Round rows of one seed in record order (warm-up first, then by round, conditions in config order). */
export async function loadRoundRows(db: SpilloverDb, runId: number, seed: number, conditionOrder?: string[]): Promise<RoundRow[]> {
  const rows = (await db.rounds.where('[runId+seed]').equals([runId, seed]).toArray()).map(readRoundRow);
  const order = new Map((conditionOrder ?? []).map((c, i) => [c, i]));
  const rank = (c: string) => (c === 'warmup' ? -1 : order.get(c) ?? 1000);
  rows.sort((a, b) => a.round - b.round || rank(a.condition) - rank(b.condition) || (a.condition < b.condition ? -1 : 1));
  return rows;
}

/** One round's state of one condition (the graph scrubber reads these one at a time). */
export async function loadRoundRow(db: SpilloverDb, runId: number, seed: number, condition: string, round: number): Promise<RoundRow | undefined> {
  const row = await db.rounds.get([runId, seed, condition, round]);
  return row && readRoundRow(row);
}

/** Every stored round of one condition of one seed, in round order (an agent's history, the graph scrubber). */
export async function loadConditionRows(db: SpilloverDb, runId: number, seed: number, condition: string): Promise<RoundRow[]> {
  const rows = await db.rounds
    .where('[runId+seed+condition+round]')
    .between([runId, seed, condition, Dexie.minKey], [runId, seed, condition, Dexie.maxKey])
    .toArray();
  return rows.map(readRoundRow);
}

/** Rebuild full RoundRecords (events and posts joined back) — what resume and the run bundle need. */
export async function loadRoundRecords(db: SpilloverDb, runId: number, seed: number, conditionOrder?: string[]): Promise<RoundRecord[]> {
  const rows = await loadRoundRows(db, runId, seed, conditionOrder);
  const events = await loadEvents(db, runId, seed);
  const posts = await db.posts.where('runId').equals(runId).filter((p) => p.runSeed === seed).toArray();
  const ev = new Map(events.map((e) => [`${e.condition}|${e.round}`, e]));
  const byRound = new Map<string, Post[]>();
  for (const p of posts) {
    const k = `${p.condition}|${p.round}`;
    const { runId: _r, runSeed: _s, condition: _c, ...post } = upgradePost(p);
    const list = byRound.get(k);
    if (list) list.push(post);
    else byRound.set(k, [post]);
  }
  return rows.map((r) => {
    const k = `${r.condition}|${r.round}`;
    const e = ev.get(k);
    const { runId: _r, seed: _s, ...rest } = r;
    return {
      ...rest,
      engagements: e?.engagements ?? [],
      replies: e?.replies ?? [],
      posts: (byRound.get(k) ?? []).sort((a, b) => a.id - b.id),
    };
  });
}

export async function loadFinals(db: SpilloverDb, runId: number, seed: number): Promise<FinalRecord[]> {
  const rows = await db.finals.where('[runId+seed]').equals([runId, seed]).toArray();
  return rows.map(({ runId: _r, seed: _s, ...rest }) => rest);
}

/** Keys "condition|round" of the rounds already stored for a seed (resume skips writing these). */
export async function storedRoundKeys(db: SpilloverDb, runId: number, seed: number): Promise<Set<string>> {
  const keys = await db.rounds.where('[runId+seed]').equals([runId, seed]).primaryKeys();
  return new Set(keys.map((k) => `${k[2]}|${k[3]}`));
}

/** Events of one seed and condition (and the warm-up), for an agent's history. */
export async function loadEvents(db: SpilloverDb, runId: number, seed: number): Promise<EventsRow[]> {
  return (await db.events.where('[runId+seed]').equals([runId, seed]).toArray()).map(readEventsRow);
}

export async function loadPosts(db: SpilloverDb, runId: number, seed: number, condition: string): Promise<PostRow[]> {
  return (await db.posts.where('[runId+runSeed+condition]').equals([runId, seed, condition]).toArray()).map((p) => upgradePost(p));
}

// ---------------------------------------------------------------------------------------------------------------
// Personas and network

export async function savePersonas(db: SpilloverDb, runId: number, seed: number, personas: readonly AgentProfile[]): Promise<void> {
  try {
    await db.personas.put({ runId, seed, personas: personas.slice() });
  } catch (err) {
    throw storageError(err, 'saving the personas');
  }
}

/** The run's agents as stored; `A` is the protocol's persona type (the caller knows the run's protocol). */
export async function loadPersonas<A extends AgentProfile = AgentProfile>(db: SpilloverDb, runId: number, seed: number): Promise<A[] | undefined> {
  return (await db.personas.get([runId, seed]))?.personas as A[] | undefined;
}

/**
 * The stored row of a run's network: its serialised form (edge arrays, as in run bundles) with its labels and layout.
 * Everything that computes on the network reads it back as the engine's `FollowNetwork` through `loadFollowNetwork`.
 */
export function networkRow(runId: number, network: FollowNetwork, layout?: Float32Array): NetworkRow {
  return { runId, n: network.n, ...edgeArrays(network), labels: network.labels, layout };
}

export async function saveNetwork(db: SpilloverDb, row: NetworkRow): Promise<void> {
  try {
    await db.networks.put(row);
  } catch (err) {
    throw storageError(err, 'saving the network');
  }
}

/** The stored row as written (bundle export copies it as is). */
export async function loadNetwork(db: SpilloverDb, runId: number): Promise<NetworkRow | undefined> {
  return db.networks.get(runId);
}

/** A run's network as the engine, the analysis and the graph use it, with the stored layout; undefined when none. */
export async function loadFollowNetwork(db: SpilloverDb, runId: number): Promise<{ network: FollowNetwork; layout?: Float32Array } | undefined> {
  const row = await db.networks.get(runId);
  return row ? { network: buildNetwork(row.n, row.src, row.dst, row.labels), layout: row.layout } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The LLM response cache

/** Where a run's imported answers live: a namespace of its own, so they serve that run and no other. */
function importedKey(runId: number, key: string): string {
  return `imported:${runId}:${key}`;
}

/**
 * The LLM response cache (the agents' ResponseCacheStore) on Dexie: keyed by a hash of the request (endpoint
 * included), exported with a run's bundle. Answers this browser received are shared by all its runs; answers imported
 * with a bundle sit in the importing run's own namespace and serve only that run, so a stranger's bundle can never
 * answer the requests of another run. The first answer stored under a key is kept: nothing overwrites an entry.
 * `runId` scopes `entries()` and deletion to the run that stored them.
 */
export class DexieResponseCache implements ResponseCacheStore {
  constructor(
    private readonly db: SpilloverDb,
    private readonly runId: number | null = null,
  ) {}

  async get(key: string): Promise<CachedCall | undefined> {
    const keys = this.runId === null ? [key] : [importedKey(this.runId, key), key];
    const rows = await this.db.llmCalls.bulkGet(keys);
    return rows.find((r) => r !== undefined)?.value as CachedCall | undefined;
  }

  async put(key: string, value: CachedCall): Promise<void> {
    try {
      await this.db.transaction('rw', this.db.llmCalls, async () => {
        if (await this.db.llmCalls.get(key)) return;
        await this.db.llmCalls.add({ key, runId: this.runId, value, createdAt: Date.now() });
      });
    } catch (err) {
      throw storageError(err, 'caching an LLM answer');
    }
  }

  /** Rows that put a bundle's answers into this run's own namespace (written by the import's one transaction). */
  importRows(entries: Iterable<[string, unknown]>): LlmCallRow[] {
    if (this.runId === null) throw new SpilloverError('StorageError', 'storage: imported answers need the run they belong to; this is a bug, please report it');
    const now = Date.now();
    return Array.from(entries, ([key, value]) => ({ key: importedKey(this.runId as number, key), runId: this.runId, value, createdAt: now }));
  }

  /** An async iterable over a snapshot read in one query (never holds a read open across consumer awaits). */
  entries(): AsyncIterable<[string, CachedCall]> {
    const rows = this.list();
    return {
      async *[Symbol.asyncIterator]() {
        yield* await rows;
      },
    };
  }

  /** All entries at once (for the run bundle), under their request keys (the import namespace taken off). */
  async list(): Promise<Array<[string, CachedCall]>> {
    const rows = this.runId === null ? await this.db.llmCalls.toArray() : await this.db.llmCalls.where('runId').equals(this.runId).toArray();
    const prefix = this.runId === null ? null : importedKey(this.runId, '');
    return rows.map((r) => [prefix && r.key.startsWith(prefix) ? r.key.slice(prefix.length) : r.key, r.value as CachedCall]);
  }
}
