/**
 * The simulation worker: composes the engine, the agents and storage behind one comlink API, so the page never runs
 * a round. It loads the census and the network, generates personas, runs the experiment, writes every round in one
 * IndexedDB transaction and sends the page a small summary per round. Resume and bundle import re-run the same
 * deterministic loop with a ReplayPort over the stored decisions, so they cost zero LLM calls.
 */
import { exposeInWorker } from './expose';
import { validateSeeds } from '../engine/seeds';
import { SpilloverError } from '../engine/errors';
import { buildNetwork, edgeCount, type FollowNetwork } from '../engine/network';
import { parseEdgeList } from '../engine/network-import';
import { generateTwitterNetwork } from '../engine/network-generator';
import type { DecisionPort } from '../engine/ports';
import type { AgentProfile, AnyProtocol } from '../engine/protocol';
import { roundsTotal, runExperiment, type ExperimentHooks } from '../engine/simulation';
import { addMeta, emptyLlmTotals, type FinalRecord, type LlmTotals, type RoundRecord } from '../engine/types';
import { checkFitted, FITTED_PUBLISHED_LABEL } from '../protocols/sociopol/fitted/fitted-port';
import { appPoolSize } from './app-pool';
import { runConditionPoolWeb } from './condition-pool-web';
import { ReplayPort } from '../agents/replay';
import { offlinePort } from '../protocols/assemble';
import { checkConfig, getProtocol } from '../protocols/registry';
import {
  createDb,
  createRun,
  DexieResponseCache,
  getRun,
  loadFinals,
  loadFollowNetwork,
  networkRow,
  loadPersonas,
  loadRoundRecords,
  saveNetwork,
  savePersonas,
  storedRoundKeys,
  updateRun,
  writeFinal,
  writeRound,
  type LlmSettings,
  type NetworkSource,
  type RunRow,
  type OfflineAgentsChoice,
} from '../storage/db';
import { decodeBundle, type RunBundle } from '../storage/bundle';
import { checkBundle, writeImportedRun } from '../storage/import-run';
import { versionNote } from '../storage/provenance';
import { runLocks } from '../storage/memory-fallback';
import { communityLayout } from './layout';
import { RoundWriter } from './round-writer';
import { stallLimitMs, watchForStall } from './stall-watch';
import { watchRequests } from './request-watch';
import type { RequestsNow } from '../agents/llm/client';
import { loadLlmModule, loadPopulationModule } from './modules';
import type { Estimate, ProgressUpdate, RunOutcome, RunSpec, UploadCheck } from './protocol';
import type { CensusData } from '../population';

const db = createDb();

interface Active {
  runId: number;
  pause: boolean;
  abort: AbortController;
  /** Set when the stall watch ended the run: the reason the run shows. */
  stalled?: { name: string; message: string };
  /** "Retry now" for the live LLM port's slow requests. */
  retrySlow?: () => number;
}
let active: Active | null = null;

/** Errors cross comlink as plain {name, message}; anything unnamed becomes a StorageError-free generic message. */
function plainError(err: unknown): { name: string; message: string } {
  if (err && typeof err === 'object' && typeof (err as Error).name === 'string' && typeof (err as Error).message === 'string') {
    return { name: (err as Error).name, message: (err as Error).message };
  }
  return { name: 'Error', message: String(err) };
}

/** Re-throw with a stable name and without anything that could carry a key (only name and message survive). */
function rethrow(err: unknown): never {
  const e = plainError(err);
  throw new SpilloverError((e.name as SpilloverError['name']) ?? 'DataError', e.message);
}

async function fetchText(url: string, what: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new SpilloverError('DataError', `${what}: could not be fetched from ${url} (${(err as Error).message}); check that the app's data folder is deployed next to index.html`);
  }
  if (!res.ok) throw new SpilloverError('DataError', `${what}: ${url} answered HTTP ${res.status}; check that the app's data folder is deployed next to index.html`);
  return res.text();
}

