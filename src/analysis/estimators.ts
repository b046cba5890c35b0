/**
 * The causal estimators: per-round condition means, difference in means with Neyman standard errors, paired
 * differences over the agents that conditions share (common random numbers), and pooling over seeds. Which groups are
 * compared comes from the contrasts the protocol declares (`Protocol.contrasts`, evaluated by `seedEffects`): groups
 * are conditions, arms, treated/untreated rows, cohorts, exposure bins over the follower graph and close friends, never
 * found by condition names. Pure functions over SeedData, so the CLI and the app compute the same numbers.
 */
import { following } from '../engine/network';
import type { ContrastDecl, GroupRef, OutcomeDecl } from '../engine/protocol';
import type { AnalysisDesign } from './design';
import type { ConditionData, ConditionSummary, ContrastLabel, Effect, SeedData } from './types';

/** Normal 97.5 % quantile for 95 % intervals. */
export const Z95 = 1.959963984540054;

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
  const hit = carriedCache.get(cd.stated);
  if (hit) return hit;
  const n = cd.agentIds.length;
  const R = cd.rounds.length;
  const out = new Int8Array(n * R);
  for (let i = 0; i < n; i++) {
    let last = -1;
    for (let j = 0; j < R; j++) {
      const v = cd.stated[i * R + j];
      if (v >= 0) last = v;
      out[i * R + j] = last;
    }
  }
  carriedCache.set(cd.stated, out);
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
    else for (let j = 0; j < R; j++) if (cd.stated[i * R + j] >= 0) { out[i] = 1; break; }
  }
  return out;
}

export function lastRoundOf(cd: ConditionData): number {
  return cd.rounds[cd.rounds.length - 1];
}

/** The threshold of the first declared outcome that counts carried answers at or above one (SocioPol: likely, ≥ 3). */
export function shareThreshold(outcomes: readonly OutcomeDecl[]): number | undefined {
  for (const o of outcomes) if ('threshold' in o && o.threshold !== undefined) return o.threshold;
  return undefined;
}

/**
 * Per round, over adults with an answer so far: the mean carried-forward answer and the share at or above `threshold`
 * (none without one); turnout from the end-of-run answers.
 */
