/**
 * Conditions on a pool of workers, the parts that do not care what a worker is (Node worker_threads in the CLI, Web
 * Workers in a page): which conditions each worker runs, and the merge that hands records on in the order the
 * sequential run emits them. A condition's records depend only on the seed and the shared warm-up, never on which
 * other conditions run beside it: the calling thread plays the warm-up once and ships its packed end state to every
 * worker (engine/warm-start.ts), or, for a protocol that does not pack its state, every worker replays it; the merged
 * records equal the sequential run's (tests/integration/condition-pool.test.ts compares digests). With `balance`, the
 * conditions' rounds are dealt out evenly (5 conditions on 2 threads: two and a half each), one condition's first
 * rounds played by one thread and its last by the next, from its packed state; with `local`, the calling thread plays
 * the first share itself instead of idling while it merges.
 */
import type { SimConfig } from '../engine/config';
import type { FollowNetwork } from '../engine/network';
import type { AgentProfile } from '../engine/protocol';
import { canShipWarmup, roundsTotal, runExperiment, WARMUP, type ExperimentProgress, type ExperimentResult, type RunPhase } from '../engine/simulation';
import { conditionTransfer, warmTransfer, type PackedCondition, type WarmStart } from '../engine/warm-start';
import type { EngagementEvent, EngagementKind, FinalRecord, RoundRecord } from '../engine/types';
import { addTotals, emptyLlmTotals } from '../engine/types';
import { offlinePort } from '../protocols/assemble';
import { ReplayPort } from '../agents/replay';
import { getProtocol } from '../protocols/registry';

/**
 * Below this many agents a pool is slower than one thread unless asked for: a worker's start (thread, code, its copy of
 * the personas, compiling the hot code again) costs more than the conditions it takes over (measured at 2,000 agents:
 * about 0.8 s more CPU on 2 cores for about 0.3 s of conditions moved off the busy thread).
 */
export const POOL_MIN_AGENTS = 5000;

/** Condition indices per worker, round-robin, at most one worker per condition. */
export function planShards(conditions: number, workers: number): number[][] {
  const k = Math.max(1, Math.min(conditions, Math.floor(workers)));
  const shards: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < conditions; i++) shards[i % k].push(i);
  return shards;
}

/** The configuration one worker runs: the same, with only its conditions. */
export function shardConfig(config: SimConfig, shard: readonly number[]): SimConfig {
  return { ...config, conditions: shard.map((i) => config.conditions[i]) };
}

/** Rounds `from`…`to` of condition `condition` (an index into the configuration's conditions). */
export interface Piece {
  condition: number;
  from: number;
  to: number;
}

/**
 * The conditions' rounds dealt out evenly over `threads` threads (at most one per condition), in the order each thread
 * plays them: thread i takes the i-th stretch of the rounds laid end to end (condition after condition), so at most
 * one condition is cut between two neighbours. A thread plays the start of the condition it hands on first, so that
 * the next thread has its state long before it needs it, and the rest of the condition it takes over last.
 */
export function planPieces(conditions: number, threads: number, rounds: number, lead = 1): Piece[][] {
  const k = Math.max(1, Math.min(conditions, Math.floor(threads)));
  const total = conditions * rounds;
  // Where thread t's stretch starts: thread 0 weighs `lead`, the others 1.
  const at = (t: number) => (t === 0 ? 0 : Math.floor(((lead + t - 1) * total) / (lead + k - 1)));
  const plan: Piece[][] = [];
  for (let t = 0; t < k; t++) {
    const first = at(t);
    const end = t === k - 1 ? total : at(t + 1);
    const pieces: Piece[] = [];
    for (let u = first; u < end; ) {
      const condition = Math.floor(u / rounds);
      const to = Math.min(end, (condition + 1) * rounds);
      pieces.push({ condition, from: u - condition * rounds + 1, to: to - condition * rounds });
      u = to;
    }
    const head = pieces.filter((p) => p.from === 1 && p.to < rounds);
    const tail = pieces.filter((p) => p.from > 1);
    const whole = pieces.filter((p) => p.from === 1 && p.to === rounds);
    plan.push([...head, ...whole, ...tail]);
  }
  return plan;
}