async function loadNetworkFor(spec: RunSpec, seed: number, report: (message: string) => void): Promise<{ network: FollowNetwork; source: NetworkSource }> {
  const choice = spec.network;
  if (choice.kind === 'uploaded') {
    report(`reading ${choice.name}…`);
    const { network } = parseEdgeList(choice.text, choice.name);
    return { network, source: { kind: 'uploaded', label: choice.name, nodes: network.n, edges: edgeCount(network) } };
  }
  if (choice.kind === 'bundled' && spec.config.agents === 2000) {
    report('loading the bundled follower network…');
    const text = await fetchText(new URL('network-2000.edges', spec.dataUrl).href, 'bundled network');
    const { network } = parseEdgeList(text, 'network-2000.edges');
    return { network, source: { kind: 'bundled', label: 'network-2000.edges', nodes: network.n, edges: edgeCount(network) } };
  }
  // The bundled file has 2,000 accounts; any other size is generated with the same Twitter-like generator.
  report(`generating a Twitter-like follower network of ${spec.config.agents.toLocaleString('en-US')} accounts…`);
  const network = generateTwitterNetwork({ n: spec.config.agents, seed });
  return { network, source: { kind: 'generated', label: `generated (seed ${seed})`, nodes: network.n, edges: edgeCount(network) } };
}

/** Mean over adults with a value of the protocol's first carried column (the progress panel's per-condition figure). */
function meanOf(record: RoundRecord, column: string | undefined, personas: readonly AgentProfile[]): number {
  const cur = column ? record.columns[column] : undefined;
  if (!cur) return NaN;
  let sum = 0;
  let count = 0;
  for (let a = 0; a < cur.length; a++) {
    if (cur[a] >= 0 && personas[a]?.adult) {
      sum += cur[a];
      count++;
    }
  }
  return count ? sum / count : NaN;
}

type LivePort = DecisionPort & { budgetReached?: () => boolean; totals?: () => LlmTotals; restoreTotals?: (t: LlmTotals) => void; requests?: () => RequestsNow; retrySlow?: () => number };

/** The spend fields of LLM totals (everything but the invalid count, which comes from the stored records). */
function copySpend(into: LlmTotals, from: LlmTotals): void {
  const { invalid: _i, ...spend } = from;
  Object.assign(into, spend);
}

/** Which offline agents an offline run uses, with their data (plain, so it also crosses to the pool's workers). */
async function offlineChoiceOf(run: RunRow, protocol: AnyProtocol): Promise<{ agentsKind?: string; fitted: unknown }> {
  // Runs stored before fitted agents existed carry no choice: they ran the rules and resume with them.
  const choice = run.offlineAgents;
  if (!choice || choice.kind === 'rules' || !protocol.offlineAgents.fitted) return { fitted: null };
  // S3 has no bundled fit: its fitted agents are stored with the run (their port checks them), else its models answer.
  if (protocol.id === 's3') return choice.fitted ? { agentsKind: 'fitted', fitted: choice.fitted } : { fitted: null };
  if (choice.fitted) return { agentsKind: 'fitted', fitted: checkFitted(choice.fitted, `run ${run.id}: stored fitted agents`) };
  const text = await fetchText(new URL('fitted-sociopol.json', dataUrl).href, 'bundled fitted agents');
  return { agentsKind: 'fitted', fitted: checkFitted(JSON.parse(text), 'fitted-sociopol.json') };
}

async function makeLivePort(run: RunRow, protocol: AnyProtocol, apiKey: string | undefined, onRateLimitWait?: (waitMs: number, askedMs: number) => void): Promise<LivePort> {
  if (run.agentsKind !== 'llm') {
    const { agentsKind, fitted } = await offlineChoiceOf(run, protocol);
    return offlinePort(protocol, agentsKind, fitted ?? undefined);
  }
  if (!protocol.llm) throw new SpilloverError('ConfigError', `config: ${protocol.title} has no LLM prompts; start the run with offline agents`);
  if (!run.llm) throw new SpilloverError('ConfigError', 'config: this LLM run has no endpoint settings; start a new run');
  if (!apiKey) {
    throw new SpilloverError('LlmError', 'LLM run: no API key in memory (keys are never stored with a run); enter the key in Setup and press Resume');
  }
  const llm = await loadLlmModule();
  return llm.createLlmPort({
    apiKey,
    prompts: protocol.llm,
    baseURL: run.llm.baseUrl || undefined,
    models: run.llm.models,
    prices: run.llm.prices ? llm.userPrices(run.llm.prices) : undefined,
    budgetUsd: run.llm.budgetUsd ?? null,
    maxConcurrency: run.llm.concurrency,
    cache: new DexieResponseCache(db, run.id ?? null),
    onRateLimitWait,
    origin: self.location.origin,
  });
}

