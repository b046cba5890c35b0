/**
 * `npm run replicate`: runs protocol A (LLM-SocioPol) end to end in Node, with offline agents or (`--llm`) LLM agents
 * through the openai SDK, for several seeds, and writes results in the layout the authors published. Everything is
 * checked before anything runs, and outputs are written to a temporary folder and renamed when complete, so a failed
 * or interrupted run never leaves a half-written or overwritten result.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_SEEDS } from '../engine/seeds';
import { designFor } from '../analysis/design';
import { formatTables, summarize } from '../analysis/summary';
import { DEFAULT_MODELS } from '../agents/llm/models';
import { seedDataFromViews, viewReading } from '../analysis/from-run';
import type { SeedData } from '../analysis/types';
import { BATCH_DISCOUNT } from '../agents/llm/cost';
import { withOverrides, type ConditionSpec, type FeedMode, type SimConfig } from '../engine/config';
import { configError, isSpilloverError, SpilloverError } from '../engine/errors';
import type { FollowNetwork } from '../engine/network';
import { generateTwitterNetwork } from '../engine/network-generator';
import type { DecisionPort } from '../engine/ports';
import type { AnyProtocol, ConditionView } from '../engine/protocol';
import { conditionViews, RunRecord } from '../engine/record';
import { conditionFiles } from '../engine/reporters';
import { roundsTotal, runExperiment, WARMUP, type ExperimentHooks, type ExperimentResult } from '../engine/simulation';
import { addTotals, emptyLlmTotals, type LlmTotals } from '../engine/types';
import type { Persona } from '../population';
import { assembleRun, offlinePort } from '../protocols/assemble';
import { BOND_2012_CONFIG } from '../protocols/bond2012/protocol';
import { checkConfig, getProtocol } from '../protocols/registry';
import { CONDITION_NAMES, DEFAULT_CONDITIONS, makeConfig } from '../protocols/sociopol/defaults';
import { runConditionPool } from './condition-pool';
import { loadCensus, loadFittedAgents, loadS3Fitted } from './load-data';
import { guardRun, isPartialJson, PARTIAL_MARKER, RunTracker } from './partial-run';
import { readNetworkFile } from './read-network';
import { checkS3Targets, S3_FLAGS, S3_USAGE, s3Preset, writeS3Report, writeS3Stopped, type S3ReportOptions } from './s3-preset';
import type { FittedAgents } from '../protocols/sociopol/fitted/model';
import { POOL_MIN_AGENTS } from '../workers/condition-split';

const USAGE = `usage: npm run replicate -- [--preset sociopol|bond2012|s3 (see --preset s3 --help)] [--arms social=0.98,info=0.01,control=0.01]
       [--agents N] [--seeds S] [--seed BASE] [--conditions a,b,…]
       [--schedule name=p1,p2,p3,p4 …] [--feed described|as-published] [--network FILE.edges]
       [--agents-kind fitted|rules] [--agents-file agents.json] [--workers N] [--out DIR] [--json FILE] [--force] [--quiet]
       [--llm [--model-full M] [--model-mini M] [--model-nano M] [--concurrency K] [--budget USD] [--prices M=IN,OUT;…]
              [--cache FILE] [--base-url URL] [--timeout MS] [--max-attempts N] [--structured auto|on|off]
              [--retries N] [--backoff MS]
              [--batch [--batch-poll MS]]]
conditions: ${CONDITION_NAMES.join(', ')}`;

export interface ReplicateOptions {
  config: SimConfig;
  seeds: number;
  baseSeed: number;
  networkFile: string | null;
  out: string | null;
  json: string | null;
  force: boolean;
  quiet: boolean;
  /** Worker threads for the conditions of an offline run (1 = in this thread); null: the cores, from POOL_MIN_AGENTS agents on. */
  workers: number | null;
  llm: boolean;
  /** Which of the protocol's offline agents answer when `--llm` is absent: 'fitted' (default when offered) or 'rules' = the hand-set rules. */
  agentsKind: string;
  /** Fitted agents to use instead of the bundled fit (from `npm run fit -- --out`). */
  agentsFile: string | null;
  flags: Record<string, string | boolean | undefined>;
  /** The S3 preset's report options (its own summary and file layout: s3-preset.ts); null for the other presets. */
  s3: S3ReportOptions | null;
}

