/**
 * `npm run estimate -- --panel DIR|--sociopol DIR|--run BUNDLE [--design 0,0.2,0.5,0.8 --stages 1,11,21,31]
 * [--contrast social|info] [--no-cmp] [--q 0.5] [--draws 1000] [--json FILE]`: which TTE estimator recovers the truth?
 * Runs DM, HT, basic CMP, cross-validated CMP and (when the follower graph is known) the exposure-mapping estimators
 * on every seed, prints bias and RMSE per estimator, and writes per-round trajectories as JSON. Bad input prints one
 * line naming the problem and the fix.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type SimConfig } from '../engine/config';
import { publishedConfig } from '../analysis/design';
import { loadPublished } from '../analysis/load-published';
import { contrastsOfSeeds, designFromSchedule } from '../analysis/tte/from-seeds';
import { seedsFromBundle } from '../analysis/tte/from-bundle';
import { loadCausalmp } from '../analysis/tte/load-causalmp';
import type { StageDesign } from '../analysis/tte/panel';
import type { TteRun } from '../analysis/tte/run';
import { formatTestbed, runTestbed } from '../analysis/tte/testbed';
import { DEFAULT_EXPOSURE } from '../analysis/tte/exposure';
import { decodeBundle } from '../storage/bundle';
import type { SeedData } from '../analysis/types';

const USAGE = 'usage: npm run estimate -- --panel DIR|--sociopol DIR|--run BUNDLE [--design 0,0.2,0.5,0.8 --stages 1,11,21,31] [--contrast social|info] [--no-cmp] [--q 0.5] [--draws 1000] [--json FILE]';

class UsageError extends Error {}

interface Args {
  source: { kind: 'panel' | 'sociopol' | 'run'; path: string };
  design?: number[];
  stages?: number[];
  contrast: string;
  cmp: boolean;
  q: number;
  draws: number;
  json?: string;
}

function numbers(flag: string, text: string): number[] {
  const out = text.split(',').map((s) => Number(s.trim()));
  if (!text.trim() || out.some((x) => !Number.isFinite(x))) throw new UsageError(`estimate: ${flag} '${text}' is not a comma-separated list of numbers (e.g. ${flag === '--design' ? '0,0.2,0.5,0.8' : '1,11,21,31'})`);
  return out;
}

function parseArgs(argv: string[]): Args {
  const sources: Args['source'][] = [];
  const a: Partial<Args> = { contrast: 'social', cmp: true, q: DEFAULT_EXPOSURE.q, draws: DEFAULT_EXPOSURE.draws };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`estimate: ${flag} needs a value; ${USAGE}`);
      return v;
    };
    if (flag === '--panel' || flag === '--sociopol' || flag === '--run') sources.push({ kind: flag.slice(2) as Args['source']['kind'], path: value() });
    else if (flag === '--design') a.design = numbers(flag, value());
    else if (flag === '--stages') a.stages = numbers(flag, value());
    else if (flag === '--contrast') a.contrast = value();
    else if (flag === '--no-cmp') a.cmp = false;
    else if (flag === '--q') a.q = numbers(flag, value())[0];
    else if (flag === '--draws') a.draws = numbers(flag, value())[0];
    else if (flag === '--json') a.json = value();
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new UsageError(`estimate: unknown argument '${flag}'; ${USAGE}`);
  }
  if (sources.length !== 1) throw new UsageError(`estimate: give exactly one of --panel DIR, --sociopol DIR or --run BUNDLE (got ${sources.length}); ${USAGE}`);
  if ((a.design === undefined) !== (a.stages === undefined)) throw new UsageError('estimate: --design and --stages go together (one stage start per probability, the last one = T), e.g. --design 0,0.1,0.2,0.5 --stages 1,3,5,7');
  if (!(a.q! >= 0 && a.q! <= 1)) throw new UsageError(`estimate: --q ${a.q} must lie in 0–1 (the share of followed accounts treated for "all treated" exposure)`);
  if (!(Number.isInteger(a.draws) && a.draws! >= 1000)) throw new UsageError(`estimate: --draws ${a.draws} must be a whole number ≥ 1000 (Monte-Carlo draws of the design)`);
  return { ...(a as Args), source: sources[0] };
}

function fromSeeds(seeds: SeedData[], args: Args, config: SimConfig): { runs: TteRun[]; design: StageDesign; label: string } {
  const all = contrastsOfSeeds(seeds, config);
  const chosen = all.find((c) => c.contrast.message === args.contrast);
  if (!chosen) {
    throw new UsageError(`estimate: no '${args.contrast}' roll-out in ${args.source.path} (found: ${all.map((c) => c.contrast.message).join(', ') || 'none'}); pass --contrast ${all[0]?.contrast.message ?? 'social'}`);
  }
  const spec = config.conditions.find((c) => c.name === chosen.contrast.rollout);
  const firstRound = chosen.runs[0].rounds[0];
  const design = args.design ? { probabilities: args.design, stages: args.stages! } : designFromSchedule(spec!.schedule, config.periodEnds, firstRound);
  return { runs: chosen.runs, design, label: `${args.source.path} (${chosen.contrast.rollout} vs truth ${chosen.contrast.allTreated} − ${chosen.contrast.noneTreated})` };
}

function main(): void {
  try {
    const args = parseArgs(process.argv.slice(2));
    const { kind, path } = args.source;
    let job: { runs: TteRun[]; design: StageDesign; label: string };
    if (kind === 'panel') {
      if (!args.design) throw new UsageError('estimate: --panel needs the design that assigned the roll-out: --design and --stages (e.g. --design 0,0.1,0.2,0.5 --stages 1,3,5,7)');
      job = { runs: loadCausalmp(path), design: { probabilities: args.design, stages: args.stages! }, label: path };
    } else if (kind === 'sociopol') {
      job = fromSeeds(loadPublished(path), args, publishedConfig());
    } else {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        throw new UsageError(`estimate: could not read --run ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass a run bundle exported with "Export run bundle"`);
      }
      const bundle = decodeBundle(text, path);
      job = fromSeeds(seedsFromBundle(bundle), args, bundle.run.config);
    }
    const res = runTestbed(job.runs, job.label, { design: job.design, cmp: args.cmp ? undefined : null, exposure: { q: args.q, draws: args.draws } },
      (done, total) => process.stderr.write(`estimated ${done}/${total} run(s)\r${done === total ? '\n' : ''}`));
    process.stdout.write(formatTestbed(res));
    if (args.json) {
      try {
        writeFileSync(args.json, JSON.stringify(res, null, 2) + '\n');
      } catch (err) {
        throw new UsageError(`estimate: could not write --json ${args.json} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose a writable path in an existing folder`);
      }
      process.stdout.write(`Estimates written to ${args.json}\n`);
    }
  } catch (err) {
    const e = err as Error;
    const msg = e instanceof UsageError || ['DataError', 'ConfigError', 'BundleError'].includes(e.name) ? e.message : `estimate failed: ${e.message}`;
    process.stderr.write(`${msg.split('\n')[0]}\n`);
    process.exit(1);
  }
}

main();
