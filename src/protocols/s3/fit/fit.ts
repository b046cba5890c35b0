/**
 * Fits S3 agents to a recorded run and measures the fit: replay the run for its decisions, estimate the models'
 * parameters (estimate.ts), then simulate the fitted agents on the same network, population, settings and seeds and
 * compare their curves with the run's using S3's own measures (MSED and Pearson, measures.ts) — next to the hand-set
 * offline agents' curves, so the report says whether fitting helped.
 */
import type { Ideology } from '../../../population/types';
import { runS3Seed } from '../assemble';
import { createS3OfflinePort } from '../offline';
import { msed, pearson } from '../measures';
import type { S3OutcomeColumn, S3OutcomeRow } from '../outcomes';
import type { S3Port } from '../types';
import { transitionMatrix } from '../emotion';
import { estimateAll, INTENSITY_BINS, type Estimate, type S3Observation } from './estimate';
import { createS3FittedPort, S3_FITTED_FORMAT, type S3FittedAgents } from './fitted-port';
import { lastRound, replaySeed, tableOutcomes, type ReplayInputs, type S3RecordedSeed, type S3StateTable } from './replay';

/** Fit the agents; `goodness` stays null until `goodnessOfFit` fills it. */
export function fitS3Agents(inputs: ReplayInputs, seeds: readonly S3RecordedSeed[]): S3FittedAgents {
  const obs: S3Observation[] = [];
  for (const s of seeds) for (const o of replaySeed(inputs, s)) obs.push(o);
  const tables = seeds.flatMap((s) => s.tables);
  const known = tables.length > 0 && tables.every((t) => t.invalidAnswers !== undefined);
  const left = tables.reduce((n, t) => n + [...(t.invalidAnswers?.values() ?? [])].reduce((m, set) => m + set.size, 0), 0);
  const fitted = fitFromObservations(obs, {
    label: inputs.source,
    seeds: seeds.map((s) => s.seed),
    conditions: [...new Set(seeds.flatMap((s) => s.tables.map((t) => t.name)))],
    users: inputs.network.n,
    rounds: seeds.length ? lastRound(seeds[0].tables[0]) : 0,
  });
  fitted.details.invalidAnswers = known
    ? `${left} invalid answer(s) left out (the run kept those users as they were)`
    : 'not marked in CSVs: an invalid answer reads as keeping the state and doing nothing; fit from the run bundle to leave them out';
  return fitted;
}

export function fitFromObservations(obs: readonly S3Observation[], source: Omit<S3FittedAgents['source'], 'decisions'>): S3FittedAgents {
  const e = estimateAll(obs);
  const ip = e.attitude.initialPositive;
  const uncertainty: Record<string, Estimate> = {
    p: e.spread.p,
    postShare: e.spread.postShare,
    again: e.spread.again,
    arousal: e.emotion.arousal,
    decay: e.emotion.decay,
    flip: e.attitude.flip,
    consult: e.attitude.consult,
    'initialPositive.liberal': ip.liberal,
    'initialPositive.moderate': ip.moderate,
    'initialPositive.conservative': ip.conservative,
  };
  // An ideology nobody of which became aware keeps an even chance (stated in the details, not invented from others).
  const init = (k: Ideology) => (ip[k].n > 0 ? ip[k].estimate : 0.5);
  // A matrix row never observed takes the fitted chain's row at the bin's middle intensity (listed in the details).
  const a = e.emotion.arousal.estimate;
  const d = e.emotion.decay.estimate;
  const fromChain: string[] = [];
  const emotion = e.emotion.matrices.shares.map((bin, b) => bin.map((row, from) => {
    if (row) return row;
    fromChain.push(`${INTENSITY_BINS[b]}, from ${['calm', 'moderate', 'intense'][from]}`);
    return transitionMatrix(a * [0, 0.25, 0.75][b], d)[from];
  }));
  return {
    format: S3_FITTED_FORMAT,
    version: 1,
    protocol: 's3',
    source: { ...source, decisions: obs.length },
    params: {
      p: e.spread.p.estimate,
      postShare: e.spread.postShare.estimate,
      again: e.spread.again.estimate,
      emotion,
      flip: e.attitude.flip.estimate,
      consult: e.attitude.consult.estimate,
      initialPositive: { liberal: init('liberal'), moderate: init('moderate'), conservative: init('conservative') },
    },
    uncertainty,
    details: {
      estimator: 'maximum likelihood; standard errors from the observed information (binomial for shares)',
      spread: { model: 'independent cascade, 1 − (1 − p)^arrivals per round until the user first spreads; afterwards again per round with new messages', logLik: e.spread.logLik },
      emotion: {
        model: 'transition matrices P(to | from) by the mean intensity heard (the agent uses these); the birth–death chain (up with arousal × intensity heard, else down with decay) fitted alongside',
        bins: INTENSITY_BINS, matrixCounts: e.emotion.matrices.counts, rowsFromChain: fromChain,
        chain: { logLik: e.emotion.logLik, transitions: e.emotion.transitions, twoLevelJumps: e.emotion.jumps, excludedRisesWithoutArousal: e.emotion.excluded },
      },
      attitude: { model: 'noisy lazy voter: switch with flip + consult × share of the other side heard', logLik: e.attitude.logLik, switchTable: e.attitude.table },
      initialAttitude: Object.fromEntries((['liberal', 'moderate', 'conservative'] as const).map((k) => [k, ip[k].n > 0 ? 'estimated' : 'no user of this ideology became aware: 0.5 assumed'])),
    },
    goodness: null,
  };
}

