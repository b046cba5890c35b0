/**
 * The causal estimators of the mobilisation experiment: per-round condition means, difference in means with Neyman
 * standard errors, paired differences over the agents that conditions share (common random numbers), direct, cohort
 * and spillover contrasts inside the roll-out experiments, exposure bins over the follower graph, and pooling over
 * seeds. Pure functions over SeedData, so the CLI and the app compute the same numbers.
 */
import { DEFAULT_CONFIG } from '../protocols/sociopol/defaults';
import { following } from '../engine/network';
import type { ConditionData, ConditionSummary, Effect, SeedData } from './types';

/** Normal 97.5 % quantile for 95 % intervals. */
export const Z95 = 1.959963984540054;

export interface EstimatorOptions {
  /** Last round of each treatment period, for cohorts. @default [10, 20, 29, 30] */
  periodEnds?: readonly number[];
  /** Upper edges of the exposure bins after the bin 'exactly 0'. @default [0.25, 0.5, 1] */
  exposureEdges?: readonly number[];
}

export interface Estimate {
  estimate: number;
  se: number;
  n1: number;
  n0: number;
}

// ---------------------------------------------------------------- per-agent building blocks

const carriedCache = new WeakMap<Int8Array, Int8Array>();

/**
 * Each agent's last stated likelihood at each round (row-major agents × rounds; −1 before its first statement).
 * Assumes an agent's opinion persists between activations, as the published analysis does.
 */
export function carryForward(cd: ConditionData): Int8Array {
  const hit = carriedCache.get(cd.voting);
  if (hit) return hit;
  const n = cd.agentIds.length;
  const R = cd.rounds.length;
  const out = new Int8Array(n * R);
  for (let i = 0; i < n; i++) {
    let last = -1;
    for (let j = 0; j < R; j++) {
      const v = cd.voting[i * R + j];
      if (v >= 0) last = v;
      out[i * R + j] = last;
    }
  }
  carriedCache.set(cd.voting, out);
  return out;
}

/**
 * Adults: rows with at least one stated likelihood, or with a known election-day vote. Minors never state one, so
 * in the published files (adults only) every row counts.
 */
export function adultMask(cd: ConditionData): Uint8Array {
  const n = cd.agentIds.length;
  const R = cd.rounds.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (cd.votes && cd.votes[i] >= 0) out[i] = 1;
    else for (let j = 0; j < R; j++) if (cd.voting[i * R + j] >= 0) { out[i] = 1; break; }
  }
  return out;
}

export function lastRoundOf(cd: ConditionData): number {
  return cd.rounds[cd.rounds.length - 1];
}

/** Per-round mean of carried-forward likelihoods, share ≥ 3 (both over adults with a statement so far), turnout. */
export function conditionSummary(cd: ConditionData): ConditionSummary {
  const n = cd.agentIds.length;
  const R = cd.rounds.length;
  const carried = carryForward(cd);
  const adult = adultMask(cd);
  const meanIntentionByRound: Record<string, number> = {};
  const shareLikelyByRound: Record<string, number> = {};
  for (let j = 0; j < R; j++) {
    let sum = 0;
    let cnt = 0;
    let likely = 0;
    for (let i = 0; i < n; i++) {
      const v = carried[i * R + j];
      if (!adult[i] || v < 0) continue;
      sum += v;
      cnt++;
      if (v >= 3) likely++;
    }
    if (cnt > 0) {
      meanIntentionByRound[String(cd.rounds[j])] = sum / cnt;
      shareLikelyByRound[String(cd.rounds[j])] = likely / cnt;
    }
  }
  let adults = 0;
  for (let i = 0; i < n; i++) adults += adult[i];
  const out: ConditionSummary = { adults, meanIntentionByRound, shareLikelyByRound, turnout: turnoutOf(cd, adult) };
  if (cd.arms) {
    const arms = cd.arms;
    out.turnoutByArm = Object.fromEntries(arms.names.map((name, k) => [name, turnoutOf(cd, Uint8Array.from(adult, (x, i) => (x && arms.byRow[i] === k ? 1 : 0)))]));
  }
  return out;
}

function turnoutOf(cd: ConditionData, adult: Uint8Array): number | null {
  if (!cd.votes) return null;
  let voted = 0;
  let known = 0;
  for (let i = 0; i < adult.length; i++) {
    if (!adult[i] || cd.votes[i] < 0) continue;
    known++;
    voted += cd.votes[i];
  }
  return known > 0 ? voted / known : null;
}