/**
 * A record waiting for its turn. A round's engagement events may wait packed (`events`, its `engagements` then empty):
 * most records wait for most of a run, and thousands of small objects each would be copied and marked by the
 * collector all that time.
 */
export type PoolRecord = { kind: 'round'; record: RoundRecord; events?: PackedEvents } | { kind: 'final'; record: FinalRecord };

const KINDS: readonly EngagementKind[] = ['like', 'reply', 'follow', 'unfollow', 'post'];
const HAS_TEXT = 8;

/**
 * A round's engagement events as five int columns plus their texts: copying typed arrays between threads is cheap,
 * while cloning a round's thousands of small objects cost more CPU than running the round (about half a second per
 * 20,000-agent run).
 */
export interface PackedEvents {
  cols: Int32Array;
  texts: string[];
}

export function packEvents(events: readonly EngagementEvent[]): PackedEvents {
  const cols = new Int32Array(events.length * 5);
  const texts: string[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const o = i * 5;
    cols[o] = e.round;
    cols[o + 1] = e.agent;
    cols[o + 2] = KINDS.indexOf(e.kind) | (e.text !== undefined ? HAS_TEXT : 0);
    cols[o + 3] = e.postId;
    cols[o + 4] = e.target;
    if (e.text !== undefined) texts.push(e.text);
  }
  return { cols, texts };
}

/** The events `packEvents` packed, equal to them (same fields in the same order; `text` only where there was one). */
export function unpackEvents(p: PackedEvents): EngagementEvent[] {
  const n = p.cols.length / 5;
  const out: EngagementEvent[] = new Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const o = i * 5;
    const k = p.cols[o + 2];
    const e: EngagementEvent = { round: p.cols[o], agent: p.cols[o + 1], kind: KINDS[k & 7], postId: p.cols[o + 3], target: p.cols[o + 4] };
    if (k & HAS_TEXT) e.text = p.texts[t++];
    out[i] = e;
  }
  return out;
}

export interface MergeHooks {
  onRound?(record: RoundRecord, progress: ExperimentProgress): void | Promise<void>;
  onFinal?(record: FinalRecord, progress: ExperimentProgress): void | Promise<void>;
  /** Polled after every record handed on, as the engine polls it: true stops the pool there (status 'paused'). */
  shouldPause?(): boolean;
}

/** Whether the configuration's protocol asks an end-of-run question (one more record per condition). */
function hasFinal(config: SimConfig): boolean {
  return getProtocol(config.protocol).final !== undefined;
}

/**
 * Takes records from any worker in any interleaving and passes them to the hooks in the sequential order: the
 * warm-up rounds, then each round's conditions in configuration order, then each condition's end-of-run record. Records
 * wait here until their turn; `push` resolves once every record that became due has been handled.
 */
export class OrderedMerge {
  private readonly order: string[] = [];
  private readonly waiting = new Map<string, PoolRecord>();
  private next = 0;
  private chain: Promise<void> = Promise.resolve();
  private onPause: () => void = () => {};
  /** Resolves when `shouldPause` stopped the merge: nothing more is handed on. */
  readonly paused = new Promise<void>((resolve) => (this.onPause = resolve));
  private stopped = false;

  constructor(
    private readonly config: SimConfig,
    private readonly hooks: MergeHooks,
  ) {
    for (let r = config.firstRound; r <= 0; r++) this.order.push(`${WARMUP}@${r}`);
    for (let r = 1; r <= config.lastRound; r++) for (const c of config.conditions) this.order.push(`${c.name}@${r}`);
    if (hasFinal(config)) for (const c of config.conditions) this.order.push(`${c.name}@final`);
  }

  /** Whether `shouldPause` stopped the merge. */
  get stoppedEarly(): boolean {
    return this.stopped;
  }

  /** Records handed on so far. */
  get done(): number {
    return this.next;
  }

  /** Whether a round record of this condition and round would be handed on at once (nothing before it is missing). */
  isNext(condition: string, round: number): boolean {
    return this.order[this.next] === `${condition}@${round}`;
  }

