/**
 * The S3 preset of `npm run replicate` (protocols.md §D): its flags turned into an engine configuration, and its report
 * — pooled curves, interventions against the baseline, an optional comparison with an observed curve (MSED and
 * Pearson), and S3's own file layout (users, a tidy long CSV, per-state wide CSVs and messages per seed). The run
 * itself goes through replicate's shared path (assembleRun, runExperiment, the generic LLM port).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SimConfig } from '../engine/config';
import { configError } from '../engine/errors';
import type { FollowNetwork } from '../engine/network';
import type { AnyProtocol } from '../engine/protocol';
import type { ExperimentResult } from '../engine/simulation';
import type { LlmTotals } from '../engine/types';
import type { Persona } from '../population';
import { formatS3Summary, interventionEffects, pooledCurves } from '../protocols/s3/analysis';
import { DEFAULT_CORRECTION_TEXT, makeS3Config, validateS3Config, type S3Condition, type S3Config } from '../protocols/s3/config';
import { conditionFiles, tidyOutcomesCsv, usersCsv } from '../protocols/s3/csv';
import { EVENT_PRESETS } from '../protocols/s3/events';
import { compareCurves, parseCurveCsv } from '../protocols/s3/measures';
import { S3_OUTCOME_COLUMNS, type S3OutcomeColumn } from '../protocols/s3/outcomes';
import { s3Params, s3SimConfig } from '../protocols/s3/protocol';
import { s3Tables, type S3ConditionTable } from '../protocols/s3/record';
import { assignRoles } from '../protocols/s3/users';
import { isPartialJson, PARTIAL_MARKER } from './partial-run';
import type { RunRecord } from '../engine/record';
import { conditionViews } from '../engine/record';

export const S3_USAGE = `usage: npm run replicate -- --preset s3 [--agents N] [--rounds R] [--seeds S] [--seed BASE]
       [--event controversy|energy] [--event-text TEXT] [--seed-users influential:K|random:K]
       [--spread ic:P|lt] [--attitude voter|degroot] [--recommendation P]
       [--conditions baseline,correction@5,remove@5:10] [--network FILE.edges] [--agents-kind models|fitted] [--agents-file agents-s3.json] [--workers N]
       [--observed FILE.csv [--measure aware|positive|intensity|…] [--condition NAME]]
       [--out DIR] [--json FILE] [--force] [--quiet]
       [--llm [--model M] [--concurrency K] [--budget USD] [--prices M=IN,OUT;…] [--cache FILE] [--base-url URL]
              [--timeout MS] [--max-attempts N] [--structured auto|on|off] [--retries N] [--backoff MS] [--batch]]`;

/** The flags only the S3 preset reads (parseArgs options). */
export const S3_FLAGS = {
  rounds: { type: 'string' },
  event: { type: 'string' },
  'event-text': { type: 'string' },
  'seed-users': { type: 'string' },
  spread: { type: 'string' },
  attitude: { type: 'string' },
  recommendation: { type: 'string' },
  observed: { type: 'string' },
  measure: { type: 'string' },
  condition: { type: 'string' },
  model: { type: 'string' },
} as const;

/** What the S3 report needs beyond the run: the observed curve to compare with, and the one model of an LLM run. */
export interface S3ReportOptions {
  observed: string | null;
  measure: S3OutcomeColumn;
  compareCondition: string;
  /** `--model M`: one model for every user (S3 used one model per run); null: the default nano model. */
  model: string | null;
}

type Flags = Record<string, string | string[] | boolean | undefined>;

function fail(field: string, problem: string, fix: string): never {
  throw configError(field, problem, fix);
}

function whole(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) fail(`--${flag}`, `is '${raw}'`, `use a whole number ≥ ${min}`);
  return v;
}

/** `baseline`, `correction@S`, `remove@S:K` (names may repeat with different rounds: correction@3,correction@10). */
function parseConditions(raw: string): S3Condition[] {
  return raw.split(',').map((item) => item.trim()).filter(Boolean).map((item) => {
    if (item === 'baseline') return { name: 'baseline' };
    let m = /^correction@(\d+)$/.exec(item);
    if (m) return { name: `correction_r${m[1]}`, correction: { round: Number(m[1]), text: DEFAULT_CORRECTION_TEXT, attitude: 0 as const } };
    m = /^remove@(\d+):(\d+)$/.exec(item);
    if (m) return { name: `remove${m[2]}_r${m[1]}`, removeSpreaders: { round: Number(m[1]), k: Number(m[2]) } };
    fail('--conditions', `has '${item}'`, 'write baseline, correction@ROUND or remove@ROUND:K, separated by commas');
  });
}