export function conditionSummary(cd: ConditionData, threshold: number | undefined): ConditionSummary {
  const n = cd.agentIds.length;
  const R = cd.rounds.length;
  const carried = carryForward(cd);
  const adult = adultMask(cd);
  const meanLikelihoodByRound: Record<string, number> = {};
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
      if (threshold !== undefined && v >= threshold) likely++;
    }
    if (cnt > 0) {
      meanLikelihoodByRound[String(cd.rounds[j])] = sum / cnt;
      if (threshold !== undefined) shareLikelyByRound[String(cd.rounds[j])] = likely / cnt;
    }
  }
  let adults = 0;
  for (let i = 0; i < n; i++) adults += adult[i];
  const out: ConditionSummary = { adults, meanLikelihoodByRound, shareLikelyByRound, turnout: turnoutOf(cd, adult) };
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
 * One declared outcome per row (NaN where undefined or not an adult):
 * - a column at the last round (`round: 'last'`, the seed's last round `lastRound`): each adult's last stated value
 *   carried forward to it, or 1/0 for value ≥ `threshold`;
 * - a column in a given round: the value stated in that round, only for agents who answered then (e.g. the first
 *   main round's answer isolates the immediate reaction to a first message before any spillover can build up);
 * - the end-of-run answer (NaN when unknown).
 */
export function outcomeVector(cd: ConditionData, outcome: OutcomeDecl, lastRound: number): Float64Array {
  const n = cd.agentIds.length;
  const R = cd.rounds.length;
  const out = new Float64Array(n).fill(NaN);
  if ('final' in outcome) {
    const adult = adultMask(cd);
    if (cd.votes) for (let i = 0; i < n; i++) if (adult[i] && cd.votes[i] >= 0) out[i] = cd.votes[i];
  } else if (outcome.round === 'last') {
    const j = cd.rounds.indexOf(lastRound);
    if (j < 0) return out;
    const adult = adultMask(cd);
    const carried = carryForward(cd);
    const t = outcome.threshold;
    for (let i = 0; i < n; i++) {
      const v = carried[i * R + j];
      if (!adult[i] || v < 0) continue;
      out[i] = t === undefined ? v : v >= t ? 1 : 0;
    }
  } else {
    const j = cd.rounds.indexOf(outcome.round);
    if (j < 0) return out;
    for (let i = 0; i < n; i++) {
      const v = cd.stated[i * R + j];
      if (v >= 0) out[i] = v;
    }
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
  const key = periodEnds.join(',');
  const hit = cohortCache.get(cd);
  if (hit?.key === key) return hit.value;
  const value = cohortsOf(cd, periodEnds);
  cohortCache.set(cd, { key, value });
  return value;
}

/**
 * Every estimate of a condition asks for its cohorts and exposure shares again (one per contrast and outcome): they
 * are computed once per condition (they never change once read, and the summary only reads them).
 */
const cohortCache = new WeakMap<ConditionData, { key: string; value: Int8Array | null }>();
const exposureCache = new WeakMap<ConditionData, { network: unknown; value: Float64Array | null }>();

function cohortsOf(cd: ConditionData, periodEnds: readonly number[]): Int8Array | null {
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
  const hit = exposureCache.get(cd);
  if (hit && hit.network === seed.network) return hit.value;
  const value = exposureSharesOf(cd, seed);
  exposureCache.set(cd, { network: seed.network, value });
  return value;
}

function exposureSharesOf(cd: ConditionData, seed: SeedData): Float64Array | null {
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

/** How an effect names a group: condition, then arm, treatment status, cohort, exposure bin, 'friends'. */
export function groupLabel(g: GroupRef): string {
  const parts = [g.condition];
  if (g.arm !== undefined) parts.push(g.arm);
  if (g.who === 'treated' || g.who === 'untreated') parts.push(g.who);
  if (g.who === 'cohort') parts.push(`cohort_p${g.period}`);
  if (g.exposure) parts.push(g.exposure.above === null ? `exposure_${g.exposure.upTo}` : `exposure_(${g.exposure.above},${g.exposure.upTo}]`);
  if (g.who === 'friends') parts.push('friends');
  return parts.join(':');
}

/** The rows of one group: the condition, the outcome per row, and which rows count (undefined = all). */
interface Rows {
  cd: ConditionData;
  y: Float64Array;
  mask?: Uint8Array;
}

/**
 * Every declared contrast of one seed, each by the estimators it names (default: Neyman and paired between two
 * conditions, Neyman within one). A group that cannot be formed (a condition missing from this seed, no treatment
 * table, an unusable per-round assignment, no network or close friends) leaves its contrasts out, with a note where
 * the data lack something the reader can supply.
 */
export function seedEffects(seed: SeedData, design: AnalysisDesign): { effects: Effect[]; notes: string[] } {
  const effects: Effect[] = [];
  const notes: string[] = [];
  const noted = new Set<string>();
  const note = (text: string) => {
    if (!noted.has(text)) notes.push(text), noted.add(text);
  };
  const s = seed.label;
  const byName = new Map(seed.conditions.map((c) => [c.name, c]));
  const outcomes = new Map(design.outcomes.map((o) => [o.id, o]));
  const last = Math.max(...seed.conditions.map(lastRoundOf));
  const yCache = new Map<string, Float64Array>();
  const y = (cd: ConditionData, o: OutcomeDecl) => {
    const key = `${cd.name}\u0000${o.id}`;
    let v = yCache.get(key);
    if (!v) yCache.set(key, (v = outcomeVector(cd, o, last)));
    return v;
  };
  const rowsOf = (g: GroupRef, o: OutcomeDecl): Rows | null => {
    const cd = byName.get(g.condition);
    if (!cd) {
      note(`${s}: no ${g.condition} condition, so its contrasts are left out`);
      return null;
    }
    let mask: Uint8Array | undefined;
    const and = (m: Uint8Array) => (mask = mask ? mask.map((x, i) => x & m[i]) : m);
    if (g.arm !== undefined) {
      const k = cd.arms ? cd.arms.names.indexOf(g.arm) : -1;
      if (k < 0) return null;
      and(Uint8Array.from((cd.arms as NonNullable<ConditionData['arms']>).byRow, (a) => (a === k ? 1 : 0)));
    }
    if (g.who === 'treated' || g.who === 'untreated' || g.who === 'cohort' || g.exposure) {
      const treated = treatedAtEnd(cd);
      if (!treated) {
        note(`${s}/${cd.name}: no treatment table, so no direct, cohort or spillover estimates`);
        return null;
      }
      if (g.who === 'treated') and(treated);
      if (g.who === 'untreated') and(treated.map((v) => 1 - v));
      if (g.who === 'cohort') {
        const coh = cohorts(cd, design.periodEnds);
        if (!coh) {
          note(`${s}/${cd.name}: per-round assignment unusable, so cohort estimates are skipped (final assignment still used)`);
          return null;
        }
        and(Uint8Array.from(coh, (c) => (c === (g.period ?? 0) - 1 ? 1 : 0)));
      }
      if (g.exposure) {
        const expo = exposureShares(cd, seed);
        if (!expo) return null;
        const { above, upTo } = g.exposure;
        and(Uint8Array.from(expo, (x) => (Number.isNaN(x) ? 0 : above === null ? (x === upTo ? 1 : 0) : x > above && x <= upTo ? 1 : 0)));
      }
    }
    const yo = y(cd, o);
    if (g.who !== 'friends') return { cd, y: yo, mask };
    return seed.closeFriends ? { cd, y: friendsMean(cd, yo, seed.closeFriends), mask } : null;
  };

  for (const c of design.contrasts) {
    const o = outcomes.get(c.outcome);
    if (!o) throw new Error(`analysis: contrast '${c.id}' names the outcome '${c.outcome}', which the protocol does not declare (declared: ${[...outcomes.keys()].join(', ')})`);
    const t = rowsOf(c.treatment, o);
    const b = rowsOf(c.baseline, o);
    if (!t || !b) continue;
    const methods = c.methods ?? (c.treatment.condition === c.baseline.condition ? ['neyman'] : ['neyman', 'paired']);
    const tl = groupLabel(c.treatment);
    const bl = groupLabel(c.baseline);
    for (const m of methods) {
      if (m === 'neyman') push(effects, effect(tl, bl, o.id, neyman(t.y, b.y, t.mask, b.mask), s, 'neyman'));
      else if (!b.mask) push(effects, effect(tl, bl, o.id, paired(t.cd, t.y, b.cd, b.y, t.mask), s, 'paired'));
    }
  }
  return { effects, notes };
}

function push(effects: Effect[], e: Effect | null): void {
  if (e) effects.push(e);
}

/** Per row, the mean outcome of its close friends among the condition's rows (NaN when none has one). */
function friendsMean(cd: ConditionData, yo: Float64Array, closeFriends: number[][]): Float64Array {
  const rows = rowIndex(cd);
  const out = new Float64Array(cd.agentIds.length).fill(NaN);
  for (let i = 0; i < cd.agentIds.length; i++) {
    let sum = 0;
    let k = 0;
    for (const f of closeFriends[cd.agentIds[i]] ?? []) {
      const j = rows.get(f);
      if (j === undefined || Number.isNaN(yo[j])) continue;
      sum += yo[j];
      k++;
    }
    if (k) out[i] = sum / k;
  }
  return out;
}

/** The contrasts a summary reports, with the labels its effects carry (for readers that pick a contrast by its meaning). */
export function contrastLabels(contrasts: readonly ContrastDecl[]): ContrastLabel[] {
  const seen = new Set<string>();
  const out: ContrastLabel[] = [];
  for (const c of contrasts) {
    const treatment = groupLabel(c.treatment);
    const baseline = groupLabel(c.baseline);
    const key = [treatment, baseline, c.outcome].join('\u0000');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...structuredClone(c), treatmentLabel: treatment, baselineLabel: baseline });
  }
  return out;
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