  push(item: PoolRecord): Promise<void> {
    const key = item.kind === 'round' ? `${item.record.condition}@${item.record.round}` : `${item.record.condition}@final`;
    this.waiting.set(key, item);
    this.chain = this.chain.then(() => this.drain());
    return this.chain;
  }

  private async drain(): Promise<void> {
    const total = roundsTotal(this.config, hasFinal(this.config));
    for (let item = this.waiting.get(this.order[this.next]); item && !this.stopped; item = this.waiting.get(this.order[this.next])) {
      this.waiting.delete(this.order[this.next]);
      this.next++;
      if (item.kind === 'round') {
        const r = item.events ? { ...item.record, engagements: unpackEvents(item.events) } : item.record;
        await this.hooks.onRound?.(r, { roundsDone: this.next, roundsTotal: total, condition: r.condition, round: r.round });
      } else {
        await this.hooks.onFinal?.(item.record, { roundsDone: this.next, roundsTotal: total, condition: item.record.condition, round: this.config.lastRound });
      }
      if (this.next < this.order.length && this.hooks.shouldPause?.()) {
        this.stopped = true;
        this.onPause();
      }
    }
  }
}

/** One result from the workers' results: tables in configuration order, the warm-up's accounting once. */
export function mergeResults(config: SimConfig, results: readonly ExperimentResult[], done: number): ExperimentResult {
  const byName = new Map(results.flatMap((r) => r.conditions.map((t) => [t.name, t] as const)));
  const first = results[0];
  const warmupLlm = emptyLlmTotals();
  addTotals(warmupLlm, first.warmupLlm);
  return {
    status: results.every((r) => r.status === 'complete') ? 'complete' : 'paused',
    seed: first.seed,
    roundsDone: done,
    roundsTotal: roundsTotal(config, hasFinal(config)),
    conditions: config.conditions.map((c) => {
      const t = byName.get(c.name);
      if (!t) throw new Error(`condition pool: no worker returned condition '${c.name}'; this is a bug in the pool`);
      return t;
    }),
    warmupLlm,
    invalidWarmup: first.invalidWarmup,
  };
}

/** What one worker is given. */
export interface ShardData {
  config: SimConfig;
  seed: number;
  personas: AgentProfile[];
  network: FollowNetwork;
  /** Which of the protocol's offline agents answer (its default when absent). */
  agentsKind?: string;
  /** Only the worker holding the first condition posts the warm-up rounds (when it replays them). */
  postWarmup: boolean;
  /**
   * The shared warm-up is being played by the pool's caller: the worker waits for its next message (a `WarmMessage`)
   * and starts its conditions from it. False: the worker replays the warm-up itself.
   */
  awaitWarm: boolean;
  /** Send each activation's decision outcome too (the CLI's outputs do not read them). */
  withDecisions: boolean;
  /** Fitted agents' data (the protocol's fitted kind reads it) answer when given; otherwise `agentsKind`. */
  fitted?: unknown;
  /**
   * Play the conditions one after another, each over these rounds (by name; `RunPhase.pieces`): one that starts after
   * round 1 waits for a `HandedMessage`, one that stops early is posted as a 'handoff' for the next worker.
   */
  pieces?: Record<string, { from: number; to: number }>;
  /** A resumed seed's stored decisions of these conditions (and the warm-up): replayed, the offline agents go on after. */
  stored?: StoredDecisions;
}

/** What a resumed seed has stored: its rounds' and end-of-run decisions, answered again by a ReplayPort. */
export interface StoredDecisions {
  rounds: Array<Pick<RoundRecord, 'condition' | 'round' | 'active' | 'decisions'>>;
  finals: Array<Pick<FinalRecord, 'condition' | 'outcomes'>>;
}

/** The offline agents, behind the stored decisions when a resumed seed has some. */
export function poolPort(protocol: ReturnType<typeof getProtocol>, agentsKind: string | undefined, fitted: unknown, stored: StoredDecisions | undefined) {
  const port = offlinePort(protocol, fitted ? 'fitted' : agentsKind, fitted ?? undefined);
  return stored ? new ReplayPort(stored.rounds, stored.finals, port) : port;
}