function fail(field: string, problem: string, fix: string): never {
  throw configError(field, problem, fix);
}

function wholeNumber(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) fail(`--${flag}`, `is '${raw}'`, `use a whole number ≥ ${min}`);
  return v;
}

/** Parse and check the command line; throws a ConfigError naming the flag and the fix. */
export function parseReplicateArgs(argv: string[]): ReplicateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        preset: { type: 'string' },
        arms: { type: 'string' },
        agents: { type: 'string' },
        seeds: { type: 'string' },
        seed: { type: 'string' },
        conditions: { type: 'string' },
        schedule: { type: 'string', multiple: true },
        feed: { type: 'string' },
        network: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'string' },
        force: { type: 'boolean' },
        quiet: { type: 'boolean' },
        workers: { type: 'string' },
        llm: { type: 'boolean' },
        'agents-kind': { type: 'string' },
        'agents-file': { type: 'string' },
        'model-full': { type: 'string' },
        'model-mini': { type: 'string' },
        'model-nano': { type: 'string' },
        concurrency: { type: 'string' },
        budget: { type: 'string' },
        prices: { type: 'string' },
        cache: { type: 'string' },
        'base-url': { type: 'string' },
        timeout: { type: 'string' },
        'max-attempts': { type: 'string' },
        structured: { type: 'string' },
        batch: { type: 'boolean' },
        'batch-poll': { type: 'string' },
        retries: { type: 'string' },
        backoff: { type: 'string' },
        help: { type: 'boolean' },
        ...S3_FLAGS,
      },
    });
  } catch (err) {
    fail('command line', `is not understood (${(err as Error).message})`, `see:\n${USAGE}`);
  }
  const v = parsed.values;
  const preset = v.preset ?? 'sociopol';
  if (v.help) {
    process.stdout.write((preset === 's3' ? S3_USAGE : USAGE) + '\n');
    process.exit(0);
  }
  const agentsRaw = v.agents;
  if (agentsRaw !== undefined && !(Number(agentsRaw) > 0)) fail('--agents', `is '${agentsRaw}'`, 'use a whole number of agents ≥ 1 (e.g. 2000)');
  const agents = wholeNumber('agents', agentsRaw, 2000, 1);
  const seeds = wholeNumber('seeds', v.seeds, 1, 1);
  if (seeds > MAX_SEEDS) fail('--seeds', `is ${v.seeds}`, `use at most ${MAX_SEEDS} seeds per run (each is a full run of every condition)`);
  const baseSeed = wholeNumber('seed', v.seed, 1, 0);

  if (preset !== 'sociopol' && preset !== 'bond2012' && preset !== 's3') fail('--preset', `is '${preset}'`, "use 'sociopol' (LLM-SocioPol, five conditions over 30 rounds), 'bond2012' (one election day, arms 98/1/1) or 's3' (news, emotion and attitude propagation)");
  let config: SimConfig;
  let s3: S3ReportOptions | null = null;
  if (preset !== 's3') {
    const own = Object.keys(S3_FLAGS).find((k) => (v as Record<string, unknown>)[k] !== undefined);
    if (own) fail(`--${own}`, `applies only to --preset s3`, `add --preset s3, or drop --${own}`);
  }
  if (preset === 's3') {
    ({ config, report: s3 } = s3Preset(v, agents));
  } else if (preset === 'bond2012') {
    if (v.conditions !== undefined || v.schedule !== undefined) fail('--conditions/--schedule', 'do not apply to --preset bond2012', 'set the arms with --arms social=0.98,info=0.01,control=0.01');
    const bond = structuredClone(BOND_2012_CONFIG);
    const spec = (bond.conditions as ConditionSpec[])[0];
    if (v.arms !== undefined) {
      spec.arms = v.arms.split(',').map((item) => {
        const m = /^(social|info|control)=([0-9.]+)$/.exec(item.trim());
        if (!m) fail('--arms', `has '${item}'`, 'write it as social=0.98,info=0.01,control=0.01 (shares summing to 1)');
        return { name: m[1], message: m[1] === 'control' ? 'none' : (m[1] as 'social' | 'info'), share: Number(m[2]) };
      });
    }
    config = withOverrides(BOND_2012_CONFIG, { conditions: bond.conditions, agents, feed: { ...bond.feed, mode: feedMode(v.feed) } });
  } else {
    config = makeConfig({ agents, conditions: sociopolConditions(v.conditions, v.schedule, v.arms), feed: { ...makeConfig().feed, mode: feedMode(v.feed) } });
  }
  checkConfig(config);
  const protocol = getProtocol(config.protocol);
  // Fitted agents answer by default where a bundled fit exists, or a fit is given (their parameters are read below).
  const agentsKind = v['agents-kind'] ?? (protocol.offlineAgents.fitted && (BUNDLED_FIT.has(protocol.id) || v['agents-file'] !== undefined) ? 'fitted' : protocol.defaultOffline);
  if (!protocol.offlineAgents[agentsKind]) fail('--agents-kind', `is '${agentsKind}'`, `use one of ${Object.keys(protocol.offlineAgents).join(', ')}`);
  if (v.llm && v['agents-kind'] !== undefined) fail('--agents-kind', 'does not apply with --llm', 'drop --agents-kind (LLM agents answer) or drop --llm');
  if (v['agents-file'] !== undefined && (v.llm || agentsKind !== 'fitted')) fail('--agents-file', 'only applies to fitted agents', 'drop --agents-file, or drop --llm / --agents-kind rules');
  return {
    config,
    seeds,
    baseSeed,
    networkFile: v.network ?? null,
    out: v.out ?? null,
    json: v.json ?? null,
    force: v.force ?? false,
    quiet: v.quiet ?? false,
    workers: v.workers === undefined ? null : wholeNumber('workers', v.workers, availableParallelism(), 1),
    llm: v.llm ?? false,
    agentsKind,
    agentsFile: v['agents-file'] ?? null,
    flags: v as Record<string, string | boolean | undefined>,
    s3,
  };
}