/** The S3 configuration of a command line (every flag checked, naming the flag and the fix). */
export function s3Preset(v: Flags, agents: number): { config: SimConfig; report: S3ReportOptions } {
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  for (const flag of ['arms', 'schedule', 'feed']) {
    if (v[flag] !== undefined) fail(`--${flag}`, 'does not apply to --preset s3', `drop --${flag} (see --preset s3 --help)`);
  }
  const config: S3Config = makeS3Config();
  config.rounds = whole('rounds', str('rounds'), config.rounds, 1);
  const event = str('event');
  if (event !== undefined) {
    const ev = EVENT_PRESETS[event];
    if (!ev) fail('--event', `is '${event}'`, `use one of ${Object.keys(EVENT_PRESETS).join(', ')}`);
    config.event = structuredClone(ev);
  }
  if (str('event-text') !== undefined) config.event.text = str('event-text') as string;
  const seedUsers = str('seed-users');
  if (seedUsers !== undefined) {
    const m = /^(influential|random):(\d+)$/.exec(seedUsers);
    if (!m) fail('--seed-users', `is '${seedUsers}'`, 'write influential:K or random:K (e.g. influential:10)');
    config.seedUsers = { kind: m[1] as 'influential' | 'random', k: Number(m[2]) };
  }
  const spread = str('spread');
  if (spread !== undefined) {
    const m = /^(?:ic:([0-9.]+)|(lt))$/.exec(spread);
    if (!m) fail('--spread', `is '${spread}'`, 'write ic:P (independent cascade, e.g. ic:0.05) or lt (linear threshold)');
    config.offline.spread = m[2] ? { kind: 'lt' } : { kind: 'ic', p: Number(m[1]) };
  }
  const attitude = str('attitude');
  if (attitude !== undefined) {
    if (attitude !== 'voter' && attitude !== 'degroot') fail('--attitude', `is '${attitude}'`, "use 'voter' or 'degroot'");
    config.offline.attitude = attitude;
  }
  if (str('recommendation') !== undefined) config.recommendation = Number(str('recommendation'));
  if (str('conditions') !== undefined) config.conditions = parseConditions(str('conditions') as string);
  validateS3Config(config);
  const measure = (str('measure') ?? 'aware') as S3OutcomeColumn;
  if (!S3_OUTCOME_COLUMNS.includes(measure)) fail('--measure', `is '${str('measure')}'`, `use one of ${S3_OUTCOME_COLUMNS.join(', ')}`);
  const compareCondition = str('condition') ?? config.conditions[0].name;
  if (!config.conditions.some((c) => c.name === compareCondition)) fail('--condition', `is '${compareCondition}'`, `use one of ${config.conditions.map((c) => c.name).join(', ')}`);
  if (v.observed === undefined && (v.measure !== undefined || v.condition !== undefined)) fail('--measure/--condition', 'apply only with --observed', 'add --observed FILE.csv or drop them');
  if (!v.llm && (v.model !== undefined || v.cache !== undefined || v.budget !== undefined)) fail('--model/--cache/--budget', 'apply only with --llm', 'add --llm or drop them');
  for (const tier of ['full', 'mini', 'nano']) {
    if (v[`model-${tier}`] !== undefined) fail(`--model-${tier}`, 'does not apply to --preset s3 (every user has the same model)', 'use --model M');
  }
  return { config: s3SimConfig(config, agents), report: { observed: str('observed') ?? null, measure, compareCondition, model: str('model') ?? null } };
}

/** S3 writes one results folder: refuse to replace a complete one without --force, before anything runs. */
export function checkS3Targets(o: { out: string | null; json: string | null; force: boolean; networkFile: string | null }, report: S3ReportOptions): void {
  // A stopped run's outputs (PARTIAL.txt in the folder, "partial": true in the summary) are replaced without --force.
  if (o.out && existsSync(o.out) && !existsSync(join(o.out, PARTIAL_MARKER)) && !o.force) fail('--out', `already holds ${o.out}`, 'choose another --out folder, delete it, or add --force to replace it');
  if (o.json && existsSync(o.json) && !isPartialJson(o.json) && !o.force) fail('--json', `file ${o.json} already exists`, 'choose another file name, delete it, or add --force to replace it');
  if (o.networkFile && !existsSync(o.networkFile)) fail('--network', `file ${o.networkFile} does not exist`, 'give the path of an edge list (one "follower followee" pair per line)');
  if (report.observed && !existsSync(report.observed)) fail('--observed', `file ${report.observed} does not exist`, 'give a CSV with lines round,value');
  if (report.observed) parseCurveCsv(readFileSync(report.observed, 'utf8'), report.observed);
}

