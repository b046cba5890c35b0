/**
 * The statistics a fit is judged on, computed the same way from any seeds (published, or simulated with fitted or
 * rule agents): per-round means per condition, the social − control trajectory, share at each level, transition
 * matrices, activity, the spillover on untreated agents and the roll-out cohort effects.
 */
import { publishedDesign } from '../../../analysis/design';
import { summarize } from '../../../analysis/summary';
import type { SeedData } from '../../../analysis/types';

export interface SurrogateStats {
  seeds: number;
  /** condition → round → mean likelihood (means over seeds). */
  meanByRound: Record<string, Record<string, number>>;
  /** round → treatment_soc_message − control (means over seeds). */
  socialEffect: Record<string, number>;
  infoEffectLast: number;
  socialEffectLast: number;
  controlDrift: number;
  /** condition → share of adults at each level 0…4 in the last round. */
  shareByLevel: Record<string, number[]>;
  /** condition → 5 × 5 counts of previous → next per main-stage activation (summed over seeds). */
  transitions: Record<string, number[][]>;
  /** condition → main-stage activations per adult. */
  activity: Record<string, number>;
  /** experiment_soc_message untreated vs the same agents in control (paired, means over seeds). */
  spillover: number | null;
  /** Cohorts first treated in periods 1, 2, 3 vs the same agents in control. */
  cohorts: Array<number | null>;
}

const SOCIAL = 'treatment_soc_message';
const INFO = 'treatment_info_message';

export function surrogateStats(seeds: readonly SeedData[]): SurrogateStats {
  const summary = summarize([...seeds], 'stats', publishedDesign(seeds));
  const meanByRound: Record<string, Record<string, number>> = {};
  for (const [name, c] of Object.entries(summary.conditions)) meanByRound[name] = c.meanLikelihoodByRound;
  const control = meanByRound.control ?? {};
  const social = meanByRound[SOCIAL] ?? {};
  const socialEffect: Record<string, number> = {};
  for (const r of Object.keys(social)) if (Number(r) >= 0 && control[r] !== undefined) socialEffect[r] = social[r] - control[r];
  const rounds = Object.keys(control).map(Number);
  const last = String(Math.max(...rounds));
  const pooled = (treatment: string, outcome: string) =>
    summary.effects.find((e) => e.seed === 'pooled' && e.treatment === treatment && e.baseline === 'control' && e.outcome === outcome && e.method === 'paired')?.estimate ?? null;
  const shareByLevel: Record<string, number[]> = {};
  const transitions: Record<string, number[][]> = {};
  const activity: Record<string, number> = {};
  for (const seed of seeds) {
    for (const cd of seed.conditions) {
      const R = cd.rounds.length;
      const n = cd.agentIds.length;
      const share = (shareByLevel[cd.name] ??= [0, 0, 0, 0, 0]);
      const tm = (transitions[cd.name] ??= Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]));
      let acts = 0;
      for (let i = 0; i < n; i++) {
        let prev = -1;
        for (let j = 0; j < R; j++) {
          const v = cd.stated[i * R + j];
          if (v < 0) continue;
          if (cd.rounds[j] >= 1) {
            acts++;
            if (prev >= 0) tm[prev][v]++;
          }
          prev = v;
        }
        if (prev >= 0) share[prev] += 1 / seeds.length;
      }
      activity[cd.name] = (activity[cd.name] ?? 0) + acts / n / seeds.length;
    }
  }
  for (const name of Object.keys(shareByLevel)) {
    const total = shareByLevel[name].reduce((a, b) => a + b, 0);
    shareByLevel[name] = shareByLevel[name].map((x) => x / total);
  }
  return {
    seeds: seeds.length,
    meanByRound,
    socialEffect,
    infoEffectLast: (meanByRound[INFO]?.[last] ?? NaN) - (control[last] ?? NaN),
    socialEffectLast: socialEffect[last] ?? NaN,
    controlDrift: (control[last] ?? NaN) - (control['0'] ?? NaN),
    shareByLevel,
    transitions,
    activity,
    spillover: pooled('experiment_soc_message:untreated', `likelihood_r${last}`),
    cohorts: [1, 2, 3].map((k) => pooled(`experiment_soc_message:cohort_p${k}`, `likelihood_r${last}`)),
  };
}

/** Row-normalised transition probabilities. */
export function rowProbs(m: number[][]): number[][] {
  return m.map((row) => {
    const t = row.reduce((a, b) => a + b, 0);
    return row.map((x) => (t ? x / t : 0));
  });
}

/** Total-variation distance between two transition matrices, rows weighted by the reference's row counts. */
export function weightedTv(reference: number[][], other: number[][]): number {
  const a = rowProbs(reference);
  const b = rowProbs(other);
  let total = 0;
  let tv = 0;
  reference.forEach((row, k) => {
    const w = row.reduce((s, x) => s + x, 0);
    if (!w) return;
    let d = 0;
    for (let j = 0; j < row.length; j++) d += Math.abs(a[k][j] - b[k][j]);
    tv += (w * d) / 2;
    total += w;
  });
  return total ? tv / total : 0;
}