/**
 * One outcome per row (NaN where undefined or not an adult):
 * - `likelihood_r<R>`: last stated likelihood carried forward to round R;
 * - `share_likely_r<R>`: 1 when that value is ≥ 3, else 0;
 * - `turnout`: the election-day vote 0/1 (NaN when unknown);
 * - `first_treated_answer`: the likelihood stated in the first main round (round 1), only for agents active then; it
 *   isolates the immediate reaction to the first message before any spillover can build up.
 */
export function outcomeVector(cd: ConditionData, outcome: string): Float64Array {
  const n = cd.agentIds.length;
  const R = cd.rounds.length;
  const out = new Float64Array(n).fill(NaN);
  const adult = adultMask(cd);
  let m: RegExpExecArray | null;
  if ((m = /^(likelihood|share_likely)_r(-?\d+)$/.exec(outcome))) {
    const j = cd.rounds.indexOf(Number(m[2]));
    if (j < 0) return out;
    const carried = carryForward(cd);
    for (let i = 0; i < n; i++) {
      const v = carried[i * R + j];
      if (!adult[i] || v < 0) continue;
      out[i] = m[1] === 'likelihood' ? v : v >= 3 ? 1 : 0;
    }
  } else if (outcome === 'turnout') {
    if (cd.votes) for (let i = 0; i < n; i++) if (adult[i] && cd.votes[i] >= 0) out[i] = cd.votes[i];
  } else if (outcome === 'first_treated_answer') {
    const j = cd.rounds.findIndex((r) => r >= 1);
    if (j < 0 || cd.rounds[j] !== 1) return out;
    for (let i = 0; i < n; i++) {
      const v = cd.voting[i * R + j];
      if (v >= 0) out[i] = v;
    }
  } else {
    throw new Error(`analysis: unknown outcome '${outcome}'; use likelihood_r<R>, share_likely_r<R>, turnout or first_treated_answer`);
  }
  return out;
}

/** Treatment 0/1 per row at the condition's last round (the final assignment); null without a treatment table. */
export function treatedAtEnd(cd: ConditionData): Uint8Array | null {
  if (!cd.treatment) return null;
  const R = cd.rounds.length;
  const out = new Uint8Array(cd.agentIds.length);
  for (let i = 0; i < out.length; i++) out[i] = cd.treatment[i * R + R - 1];
  return out;
}

/**
 * Cohort per row: the index k of the period in which the agent was first treated (0 = treated from round 1), −1 if
 * never treated. Uses the per-round treatment columns, so it needs a trustworthy roll-out (not treatmentFinalOnly).
 */
export function cohorts(cd: ConditionData, periodEnds: readonly number[]): Int8Array | null {
  if (!cd.treatment || cd.treatmentFinalOnly) return null;
  const R = cd.rounds.length;
  const out = new Int8Array(cd.agentIds.length).fill(-1);
  for (let i = 0; i < out.length; i++) {
    for (let j = 0; j < R; j++) {
      const r = cd.rounds[j];
      if (r < 1 || !cd.treatment[i * R + j]) continue;
      let k = periodEnds.findIndex((e) => r <= e);
      if (k < 0) k = periodEnds.length - 1;
      out[i] = k;
      break;
    }
  }
  return out;
}

/**
 * Share of the accounts each row's agent follows that are treated at the condition's last round (NaN for agents who
 * follow nobody, or whose id is not a node). Network node index = agent id; followed accounts that are not rows
 * (minors) count as untreated, as they can never be treated.
 */
export function exposureShares(cd: ConditionData, seed: SeedData): Float64Array | null {
  const net = seed.network;
  const treated = treatedAtEnd(cd);
  if (!net || !treated) return null;
  const rowOf = rowIndex(cd);
  const out = new Float64Array(cd.agentIds.length).fill(NaN);
  for (let i = 0; i < out.length; i++) {
    const a = cd.agentIds[i];
    if (a < 0 || a >= net.n) continue;
    const f = following(net, a);
    if (f.length === 0) continue;
    let t = 0;
    for (let k = 0; k < f.length; k++) {
      const row = rowOf.get(f[k]);
      if (row !== undefined) t += treated[row];
    }
    out[i] = t / f.length;
  }
  return out;
}