function feedMode(raw: string | undefined): FeedMode {
  if (raw !== undefined && raw !== 'described' && raw !== 'as-published') fail('--feed', `is '${raw}'`, "use 'described' or 'as-published'");
  return (raw as FeedMode | undefined) ?? 'described';
}

/** The LLM-SocioPol conditions, narrowed by --conditions and with --schedule applied. */
function sociopolConditions(names: string | undefined, schedules: string[] | undefined, arms: string | undefined): ConditionSpec[] {
  if (arms !== undefined) fail('--arms', 'applies only to --preset bond2012', 'add --preset bond2012, or drop --arms');
  let conditions: ConditionSpec[] = structuredClone(DEFAULT_CONDITIONS);
  if (names !== undefined) {
    const list = names.split(',').map((s) => s.trim()).filter(Boolean);
    if (list.length === 0) fail('--conditions', 'is empty', `name at least one of ${CONDITION_NAMES.join(', ')}`);
    conditions = list.map((name) => {
      const spec = DEFAULT_CONDITIONS.find((c) => c.name === name);
      if (!spec) fail('--conditions', `names an unknown condition '${name}'`, `use ${CONDITION_NAMES.join(', ')}`);
      return structuredClone(spec);
    });
  }
  for (const item of schedules ?? []) {
    const m = /^([A-Za-z0-9_-]+)=(.+)$/.exec(item);
    if (!m) fail('--schedule', `is '${item}'`, 'write it as name=p1,p2,p3,p4 (e.g. experiment_soc_message=0.1,0.2,0.5,0.5)');
    const spec = conditions.find((c) => c.name === m[1]);
    if (!spec) fail('--schedule', `names '${m[1]}', which is not among the conditions run`, `use one of ${conditions.map((c) => c.name).join(', ')}`);
    const probs = m[2].split(',').map((x) => Number(x));
    if (probs.some((p) => !Number.isFinite(p))) fail(`--schedule ${m[1]}`, `has a value that is not a number ('${m[2]}')`, 'use probabilities such as 0.1,0.2,0.5,0.5');
    spec.schedule = probs;
  }
  return conditions;
}

