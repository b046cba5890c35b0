/**
 * `npm run fit -- --sociopol DIR | --run BUNDLE.json [--out agents.json] [--report report.json] [--agents N]
 * [--seeds S] [--no-holdout] [--no-rules]`: fits SocioPol agents by maximum likelihood to decision data (the published
 * runs, or a stored LLM run exported as a bundle), prints the fit report (held-out log-likelihood against the rules,
 * transition matrices, trajectories, cohorts, targets) and writes the fitted agents for `replicate --agents-file`.
 * The bundled default agents are made by `npm run fit:bundled`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { SeedData } from '../analysis/types';
import { publishedConfig } from '../analysis/design';
import { loadPublished } from '../analysis/load-published';
import { OfflinePort } from '../protocols/sociopol/offline/rules-port';
import { makeConfig } from '../protocols/sociopol/defaults';
import { configError, dataError, isSpilloverError } from '../engine/errors';
import { generateTwitterNetwork } from '../engine/network-generator';
import { generatePopulation } from '../population';
import { decodeBundle } from '../storage/bundle';
import { fromBundle, fromSeedData, type FitSeed } from '../protocols/sociopol/fitted/features';
import { fitAgents } from '../protocols/sociopol/fitted/fit';
import { seedDataOf } from '../protocols/sociopol/fitted/fit-run';
import { FittedPort } from '../protocols/sociopol/fitted/fitted-port';
import { heldOutScores } from '../protocols/sociopol/fitted/holdout';
import { buildReport, formatReport } from '../protocols/sociopol/fitted/report';
import { rollout } from '../protocols/sociopol/fitted/simulate';
import { surrogateStats } from '../protocols/sociopol/fitted/stats';
import { isS3Fit, mainFitS3 } from './fit-s3';
import { loadCensus } from './load-data';

const USAGE = `usage: npm run fit -- (--sociopol DIR | --run BUNDLE.json) [--out agents.json] [--report report.json]
       [--agents N] [--seeds S] [--no-holdout] [--no-rules] [--quiet]
   or: npm run fit -- --preset s3 --from RUN_DIR … (S3 agents; see --preset s3 --help)`;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function readJsonFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw dataError(path, 'the file', `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'check the path of the run bundle (exported with "Export run bundle")');
  }
}

/** The decision data and, for a stored run, its own tables as the analysis reads them. */
function loadSource(v: { sociopol?: string; run?: string }): { seeds: FitSeed[]; data: SeedData[]; kind: 'published' | 'run'; label: string; notes: string[] } {
  if (v.sociopol) {
    const data = loadPublished(v.sociopol);
    return { seeds: fromSeedData(data, publishedConfig()), data, kind: 'published', label: basename(v.sociopol.replace(/\/+$/, '')), notes: [] };
  }
  const bundle = decodeBundle(readJsonFile(v.run as string), v.run);
  if (bundle.run.agentsKind !== 'llm') log(`fit: ${v.run} was run with ${bundle.run.agentsKind} agents, not LLM agents; fitting anyway`);
  const { seeds, notes } = fromBundle(bundle);
  return { seeds, data: seedDataOf(seeds), kind: 'run', label: `run “${bundle.run.name || basename(v.run as string)}”`, notes };
}

async function main(): Promise<void> {
  if (isS3Fit(process.argv.slice(2))) return mainFitS3(process.argv.slice(2));
  const { values: v } = parseArgs({
    args: process.argv.slice(2),
    options: {
      sociopol: { type: 'string' },
      run: { type: 'string' },
      out: { type: 'string' },
      report: { type: 'string' },
      agents: { type: 'string' },
      seeds: { type: 'string' },
      'no-holdout': { type: 'boolean' },
      'no-rules': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!v.sociopol === !v.run) throw configError('--sociopol / --run', 'name no source or both', `give exactly one; ${USAGE}`);
  const whole = (flag: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const x = Number(raw);
    if (!Number.isInteger(x) || x < 1) throw configError(`--${flag}`, `is '${raw}'`, 'use a whole number ≥ 1');
    return x;
  };
  const agents = whole('agents', v.agents, 2000);
  const nSeeds = whole('seeds', v.seeds, 5);
  const quiet = v.quiet ?? false;
  const started = Date.now();
  const src = loadSource(v);
  for (const n of src.notes) log(`note: ${n}`);
  if (!quiet) log(`fit: ${src.seeds.length} seed(s) read from ${src.label} in ${((Date.now() - started) / 1000).toFixed(1)} s; fitting…`);
  const fitted = fitAgents(src.seeds, { kind: src.kind, label: src.label });
  if (v.out) writeFileSync(v.out, JSON.stringify(fitted, null, 1) + '\n');
  const heldOut = v['no-holdout'] ? [] : heldOutScores(src.seeds, {}, (label) => quiet || log(`fit: held-out ${label} scored`));
  const config = makeConfig({ agents });
  const network = generateTwitterNetwork({ n: agents, seed: 1 });
  const personas = generatePopulation({ n: agents, minorShare: config.minorShare, census: loadCensus(), network, seed: 1 });
  const seeds = Array.from({ length: nSeeds }, (_, k) => 1 + k);
  const onSeed = (who: string) => (seed: number) => quiet || log(`fit: rolled out ${who} agents, seed ${seed}`);
  const fittedRuns = await rollout({ config, personas, network, seeds, port: new FittedPort(fitted) }, onSeed('fitted'));
  const rulesRuns = v['no-rules'] ? null : await rollout({ config, personas, network, seeds, port: new OfflinePort() }, onSeed('rule'));
  const report = buildReport(fitted, surrogateStats(src.data), heldOut, surrogateStats(fittedRuns), rulesRuns && surrogateStats(rulesRuns), { agents, seeds: nSeeds });
  if (v.report) writeFileSync(v.report, JSON.stringify(report, null, 1) + '\n');
  process.stdout.write(formatReport(report) + '\n');
  if (v.out) process.stdout.write(`Fitted agents written to ${v.out} (use: npm run replicate -- --agents-file ${v.out})\n`);
  if (!quiet) log(`fit: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: Error) => {
  const msg = isSpilloverError(err) || err.name === 'TypeError' ? err.message : `fit failed: ${err.message}`;
  process.stderr.write(`${msg.split('\n')[0]}\n`);
  process.exit(1);
});

