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
import { formatTables, summarize } from '../analysis/summary';
import { seedDataFromTables } from '../analysis/from-run';
import type { SeedData } from '../analysis/types';
import { BATCH_DISCOUNT } from '../agents/llm/cost';
import { createOfflinePort } from '../agents/offline/offline-port';
import { BOND_2012_CONFIG, CONDITION_NAMES, DEFAULT_CONDITIONS, makeConfig, validateConfig, type ConditionSpec, type FeedMode, type SimConfig } from '../engine/config';
import { configError, isSpilloverError } from '../engine/errors';
import type { FollowNetwork } from '../engine/network';
import { generateTwitterNetwork } from '../engine/network-generator';
import type { DecisionPort } from '../engine/ports';
import { generatePopulation } from '../engine/population';
import { activityCsv, adultIds, engagementCsv, personasCsv, postsCsv, treatmentCsv, votingCsv } from '../engine/reporters';
import { roundsTotal, runExperiment, WARMUP, type ExperimentHooks, type ExperimentResult } from '../engine/simulation';
import { runConditionPool } from './condition-pool';
import { addTotals, emptyLlmTotals, type EngagementEvent, type LlmTotals, type Persona, type Post } from '../engine/types';
import { loadCensus, loadFittedAgents } from './load-data';
import { guardRun, RunTracker } from './partial-run';
import { createFittedPort } from '../protocols/sociopol/fitted/fitted-port';
import { readNetworkFile } from './read-network';

/**
 * The offline agents `--agents-kind` can pick: 'fitted' (the default) are fitted by likelihood to decision data (the
 * bundled published-runs fit, or `--agents-file`), 'rules' are the hand-set calibrated rules.
 */