/**
 * Run (or continue) every seed of a stored run. Rounds already stored are answered by the ReplayPort and not written
 * again; the first round not stored goes to the live port. `bundle` replaces storage as the replay source on import.
 */
async function execute(runId: number, report: (u: ProgressUpdate) => void, apiKey?: string, bundle?: RunBundle, workers?: number): Promise<RunOutcome> {
  let last: ProgressUpdate | null = null;
  /** Updates sent: the stall watch's sign of life, with the LLM limiter's counts. */
  let beats = 0;
  const onProgress = (u: ProgressUpdate) => {
    last = u;
    beats++;
    report(u);
  };
  /** A rate-limit pause is said on the progress line, with the server's ask when the cap shortened it. */
  const onRateLimitWait = (waitMs: number, askedMs: number) => {
    if (!last) return;
    const s = (ms: number) => `${Math.round(ms / 1000).toLocaleString('en-US')} s`;
    const capped = askedMs > waitMs ? ` (it asked for ${s(askedMs)}; waits are capped at ${s(waitMs)})` : '';
    report({ ...last, message: `rate limited by the endpoint: waiting ${s(waitMs)} before the next calls${capped}` });
  };
  if (active) throw new SpilloverError('ConfigError', `run ${active.runId} is still running in this tab; pause or cancel it first`);
  const me: Active = { runId, pause: false, abort: new AbortController() };
  active = me;
  let stopWatch = () => {};
  let stopRequests = () => {};
  const lockName = `spillover-run-${runId}`;
  let wholeRun: LlmTotals | null = null;
  let liveSpend: (() => LlmTotals) | undefined;
  const body = async (): Promise<RunOutcome> => {
    let run = await getRun(db, runId);
    if (!run) throw new SpilloverError('StorageError', `storage: run ${runId} no longer exists; it may have been deleted in another tab`);
    const config = run.config;
    const protocol = getProtocol(config.protocol);
    const carried = protocol.columns.find((c: { carried: boolean }) => c.carried) as { name: string; label: string } | undefined;
    const perSeed = roundsTotal(config, protocol.final !== undefined);
    const total = perSeed * run.seeds.length;
    const stored = await loadFollowNetwork(db, runId);
    if (!stored) throw new SpilloverError('StorageError', `storage: run ${runId} has no stored network; delete it and start again`);
    const { network } = stored;
    // Totals of the whole run: what was stored before this resume, plus what this session adds. The live port's meter
    // starts from the same stored totals, so the budget counts every resume (issue 14 finding 2, issue 13 item 3).
    const totals: LlmTotals = { ...emptyLlmTotals(), ...(run.totals ?? {}) };
    wholeRun = totals;
    const means: Record<string, number> = {};
    let mismatches = 0;
    const started = performance.now();
    let liveRounds = 0;
    let replayedCount = 0;
    const base = (seedIndex: number, done: number): ProgressUpdate => ({
      runId,
      phase: 'running',
      seedIndex,
      seeds: run!.seeds.length,
      condition: '',
      round: 0,
      roundsDone: seedIndex * perSeed + done,
      roundsTotal: total,
      etaSeconds: null,
      llm: { ...totals },
      means: { ...means },
      meanOf: carried?.label ?? '',
      replayed: replayedCount,
    });
    await updateRun(db, runId, { status: 'running', error: undefined });
    if (!bundle && run.agentsKind === 'llm' && run.llm && apiKey) {
      const endpoint = run.llm.baseUrl || 'https://api.openai.com/v1';
      onProgress({ ...base(0, 0), phase: 'preparing', message: `trying the LLM endpoint ${endpoint}…` });
      const { assertEndpointReachable } = await import('../agents/llm/endpoint-check');
      await assertEndpointReachable({ apiKey, baseURL: endpoint, origin: self.location.origin });
    }
    const live = bundle ? null : await makeLivePort(run, protocol, apiKey, onRateLimitWait);
    if (live?.requests) {
      me.retrySlow = live.retrySlow;
      stopRequests = watchRequests({ requests: live.requests }, run.llm?.baseUrl || 'https://api.openai.com/v1', (note) => {
        if (last) report(note ? { ...last, message: note.message, slow: note.slow } : last);
      });
    }
    const limiter = (live as { limiter?: () => { attempts: number; settled: number } } | null)?.limiter;
    stopWatch = watchForStall(
      () => beats + (limiter ? limiter().attempts + limiter().settled : 0),
      stallLimitMs(),
      (idleMs) => {
        me.stalled = {
          name: 'Stalled',
          message: `the run made no progress for ${Math.round(idleMs / 1000)} s (no LLM answer arrived and no round completed), so it was paused; its stored rounds are kept: check the endpoint, then press Resume`,
        };
        me.abort.abort();
      },
    );
    live?.restoreTotals?.(totals);
    liveSpend = live?.totals;
    /** Fresh records add their accounting; with LLM agents the meter (every attempt, aborted rounds too) is the spend. */
    const account = (llm: LlmTotals | undefined, invalid: number) => {
      if (live?.totals) copySpend(totals, live.totals());
      else addMeta(totals, llm as never);
      totals.invalid += invalid;
    };
    for (let seedIndex = 0; seedIndex < run.seeds.length; seedIndex++) {
      const seed = run.seeds[seedIndex];
      const bundleSeed = bundle?.seeds.find((s) => s.seed === seed);
      const storedFinals = await loadFinals(db, runId, seed);
      if (protocol.final && storedFinals.length >= config.conditions.length) continue;
      let personas = await loadPersonas(db, runId, seed);
      if (!personas) {
        onProgress({ ...base(seedIndex, 0), phase: 'preparing', message: 'generating personas from the census…' });
        if (bundleSeed) personas = bundleSeed.personas;
        else {
          // One population per run, drawn with its first seed (as the CLI does): every seed runs the same agents.
          const { assembleRun, census } = await loadPopulationModule(dataUrl);
          personas = assembleRun({ config, network, census, seeds: run.seeds }).agents;
        }
        await savePersonas(db, runId, seed, personas);
      }
      const storedRounds: RoundRecord[] = bundleSeed ? bundleSeed.rounds : await loadRoundRecords(db, runId, seed);
      const replayFinals: FinalRecord[] = bundleSeed ? bundleSeed.finals : storedFinals;
      const already = await storedRoundKeys(db, runId, seed);
      const reference = bundleSeed ? new Map(bundleSeed.rounds.map((r) => [`${r.condition}|${r.round}`, r])) : null;
      const port: DecisionPort = storedRounds.length || replayFinals.length || !live ? new ReplayPort(storedRounds, replayFinals, live) : live;
      const agents = personas;
      const poolSize = appPoolSize(config, { offline: run.agentsKind !== 'llm', importing: !!bundle, workers });
      // A resumed seed's workers replay its stored decisions (only what a ReplayPort reads crosses to them).
      const stored = port === live ? undefined : { rounds: storedRounds.map(({ condition, round, active, decisions }) => ({ condition, round, active, decisions })), finals: replayFinals };
      const hooks: ExperimentHooks = {
        onRound: async (record, p) => {
          const key = `${record.condition}|${record.round}`;
          const fresh = !already.has(key);
          if (record.condition !== 'warmup') means[record.condition] = meanOf(record, carried?.name, agents);
          else for (const c of config.conditions) means[c.name] = meanOf(record, carried?.name, agents);
          const ref = reference?.get(key);
          if (ref && !sameRecord(ref, record)) mismatches++;
          const wasReplayed = (port as ReplayPort).has?.(record.condition, record.round) ?? false;
          if (wasReplayed) replayedCount++;
          else liveRounds++;
          if (fresh) account(record.llm, record.invalidAgents.length);
          const update = base(seedIndex, p.roundsDone);
          update.condition = record.condition;
          update.round = record.round;
          const elapsed = (performance.now() - started) / 1000;
          const left = total - update.roundsDone;
          update.etaSeconds = liveRounds + replayedCount >= 3 ? (elapsed / (liveRounds + replayedCount)) * left : null;
          if (fresh) {
            const row = { progress: { roundsDone: update.roundsDone, roundsTotal: total, seedIndex, condition: record.condition, round: record.round }, totals: { ...totals } };
            await writer.write(() => writeRound(db, runId, seed, record, row));
          }
          onProgress(update);
        },
        onFinal: async (record, p) => {
          if (!storedFinals.some((e) => e.condition === record.condition)) {
            account(record.llm, 0);
            const row = { progress: { roundsDone: seedIndex * perSeed + p.roundsDone, roundsTotal: total, seedIndex, condition: record.condition, round: config.lastRound }, totals: { ...totals } };
            await writer.write(() => writeFinal(db, runId, seed, record, row));
          }
          const update = base(seedIndex, p.roundsDone);
          update.condition = record.condition;
          update.round = config.lastRound;
          onProgress(update);
        },
        shouldPause: () => me.pause || (live?.budgetReached?.() ?? false),
      };
      // An offline seed runs its conditions on the Web Worker pool, fresh or resumed: the same records, in the same order.
      const result = poolSize
        ? await runConditionPoolWeb({ config, seed, personas: agents, network, stored, ...(await offlineChoiceOf(run, protocol)) }, hooks, { workers: poolSize, signal: me.abort.signal })
        : await runExperiment({ protocol, config, seed, agents, network, port }, hooks, me.abort.signal);
      await writer.flush();
      if (result.status === 'paused') {
        if (live?.totals) copySpend(totals, live.totals());
        const error = !me.pause && live?.budgetReached?.()
          ? {
              name: 'BudgetExceeded',
              message: `LLM budget of $${run.llm?.budgetUsd ?? 0} reached ($${totals.costUsd.toFixed(4)} spent over the whole run); raise the budget in Setup and press Resume (stored rounds are kept)`,
            }
          : undefined;
        await updateRun(db, runId, { status: 'paused', error, totals: { ...totals } });
        return { runId, status: 'paused', error };
      }
    }
    run = (await getRun(db, runId))!;
    await updateRun(db, runId, { status: 'complete', totals: { ...totals }, progress: { ...run.progress, roundsDone: total, roundsTotal: total } });
    onProgress({ ...base(run.seeds.length - 1, perSeed), phase: 'done' });
    return { runId, status: 'complete', mismatches: bundle ? mismatches : undefined };
  };
  /** Every round's write is queued here; a run that stops for any reason first waits for those already queued. */
  const writer = new RoundWriter();
  const guarded = async () => {
    try {
      return await body();
    } finally {
      await writer.flush().catch(() => undefined);
    }
  };
  try {
    const locks = runLocks();
    return locks ? await locks.request(lockName, guarded) : await guarded();
  } catch (err) {
    const e = me.stalled ?? plainError(err);
    // Cancel, a stall, an endpoint the page cannot use and a full quota leave the stored rounds intact: the run can resume from its last complete round.
    const status = e.name === 'Cancelled' ? 'interrupted' : e.name === 'QuotaExceeded' || e.name === 'BudgetExceeded' || e.name === 'Stalled' || e.name === 'EndpointProblem' ? 'paused' : 'failed';
    // Spend metered in a round that did not complete (it was paid) stays in the run's totals.
    const spent = liveSpend?.();
    const whole = wholeRun as LlmTotals | null;
    if (spent && whole) copySpend(whole, spent);
    await updateRun(db, runId, { status, error: e, ...(whole ? { totals: { ...whole } } : {}) }).catch(() => undefined);
    return { runId, status, error: e };
  } finally {
    stopWatch();
    stopRequests();
    active = null;
  }
}