/** What the report reads of a finished replicate run. */
export interface S3RunDone {
  outputs: ReadonlyArray<{ seed: number; record: RunRecord; result: ExperimentResult }>;
  personas: readonly Persona[];
  network: FollowNetwork;
  protocol: AnyProtocol;
  llm: LlmTotals;
}

/** Summary on stdout, then the results folder and the JSON summary (each written beside its place and renamed). */
export function writeS3Report(
  o: { config: SimConfig; seeds: number; baseSeed: number; out: string | null; json: string | null; quiet: boolean; llm: boolean; agentsKind?: string },
  report: S3ReportOptions,
  done: S3RunDone,
): void {
  const say = (line: string) => {
    if (!o.quiet) process.stderr.write(line + '\n');
  };
  const p = s3Params(o.config);
  const runs = done.outputs.map((out) => {
    const views = conditionViews(out.record, o.config, done.personas, out.seed);
    const totals = new Map(out.result.conditions.map((t) => [t.name, { invalid: t.invalidDecisions, llm: t.llm }]));
    return { seed: out.seed, tables: s3Tables(views, (c) => totals.get(c)) };
  });
  const curves = pooledCurves(runs.map((r) => r.tables));
  const effects = interventionEffects(runs);
  const users = done.network.n;
  const kind = o.llm ? 'llm' : o.agentsKind === 'fitted' ? 'fitted' : 'offline';
  process.stdout.write(`S3 (${kind === 'llm' ? 'LLM' : kind} agents, ${users} users, ${p.rounds} rounds, seeds ${o.baseSeed}…${o.baseSeed + o.seeds - 1}, event '${p.event.id}')\n`);
  process.stdout.write(formatS3Summary(curves, effects) + '\n');
  let comparison = null;
  if (report.observed) {
    const observed = parseCurveCsv(readFileSync(report.observed, 'utf8'), report.observed);
    const curve = curves.find((c) => c.condition === report.compareCondition && c.measure === report.measure)!;
    comparison = { condition: report.compareCondition, measure: report.measure, ...compareCurves({ rounds: curve.rounds, values: curve.mean }, observed) };
    process.stdout.write(`observed curve ${report.observed} vs ${report.compareCondition} ${report.measure} over ${comparison.rounds.length} rounds: MSED ${comparison.msed.toFixed(5)}, Cor ${Number.isNaN(comparison.cor) ? 'undefined (a constant curve)' : comparison.cor.toFixed(4)}\n`);
  }
  const llm = done.llm;
  if (o.llm) {
    process.stdout.write(`LLM: ${llm.calls} calls, ${llm.cacheHits} answered from cache, ${llm.promptTokens} prompt tokens, ${llm.completionTokens} completion tokens, $${llm.costUsd.toFixed(4)}, ${llm.retries} retries, ${llm.invalid} invalid answers\n`);
  }
  if (o.out) {
    writeS3Folder(o.out, runs, done, p);
    say(`wrote ${resolve(o.out)}`);
  }
  if (o.json) {
    writeJson(o.json, { protocol: 's3', agentsKind: kind, users, baseSeed: o.baseSeed, seeds: o.seeds, config: p, curves, effects, comparison, llm });
    say(`wrote ${resolve(o.json)}`);
  }
}