export interface SeedOutput {
  label: string;
  seed: number;
  result: ExperimentResult;
  record: RunRecord;
}

/** What a seed folder is written from: a finished seed, or the complete rounds of a stopped one (`conditions` played). */
export interface SeedFolder {
  label: string;
  seed: number;
  record: RunRecord;
  conditions?: readonly string[];
}

/** The views of every condition of one seed (arms per agent for conditions with arms), or of those named. */
export function seedViews(output: SeedFolder, config: SimConfig, personas: readonly Persona[]): ConditionView<Persona>[] {
  const names = output.conditions;
  const cfg = names ? { ...config, conditions: config.conditions.filter((c) => names.includes(c.name)) } : config;
  return conditionViews(output.record, cfg, personas, output.seed);
}

/** Write one seed folder: per condition, the protocol's files (the published layout) and the generic ones. */
export function writeSeedFolder(dir: string, output: SeedFolder, personas: readonly Persona[], protocol: AnyProtocol, config: SimConfig, models?: Record<string, string>): void {
  for (const view of seedViews(output, config, personas)) {
    const cdir = join(dir, view.name);
    mkdirSync(cdir, { recursive: true });
    for (const [file, text] of conditionFiles(view, protocol.writeCsv(view, { models }))) writeFileSync(join(cdir, file), text);
  }
}

/** Mean of a carried column over adults with a value (the CLI's progress line). */
function meanOf(column: ArrayLike<number> | undefined, personas: readonly Persona[]): number {
  if (!column) return NaN;
  let s = 0;
  let k = 0;
  for (let a = 0; a < column.length; a++) {
    if (personas[a].adult && column[a] >= 0) {
      s += column[a];
      k++;
    }
  }
  return k ? s / k : NaN;
}

const SHORT: Record<string, string> = {
  control: 'control',
  treatment_info_message: 'info',
  treatment_soc_message: 'social',
  experiment_info_message: 'exp-info',
  experiment_soc_message: 'exp-social',
};

