/**
 * `npm run replicate -- --preset s3 …`: the S3 experiment (protocols.md §D) in Node — offline classical models or
 * (`--llm`) LLM agents through the openai SDK — for several seeds, with the pooled curves, the interventions against
 * the baseline, an optional comparison with an observed curve (MSED and Pearson), and the wide/long CSVs. Outputs are
 * written to a temporary folder and renamed when complete, so a failed run never leaves a half-written result.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configError } from '../engine/errors';
import type { FollowNetwork } from '../engine/network';
import { generateTwitterNetwork } from '../engine/network-generator';
import { interventionEffects, formatS3Summary, pooledCurves } from '../protocols/s3/analysis';
import { runS3Seed, s3Population } from '../protocols/s3/assemble';
import { DEFAULT_CORRECTION_TEXT, makeS3Config, validateS3Config, type S3Condition, type S3Config } from '../protocols/s3/config';
import { conditionFiles, tidyOutcomesCsv, usersCsv } from '../protocols/s3/csv';
import { EVENT_PRESETS } from '../protocols/s3/events';
import { createS3LlmPort } from '../protocols/s3/llm';
import { compareCurves, parseCurveCsv } from '../protocols/s3/measures';
import { S3_OUTCOME_COLUMNS, type S3OutcomeColumn } from '../protocols/s3/outcomes';
import { addTotals, emptyLlmTotals } from '../engine/types';
import { llmOptionsFromEnv } from './llm-options';
import { loadCensus } from './load-data';
import { readNetworkFile } from './read-network';

export const S3_USAGE = `usage: npm run replicate -- --preset s3 [--agents N] [--rounds R] [--seeds S] [--seed BASE]
       [--event controversy|energy] [--event-text TEXT] [--seed-users influential:K|random:K]
       [--spread ic:P|lt] [--attitude voter|degroot] [--recommendation P]
       [--conditions baseline,correction@5,remove@5:10] [--network FILE.edges]
       [--observed FILE.csv [--measure aware|positive|intensity|…] [--condition NAME]]
       [--out DIR] [--json FILE] [--force] [--quiet]
       [--llm [--model M] [--concurrency K] [--budget USD] [--cache FILE] [--base-url URL] [--timeout MS]
              [--max-attempts N] [--structured auto|on|off]]`;

export interface S3CliOptions {
  config: S3Config;
  agents: number;
  seeds: number;
  baseSeed: number;
  networkFile: string | null;
  observed: string | null;
  measure: S3OutcomeColumn;
  compareCondition: string;
  out: string | null;
  json: string | null;
  force: boolean;
  quiet: boolean;
  llm: boolean;
  flags: Record<string, string | boolean | undefined>;
}

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

export function parseS3Args(argv: string[]): S3CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        preset: { type: 'string' }, agents: { type: 'string' }, rounds: { type: 'string' }, seeds: { type: 'string' }, seed: { type: 'string' },
        event: { type: 'string' }, 'event-text': { type: 'string' }, 'seed-users': { type: 'string' }, spread: { type: 'string' },
        attitude: { type: 'string' }, recommendation: { type: 'string' }, conditions: { type: 'string' }, network: { type: 'string' },
        observed: { type: 'string' }, measure: { type: 'string' }, condition: { type: 'string' },
        out: { type: 'string' }, json: { type: 'string' }, force: { type: 'boolean' }, quiet: { type: 'boolean' },
        llm: { type: 'boolean' }, model: { type: 'string' }, concurrency: { type: 'string' }, budget: { type: 'string' }, cache: { type: 'string' },
        'base-url': { type: 'string' }, timeout: { type: 'string' }, 'max-attempts': { type: 'string' }, structured: { type: 'string' }, help: { type: 'boolean' },
      },
    });
  } catch (err) {
    fail('command line', `is not understood (${(err as Error).message})`, `see:\n${S3_USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(S3_USAGE + '\n');
    process.exit(0);
  }
  const config = makeS3Config();
  config.rounds = whole('rounds', v.rounds, config.rounds, 1);
  if (v.event !== undefined) {
    const ev = EVENT_PRESETS[v.event];
    if (!ev) fail('--event', `is '${v.event}'`, `use one of ${Object.keys(EVENT_PRESETS).join(', ')}`);
    config.event = structuredClone(ev);
  }
  if (v['event-text'] !== undefined) config.event.text = v['event-text'];
  if (v['seed-users'] !== undefined) {
    const m = /^(influential|random):(\d+)$/.exec(v['seed-users']);
    if (!m) fail('--seed-users', `is '${v['seed-users']}'`, 'write influential:K or random:K (e.g. influential:10)');
    config.seedUsers = { kind: m[1] as 'influential' | 'random', k: Number(m[2]) };
  }
  if (v.spread !== undefined) {
    const m = /^(?:ic:([0-9.]+)|(lt))$/.exec(v.spread);
    if (!m) fail('--spread', `is '${v.spread}'`, 'write ic:P (independent cascade, e.g. ic:0.05) or lt (linear threshold)');
    config.offline.spread = m[2] ? { kind: 'lt' } : { kind: 'ic', p: Number(m[1]) };
  }
  if (v.attitude !== undefined) {
    if (v.attitude !== 'voter' && v.attitude !== 'degroot') fail('--attitude', `is '${v.attitude}'`, "use 'voter' or 'degroot'");
    config.offline.attitude = v.attitude;
  }
  if (v.recommendation !== undefined) config.recommendation = Number(v.recommendation);
  if (v.conditions !== undefined) config.conditions = parseConditions(v.conditions);
  validateS3Config(config);
  const measure = (v.measure ?? 'aware') as S3OutcomeColumn;
  if (!S3_OUTCOME_COLUMNS.includes(measure)) fail('--measure', `is '${v.measure}'`, `use one of ${S3_OUTCOME_COLUMNS.join(', ')}`);
  const compareCondition = v.condition ?? config.conditions[0].name;
  if (!config.conditions.some((c) => c.name === compareCondition)) fail('--condition', `is '${compareCondition}'`, `use one of ${config.conditions.map((c) => c.name).join(', ')}`);
  if (v.observed === undefined && (v.measure !== undefined || v.condition !== undefined)) fail('--measure/--condition', 'apply only with --observed', 'add --observed FILE.csv or drop them');
  if (!v.llm && (v.model !== undefined || v.cache !== undefined || v.budget !== undefined)) fail('--model/--cache/--budget', 'apply only with --llm', 'add --llm or drop them');
  return {
    config,
    agents: whole('agents', v.agents, 2000, 2),
    seeds: whole('seeds', v.seeds, 1, 1),
    baseSeed: whole('seed', v.seed, 1, 0),
    networkFile: v.network ?? null,
    observed: v.observed ?? null,
    measure,
    compareCondition,
    out: v.out ?? null,
    json: v.json ?? null,
    force: v.force ?? false,
    quiet: v.quiet ?? false,
    llm: v.llm ?? false,
    flags: v as Record<string, string | boolean | undefined>,
  };
}

function checkTargets(o: S3CliOptions): void {
  if (o.out && existsSync(o.out) && !o.force) fail('--out', `already holds ${o.out}`, 'choose another --out folder, delete it, or add --force to replace it');
  if (o.json && existsSync(o.json) && !o.force) fail('--json', `file ${o.json} already exists`, 'choose another file name, delete it, or add --force to replace it');
  if (o.networkFile && !existsSync(o.networkFile)) fail('--network', `file ${o.networkFile} does not exist`, 'give the path of an edge list (one "follower followee" pair per line)');
  if (o.observed && !existsSync(o.observed)) fail('--observed', `file ${o.observed} does not exist`, 'give a CSV with lines round,value');
}

export async function mainS3(argv: string[]): Promise<void> {
  const o = parseS3Args(argv);
  checkTargets(o);
  const observed = o.observed ? parseCurveCsv(readFileSync(o.observed, 'utf8'), o.observed) : null;
  const say = (line: string) => {
    if (!o.quiet) process.stderr.write(line + '\n');
  };
  const network: FollowNetwork = o.networkFile ? readNetworkFile(o.networkFile) : generateTwitterNetwork({ n: o.agents, seed: o.baseSeed });
  const population = s3Population(network, loadCensus(), o.config, o.baseSeed);
  const llmOpts = o.llm ? await llmOptionsFromEnv(o.flags, process.env) : null;
  const runs = [];
  const llm = emptyLlmTotals();
  for (let k = 0; k < o.seeds; k++) {
    const seed = o.baseSeed + k;
    const port = llmOpts
      ? createS3LlmPort({ ...llmOpts, model: typeof o.flags.model === 'string' ? o.flags.model : llmOpts.models?.nano }, o.config, seed, population.profiles)
      : undefined;
    const t0 = performance.now();
    const run = await runS3Seed({ config: o.config, seed, network, population, port }, {
      onRound(rec, p) {
        if (rec.round === o.config.rounds) say(`seed ${seed}: ${p.condition} done (${p.roundsDone}/${p.roundsTotal} rounds)`);
      },
    });
    addTotals(llm, run.record.llm());
    say(`seed ${seed}: ${Math.round(performance.now() - t0)} ms`);
    runs.push(run);
  }
  const tables = runs.map((r) => r.record.conditions);
  const curves = pooledCurves(tables);
  const effects = interventionEffects(runs.map((r) => ({ seed: r.record.seed, tables: r.record.conditions })));
  process.stdout.write(`S3 (${o.llm ? 'LLM' : 'offline'} agents, ${network.n} users, ${o.config.rounds} rounds, seeds ${o.baseSeed}…${o.baseSeed + o.seeds - 1}, event '${o.config.event.id}')\n`);
  process.stdout.write(formatS3Summary(curves, effects) + '\n');
  let comparison = null;
  if (observed) {
    const curve = curves.find((c) => c.condition === o.compareCondition && c.measure === o.measure)!;
    comparison = { condition: o.compareCondition, measure: o.measure, ...compareCurves({ rounds: curve.rounds, values: curve.mean }, observed) };
    process.stdout.write(`observed curve ${o.observed} vs ${o.compareCondition} ${o.measure} over ${comparison.rounds.length} rounds: MSED ${comparison.msed.toFixed(5)}, Cor ${Number.isNaN(comparison.cor) ? 'undefined (a constant curve)' : comparison.cor.toFixed(4)}\n`);
  }
  if (o.llm) {
    process.stdout.write(`LLM: ${llm.calls} calls, ${llm.cacheHits} answered from cache, ${llm.promptTokens} prompt tokens, ${llm.completionTokens} completion tokens, $${llm.costUsd.toFixed(4)}, ${llm.retries} retries, ${llm.invalid} invalid answers\n`);
  }
  if (o.out) {
    const tmp = `${o.out.replace(/\/+$/, '')}.partial-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const deg = (off: Int32Array) => (a: number) => off[a + 1] - off[a];
    writeFileSync(join(tmp, 'users.csv'), usersCsv(population.personas, population.roles, deg(network.inOffsets), deg(network.outOffsets)));
    writeFileSync(join(tmp, 'outcomes_long.csv'), tidyOutcomesCsv(runs.flatMap((r) => [...r.record.conditions.values()].map((table) => ({ seed: r.record.seed, table })))));
    for (const r of runs) {
      const dir = join(tmp, `seed_${r.record.seed}`);
      mkdirSync(dir);
      for (const t of r.record.conditions.values()) for (const f of conditionFiles(t)) writeFileSync(join(dir, `${t.name}_${f.suffix}`), f.text);
    }
    if (existsSync(o.out)) rmSync(o.out, { recursive: true, force: true });
    renameSync(tmp, o.out);
    say(`wrote ${resolve(o.out)}`);
  }
  if (o.json) {
    const doc = { protocol: 's3', agentsKind: o.llm ? 'llm' : 'offline', users: network.n, baseSeed: o.baseSeed, seeds: o.seeds, config: o.config, curves, effects, comparison, llm };
    mkdirSync(dirname(resolve(o.json)), { recursive: true });
    const tmp = `${o.json}.partial-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
    renameSync(tmp, o.json);
    say(`wrote ${resolve(o.json)}`);
  }
}

/** Whether a replicate command line asks for the S3 preset (`--preset s3` or `--preset=s3`). */
export function isS3Preset(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--preset=s3' || (a === '--preset' && argv[i + 1] === 's3'));
}