function writeJson(file: string, doc: unknown): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const tmp = `${file}.partial-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
  renameSync(tmp, file);
}

/** Where a stopped S3 run was, as replicate's RunTracker keeps it. */
export interface S3Stopped {
  reason: string;
  stoppedAt: string;
  completed: ReadonlyArray<{ label: string; seed: number; record: RunRecord; result: ExperimentResult }>;
  /** The seed that was running: its record holds the complete rounds. */
  current: { label: string; seed: number; record: RunRecord; lastComplete: Record<string, number> } | null;
  personas: readonly Persona[];
  network: FollowNetwork;
  /** Spend of the complete seeds and of the current seed's complete rounds. */
  llm: LlmTotals;
  agentsKind: string;
}

/**
 * A stopped S3 run keeps what is complete, as the voting presets do: the results folder with every complete seed and
 * the current seed's rounds so far (its wide CSVs end at its last complete round), PARTIAL.txt in the folder and in
 * each seed folder, and the summary marked `"partial": true` with its curves so far. Returns what was written.
 */
export function writeS3Stopped(o: { config: SimConfig; seeds: number; baseSeed: number; out: string | null; json: string | null }, stopped: S3Stopped): string[] {
  const p = s3Params(o.config);
  const runs = stopped.completed.map((c) => {
    const totals = new Map(c.result.conditions.map((t) => [t.name, { invalid: t.invalidDecisions, llm: t.llm }]));
    return { seed: c.seed, tables: s3Tables(conditionViews(c.record, o.config, stopped.personas, c.seed), (name) => totals.get(name)) };
  });
  const cur = stopped.current;
  const played = cur ? o.config.conditions.filter((c) => cur.record.lastRoundOf(c.name) > 0) : [];
  if (cur && played.length) runs.push({ seed: cur.seed, tables: s3Tables(conditionViews(cur.record, { ...o.config, conditions: played }, stopped.personas, cur.seed)) });
  const kept: string[] = [];
  if (!runs.length) return kept;
  const note = `Written by a replicate run that stopped before its last round, at ${stopped.stoppedAt}: ${stopped.reason}\n`;
  const rerun = 'A rerun of the same command replaces this folder without --force; with --cache FILE it replays the stored answers with zero calls.\n';
  if (o.out) {
    writeS3Folder(o.out, runs, stopped, p, (seed) =>
      note + (seed === null ? `Complete seeds: ${stopped.completed.map((c) => c.label).join(', ') || 'none'}.\n` : seed === cur?.seed ? 'This seed is incomplete: its files hold the complete rounds only.\n' : 'This seed is complete.\n') + rerun,
    );
    kept.push(`${resolve(o.out)} (${stopped.completed.length} complete seed(s); ${PARTIAL_MARKER} in it and in each seed folder)`);
  }
  if (o.json) {
    writeJson(o.json, {
      protocol: 's3',
      partial: true,
      stoppedAt: stopped.stoppedAt,
      reason: stopped.reason,
      completeSeeds: stopped.completed.map((c) => c.label),
      lastCompleteRound: cur ? { [cur.label]: { ...cur.lastComplete } } : {},
      agentsKind: stopped.agentsKind,
      users: stopped.network.n,
      baseSeed: o.baseSeed,
      seeds: o.seeds,
      config: p,
      curves: pooledCurves(runs.map((r) => r.tables)),
      effects: interventionEffects(runs),
      llm: stopped.llm,
    });
    kept.push(`${resolve(o.json)} ("partial": true)`);
  }
  return kept;
}

/** `marker`: the PARTIAL.txt text of the folder (seed null) and of each seed folder, for a stopped run. */
function writeS3Folder(
  out: string,
  runs: ReadonlyArray<{ seed: number; tables: Map<string, S3ConditionTable> }>,
  done: Pick<S3RunDone, 'personas' | 'network'>,
  p: S3Config,
  marker?: (seed: number | null) => string,
): void {
  const tmp = `${out.replace(/\/+$/, '')}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const net = done.network;
  const deg = (off: Int32Array) => (a: number) => off[a + 1] - off[a];
  writeFileSync(join(tmp, 'users.csv'), usersCsv(done.personas, assignRoles(net, p.roles), deg(net.inOffsets), deg(net.outOffsets)));
  writeFileSync(join(tmp, 'outcomes_long.csv'), tidyOutcomesCsv(runs.flatMap((r) => [...r.tables.values()].map((table) => ({ seed: r.seed, table })))));
  for (const r of runs) {
    const dir = join(tmp, `seed_${r.seed}`);
    mkdirSync(dir);
    for (const t of r.tables.values()) for (const f of conditionFiles(t)) writeFileSync(join(dir, `${t.name}_${f.suffix}`), f.text);
    if (marker) writeFileSync(join(dir, PARTIAL_MARKER), marker(r.seed));
  }
  if (marker) writeFileSync(join(tmp, PARTIAL_MARKER), marker(null));
  if (existsSync(out)) rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
}