/** Run every seed; returns the outputs and the summary. Progress goes to `log` (stderr by default). */
export async function replicate(
  opts: ReplicateOptions,
  log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  tracker?: RunTracker,
): Promise<{ outputs: SeedOutput[]; personas: Persona[]; network: FollowNetwork; protocol: AnyProtocol; seeds: SeedData[]; llm: LlmTotals; invalid: Record<string, number>; port: DecisionPort }> {
  const census = loadCensus();
  let network: FollowNetwork;
  if (opts.networkFile) {
    network = readNetworkFile(opts.networkFile);
    if (opts.flags.agents !== undefined && network.n !== opts.config.agents) {
      fail('--agents', `is ${opts.config.agents} but ${basename(opts.networkFile)} has ${network.n} accounts`, 'drop --agents (the network sets the number of agents) or use a file with that many accounts');
    }
    opts.config.agents = network.n;
  } else {
    network = generateTwitterNetwork({ n: opts.config.agents, seed: opts.baseSeed });
  }
  const seedList = Array.from({ length: opts.seeds }, (_, k) => opts.baseSeed + k);
  const { protocol, agents: personas } = assembleRun({ config: opts.config, network, census, seeds: seedList });
  if (!opts.llm && (opts.flags.batch || opts.flags['batch-poll'] !== undefined)) fail('--batch', 'applies only to LLM agents', 'add --llm, or drop --batch');
  const fitted = !opts.llm && opts.agentsKind === 'fitted' ? fittedData(protocol, opts.agentsFile) : null;
  const port: DecisionPort = opts.llm ? await makeLlmPort(opts, protocol, log) : offlinePort(protocol, opts.agentsKind, fitted ?? undefined);
  if (tracker) tracker.world = { personas, network, port, protocol };
  const carried = protocol.columns.find((c: { carried: boolean }) => c.carried) as { name: string; label: string } | undefined;
  const outputs: SeedOutput[] = [];
  const seeds: SeedData[] = [];
  for (const seed of seedList) {
    const label = `seed_${seed}`;
    const record = new RunRecord(network.n, opts.config.firstRound, opts.config.lastRound, opts.config.conditions.map((c) => c.name), protocol.columns);
    const started = Date.now();
    let roundLine: string[] = [];
    tracker?.startSeed(label, seed, record, roundsTotal(opts.config, protocol.final !== undefined));
    const hooks: ExperimentHooks = {
      onFinal: (final, progress) => {
        record.addFinal(final.condition, final.values);
        tracker?.onFinal(final, progress.roundsDone);
      },
      onRound: (round, progress) => {
        record.addRound(round);
        tracker?.onRound(round, progress.roundsDone);
        stopAtBudget(port, opts, progress);
        if (opts.quiet) return;
        const mean = meanOf(carried ? round.columns[carried.name] : undefined, personas).toFixed(3);
        const eta = ((Date.now() - started) / progress.roundsDone) * (progress.roundsTotal - progress.roundsDone);
        if (round.condition === WARMUP) {
          log(`${label} · warm-up round ${round.round} · ${round.active.length} active · mean ${carried?.label ?? ''} ${mean} · ${progress.roundsDone}/${progress.roundsTotal} · ETA ${(eta / 1000).toFixed(1)} s`);
        } else {
          roundLine.push(`${SHORT[round.condition] ?? round.condition} ${mean}`);
          if (round.condition === opts.config.conditions[opts.config.conditions.length - 1].name) {
            log(`${label} · round ${round.round}/${opts.config.lastRound} · ${roundLine.join(' | ')} · ${progress.roundsDone}/${progress.roundsTotal} · ETA ${(eta / 1000).toFixed(1)} s`);
            roundLine = [];
          }
        }
      },
    };
    // Offline conditions run on a pool of worker threads (same records; the outputs do not read decision outcomes),
    // by default only from POOL_MIN_AGENTS agents on, where the pool is faster than one thread.
    const workers = opts.workers ?? (opts.config.agents < POOL_MIN_AGENTS ? 1 : availableParallelism());
    const result =
      opts.llm || workers < 2
        ? await runExperiment({ protocol, config: opts.config, seed, agents: personas, network, port }, hooks)
        : await runConditionPool({ config: opts.config, seed, personas, network, fitted, agentsKind: opts.agentsKind }, hooks, { workers, withDecisions: false });
    if (!opts.quiet) log(`${label} · done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const output: SeedOutput = { label, seed, result, record };
    outputs.push(output);
    // The voting analysis input; S3 reports from its own tables (s3-preset.ts).
    const data = opts.s3 ? null : seedDataFromViews(label, seedViews(output, opts.config, personas), personas, network, viewReading(opts.config));
    if (data) seeds.push(data);
    tracker?.finishSeed(output, data);
  }
  return { outputs, personas, network, protocol, seeds, ...totalsOf(outputs), port };
}

async function makeLlmPort(opts: ReplicateOptions, protocol: AnyProtocol, log: (line: string) => void): Promise<DecisionPort> {
  const { llmOptionsFromEnv } = await import('./llm-options');
  const { createLlmPort } = await import('../agents/llm/index');
  if (!protocol.llm) fail('--llm', `is not available for ${protocol.title}`, 'drop --llm to run its offline agents');
  const llmOpts = await llmOptionsFromEnv(opts.flags as Record<string, string | boolean>, process.env);
  if (llmOpts.batch && !opts.quiet) {
    llmOpts.batch.onProgress = (p) => log(`batch ${p.jobId}${p.resumed ? ' (resumed)' : ''} · ${p.status} · ${p.completed + p.failed}/${p.total} lines`);
  }
  // S3 gives every user the same model (--model, else the default nano model).
  const models = opts.s3 ? Object.fromEntries(['full', 'mini', 'nano'].map((t) => [t, opts.s3?.model ?? llmOpts.models?.nano ?? DEFAULT_MODELS.nano])) : llmOpts.models;
  return createLlmPort({ ...llmOpts, models, prompts: protocol.llm });
}

/** An LLM run whose budget is spent stops at the round boundary (the stopped-run report says how to resume). */
function stopAtBudget(port: DecisionPort, opts: ReplicateOptions, progress: { roundsDone: number; roundsTotal: number; condition: string; round: number }): void {
  if (!opts.llm || progress.roundsDone >= progress.roundsTotal || !(port as { budgetReached?: () => boolean }).budgetReached?.()) return;
  throw new SpilloverError('BudgetExceeded', `LLM agents: the budget of $${opts.flags.budget} is spent after round ${progress.round} of '${progress.condition}'; raise the budget and resume, the stored rounds replay without calls (keep --cache FILE)`);
}

/** What each protocol's fitted agents read (the bundled fit, or `--agents-file`); a protocol adds its reader here. */
const FITTED_DATA: Record<string, (file?: string) => unknown> = { sociopol: loadFittedAgents, bond2012: loadFittedAgents, s3: loadS3Fitted };
/** Protocols whose fitted agents come bundled (S3's are fitted from a run by `npm run fit -- --preset s3`). */
const BUNDLED_FIT = new Set(['sociopol', 'bond2012']);

function fittedData(protocol: AnyProtocol, file: string | null): FittedAgents {
  const read = FITTED_DATA[protocol.id];
  if (!read) fail('--agents-kind fitted', `has no fitted parameters to read for ${protocol.title}`, `use --agents-kind ${protocol.defaultOffline}`);
  return read(file ?? undefined) as FittedAgents;
}

/** Refuse outputs that would overwrite a complete result, before anything runs (partial ones are replaced). */
function checkTargets(opts: ReplicateOptions): void {
  if (opts.out) {
    for (let k = 0; k < opts.seeds; k++) {
      const dir = join(opts.out, `seed_${opts.baseSeed + k}`);
      if (existsSync(dir) && !existsSync(join(dir, PARTIAL_MARKER)) && !opts.force) fail('--out', `already holds ${dir}`, 'choose another --out folder, delete it, or add --force to replace it');
    }
  }
  if (opts.json && existsSync(opts.json) && !isPartialJson(opts.json) && !opts.force) fail('--json', `file ${opts.json} already exists`, 'choose another file name, delete it, or add --force to replace it');
  if (opts.networkFile && !existsSync(opts.networkFile)) fail('--network', `file ${opts.networkFile} does not exist`, 'give the path of a SNAP-style edge list (one "follower followee" pair per line)');
}

/** Seed folders are written beside their final place and renamed, so a reader never sees half a folder. */
function writeFolders(opts: ReplicateOptions, outputs: SeedFolder[], personas: readonly Persona[], protocol: AnyProtocol, marker?: (label: string) => string): void {
  if (!opts.out) return;
  const models = opts.llm ? modelNames(opts) : undefined;
  mkdirSync(opts.out, { recursive: true });
  for (const output of outputs) {
    const final = join(opts.out, output.label);
    const tmp = join(opts.out, `.${output.label}.partial-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    writeSeedFolder(tmp, output, personas, protocol, opts.config, models);
    if (marker) writeFileSync(join(tmp, PARTIAL_MARKER), marker(output.label));
    if (existsSync(final)) rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
  }
}

function writeJson(file: string, doc: unknown): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const tmp = `${file}.partial-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
  renameSync(tmp, file);
}

function totalsOf(outputs: readonly SeedOutput[]): { llm: LlmTotals; invalid: Record<string, number> } {
  const llm = emptyLlmTotals();
  const invalid: Record<string, number> = {};
  for (const { result } of outputs) {
    for (const t of result.conditions) {
      addTotals(llm, t.llm);
      invalid[t.name] = (invalid[t.name] ?? 0) + t.invalidDecisions + t.invalidFinal;
    }
    addTotals(llm, result.warmupLlm);
    invalid[WARMUP] = (invalid[WARMUP] ?? 0) + result.invalidWarmup;
  }
  return { llm, invalid };
}

/**
 * A run stopped before its last round: write every complete round (complete seeds as usual, the current seed's CSV
 * rows so far, a summary marked `"partial": true`) and say where it stopped and how to resume. Returns the message.
 */
function writeStopped(opts: ReplicateOptions, tracker: RunTracker, reason: string): string {
  const world = tracker.world;
  const cur = tracker.current;
  const lines = [`replicate: the run stopped before its last round: ${reason}`, `  stopped at: ${tracker.stoppedAt()}`];
  if (cur) lines.push(`  last complete round: ${Object.entries(cur.lastComplete).map(([c, r]) => `${c} ${r > opts.config.lastRound ? 'election day' : r}`).join(', ') || 'none'}`);
  const kept: string[] = [];
  if (world && opts.s3) {
    const llm = totalsOf(tracker.completed.map((c) => c.output)).llm;
    if (cur) addTotals(llm, cur.llm);
    const completed = tracker.completed.map((c) => c.output);
    kept.push(...writeS3Stopped(opts, { reason, stoppedAt: tracker.stoppedAt(), completed, current: cur, personas: world.personas, network: world.network, llm, agentsKind: opts.llm ? 'llm' : opts.agentsKind === 'fitted' ? 'fitted' : 'offline' }));
  } else if (world) {
    const stoppedAt = tracker.stoppedAt();
    const marker = (label: string) =>
      `Written by a replicate run that stopped before its last round, at ${stoppedAt}: ${reason}\n` +
      (label === cur?.label ? 'This seed is incomplete: its CSVs hold the complete rounds; later rounds are empty.\n' : 'This seed is complete.\n') +
      'A rerun of the same command replaces this folder without --force; with --cache FILE it replays the stored answers with zero calls.\n';
    const folders: SeedFolder[] = tracker.completed.map((c) => c.output);
    const played = cur ? opts.config.conditions.map((c) => c.name).filter((c) => cur.record.lastRoundOf(c) > 0) : [];
    const partial: SeedFolder | null = cur && played.length ? { label: cur.label, seed: cur.seed, record: cur.record, conditions: played } : null;
    if (partial) folders.push(partial);
    if (opts.out && folders.length) {
      writeFolders(opts, folders, world.personas, world.protocol, marker);
      kept.push(`${folders.length} seed folder(s) in ${resolve(opts.out)} (${tracker.completed.length} complete; ${PARTIAL_MARKER} in each)`);
    }
    if (opts.json) {
      const seeds = tracker.completed.flatMap((c) => (c.data ? [c.data] : []));
      if (partial) seeds.push(seedDataFromViews(partial.label, seedViews(partial, opts.config, world.personas), world.personas, world.network, viewReading(opts.config)));
      const { llm, invalid } = totalsOf(tracker.completed.map((c) => c.output));
      if (cur) addTotals(llm, cur.llm);
      const lastComplete: Record<string, Record<string, number>> = {};
      if (cur) lastComplete[cur.label] = { ...cur.lastComplete };
      writeJson(opts.json, {
        partial: true,
        stoppedAt,
        reason,
        completeSeeds: tracker.completed.map((c) => c.output.label),
        lastCompleteRound: lastComplete,
        ...summarize(seeds, `replicate, stopped early (${world.port.kind} agents, ${opts.config.agents} agents)`, designFor(world.protocol, opts.config)),
        agentsKind: world.port.kind,
        agents: opts.config.agents,
        adults: world.personas.filter((p) => p.adult).length,
        baseSeed: opts.baseSeed,
        config: opts.config,
        llm: { ...llm, invalidByCondition: invalid, spentIncludingUnfinishedRound: (world.port as { totals?: () => unknown }).totals?.() ?? null },
      });
      kept.push(`${resolve(opts.json)} ("partial": true)`);
    }
  }
  lines.push(`  kept: ${kept.length ? kept.join('; ') : 'nothing on disk (give --out DIR and --json FILE to keep complete rounds)'}`);
  const cache = typeof opts.flags.cache === 'string' ? opts.flags.cache : null;
  lines.push(
    cache
      ? `  to resume: rerun the same command (partial outputs are replaced without --force); the answers stored in ${cache} are replayed with zero calls, so only the missing rounds are asked`
      : '  to resume: rerun the same command (partial outputs are replaced without --force); this run had no --cache, so every answer is asked again: add --cache FILE to keep answers across runs',
  );
  return lines.join('\n') + '\n';
}

const STOP_CODES = { drained: 3, rejection: 1, SIGINT: 130, SIGTERM: 143 } as const;

async function main(): Promise<void> {
  const opts = parseReplicateArgs(process.argv.slice(2));
  if (opts.s3) checkS3Targets(opts, opts.s3);
  else checkTargets(opts);
  const tracker = new RunTracker(opts.config);
  // Ending quietly is impossible: a drained event loop, an unhandled rejection or a signal writes what is complete.
  const guard = guardRun((reason, kind) => {
    process.stderr.write(writeStopped(opts, tracker, reason));
    return STOP_CODES[kind];
  });
  let done: Awaited<ReturnType<typeof replicate>>;
  try {
    done = await replicate(opts, undefined, tracker);
  } catch (err) {
    guard.settle();
    const started = tracker.completed.length > 0 || (tracker.current?.roundsDone ?? 0) > 0;
    if (!started) throw err;
    process.stderr.write(writeStopped(opts, tracker, isSpilloverError(err) ? err.message : String((err as Error)?.stack ?? err)));
    process.exit(1);
  }
  guard.settle();
  if (opts.s3) return writeS3Report(opts, opts.s3, done);
  const { outputs, personas, protocol, seeds, llm, invalid, port } = done;
  const summary = summarize(seeds, `replicate (${port.kind} agents, ${opts.config.agents} agents, seeds ${opts.baseSeed}…${opts.baseSeed + opts.seeds - 1})`, designFor(protocol, opts.config));
  process.stdout.write(formatTables(summary) + '\n');
  if (opts.llm) {
    process.stdout.write(
      `LLM: ${llm.calls} calls, ${llm.cacheHits} answered from cache, ${llm.promptTokens} prompt tokens (${llm.cachedPromptTokens} cached), ${llm.completionTokens} completion tokens, $${llm.costUsd.toFixed(4)}${batchNote(port)}, ${llm.retries} retries, ${llm.invalid} invalid answers\n`,
    );
  }
  if (opts.out) {
    writeFolders(opts, outputs, personas, protocol);
    process.stderr.write(`wrote ${outputs.length} seed folder(s) to ${resolve(opts.out)}\n`);
  }
  if (opts.json) {
    writeJson(opts.json, {
      ...summary,
      agentsKind: port.kind,
      agents: opts.config.agents,
      adults: personas.filter((p) => p.adult).length,
      baseSeed: opts.baseSeed,
      config: opts.config,
      llm: {
        ...llm,
        invalidByCondition: invalid,
        perArm: (port as { perArm?: () => unknown }).perArm?.() ?? null,
        batch: (port as { batchStats?: () => unknown }).batchStats?.() ?? null,
      },
    });
    process.stderr.write(`wrote ${resolve(opts.json)}\n`);
  }
}

/** How a batch run was paid: its jobs and the discount already applied to the cost. */
function batchNote(port: DecisionPort): string {
  const stats = (port as { batchStats?: () => { jobs: number; resumedJobs: number; lines: number; failedLines: number } | null }).batchStats?.();
  if (!stats) return '';
  return ` at Batch API prices (${BATCH_DISCOUNT * 100} % of list; ${stats.jobs} jobs submitted, ${stats.resumedJobs} resumed, ${stats.lines} lines, ${stats.failedLines} failed lines retried)`;
}

function modelNames(opts: ReplicateOptions): Record<string, string> {
  return {
    full: String(opts.flags['model-full'] ?? DEFAULT_MODELS.full),
    mini: String(opts.flags['model-mini'] ?? DEFAULT_MODELS.mini),
    nano: String(opts.flags['model-nano'] ?? DEFAULT_MODELS.nano),
  };
}

const isMain = process.argv[1] && /replicate\.ts$/.test(process.argv[1]);
if (isMain) {
  main().catch((err: unknown) => {
    const message = isSpilloverError(err) ? err.message : `replicate failed: ${(err as Error)?.stack ?? String(err)}`;
    process.stderr.write(message.split('\n')[0] + (isSpilloverError(err) ? '' : '\n' + message.split('\n').slice(1).join('\n')) + '\n');
    process.exit(isSpilloverError(err) && err.name === 'ConfigError' ? 2 : 1);
  });
}