const rowIndexCache = new WeakMap<Int32Array, Map<number, number>>();
function rowIndex(cd: ConditionData): Map<number, number> {
  let m = rowIndexCache.get(cd.agentIds);
  if (!m) {
    m = new Map();
    for (let i = 0; i < cd.agentIds.length; i++) m.set(cd.agentIds[i], i);
    rowIndexCache.set(cd.agentIds, m);
  }
  return m;
}

// ---------------------------------------------------------------- estimators

function moments(y: Float64Array, mask?: ArrayLike<number>): { n: number; mean: number; variance: number } {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < y.length; i++) {
    if (mask && !mask[i]) continue;
    const v = y[i];
    if (Number.isNaN(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return { n, mean, variance: n > 1 ? m2 / (n - 1) : NaN };
}

/**
 * Difference in means ȳ₁ − ȳ₀ with the Neyman standard error sqrt(s₁²/n₁ + s₀²/n₀) (sample variances, n − 1).
 * Assumes the two groups are (as good as) randomly assigned and treats them as independent samples: with groups drawn
 * from one finite population the SE is conservative. NaN entries and rows outside a mask are left out.
 */
export function neyman(y1: Float64Array, y0: Float64Array, mask1?: ArrayLike<number>, mask0?: ArrayLike<number>): Estimate {
  const a = moments(y1, mask1);
  const b = moments(y0, mask0);
  return { estimate: a.mean - b.mean, se: Math.sqrt(a.variance / a.n + b.variance / b.n), n1: a.n, n0: b.n };
}

/**
 * Paired difference over the same agent ids in two conditions: mean of dᵢ = y₁ᵢ − y₀ᵢ with SE sd(d)/sqrt(n). Valid
 * because the conditions fork one warm-up and share agents, personas and network (common random numbers), so an
 * agent's outcome in the baseline is its own counterfactual up to the run's randomness; assumes those differences
 * are independent across agents (interference makes this approximate). n1 = n0 = number of pairs.
 */
export function paired(
  c1: ConditionData, y1: Float64Array, c0: ConditionData, y0: Float64Array, mask1?: ArrayLike<number>,
): Estimate {
  const rows0 = rowIndex(c0);
  const d: number[] = [];
  for (let i = 0; i < y1.length; i++) {
    if (mask1 && !mask1[i]) continue;
    const j = rows0.get(c1.agentIds[i]);
    if (j === undefined) continue;
    const x = y1[i] - y0[j];
    if (!Number.isNaN(x)) d.push(x);
  }
  const m = moments(Float64Array.from(d));
  return { estimate: m.mean, se: Math.sqrt(m.variance / m.n), n1: m.n, n0: m.n };
}

function effect(treatment: string, baseline: string, outcome: string, e: Estimate, seed: string, method: string): Effect | null {
  if (!(e.n1 >= 2 && e.n0 >= 2) || !Number.isFinite(e.estimate) || !Number.isFinite(e.se)) return null;
  return {
    treatment, baseline, outcome, estimate: e.estimate, se: e.se,
    ci95: [e.estimate - Z95 * e.se, e.estimate + Z95 * e.se],
    nTreatment: e.n1, nBaseline: e.n0, seed, method,
  };
}

function binLabel(lo: number | null, hi: number): string {
  return lo === null ? 'exposure_0' : `exposure_(${lo},${hi}]`;
}

/**
 * Every contrast of one seed. Conditions are matched by name: 'control', 'treatment_*' (everyone treated every
 * round) and 'experiment_*' (nested roll-out). Produces, for each outcome:
 * - full treatment vs control and social vs informational: Neyman (independent arms) and paired (same agents);
 * - in each experiment, treated vs untreated at the last round (direct effect net of the spillover the untreated also
 *   receive; valid because the final assignment u < p is random) and treated vs the same agents in control (paired);
 * - cohorts (first treated in period k) vs the experiment's untreated (Neyman) and vs control (paired);
 * - spillover: the experiment's untreated vs control, Neyman (untreated are a random subset, compared with all control
 *   adults) and paired (the same agents in control);
 * - with a network: untreated agents by share of followed accounts treated (bins 0, (0, .25], (.25, .5], (.5, 1]),
 *   paired against control (exposure is not randomised by itself: it depends on whom an agent follows, so bin
 *   differences mix exposure with the kind of agent who follows many treated accounts).
 */
export function seedEffects(seed: SeedData, options: EstimatorOptions = {}): { effects: Effect[]; notes: string[] } {
  const periodEnds = options.periodEnds ?? DEFAULT_CONFIG.periodEnds;
  const edges = options.exposureEdges ?? [0.25, 0.5, 1];
  const effects: Effect[] = [];
  const notes: string[] = [];
  const push = (e: Effect | null) => { if (e) effects.push(e); };
  const byName = new Map(seed.conditions.map((c) => [c.name, c]));
  const control = byName.get('control');
  if (!control) {
    notes.push(`${seed.seed}: no control condition, so no effects against control`);
  }
  const last = control ? lastRoundOf(control) : Math.max(...seed.conditions.map(lastRoundOf));
  const outcomes = [`likelihood_r${last}`, `share_likely_r${last}`];
  const hasVotes = seed.conditions.some((c) => c.votes);
  if (hasVotes) outcomes.push('turnout');
  const cache = new Map<string, Float64Array>();
  const y = (cd: ConditionData, o: string) => {
    const key = `${cd.name}\u0000${o}`;
    let v = cache.get(key);
    if (!v) cache.set(key, (v = outcomeVector(cd, o)));
    return v;
  };
  const full = seed.conditions.filter((c) => c.name.startsWith('treatment_'));
  const experiments = seed.conditions.filter((c) => c.name.startsWith('experiment_'));
  const s = seed.seed;

  if (control) {
    for (const t of full) {
      for (const o of [...outcomes, 'first_treated_answer']) {
        push(effect(t.name, 'control', o, neyman(y(t, o), y(control, o)), s, 'neyman'));
        push(effect(t.name, 'control', o, paired(t, y(t, o), control, y(control, o)), s, 'paired'));
      }
    }
  }
  const soc = byName.get('treatment_soc_message');
  const info = byName.get('treatment_info_message');
  if (soc && info) {
    for (const o of [...outcomes, 'first_treated_answer']) {
      push(effect(soc.name, info.name, o, neyman(y(soc, o), y(info, o)), s, 'neyman'));
      push(effect(soc.name, info.name, o, paired(soc, y(soc, o), info, y(info, o)), s, 'paired'));
    }
  }

  for (const ex of experiments) {
    const treated = treatedAtEnd(ex);
    if (!treated) {
      notes.push(`${s}/${ex.name}: no treatment table, so no direct, cohort or spillover estimates`);
      continue;
    }
    const untreated = treated.map((v) => 1 - v);
    const T = `${ex.name}:treated`;
    const U = `${ex.name}:untreated`;
    const coh = cohorts(ex, periodEnds);
    if (!coh) notes.push(`${s}/${ex.name}: per-round assignment unusable, so cohort estimates are skipped (final assignment still used)`);
    const expo = exposureShares(ex, seed);
    for (const o of outcomes) {
      const yx = y(ex, o);
      push(effect(T, U, o, neyman(yx, yx, treated, untreated), s, 'neyman'));
      if (control) {
        const yc = y(control, o);
        push(effect(T, 'control', o, paired(ex, yx, control, yc, treated), s, 'paired'));
        push(effect(U, 'control', o, neyman(yx, yc, untreated), s, 'neyman'));
        push(effect(U, 'control', o, paired(ex, yx, control, yc, untreated), s, 'paired'));
      }
      if (coh) {
        for (let k = 0; k < periodEnds.length; k++) {
          const mk = Uint8Array.from(coh, (c) => (c === k ? 1 : 0));
          const C = `${ex.name}:cohort_p${k + 1}`;
          push(effect(C, U, o, neyman(yx, yx, mk, untreated), s, 'neyman'));
          if (control) push(effect(C, 'control', o, paired(ex, yx, control, y(control, o), mk), s, 'paired'));
        }
      }
      if (expo && control) {
        let lo: number | null = null;
        for (const hi of [0, ...edges]) {
          const mk = new Uint8Array(expo.length);
          for (let i = 0; i < mk.length; i++) {
            const x = expo[i];
            if (!untreated[i] || Number.isNaN(x)) continue;
            mk[i] = lo === null ? (x === 0 ? 1 : 0) : x > lo && x <= hi ? 1 : 0;
          }
          push(effect(`${U}:${binLabel(lo, hi)}`, 'control', o, paired(ex, yx, control, y(control, o), mk), s, 'paired'));
          lo = hi;
        }
      }
    }
  }
  for (const cd of seed.conditions) if (cd.arms) armEffects(seed, cd, outcomes, s, push, notes);
  return { effects, notes };
}

/**
 * Contrasts of a condition that randomises its own adults into arms (the Bond 2012 design), for each outcome:
 * - each arm with a message vs the arm without one, and social vs informational: Neyman differences in means
 *   (assignment is random within the condition; arms share one world, so interference between arms is part of what
 *   is measured, as in Bond et al.);
 * - with close friends: the mean outcome of the close friends of egos in an arm vs that of the close friends of egos in
 *   the arm without a message (Bond's friend spillover: egos are randomised, friends are not, and a friend counts once
 *   per ego who names them; the SE treats egos as independent).
 */
function armEffects(seed: SeedData, cd: ConditionData, outcomes: string[], s: string, push: (e: Effect | null) => void, notes: string[]): void {
  const arms = cd.arms as NonNullable<ConditionData['arms']>;
  const base = arms.messages.indexOf('none');
  const social = arms.messages.indexOf('social');
  const info = arms.messages.indexOf('info');
  const mask = (k: number) => Uint8Array.from(arms.byRow, (a) => (a === k ? 1 : 0));
  const label = (k: number) => `${cd.name}:${arms.names[k]}`;
  const rows = rowIndex(cd);
  for (const o of outcomes) {
    const yo = outcomeVector(cd, o);
    if (base >= 0) {
      for (let k = 0; k < arms.names.length; k++) {
        if (k === base) continue;
        push(effect(label(k), label(base), o, neyman(yo, yo, mask(k), mask(base)), s, 'neyman'));
      }
    }
    if (social >= 0 && info >= 0) push(effect(label(social), label(info), o, neyman(yo, yo, mask(social), mask(info)), s, 'neyman'));
    if (seed.closeFriends && base >= 0) {
      const friendsMean = new Float64Array(cd.agentIds.length).fill(NaN);
      for (let i = 0; i < cd.agentIds.length; i++) {
        const friends = seed.closeFriends[cd.agentIds[i]] ?? [];
        let sum = 0;
        let k = 0;
        for (const f of friends) {
          const j = rows.get(f);
          if (j === undefined || Number.isNaN(yo[j])) continue;
          sum += yo[j];
          k++;
        }
        if (k) friendsMean[i] = sum / k;
      }
      for (let k = 0; k < arms.names.length; k++) {
        if (k === base) continue;
        push(effect(`${label(k)}:friends`, `${label(base)}:friends`, o, neyman(friendsMean, friendsMean, mask(k), mask(base)), s, 'neyman'));
      }
    }
  }
  if (base < 0) notes.push(`${s}/${cd.name}: no arm without a message, so arm effects have no baseline`);
}

/**
 * Pool one contrast over seeds: the estimate is the mean of the seed estimates; `se` = sqrt(mean of SE²)/sqrt(S),
 * the within-seed SEs combined as if the S seeds were independent replicates of equal size; `seBetweenSeeds` =
 * SD of the seed estimates / sqrt(S), the empirical spread (it also captures run-to-run variation such as LLM
 * sampling and assignment, but rests on few seeds). Both are reported; the 95 % interval uses `se`.
 */
export function poolEffects(effects: readonly Effect[]): Effect[] {
  const groups = new Map<string, Effect[]>();
  for (const e of effects) {
    if (e.seed === 'pooled') continue;
    const key = [e.treatment, e.baseline, e.outcome, e.method].join('\u0000');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(e);
  }
  const out: Effect[] = [];
  for (const g of groups.values()) {
    const S = g.length;
    const est = g.reduce((a, e) => a + e.estimate, 0) / S;
    const se = Math.sqrt(g.reduce((a, e) => a + e.se * e.se, 0) / S) / Math.sqrt(S);
    const sd = S > 1 ? Math.sqrt(g.reduce((a, e) => a + (e.estimate - est) ** 2, 0) / (S - 1)) : undefined;
    out.push({
      treatment: g[0].treatment, baseline: g[0].baseline, outcome: g[0].outcome,
      estimate: est, se, ci95: [est - Z95 * se, est + Z95 * se],
      nTreatment: Math.round(g.reduce((a, e) => a + e.nTreatment, 0) / S),
      nBaseline: Math.round(g.reduce((a, e) => a + e.nBaseline, 0) / S),
      seed: 'pooled', method: g[0].method, nSeeds: S, seedSd: sd, seWithinPooled: se,
      seBetweenSeeds: sd === undefined ? undefined : sd / Math.sqrt(S),
    });
  }
  return out;
}
