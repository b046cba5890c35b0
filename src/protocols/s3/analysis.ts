/**
 * S3 analysis: the outcome curves per condition with seeds pooled (mean and 95 % interval over seeds per round), and
 * each intervention against the baseline at the last round with the generic analysis's Neyman difference in means,
 * pooled over seeds with its `poolEffects`. Per-user outcomes: aware (everyone), positive and intensity (the aware).
 */
import { neyman, poolEffects, Z95 } from '../../analysis/estimators';
import type { Effect } from '../../analysis/types';
import { S3_OUTCOME_COLUMNS, type S3OutcomeColumn } from './outcomes';
import type { S3ConditionTable } from './record';

export interface PooledCurve {
  condition: string;
  measure: S3OutcomeColumn;
  rounds: number[];
  mean: number[];
  /** 95 % interval over seeds (mean ± 1.96·sd/√S); equal to the mean with one seed. */
  lo: number[];
  hi: number[];
  seeds: number;
}

/** Mean curve and interval over seeds for every condition and measure. */
export function pooledCurves(runs: ReadonlyArray<ReadonlyMap<string, S3ConditionTable>>): PooledCurve[] {
  const out: PooledCurve[] = [];
  const names = runs.length ? [...runs[0].keys()] : [];
  for (const name of names) {
    const tables = runs.map((r) => r.get(name)).filter((t): t is S3ConditionTable => !!t);
    const R = Math.min(...tables.map((t) => t.outcomes.length));
    for (const measure of S3_OUTCOME_COLUMNS) {
      const curve: PooledCurve = { condition: name, measure, rounds: [], mean: [], lo: [], hi: [], seeds: tables.length };
      for (let i = 0; i < R; i++) {
        const xs = tables.map((t) => t.outcomes[i][measure]);
        const m = xs.reduce((s, x) => s + x, 0) / xs.length;
        const sd = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
        const half = Z95 * sd / Math.sqrt(xs.length);
        curve.rounds.push(tables[0].outcomes[i].round);
        curve.mean.push(m);
        curve.lo.push(m - half);
        curve.hi.push(m + half);
      }
      out.push(curve);
    }
  }
  return out;
}

export const S3_USER_OUTCOMES = ['aware', 'positive', 'intensity'] as const;
export type S3UserOutcome = (typeof S3_USER_OUTCOMES)[number];

/** One value per user at the round (NaN where it does not apply: attitude and emotion of the unaware). */
export function userOutcome(t: S3ConditionTable, outcome: S3UserOutcome, round = t.rounds[t.rounds.length - 1]): Float64Array {
  const R = t.emotion.length / t.n;
  const y = new Float64Array(t.n);
  for (let a = 0; a < t.n; a++) {
    const e = t.emotion[a * R + round];
    if (outcome === 'aware') y[a] = e >= 0 ? 1 : 0;
    else if (e < 0) y[a] = NaN;
    else y[a] = outcome === 'positive' ? t.attitude[a * R + round] : e / 2;
  }
  return y;
}

/** Every condition against `baseline` on each user outcome at the last round: per seed, then pooled. */
export function interventionEffects(runs: ReadonlyArray<{ seed: number; tables: ReadonlyMap<string, S3ConditionTable> }>, baseline = 'baseline'): Effect[] {
  const perSeed: Effect[] = [];
  for (const { seed, tables } of runs) {
    const base = tables.get(baseline);
    if (!base) continue;
    for (const [name, t] of tables) {
      if (name === baseline) continue;
      for (const outcome of S3_USER_OUTCOMES) {
        const e = neyman(userOutcome(t, outcome), userOutcome(base, outcome));
        if (!(e.n1 >= 2 && e.n0 >= 2) || !Number.isFinite(e.se)) continue;
        perSeed.push({
          treatment: name, baseline, outcome: `${outcome}_r${t.rounds[t.rounds.length - 1]}`, estimate: e.estimate, se: e.se,
          ci95: [e.estimate - Z95 * e.se, e.estimate + Z95 * e.se], nTreatment: e.n1, nBaseline: e.n0, seed: `seed_${seed}`, method: 'neyman',
        });
      }
    }
  }
  return [...perSeed, ...poolEffects(perSeed)];
}

/** A plain-text table of pooled curves (every `step` rounds) and effects, for the CLI. */
export function formatS3Summary(curves: PooledCurve[], effects: Effect[], step = 5): string {
  const lines: string[] = [];
  const conds = [...new Set(curves.map((c) => c.condition))];
  const pct = (x: number) => (100 * x).toFixed(1).padStart(6);
  for (const cond of conds) {
    const get = (m: S3OutcomeColumn) => curves.find((c) => c.condition === cond && c.measure === m)!;
    const aware = get('aware');
    lines.push(`${cond} (${aware.seeds} seed${aware.seeds > 1 ? 's' : ''} pooled): round, aware %, calm/moderate/intense % of aware, intensity, positive % of aware, posts, reposts`);
    for (let i = 0; i < aware.rounds.length; i++) {
      if (aware.rounds[i] % step !== 0 && i !== aware.rounds.length - 1) continue;
      lines.push(`  ${String(aware.rounds[i]).padStart(4)} ${pct(aware.mean[i])} ${pct(get('calm').mean[i])} ${pct(get('moderate').mean[i])} ${pct(get('intense').mean[i])} ${get('intensity').mean[i].toFixed(3).padStart(7)} ${pct(get('positive').mean[i])} ${get('posts').mean[i].toFixed(1).padStart(8)} ${get('reposts').mean[i].toFixed(1).padStart(8)}`);
    }
  }
  const pooled = effects.filter((e) => e.seed === 'pooled');
  if (pooled.length) {
    lines.push('intervention − baseline at the last round (Neyman, pooled over seeds): estimate [95% CI]');
    for (const e of pooled) lines.push(`  ${e.treatment.padEnd(18)} ${e.outcome.padEnd(14)} ${e.estimate >= 0 ? '+' : ''}${e.estimate.toFixed(4)} [${e.ci95[0].toFixed(4)}, ${e.ci95[1].toFixed(4)}]`);
  }
  return lines.join('\n');
}