export const OFFLINE_AGENTS_KINDS = ['fitted', 'rules'] as const;
export type OfflineAgentsKind = (typeof OFFLINE_AGENTS_KINDS)[number];

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
  /** Worker threads for the conditions of an offline run (1 = in this thread). @default os.availableParallelism() */
  workers: number;
  llm: boolean;
  /** Which offline agents answer when `--llm` is absent: 'fitted' (default) or 'rules' = the hand-set rules. */
  agentsKind: OfflineAgentsKind;
  /** Fitted agents to use instead of the bundled fit (from `npm run fit -- --out`). */
  agentsFile: string | null;
  flags: Record<string, string | boolean | undefined>;
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
      },
    });
  } catch (err) {
    fail('command line', `is not understood (${(err as Error).message})`, `see:\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const agentsRaw = v.agents;
  if (agentsRaw !== undefined && !(Number(agentsRaw) > 0)) fail('--agents', `is '${agentsRaw}'`, 'use a whole number of agents ≥ 1 (e.g. 2000)');
  const agents = wholeNumber('agents', agentsRaw, 2000, 1);
  const seeds = wholeNumber('seeds', v.seeds, 1, 1);
  if (seeds > MAX_SEEDS) fail('--seeds', `is ${v.seeds}`, `use at most ${MAX_SEEDS} seeds per run (each is a full run of every condition)`);
  const baseSeed = wholeNumber('seed', v.seed, 1, 0);

  const preset = v.preset ?? 'sociopol';
  if (preset !== 'sociopol' && preset !== 'bond2012') fail('--preset', `is '${preset}'`, "use 'sociopol' (LLM-SocioPol, five conditions over 30 rounds), 'bond2012' (one election day, arms 98/1/1) or 's3' (news, emotion and attitude propagation)");
  let config: SimConfig;
  if (preset === 'bond2012') {
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
    config = makeConfig({ ...bond, agents, feed: { ...makeConfig().feed, mode: feedMode(v.feed) } });
  } else {
    config = makeConfig({ agents, conditions: sociopolConditions(v.conditions, v.schedule, v.arms), feed: { ...makeConfig().feed, mode: feedMode(v.feed) } });
  }
  validateConfig(config);
  const agentsKind = v['agents-kind'] ?? 'fitted';
  if (!(OFFLINE_AGENTS_KINDS as readonly string[]).includes(agentsKind)) fail('--agents-kind', `is '${agentsKind}'`, `use one of ${OFFLINE_AGENTS_KINDS.join(', ')}`);
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
    workers: wholeNumber('workers', v.workers, availableParallelism(), 1),
    llm: v.llm ?? false,
    agentsKind: agentsKind as OfflineAgentsKind,
    agentsFile: v['agents-file'] ?? null,
    flags: v as Record<string, string | boolean | undefined>,
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
  result: ExperimentResult;
  events: Map<string, EngagementEvent[]>;
  posts: Map<string, Post[]>;
}

/** What a seed folder is written from: a finished seed, or the complete rounds of a stopped one. */
export type SeedFolder = Omit<SeedOutput, 'result'> & { result: Pick<ExperimentResult, 'conditions'> };

/** Write one seed folder in the published layout (plus engagement, activity, posts and personas with the vote). */
export function writeSeedFolder(dir: string, output: SeedFolder, personas: readonly Persona[], models?: Record<string, string>): void {
  const adults = adultIds(personas);
  const all = Int32Array.from(personas.map((p) => p.id));
  for (const t of output.result.conditions) {
    const cdir = join(dir, t.name);
    mkdirSync(cdir, { recursive: true });
    writeFileSync(join(cdir, `${t.name}_voting_data.csv`), votingCsv(t, adults));
    writeFileSync(join(cdir, `${t.name}_treatment_data.csv`), treatmentCsv(t, adults));
    writeFileSync(join(cdir, `${t.name}_activity_data.csv`), activityCsv(t, all));
    writeFileSync(join(cdir, `${t.name}_engagement_data.csv`), engagementCsv(output.events.get(t.name) ?? []));
    writeFileSync(join(cdir, `${t.name}_posts.csv`), postsCsv(output.posts.get(t.name) ?? []));
    writeFileSync(join(cdir, `${t.name}_personas.csv`), personasCsv(personas, t.votes, models));
  }
}

function meanCurrent(current: Int8Array, personas: readonly Persona[]): number {
  let s = 0;
  let k = 0;
  for (let a = 0; a < current.length; a++) {
    if (personas[a].adult && current[a] >= 0) {
      s += current[a];
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
): Promise<{ outputs: SeedOutput[]; personas: Persona[]; network: FollowNetwork; seeds: SeedData[]; llm: LlmTotals; invalid: Record<string, number>; port: DecisionPort }> {
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
  const personas = generatePopulation({ n: network.n, minorShare: opts.config.minorShare, census, network, seed: opts.baseSeed });
  if (!opts.llm && (opts.flags.batch || opts.flags['batch-poll'] !== undefined)) fail('--batch', 'applies only to LLM agents', 'add --llm, or drop --batch');
  const fitted = !opts.llm && opts.agentsKind === 'fitted' ? loadFittedAgents(opts.agentsFile ?? undefined) : null;
  const port: DecisionPort = opts.llm ? await makeLlmPort(opts, log) : fitted ? createFittedPort(fitted) : createOfflinePort();
  if (tracker) tracker.world = { personas, network, port };
  const outputs: SeedOutput[] = [];
  const seeds: SeedData[] = [];
  for (let k = 0; k < opts.seeds; k++) {
    const seed = opts.baseSeed + k;
    const label = `seed_${seed}`;
    const events = new Map<string, EngagementEvent[]>();
    const posts = new Map<string, Post[]>();
    const warmEvents: EngagementEvent[] = [];
    const warmPosts: Post[] = [];
    const started = Date.now();
    let roundLine: string[] = [];
    tracker?.startSeed(label, seed, events, posts, roundsTotal(opts.config));
    const hooks: ExperimentHooks = {
      onElection: (record, progress) => tracker?.onElection(record, progress.roundsDone),
      onRound: (record, progress) => {
        tracker?.onRound(record, progress.roundsDone);
        if (record.condition === WARMUP) {
          warmEvents.push(...record.engagements);
          warmPosts.push(...record.posts);
        } else {
          if (!events.has(record.condition)) {
            events.set(record.condition, warmEvents.slice());
            posts.set(record.condition, warmPosts.slice());
          }
          (events.get(record.condition) as EngagementEvent[]).push(...record.engagements);
          (posts.get(record.condition) as Post[]).push(...record.posts);
        }
        if (opts.quiet) return;
        const mean = meanCurrent(record.current, personas).toFixed(3);
        const eta = ((Date.now() - started) / progress.roundsDone) * (progress.roundsTotal - progress.roundsDone);
        if (record.condition === WARMUP) {
          log(`${label} · warm-up round ${record.round} · ${record.active.length} active · mean likelihood ${mean} · ${progress.roundsDone}/${progress.roundsTotal} · ETA ${(eta / 1000).toFixed(1)} s`);
        } else {
          roundLine.push(`${SHORT[record.condition] ?? record.condition} ${mean}`);
          if (record.condition === opts.config.conditions[opts.config.conditions.length - 1].name) {
            log(`${label} · round ${record.round}/${opts.config.lastRound} · ${roundLine.join(' | ')} · ${progress.roundsDone}/${progress.roundsTotal} · ETA ${(eta / 1000).toFixed(1)} s`);
            roundLine = [];
          }
        }
      },
    };
    // Offline conditions run on a pool of worker threads (same records; the outputs do not read decision outcomes).
    const result =
      opts.llm || opts.workers < 2
        ? await runExperiment({ config: opts.config, seed, personas, network, port }, hooks)
        : await runConditionPool({ config: opts.config, seed, personas, network, fitted }, hooks, { workers: opts.workers, withDecisions: false });
    if (!opts.quiet) log(`${label} · election day done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    outputs.push({ label, result, events, posts });
    seeds.push(seedDataFromTables(label, result.conditions, personas, network, { seed, conditions: opts.config.conditions }));
    tracker?.finishSeed(outputs[outputs.length - 1], seeds[seeds.length - 1]);
  }
  return { outputs, personas, network, seeds, ...totalsOf(outputs), port };
}