/** The stored decisions one share needs: its conditions' and the warm-up's. */
function storedFor(stored: StoredDecisions | undefined, config: SimConfig): StoredDecisions | undefined {
  if (!stored) return undefined;
  const names = new Set([WARMUP, ...config.conditions.map((c) => c.name)]);
  return { rounds: stored.rounds.filter((r) => names.has(r.condition)), finals: stored.finals.filter((f) => names.has(f.condition)) };
}

export type ShardMessage =
  | { kind: 'round'; record: RoundRecord; events: PackedEvents }
  | { kind: 'final'; record: FinalRecord }
  | { kind: 'handoff'; packed: PackedCondition }
  | { kind: 'result'; result: ExperimentResult }
  | { kind: 'error'; name: string; message: string };

export type PostShardMessage = (message: ShardMessage, transfer: ArrayBuffer[]) => void;

/** The message after the ShardData when `awaitWarm`: the packed warm-up (null: the caller stopped before its end). */
export interface WarmMessage {
  warm: WarmStart | null;
}

/** A condition whose first rounds another thread played, for this worker to finish. */
export interface HandedMessage {
  handed: PackedCondition;
}

/**
 * The worker side: run the shard's conditions with offline agents, posting records with their typed arrays moved.
 * `warm` is the caller's warm-up when the data says to wait for it; `handed` gives the next condition handed over.
 */
export async function runShard(data: ShardData, post: PostShardMessage, warm: Promise<WarmMessage>, handed?: () => Promise<HandedMessage>): Promise<void> {
  try {
    const protocol = getProtocol(data.config.protocol);
    const from = data.awaitWarm ? (await warm).warm : null;
    if (data.awaitWarm && !from) return;
    const pieces: RunPhase = data.pieces
      ? {
          conditionMajor: true,
          pieces: data.pieces,
          receive: async () => (handed ? (await handed()).handed : null),
          handOff: (packed) => post({ kind: 'handoff', packed }, conditionTransfer(packed)),
        }
      : {};
    const result = await runExperiment(
      { protocol, config: data.config, seed: data.seed, agents: data.personas, network: data.network, port: poolPort(protocol, data.agentsKind, data.fitted, data.stored) },
      {
        onRound: (record: RoundRecord) => {
          if (record.condition === WARMUP && !data.postWarmup) return;
          const sent = { ...record, engagements: [], decisions: data.withDecisions ? record.decisions : [] };
          const events = packEvents(record.engagements);
          const columns = Object.values(record.columns).map((c) => c.buffer);
          post({ kind: 'round', record: sent, events }, [record.active.buffer, record.treated.buffer, record.activity.buffer, events.cols.buffer, ...columns] as ArrayBuffer[]);
        },
        onFinal: (record: FinalRecord) => {
          const sent = data.withDecisions ? record : { ...record, outcomes: [] };
          post({ kind: 'final', record: sent }, [record.values.buffer as ArrayBuffer]);
        },
      },
      undefined,
      from ? { ...pieces, from } : pieces,
    );
    post({ kind: 'result', result }, []);
  } catch (err) {
    const e = err as { name?: string; message?: string; stack?: string };
    post({ kind: 'error', name: e?.name ?? 'Error', message: e?.message ?? String(err) }, []);
  }
}

/** A started worker, whatever runs it. */
export interface ShardWorker {
  send(message: WarmMessage | HandedMessage, transfer: ArrayBuffer[]): void;
  onMessage(handler: (m: ShardMessage) => void): void;
  onFailure(handler: (err: Error) => void): void;
  terminate(): void;
}

export interface PoolInputs {
  config: SimConfig;
  seed: number;
  personas: AgentProfile[];
  network: FollowNetwork;
  /** Fitted agents' data (plain, so it crosses to the workers); absent: `agentsKind` (the protocol's default). */
  fitted?: unknown;
  agentsKind?: string;
  /** A resumed seed's stored decisions: replayed, wherever each round is played. */
  stored?: StoredDecisions;
}

/** The offline port and inputs of the calling thread's own run. */
function localInputs(inputs: PoolInputs, config: SimConfig) {
  const protocol = getProtocol(inputs.config.protocol);
  const port = poolPort(protocol, inputs.agentsKind, inputs.fitted, inputs.stored);
  return { protocol, config, seed: inputs.seed, agents: inputs.personas, network: inputs.network, port };
}