export const GOODNESS_MEASURES: readonly S3OutcomeColumn[] = ['aware', 'intensity', 'positive', 'calm', 'moderate', 'intense'];

export interface CurveFit {
  condition: string;
  measure: S3OutcomeColumn;
  /** MSED and Pearson of the seed-mean curves over rounds 0…R (Pearson null where a curve is constant). */
  fitted: { msed: number; cor: number | null };
  handSet: { msed: number; cor: number | null } | null;
}

export interface S3Goodness {
  seeds: number[];
  curves: CurveFit[];
  /** Seed-mean curves per condition: the source run's, the fitted agents', the hand-set agents'. */
  means: Array<{ condition: string; measure: S3OutcomeColumn; source: number[]; fitted: number[]; handSet: number[] | null }>;
}

function meanCurves(perSeed: S3OutcomeRow[][], measure: S3OutcomeColumn): number[] {
  const R = perSeed[0].length;
  return Array.from({ length: R }, (_, r) => perSeed.reduce((s, rows) => s + rows[r][measure], 0) / perSeed.length);
}

const cor = (a: number[], b: number[]) => {
  const c = pearson(a, b);
  return Number.isNaN(c) ? null : c;
};

/** Curves per condition of one seed run with a port. */
async function simulate(inputs: ReplayInputs, seed: number, port: S3Port): Promise<Map<string, S3OutcomeRow[]>> {
  const run = await runS3Seed({ config: inputs.config, seed, network: inputs.network, population: { personas: [...inputs.personas], roles: [], profiles: [] }, port });
  return new Map([...run.record.conditions].map(([name, t]) => [name, t.outcomes]));
}

/**
 * Simulate the fitted agents (and, with `handSet`, the configured offline agents) on the source's network,
 * population, settings and seeds; compare the seed-mean curves with the source's.
 */
export async function goodnessOfFit(fitted: S3FittedAgents, inputs: ReplayInputs, seeds: readonly S3RecordedSeed[], opts: { handSet?: boolean } = {}): Promise<S3Goodness> {
  const ideologies = inputs.personas.map((p) => p.ideology);
  const source = new Map<string, S3OutcomeRow[][]>();
  const fit = new Map<string, S3OutcomeRow[][]>();
  const hand = new Map<string, S3OutcomeRow[][]>();
  const push = (m: Map<string, S3OutcomeRow[][]>, k: string, rows: S3OutcomeRow[]) => m.set(k, [...(m.get(k) ?? []), rows]);
  for (const s of seeds) {
    for (const t of s.tables as S3StateTable[]) push(source, t.name, tableOutcomes(t));
    for (const [k, rows] of await simulate(inputs, s.seed, createS3FittedPort(fitted, s.seed, ideologies))) push(fit, k, rows);
    if (opts.handSet) for (const [k, rows] of await simulate(inputs, s.seed, createS3OfflinePort(inputs.config, s.seed))) push(hand, k, rows);
  }
  const curves: CurveFit[] = [];
  const means: S3Goodness['means'] = [];
  for (const [condition, rows] of source) {
    const f = fit.get(condition);
    if (!f) continue;
    const h = hand.get(condition);
    for (const measure of GOODNESS_MEASURES) {
      const src = meanCurves(rows, measure);
      const fc = meanCurves(f, measure);
      const hc = h ? meanCurves(h, measure) : null;
      curves.push({ condition, measure, fitted: { msed: msed(src, fc), cor: cor(src, fc) }, handSet: hc ? { msed: msed(src, hc), cor: cor(src, hc) } : null });
      means.push({ condition, measure, source: src, fitted: fc, handSet: hc });
    }
  }
  return { seeds: seeds.map((s) => s.seed), curves, means };
}

const f4 = (x: number | null) => (x === null ? '   —  ' : x.toFixed(4));

/** The fit as a terminal table: parameters with standard errors and counts, then the curve measures. */
export function formatS3Fit(f: S3FittedAgents): string {
  const lines = [`S3 agents fitted from ${f.source.label}: ${f.source.decisions} decisions, ${f.source.users} users, rounds 0…${f.source.rounds}, seeds ${f.source.seeds.join(', ')}, conditions ${f.source.conditions.join(', ')}`];
  lines.push('parameter                      estimate   std.err      n');
  for (const [k, e] of Object.entries(f.uncertainty)) lines.push(`${k.padEnd(30)} ${e.estimate.toFixed(4).padStart(8)}  ${(e.se === null ? '—' : e.se.toFixed(4)).padStart(8)} ${String(e.n).padStart(6)}`);
  const g = f.goodness as S3Goodness | null;
  if (g) {
    lines.push(`curves (seed means, rounds 0…${f.source.rounds}): fitted vs source${g.curves[0]?.handSet ? ' | hand-set vs source' : ''}`);
    lines.push('condition            measure     MSED      Cor    ' + (g.curves[0]?.handSet ? '|  MSED      Cor' : ''));
    for (const c of g.curves) {
      const hs = c.handSet ? `|  ${c.handSet.msed.toExponential(2)}  ${f4(c.handSet.cor)}` : '';
      lines.push(`${c.condition.padEnd(20)} ${c.measure.padEnd(10)} ${c.fitted.msed.toExponential(2)}  ${f4(c.fitted.cor)} ${hs}`);
    }
  }
  return lines.join('\n');
}
