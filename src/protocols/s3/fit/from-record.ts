/**
 * A stored S3 run as the fit's source: a run bundle (exported from the app, or any run of the generic engine) carries
 * the settings, the network, the population and every round, so nothing has to be rebuilt or guessed — the replay only
 * confirms it. The same reader serves the CLI (`--from BUNDLE.json`) and a worker holding a run's rounds.
 */
import { dataError } from '../../../engine/errors';
import { buildNetwork } from '../../../engine/network';
import { conditionViews, RunRecord } from '../../../engine/record';
import type { ConditionView } from '../../../engine/protocol';
import type { Persona } from '../../../population/types';
import type { RunBundle } from '../../../storage/bundle';
import { s3Params, s3Protocol } from '../protocol';
import { fitS3Agents, formatS3Fit, goodnessOfFit } from './fit';
import type { S3FittedAgents } from './fitted-port';
import type { ReplayInputs, S3RecordedSeed, S3StateTable } from './replay';

/** One condition's state table from the generic record's view, cut to the rounds recorded (0…lastRound). */
export function tableOfView(view: ConditionView): S3StateTable {
  const n = view.agents.length;
  const R = view.rounds.length;
  const keep = (view.lastRound ?? R - 1) + 1;
  const cut = <T extends Int8Array | Uint8Array>(m: ArrayLike<number>, make: (len: number) => T): T => {
    const out = make(n * keep);
    for (let a = 0; a < n; a++) for (let r = 0; r < keep; r++) out[a * keep + r] = m[a * R + r];
    return out;
  };
  return {
    name: view.name,
    n,
    emotion: cut(view.column('emotion'), (l) => new Int8Array(l)),
    attitude: cut(view.column('attitude'), (l) => new Int8Array(l)),
    action: cut(view.column('action'), (l) => new Uint8Array(l)),
  };
}

/** The fit's inputs and recorded seeds from a run bundle; a bundle of another protocol names the right command. */
export function s3FitSource(bundle: RunBundle, source: string): { inputs: ReplayInputs; seeds: S3RecordedSeed[]; label: string } {
  const cfg = bundle.run.config;
  if (cfg.protocol !== 's3') {
    throw dataError(source, 'the run', `is a ${cfg.protocol ?? 'sociopol'} run, not S3`, 'fit its agents with `npm run fit -- --run BUNDLE.json`, or give the bundle of an S3 run');
  }
  if (bundle.seeds.length === 0 || bundle.seeds.every((s) => s.rounds.length === 0)) throw dataError(source, 'the run', 'has no recorded rounds', 'export the bundle after the run has played some rounds');
  const config = s3Params(cfg);
  const net = bundle.network;
  const network = buildNetwork(net.n, net.src, net.dst);
  // One population per run, drawn from its first seed (every seed carries it).
  const personas = bundle.seeds[0].personas as Persona[];
  const names = cfg.conditions.map((c) => c.name);
  const seeds = bundle.seeds.filter((s) => s.rounds.length > 0).map((s) => {
    const record = new RunRecord(net.n, cfg.firstRound, cfg.lastRound, names, s3Protocol.columns);
    const invalid = new Map<string, Map<number, Set<number>>>();
    for (const rec of s.rounds) {
      record.addRound(rec);
      if (rec.invalidAgents.length === 0) continue;
      const byRound = invalid.get(rec.condition) ?? new Map<number, Set<number>>();
      invalid.set(rec.condition, byRound);
      byRound.set(rec.round, new Set(rec.invalidAgents));
    }
    const tables = conditionViews(record, cfg, personas, s.seed).map((v) => ({ ...tableOfView(v), invalidAnswers: invalid.get(v.name) ?? new Map() }));
    return { seed: s.seed, tables: tables.filter((t) => t.emotion.length > 0) };
  });
  return { inputs: { config, network, personas, source }, seeds, label: `run “${bundle.run.name || source}”` };
}

export interface S3RunFit {
  agents: S3FittedAgents;
  /** The estimates and the curve fit as `npm run fit -- --preset s3` prints them. */
  text: string;
}

/** Fit S3 agents to a stored run and measure them against it (the app's "Fit agents from this run" for S3). */
export async function fitS3Run(bundle: RunBundle, source = `run “${bundle.run.name}”`): Promise<S3RunFit> {
  const { inputs, seeds, label } = s3FitSource(bundle, source);
  const agents = fitS3Agents(inputs, seeds);
  agents.source.label = label;
  agents.goodness = await goodnessOfFit(agents, inputs, seeds, { handSet: true });
  return { agents, text: formatS3Fit(agents) };
}