/** Lets queued messages (the workers' records) through between the calling thread's own rounds. */
const nextTask: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise<void>((resolve) => setImmediate(resolve))
    : () =>
        new Promise<void>((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            channel.port1.close();
            resolve();
          };
          channel.port2.postMessage(null);
        });

/**
 * Plays the calling thread's part, handing its records to the merge: the shared warm-up only (`phase.warmupOnly`:
 * returns its packed end state, null when the merge paused it), or a whole share of the pool.
 */
async function playHere(inputs: PoolInputs, config: SimConfig, merge: OrderedMerge, withDecisions: boolean, phase: RunPhase, signal?: AbortSignal): Promise<ExperimentResult> {
  const onRound = async (record: RoundRecord) => {
    const sent = withDecisions ? record : { ...record, decisions: [] };
    // A record that must wait for other threads' records waits with its events packed.
    if (merge.isNext(record.condition, record.round)) await merge.push({ kind: 'round', record: sent });
    else await merge.push({ kind: 'round', record: { ...sent, engagements: [] }, events: packEvents(record.engagements) });
    if (!phase.warmupOnly) await nextTask();
  };
  const onFinal = async (record: FinalRecord) => {
    await merge.push({ kind: 'final', record: withDecisions ? record : { ...record, outcomes: [] } });
  };
  return runExperiment(localInputs(inputs, config), { onRound, onFinal, shouldPause: () => merge.stoppedEarly }, signal, phase);
}

/**
 * The calling thread's share of the rounds against a worker's, when it plays one (`local`): a worker starts its code
 * cold, unpacks the warm-up and packs every record it posts, so the same rounds cost it more CPU (measured at 20,000
 * agents on 2 cores: ~2.8–3.6 s for a worker's half against ~2.3–2.6 s for this thread's).
 */
export const LOCAL_LEAD = 1.1;

export interface ShardOptions {
  withDecisions?: boolean;
  signal?: AbortSignal;
  /** @default true (for a protocol that packs its state) */
  shipWarmup?: boolean;
  /** Deal the rounds out evenly, a condition cut between two threads where needed (with the warm-up shipped). */
  balance?: boolean;
  /** The calling thread plays the first share itself (one worker fewer is started). */
  local?: boolean;
}

/** What a pool that stopped early returns: its workers' totals are not known, so the tables are empty. */
function pausedResult(config: SimConfig, seed: number, done: number): ExperimentResult {
  const totals = (name: string) => ({ name, invalidDecisions: 0, invalidFinal: 0, llm: emptyLlmTotals(), posts: 0 });
  return { status: 'paused', seed, roundsDone: done, roundsTotal: roundsTotal(config, hasFinal(config)), conditions: config.conditions.map((c) => totals(c.name)), warmupLlm: emptyLlmTotals(), invalidWarmup: 0 };
}

/**
 * The main side: one worker per share, started at once (`spawn` gives it its data); the warm-up played here meanwhile
 * and sent to every worker (or replayed by each, for a protocol that does not pack its state, or with `shipWarmup:
 * false`); records merged in the sequential order; the results merged once every share is done. With `local`, the
 * first share is played here after the warm-up. Cancelling stops every worker; `hooks.shouldPause` stops them at the
 * next record boundary (status 'paused').
 */