async function makeLlmPort(opts: ReplicateOptions, log: (line: string) => void): Promise<DecisionPort> {
  const { llmOptionsFromEnv } = await import('./llm-options');
  const { createLlmPort } = await import('../agents/llm/index');
  const llmOpts = await llmOptionsFromEnv(opts.flags as Record<string, string | boolean>, process.env);
  if (llmOpts.batch && !opts.quiet) {
    llmOpts.batch.onProgress = (p) => log(`batch ${p.jobId}${p.resumed ? ' (resumed)' : ''} · ${p.status} · ${p.completed + p.failed}/${p.total} lines`);
  }
  return createLlmPort(llmOpts);
}

/** Marks a seed folder written by a run that stopped early; a rerun may replace such a folder without --force. */
const PARTIAL_MARKER = 'PARTIAL.txt';

function isPartialJson(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { partial?: unknown }).partial === true;
  } catch {
    return false;
  }
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
function writeFolders(opts: ReplicateOptions, outputs: SeedFolder[], personas: readonly Persona[], marker?: (label: string) => string): void {
  if (!opts.out) return;
  const models = opts.llm ? modelNames(opts) : undefined;
  mkdirSync(opts.out, { recursive: true });
  for (const output of outputs) {
    const final = join(opts.out, output.label);
    const tmp = join(opts.out, `.${output.label}.partial-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    writeSeedFolder(tmp, output, personas, models);
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
      invalid[t.name] = (invalid[t.name] ?? 0) + t.invalidDecisions + t.invalidVotes;
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
  if (world) {
    const stoppedAt = tracker.stoppedAt();
    const marker = (label: string) =>
      `Written by a replicate run that stopped before its last round, at ${stoppedAt}: ${reason}\n` +
      (label === cur?.label ? 'This seed is incomplete: its CSVs hold the complete rounds; later rounds are empty.\n' : 'This seed is complete.\n') +
      'A rerun of the same command replaces this folder without --force; with --cache FILE it replays the stored answers with zero calls.\n';
    const folders: SeedFolder[] = tracker.completed.map((c) => c.output);
    if (cur && cur.tables.length) folders.push({ label: cur.label, result: { conditions: cur.tables }, events: cur.events, posts: cur.posts });
    if (opts.out && folders.length) {
      writeFolders(opts, folders, world.personas, marker);
      kept.push(`${folders.length} seed folder(s) in ${resolve(opts.out)} (${tracker.completed.length} complete; ${PARTIAL_MARKER} in each)`);
    }
    if (opts.json) {
      const seeds = tracker.completed.map((c) => c.data);
      if (cur && cur.tables.length) seeds.push(seedDataFromTables(cur.label, cur.tables, world.personas, world.network, { seed: cur.seed, conditions: opts.config.conditions }));
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
        ...summarize(seeds, `replicate, stopped early (${world.port.kind} agents, ${opts.config.agents} agents)`),
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
  const { isS3Preset, mainS3 } = await import('./replicate-s3');
  if (isS3Preset(process.argv.slice(2))) return mainS3(process.argv.slice(2));
  const opts = parseReplicateArgs(process.argv.slice(2));
  checkTargets(opts);
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
  const { outputs, personas, seeds, llm, invalid, port } = done;
  const summary = summarize(seeds, `replicate (${port.kind} agents, ${opts.config.agents} agents, seeds ${opts.baseSeed}…${opts.baseSeed + opts.seeds - 1})`);
  process.stdout.write(formatTables(summary) + '\n');
  if (opts.llm) {
    process.stdout.write(
      `LLM: ${llm.calls} calls, ${llm.cacheHits} answered from cache, ${llm.promptTokens} prompt tokens (${llm.cachedPromptTokens} cached), ${llm.completionTokens} completion tokens, $${llm.costUsd.toFixed(4)}${batchNote(port)}, ${llm.retries} retries, ${llm.invalid} invalid answers\n`,
    );
  }
  if (opts.out) {
    writeFolders(opts, outputs, personas);
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
    full: String(opts.flags['model-full'] ?? 'gpt-4.1'),
    mini: String(opts.flags['model-mini'] ?? 'gpt-4.1-mini'),
    nano: String(opts.flags['model-nano'] ?? 'gpt-4.1-nano'),
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
