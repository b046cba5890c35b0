/**
 * `npm run fit -- --preset s3 --from RUN_DIR|BUNDLE.json [--out agents-s3.json]`: fits S3 agents to a stored S3 run (the
 * folder `npm run replicate -- --preset s3 --out DIR` wrote, typically with --llm, or a run bundle exported from the
 * app), prints the estimates with their standard errors and how the fitted agents' curves match the run's (MSED and
 * Pearson, next to the hand-set agents), and writes the fitted agents for `replicate --preset s3 --agents-kind fitted
 * --agents-file FILE`.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { configError, dataError } from '../engine/errors';
import type { FollowNetwork } from '../engine/network';
import { generateTwitterNetwork } from '../engine/network-generator';
import { s3Population } from '../protocols/s3/assemble';
import { makeS3Config, validateS3Config, type S3Config } from '../protocols/s3/config';
import { fitS3Agents, formatS3Fit, goodnessOfFit } from '../protocols/s3/fit/fit';
import { conditionFromName, tableFromCsv } from '../protocols/s3/fit/read-tables';
import { s3FitSource } from '../protocols/s3/fit/from-record';
import type { ReplayInputs, S3RecordedSeed } from '../protocols/s3/fit/replay';
import { BUNDLE_FORMAT, decodeBundle } from '../storage/bundle';
import { loadCensus } from './load-data';
import { readNetworkFile } from './read-network';

export const FIT_S3_USAGE = `usage: npm run fit -- --preset s3 --from RUN_DIR|BUNDLE.json [--out agents-s3.json] [--summary RUN.json]
       [--network FILE.edges] [--seed BASE] [--no-goodness] [--quiet]
  RUN_DIR   the folder written by \`npm run replicate -- --preset s3 --out RUN_DIR\` (seed_K folders of wide CSVs)
  BUNDLE    a run bundle exported from the app (it carries settings, network and population: no other flag needed)
  --summary the run's --json file (its settings); without it the preset's settings and the condition names are used
  --network the edge list the run used, if it ran on one; --seed its first seed (default: the lowest seed folder)`;

/** Every `<condition>_<state>_wide.csv` under a folder, grouped by the seed folder (`seed_K`) it sits in. */
function findTables(dir: string): S3RecordedSeed[] {
  const bySeed = new Map<number, Map<string, Record<string, [string, string]>>>();
  const walk = (d: string, seed: number | null) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        const m = /^seed_(\d+)$/.exec(name);
        walk(p, m ? Number(m[1]) : seed);
        continue;
      }
      const m = /^(.+)_(emotion|attitude|action)_wide\.csv$/.exec(name);
      if (!m || seed === null) continue;
      const conds = bySeed.get(seed) ?? new Map();
      bySeed.set(seed, conds);
      const files = conds.get(m[1]) ?? {};
      conds.set(m[1], files);
      files[m[2]] = [p, readFileSync(p, 'utf8')];
    }
  };
  walk(dir, null);
  if (bySeed.size === 0) {
    throw dataError(dir, 'the folder', 'holds no seed_K folders with <condition>_emotion_wide.csv files', 'give the folder written by `npm run replicate -- --preset s3 --out DIR`');
  }
  return [...bySeed.entries()].sort((a, b) => a[0] - b[0]).map(([seed, conds]) => ({
    seed,
    tables: [...conds.entries()].map(([name, f]) => {
      for (const s of ['emotion', 'attitude', 'action']) {
        if (!f[s]) throw dataError(dir, `seed_${seed}, condition '${name}'`, `has no ${name}_${s}_wide.csv`, 'give the complete folder of the run (the emotion, attitude and action wide CSVs of every condition)');
      }
      return tableFromCsv(name, { emotion: f.emotion, attitude: f.attitude, action: f.action });
    }),
  }));
}

/** The run's settings: its --json file, else the preset's with the recorded rounds and the conditions' names. */
function settings(summary: string | undefined, seeds: S3RecordedSeed[]): S3Config {
  const rounds = seeds[0].tables[0].emotion.length / seeds[0].tables[0].n - 1;
  if (summary) {
    let doc: { config?: S3Config & { params?: S3Config } };
    try {
      doc = JSON.parse(readFileSync(summary, 'utf8'));
    } catch (err) {
      throw dataError(summary, 'the file', `cannot be read as JSON (${(err as Error).message})`, 'give the --json file the S3 run wrote');
    }
    const raw = doc.config?.params ?? doc.config;
    if (!raw || typeof raw !== 'object' || !('conditions' in raw)) throw dataError(summary, 'the file', 'holds no S3 settings (config)', 'give the --json file the S3 run wrote, or drop --summary');
    const config = makeS3Config(raw as Partial<S3Config>);
    validateS3Config(config);
    if (config.rounds !== rounds) throw dataError(summary, 'config.rounds', `is ${config.rounds} but the CSVs hold rounds 0…${rounds}`, 'give the --json file of the same run');
    return config;
  }
  const names = [...new Set(seeds.flatMap((s) => s.tables.map((t) => t.name)))];
  const conditions = names.map((n) => {
    const c = conditionFromName(n);
    if (!c) throw configError('--summary', `is needed: condition '${n}' is not one the preset names`, "give the run's --json file (--summary RUN.json) so its settings are known");
    return c;
  });
  return makeS3Config({ rounds, conditions });
}