export async function runShards(inputs: PoolInputs, hooks: MergeHooks, shards: number[][], spawn: (data: ShardData) => ShardWorker, options: ShardOptions = {}): Promise<ExperimentResult> {
  const config = inputs.config;
  const merge = new OrderedMerge(config, hooks);
  const withDecisions = options.withDecisions ?? true;
  const ship = options.shipWarmup !== false && canShipWarmup(getProtocol(config.protocol));
  const rounds = config.lastRound;
  const plan: Piece[][] = ship && options.balance ? planPieces(config.conditions.length, shards.length, rounds, options.local ? LOCAL_LEAD : 1) : shards.map((s) => s.map((c) => ({ condition: c, from: 1, to: rounds })));
  const cut = ship && options.balance === true;
  const local = options.local === true;
  const configOf = (pieces: Piece[]) => shardConfig(config, pieces.map((p) => p.condition));
  const piecesOf = (pieces: Piece[]) => (cut ? Object.fromEntries(pieces.map((p) => [config.conditions[p.condition].name, { from: p.from, to: p.to }])) : undefined);
  // threads[t]: the worker playing share t (undefined for the calling thread's own share).
  const threads: Array<ShardWorker | undefined> = [];
  const workers: ShardWorker[] = [];
  // Stops this thread's own run when the pool stops early (a worker failed, the caller cancelled).
  const stop = new AbortController();
  const cancelHere = () => stop.abort();
  options.signal?.addEventListener('abort', cancelHere, { once: true });
  if (options.signal?.aborted) stop.abort();
  try {
    const finished = plan.map((pieces, t) => {
      if (local && t === 0) return null;
      return new Promise<ExperimentResult>((resolve, reject) => {
        const worker = spawn({
          config: configOf(pieces),
          seed: inputs.seed,
          personas: inputs.personas,
          network: inputs.network,
          agentsKind: inputs.agentsKind,
          postWarmup: t === 0 && !ship,
          withDecisions,
          fitted: inputs.fitted ?? null,
          awaitWarm: ship,
          pieces: piecesOf(pieces),
          stored: storedFor(inputs.stored, configOf(pieces)),
        });
        threads[t] = worker;
        workers.push(worker);
        let handled: Promise<void> = Promise.resolve();
        worker.onMessage((m) => {
          if (m.kind === 'result') handled.then(() => resolve(m.result), reject);
          else if (m.kind === 'error') reject(Object.assign(new Error(m.message), { name: m.name }));
          else if (m.kind === 'handoff') threads[t + 1]?.send({ handed: m.packed }, conditionTransfer(m.packed));
          else {
            const item: PoolRecord = m.kind === 'round' ? { kind: 'round', record: m.record, events: m.events } : m;
            handled = merge.push(item).catch((err: unknown) => reject(err));
          }
        });
        worker.onFailure(reject);
        const cancel = () => reject(Object.assign(new Error('run cancelled: the condition pool was stopped; start it again'), { name: 'Cancelled' }));
        if (options.signal?.aborted) cancel();
        options.signal?.addEventListener('abort', cancel, { once: true });
      });
    });
    // A failing worker rejects at once; the others are stopped below.
    for (const f of finished) f?.catch(() => undefined);
    // The last worker takes the warm-up's buffers; the others get copies.
    const shipWarm = (warm: WarmStart | null) => workers.forEach((w, i) => w.send({ warm }, warm && i === workers.length - 1 ? warmTransfer(warm) : []));
    let own: ExperimentResult | null = null;
    if (local) {
      const phase: RunPhase = {
        conditionMajor: cut,
        pieces: piecesOf(plan[0]),
        onWarm: ship ? shipWarm : undefined,
        handOff: (packed) => threads[1]?.send({ handed: packed }, conditionTransfer(packed)),
      };
      const mine = playHere(inputs, configOf(plan[0]), merge, withDecisions, phase, stop.signal);
      mine.catch(() => undefined);
      // A worker failing meanwhile stops the pool at once.
      own = await Promise.race([mine, ...finished.filter((f) => f !== null).map((f) => f.then(() => new Promise<never>(() => {})))]);
      if (own.status === 'paused') return pausedResult(config, inputs.seed, merge.done);
    } else if (ship) {
      const warm = (await playHere(inputs, config, merge, withDecisions, { warmupOnly: true }, stop.signal)).warm ?? null;
      shipWarm(warm);
      if (!warm) return pausedResult(config, inputs.seed, merge.done);
    }
    const others = await Promise.race([Promise.all(finished.filter((f) => f !== null)), merge.paused.then(() => null)]);
    if (!others) return pausedResult(config, inputs.seed, merge.done);
    return mergeResults(config, own ? [own, ...others] : others, merge.done);
  } finally {
    options.signal?.removeEventListener('abort', cancelHere);
    stop.abort();
    for (const w of workers) w.terminate();
  }
}