/** The app's data folder as the page resolved it (census.json, the bundled network). */
let dataUrl = '';

function sameRecord(a: RoundRecord, b: RoundRecord): boolean {
  const eq = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  };
  const columns = new Set([...Object.keys(a.columns), ...Object.keys(b.columns)]);
  for (const c of columns) if (!a.columns[c] || !b.columns[c] || !eq(a.columns[c], b.columns[c])) return false;
  return eq(a.active, b.active) && eq(a.treated, b.treated) && eq(a.activity, b.activity);
}

const api = {
  /** Create the run (network, layout, personas are prepared here) and run it to the end or a pause. */
  async start(spec: RunSpec, onProgress: (u: ProgressUpdate) => void): Promise<RunOutcome> {
    try {
      checkConfig(spec.config);
      validateSeeds(spec.seeds);
      dataUrl = spec.dataUrl;
      const report = (message: string) =>
        onProgress({ runId: -1, phase: 'preparing', message, seedIndex: 0, seeds: spec.seeds.length, condition: '', round: 0, roundsDone: 0, roundsTotal: 0, etaSeconds: null, llm: emptyLlmTotals(), means: {}, meanOf: '', replayed: 0 });
      // The census downloads while the network loads and is laid out (the personas need it next).
      loadPopulationModule(spec.dataUrl).catch(() => undefined);
      const { network, source } = await loadNetworkFor(spec, spec.seeds[0], report);
      const config = { ...spec.config, agents: network.n };
      checkConfig(config);
      report('laying out the graph…');
      const layout = communityLayout(network, spec.seeds[0]);
      const now = Date.now();
      const runId = await createRun(db, {
        name: spec.name,
        status: 'running',
        config,
        seeds: spec.seeds,
        agentsKind: spec.agents.kind,
        llm: spec.agents.kind === 'llm' ? { ...spec.agents.settings } : undefined,
        offlineAgents: spec.agents.kind === 'offline' ? (spec.agents.agents ?? { kind: 'fitted', label: FITTED_PUBLISHED_LABEL }) : undefined,
        network: source,
        createdAt: now,
        updatedAt: now,
        progress: { roundsDone: 0, roundsTotal: roundsTotal(config, getProtocol(config.protocol).final !== undefined) * spec.seeds.length, seedIndex: 0, condition: 'warmup', round: config.firstRound },
        totals: emptyLlmTotals(),
      });
      await saveNetwork(db, networkRow(runId, network, layout));
      return await execute(runId, onProgress, spec.agents.kind === 'llm' ? spec.agents.apiKey : undefined, undefined, spec.workers);
    } catch (err) {
      rethrow(err);
    }
  },

  /** Continue a paused or interrupted run from its last complete round (stored rounds replay with zero calls). */
  /** `budgetUsd` (an LLM run): the budget for the whole run from Setup, replacing the stored one; undefined keeps it. */
  /**
   * `continueWith`: for an unfinished imported run, which agents decide its remaining rounds (the page asks; without
   * it such a run is refused rather than continued silently). LLM agents use the page's endpoint and models, never
   * the bundle's. The run is then labelled as mixed.
   */
  async resume(
    runId: number,
    dataFolder: string,
    onProgress: (u: ProgressUpdate) => void,
    apiKey?: string,
    budgetUsd?: number | null,
    continueWith?: { kind: 'offline'; agents?: OfflineAgentsChoice } | { kind: 'llm'; settings: LlmSettings },
    workers?: number,
  ): Promise<RunOutcome> {
    dataUrl = dataFolder;
    try {
      const run = await getRun(db, runId);
      if (run?.agentsKind === 'replay') {
        if (!continueWith) {
          throw new SpilloverError('ConfigError', `run ${runId} is an unfinished imported run: choose which agents decide its remaining rounds (press Resume and confirm), or keep it as it is`);
        }
        const offline = continueWith.kind === 'offline' ? (continueWith.agents ?? { kind: 'fitted' as const, label: FITTED_PUBLISHED_LABEL }) : undefined;
        const label = continueWith.kind === 'llm' ? `LLM agents (${continueWith.settings.models.nano} at ${continueWith.settings.baseUrl})` : `offline agents ${offline?.label}`;
        await updateRun(db, runId, {
          agentsKind: continueWith.kind,
          name: `${run.name} + continued with ${label}`,
          llm: continueWith.kind === 'llm' ? { ...continueWith.settings } : undefined,
          offlineAgents: offline,
        });
      } else if (budgetUsd !== undefined && run?.agentsKind === 'llm' && run.llm && run.llm.budgetUsd !== budgetUsd) {
        await updateRun(db, runId, { llm: { ...run.llm, budgetUsd } });
      }
      return await execute(runId, onProgress, apiKey, undefined, workers);
    } catch (err) {
      rethrow(err);
    }
  },

  /** Stop at the next round boundary; the run can be resumed. */
  pause(): void {
    if (active) active.pause = true;
  },

  /** Stop now (LLM calls in flight are aborted); stored rounds are kept and the run shows as interrupted. */
  cancel(): void {
    active?.abort.abort();
  },

  /** "Retry now": end the attempts of the LLM requests shown as slow; each is retried at once. Returns how many. */
  retrySlow(): number {
    return active?.retrySlow?.() ?? 0;
  },

  /** Which run this worker is running, if any (the page asks after a reload of itself, not of the worker). */
  activeRun(): number | null {
    return active?.runId ?? null;
  },

  /** Expected calls, tokens and dollars before a run starts (zero for offline agents). */
  async estimate(spec: Omit<RunSpec, 'network' | 'dataUrl'> & { network?: unknown; dataUrl?: string }): Promise<Estimate> {
    const c = spec.config;
    const warm = 1 - c.firstRound;
    const main = c.lastRound * c.conditions.length;
    // protocols.md §C: about 21 % of agents act per round.
    const activations = Math.round(c.agents * 0.21 * (warm + main)) * spec.seeds.length;
    const votes = Math.round(c.agents * (1 - c.minorShare)) * c.conditions.length * spec.seeds.length;
    if (spec.agents.kind !== 'llm') {
      return { activations, calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, note: 'offline agents make no calls and cost nothing' };
    }
    try {
      const llm = await loadLlmModule();
      // A port built only to measure its representative prompt: no key is needed and no call is made.
      const prices = spec.agents.settings.prices ? llm.userPrices(spec.agents.settings.prices) : undefined;
      const prompts = getProtocol(c.protocol).llm;
      if (!prompts) throw new SpilloverError('ConfigError', 'this protocol has no LLM prompts');
      const port = llm.createLlmPort({ apiKey: 'estimate-only', prompts, models: spec.agents.settings.models, prices });
      const e = port.estimate(c);
      const k = spec.seeds.length;
      return {
        unpriced: llm.unpricedModels(port.models, { ...llm.DEFAULT_PRICES, ...prices }),
        activations: e.activations * k,
        calls: (e.activations + e.voteCalls) * k,
        promptTokens: e.promptTokens * k,
        completionTokens: e.completionTokens * k,
        costUsd: e.costUsd * k,
        note: 'expected at list prices, from a measured representative prompt; the response cache can lower it',
      };
    } catch {
      // Fall through to the rough figures below; the note says they are rough.
    }
    const calls = activations + votes;
    const promptTokens = calls * 1400;
    const completionTokens = calls * 160;
    const costUsd = (promptTokens * 0.1 + completionTokens * 0.4) / 1e6;
    return { activations, calls, promptTokens, completionTokens, costUsd, note: 'rough figure at gpt-4.1-nano prices (≈1,400 prompt and 160 answer tokens per call)' };
  },

  /** Runs of the S3 page's former database moved into this one (once: it is deleted after); how many were moved. */
  async migrateLegacyS3(dataFolder: string): Promise<number> {
    try {
      const { migrateLegacyS3 } = await import('./s3-legacy');
      return (await migrateLegacyS3(db, async () => (await loadPopulationModule(dataFolder)).census as CensusData)).length;
    } catch (err) {
      rethrow(err);
    }
  },

  /** Parse an uploaded edge list without starting anything: the page shows the counts or the parser's message. */
  checkUpload(text: string, name: string): UploadCheck {
    try {
      const { network, stats } = parseEdgeList(text, name);
      return { nodes: network.n, edges: stats.edges, selfLoops: stats.selfLoops, duplicates: stats.duplicates };
    } catch (err) {
      rethrow(err);
    }
  },

  /** Import a run bundle from another browser and replay it with zero calls, checking every record matches. */
  async importBundle(text: string, name: string, onProgress: (u: ProgressUpdate) => void): Promise<RunOutcome> {
    try {
      // Everything is checked before anything is written, and the run is written in one transaction.
      const bundle = checkBundle(decodeBundle(text, name), name);
      checkConfig(bundle.run.config);
      const net = buildNetwork(bundle.network.n, bundle.network.src, bundle.network.dst, bundle.network.labels);
      const now = Date.now();
      const runId = await writeImportedRun(
        db,
        {
          name: `${bundle.run.name} (imported)`,
          status: 'running',
          config: bundle.run.config,
          seeds: bundle.run.seeds,
          agentsKind: 'replay',
          llm: bundle.run.llm,
          network: { ...bundle.run.network, kind: 'imported' },
          createdAt: now,
          updatedAt: now,
          progress: { roundsDone: 0, roundsTotal: roundsTotal(bundle.run.config, getProtocol(bundle.run.config.protocol).final !== undefined) * bundle.run.seeds.length, seedIndex: 0, condition: 'warmup', round: bundle.run.config.firstRound },
          totals: emptyLlmTotals(),
        },
        { n: net.n, src: bundle.network.src, dst: bundle.network.dst, labels: bundle.network.labels, layout: communityLayout(net, bundle.run.seeds[0]) },
        bundle.llmCache,
      );
      const outcome = await execute(runId, onProgress, undefined, bundle);
      return { ...outcome, versionNote: versionNote(bundle.app) ?? undefined };
    } catch (err) {
      rethrow(err);
    }
  },
};

export type SimulationApi = typeof api;
export default exposeInWorker(api);