/** A replicate --out folder: settings from --summary or the names, network and population rebuilt from the first seed. */
function fromFolder(dir: string, v: { summary?: string; seed?: string; network?: string }): { inputs: ReplayInputs; seeds: S3RecordedSeed[]; label: string } {
  const seeds = findTables(dir);
  const config = settings(v.summary, seeds);
  const n = seeds[0].tables[0].n;
  const baseSeed = v.seed !== undefined ? Number(v.seed) : seeds[0].seed;
  if (!Number.isInteger(baseSeed) || baseSeed < 0) throw configError('--seed', `is '${v.seed}'`, "use the run's first seed, a whole number ≥ 0");
  const network: FollowNetwork = v.network ? readNetworkFile(v.network) : generateTwitterNetwork({ n, seed: baseSeed });
  const population = s3Population(network, loadCensus(), config, baseSeed);
  return { inputs: { config, network, personas: population.personas, source: dir }, seeds, label: `run folder ${basename(dir.replace(/\/+$/, ''))}` };
}

/** A run bundle (the app's "Export run bundle"): it carries settings, network, population and rounds. */
function fromBundleFile(file: string, v: { summary?: string; seed?: string; network?: string }): { inputs: ReplayInputs; seeds: S3RecordedSeed[]; label: string } {
  for (const flag of ['summary', 'seed', 'network'] as const) {
    if (v[flag] !== undefined) throw configError(`--${flag}`, 'does not apply to a run bundle', `drop --${flag}: the bundle carries the run's settings, network and population`);
  }
  const text = readFileSync(file, 'utf8');
  let format: unknown;
  try {
    format = (JSON.parse(text) as { format?: unknown }).format;
  } catch (err) {
    throw dataError(file, 'the file', `is not JSON (${(err as Error).message})`, 'give an S3 run folder (replicate --out) or a run bundle exported from the app');
  }
  if (format !== BUNDLE_FORMAT) {
    throw configError('--from', `names ${file}, which is not a run bundle`, 'give the run folder written with --out or a bundle exported from the app (a replicate --json summary holds no per-user records; pass it as --summary)');
  }
  return s3FitSource(decodeBundle(text, file), file);
}

export async function mainFitS3(argv: string[]): Promise<void> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        preset: { type: 'string' }, from: { type: 'string' }, out: { type: 'string' }, summary: { type: 'string' }, network: { type: 'string' },
        seed: { type: 'string' }, 'no-goodness': { type: 'boolean' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    throw configError('command line', `is not understood (${(err as Error).message})`, 'see `npm run fit -- --preset s3 --help`');
  }
  if (v.help) {
    process.stdout.write(`${FIT_S3_USAGE}\n`);
    return;
  }
  const say = (line: string) => v.quiet || process.stderr.write(`${line}\n`);
  if (!v.from) throw configError('--from', 'is missing', "give the S3 run's folder (replicate --out) or its bundle; see `npm run fit -- --preset s3 --help`");
  if (!existsSync(v.from)) throw configError('--from', `names ${v.from}, which does not exist`, 'give the folder written by `npm run replicate -- --preset s3 --out DIR`');
  if (v.network && !existsSync(v.network)) throw configError('--network', `names ${v.network}, which does not exist`, 'give the edge list the run used');
  const started = Date.now();
  const { inputs, seeds, label } = statSync(v.from).isDirectory() ? fromFolder(v.from, v) : fromBundleFile(v.from, v);
  say(`fit: ${seeds.length} seed(s) × ${seeds[0].tables.length} condition(s), ${inputs.network.n} users, rounds 0…${inputs.config.rounds} read; replaying and fitting…`);
  const fitted = fitS3Agents(inputs, seeds);
  fitted.source.label = label;
  if (!v['no-goodness']) {
    say('fit: simulating the fitted and the hand-set agents on the same network and seeds…');
    fitted.goodness = await goodnessOfFit(fitted, inputs, seeds, { handSet: true });
  }
  process.stdout.write(formatS3Fit(fitted) + '\n');
  if (v.out) {
    writeFileSync(v.out, JSON.stringify(fitted, null, 1) + '\n');
    process.stdout.write(`Fitted S3 agents written to ${v.out} (use: npm run replicate -- --preset s3 --agents-kind fitted --agents-file ${v.out})\n`);
  }
  say(`fit: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Whether a fit command line asks for the S3 preset. */
export function isS3Fit(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--preset=s3' || (a === '--preset' && argv[i + 1] === 's3'));
}
