/**
 * Causal message passing with counterfactual evolution (Shirani, Luo, Overman, Xiong & Bayati, arXiv 2502.01106),
 * written after the CausalMP package's estimator: units sorted by exposure, random batches of neighbouring units,
 * population- and batch-level moments of outcomes and treatments as features, a ridge model of the next batch
 * moments, an optional semi-recursive detrending model, and cross-validation over time blocks. Batch moments are
 * computed once per (batch count, size) and reused across penalties, interaction terms, detrending and folds, which
 * is what the package gets from reseeding every batch draw with one fixed seed.
 */
import { Rng } from '../../engine/rng';
import { configError } from '../../engine/errors';
import { normalEquations, predictLinear, solveRidge, type LinearFit, type NormalEquations } from './linalg';
import type { Panel } from './panel';
import { blocksFromStages, describeConfig, enumerateConfigs, type CmpConfig, type CmpOptions, type DetrendConfig } from './cmp-config';

const MOMENT_EPS = 1e-8;

/** Moment m (0 mean, 1 variance, 2 skewness, 3 kurtosis) from raw moments r1…r4; the mean is shifted by `shift`. */
function moment(m: number, r1: number, r2: number, r3: number, r4: number, shift: number): number {
  if (m === 0) return r1 - shift;
  const v = r2 - r1 * r1;
  if (m === 1) return v;
  if (m === 2) return v > MOMENT_EPS ? (r3 - 3 * r1 * v - r1 * r1 * r1) / Math.pow(v, 1.5) : 0;
  return (r4 - 4 * r1 * r3 + 6 * r1 * r1 * r2 - 3 * r1 ** 4) / Math.max(v * v, MOMENT_EPS);
}

/** Moment m of a 0/1 variable with mean p (all its raw moments equal p). */
function binaryMoment(m: number, p: number): number {
  return moment(m, p, p, p, p, 0);
}

/** Raw moments E[Y^k] (k = 1…order) and the treated share of each group of units, per time step: groups × t. */
interface GroupStats {
  groups: number;
  raw: Float64Array[];
  w: Float64Array;
}

/** Units sorted by exposure (most treated first, stable), with the panel copied in that order. */
interface Context {
  n: number;
  t: number;
  y: Float64Array;
  w: Uint8Array;
  order: number;
  pop: GroupStats;
  batches: Map<string, GroupStats>;
  seed: number;
  prefix?: Prefix;
}

function sortedContext(p: Panel, order: number, seed: number): Context {
  const { n, t } = p;
  const exposure = new Int32Array(n);
  for (let i = 0; i < n; i++) for (let s = 0; s < t; s++) exposure[i] += p.w[i * t + s];
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => exposure[b] - exposure[a] || a - b);
  const y = new Float64Array(n * t);
  const w = new Uint8Array(n * t);
  idx.forEach((src, dst) => {
    y.set(p.y.subarray(src * t, src * t + t), dst * t);
    w.set(p.w.subarray(src * t, src * t + t), dst * t);
  });
  const ctx: Context = { n, t, y, w, order, pop: { groups: 1, raw: [], w: new Float64Array(0) }, batches: new Map(), seed };
  ctx.pop = groupStats(ctx, 1, (_g, _k, _d, counts) => wholeRange(0, n, counts));
  return ctx;
}

/** Raw-moment and treatment prefix sums over sorted rows: row q of `y[k]` sums Y^(k+1) over rows before q. */
interface Prefix {
  y: Float64Array[];
  w: Float64Array;
}

function prefixSums(ctx: Context): Prefix {
  const { n, t, y, w, order } = ctx;
  const py = Array.from({ length: order }, () => new Float64Array((n + 1) * t));
  const pw = new Float64Array((n + 1) * t);
  for (let i = 0; i < n; i++) {
    const a = i * t;
    const b = a + t;
    for (let s = 0; s < t; s++) {
      const v = y[a + s];
      let pv = v;
      for (let m = 0; m < order; m++) {
        py[m][b + s] = py[m][a + s] + pv;
        pv *= v;
      }
      pw[b + s] = pw[a + s] + w[a + s];
    }
  }
  return { y: py, w: pw };
}

/**
 * One group's sums: start from the contiguous `ranges` (via prefix sums) and subtract `dropped` rows, or, when fewer
 * rows are kept than dropped, add the `kept` rows directly. Either way the loop touches min(kept, dropped) rows.
 */
function accumulate(ctx: Context, pre: Prefix, ranges: number[], kept: Int32Array, nKept: number, dropped: Int32Array, nDropped: number, acc: Float64Array, accW: Float64Array): void {
  const { t, y, w, order } = ctx;
  acc.fill(0);
  accW.fill(0);
  let list = kept;
  let count = nKept;
  let sign = 1;
  if (nDropped < nKept) {
    for (let r = 0; r < ranges.length; r += 2) {
      const a = ranges[r] * t;
      const b = ranges[r + 1] * t;
      for (let s = 0; s < t; s++) {
        for (let m = 0; m < order; m++) acc[m * t + s] += pre.y[m][b + s] - pre.y[m][a + s];
        accW[s] += pre.w[b + s] - pre.w[a + s];
      }
    }
    list = dropped;
    count = nDropped;
    sign = -1;
  }
  if (order === 1 && sign > 0) {
    for (let k = 0; k < count; k++) {
      const base = list[k] * t;
      for (let s = 0; s < t; s++) {
        acc[s] += y[base + s];
        accW[s] += w[base + s];
      }
    }
  } else if (order === 1) {
    for (let k = 0; k < count; k++) {
      const base = list[k] * t;
      for (let s = 0; s < t; s++) {
        acc[s] -= y[base + s];
        accW[s] -= w[base + s];
      }
    }
  } else {
    for (let k = 0; k < count; k++) {
      const base = list[k] * t;
      for (let s = 0; s < t; s++) {
        const v = y[base + s];
        let pv = sign * v;
        for (let m = 0; m < order; m++) {
          acc[m * t + s] += pv;
          pv *= v;
        }
        accW[s] += sign * w[base + s];
      }
    }
  }
}

/**
 * Stats of groups of sorted rows. `draw(g, kept, dropped)` fills group g's contiguous candidate ranges (start, end
 * pairs, returned) and splits the candidates into kept and dropped rows, returning their counts in `counts`.
 */
function groupStats(ctx: Context, groups: number, draw: (g: number, kept: Int32Array, dropped: Int32Array, counts: Int32Array) => number[]): GroupStats {
  const { n, t, order } = ctx;
  ctx.prefix ??= prefixSums(ctx);
  const raw = Array.from({ length: order }, () => new Float64Array(groups * t));
  const ws = new Float64Array(groups * t);
  const kept = new Int32Array(n);
  const dropped = new Int32Array(n);
  const counts = new Int32Array(2);
  const acc = new Float64Array(order * t);
  const accW = new Float64Array(t);
  for (let g = 0; g < groups; g++) {
    const ranges = draw(g, kept, dropped, counts);
    accumulate(ctx, ctx.prefix, ranges, kept, counts[0], dropped, counts[1], acc, accW);
    const inv = 1 / Math.max(counts[0], 1);
    const o = g * t;
    for (let s = 0; s < t; s++) {
      for (let m = 0; m < order; m++) raw[m][o + s] = acc[m * t + s] * inv;
      ws[o + s] = accW[s] * inv;
    }
  }
  return { groups, raw, w: ws };
}

/** A group of the contiguous rows [from, to). */
function wholeRange(from: number, to: number, counts: Int32Array): number[] {
  counts[0] = to - from;
  counts[1] = 0;
  return [from, to];
}

/**
 * The package's random batches over sorted positions: batch b joins a systematic block starting at
 * ⌊b·(N − size)/(B − 1)⌋ and a uniformly placed block, both `size` long, and keeps each unit of the union with
 * probability size/|union| (a Binomial count of uniformly chosen units; at least one). Cached per (count, size).
 */
function batchStats(ctx: Context, nBatch: number, size: number): GroupStats {
  const key = `${nBatch}:${size}`;
  const hit = ctx.batches.get(key);
  if (hit) return hit;
  const { n } = ctx;
  const rng = Rng.derive(ctx.seed, 'cmp-batches', nBatch, size);
  const span = n - size;
  const stats = groupStats(ctx, nBatch, (b, kept, dropped, counts) => {
    const s1 = nBatch === 1 ? 0 : Math.floor(b * (span / (nBatch - 1)));
    const s2 = rng.int(span + 1);
    const lo = Math.min(s1, s2);
    const hi = Math.max(s1, s2);
    // The union is [lo, lo+size) ∪ [hi, hi+size), merged when they overlap.
    const overlap = hi < lo + size;
    const len = overlap ? hi + size - lo : 2 * size;
    // next() < p ⇔ nextUint32() < p · 2^32: the same decisions without a division per candidate.
    const threshold = (size / len) * 4294967296;
    const ranges = overlap ? [lo, hi + size] : [lo, lo + size, hi, hi + size];
    let nk = 0;
    let nd = 0;
    for (let r = 0; r < ranges.length; r += 2) {
      for (let pos = ranges[r]; pos < ranges[r + 1]; pos++) {
        if (rng.nextUint32() < threshold) kept[nk++] = pos;
        else dropped[nd++] = pos;
      }
    }
    if (nk === 0) {
      // At least one unit, as the package guarantees: keep one drawn uniformly from the union.
      const j = rng.int(len);
      kept[0] = overlap ? lo + j : j < size ? lo + j : hi + j - size;
      counts[0] = 1;
      counts[1] = n;
      return [];
    }
    counts[0] = nk;
    counts[1] = nd;
    return ranges;
  });
  ctx.batches.set(key, stats);
  return stats;
}

function momentOf(g: GroupStats, m: number, idx: number, shift: number): number {
  const r = g.raw;
  return moment(m, r[0][idx], r.length > 1 ? r[1][idx] : 0, r.length > 2 ? r[2][idx] : 0, r.length > 3 ? r[3][idx] : 0, shift);
}

function featureCount(c: CmpConfig): number {
  const ip = c.interactionP ? Math.min(c.interactionP, c.orderPY) : 0;
  const iu = c.interactionU ? Math.min(c.interactionU, c.orderUY) : 0;
  return (c.orderPY + c.orderUY) * c.nLagsY + (c.orderPW + c.orderUW) * c.nLagsW + ip + iu;
}

/**
 * Fill one feature vector in the package's order: population Y moments × lags, population W moments × lags, batch Y
 * moments × lags, batch W moments × lags, then the population and batch interaction terms (Y moment m at the last
 * time step × the treated share at the predicted one). `py(m, l)`: Y moment m, l steps before the last one;
 * `pw(m, l)`: W moment m, l steps before the predicted one; `uy`, `uw` the same for the batch.
 */
function fillFeatures(c: CmpConfig, x: Float64Array, py: (m: number, l: number) => number, pw: (m: number, l: number) => number,
  uy: (m: number, l: number) => number, uw: (m: number, l: number) => number): void {
  let j = 0;
  for (let m = 0; m < c.orderPY; m++) for (let l = 0; l < c.nLagsY; l++) x[j++] = py(m, l);
  const tOff = j;
  for (let m = 0; m < c.orderPW; m++) for (let l = 0; l < c.nLagsW; l++) x[j++] = pw(m, l);
  const bOff = j;
  for (let m = 0; m < c.orderUY; m++) for (let l = 0; l < c.nLagsY; l++) x[j++] = uy(m, l);
  const btOff = j;
  for (let m = 0; m < c.orderUW; m++) for (let l = 0; l < c.nLagsW; l++) x[j++] = uw(m, l);
  if (c.interactionP) for (let m = 0; m < Math.min(c.interactionP, c.orderPY); m++) x[j++] = x[m * c.nLagsY] * x[tOff];
  if (c.interactionU) for (let m = 0; m < Math.min(c.interactionU, c.orderUY); m++) x[j++] = x[bOff + m * c.nLagsY] * x[btOff];
}

/** Normal equations of one CFE model on training ranges of the (detrended) sorted panel. */
function trainEquations(ctx: Context, c: CmpConfig, trend: Float64Array, ranges: Array<[number, number]>): NormalEquations {
  const { t } = ctx;
  const B = batchStats(ctx, c.nBatch, c.batchSize);
  const pop = ctx.pop;
  const maxLag = Math.max(c.nLagsY, c.nLagsW);
  const k = featureCount(c);
  const q = Math.max(c.orderPY, c.orderUY);
  let rows = 0;
  for (const [a, b] of ranges) {
    if (b - a <= maxLag) throw configError('cmp.timeBlocks', `leave a training range ${a}–${b} of ${b - a} time steps`, `each training range needs more than ${maxLag} time steps; use fewer or longer validation blocks`);
    rows += (b - a - maxLag) * c.nBatch;
  }
  const X = new Float64Array(rows * k);
  const Y = new Float64Array(rows * q);
  const x = new Float64Array(k);
  let r = 0;
  for (const [a, b] of ranges) {
    for (let s = a + maxLag; s < b; s++) {
      for (let g = 0; g < c.nBatch; g++) {
        const o = g * t;
        fillFeatures(c, x,
          (m, l) => momentOf(pop, m, s - 1 - l, trend[s - 1 - l]),
          (m, l) => binaryMoment(m, pop.w[s - l]),
          (m, l) => momentOf(B, m, o + s - 1 - l, trend[s - 1 - l]),
          (m, l) => binaryMoment(m, B.w[o + s - l]));
        X.set(x, r * k);
        for (let m = 0; m < q; m++) Y[r * q + m] = momentOf(B, m, o + s, trend[s]);
        r++;
      }
    }
  }
  return normalEquations(X, Y, rows, k, q);
}

/** Per-group initial Y moments (before the first predicted step) and W moments (all steps). */
interface Start {
  y: (m: number, tau: number) => number;
  w: (m: number, tau: number) => number;
}

/**
 * Roll a fitted model forward: positions 0…pre−1 hold known moments, then each step predicts the next population
 * and group moments. Population moments of order ≥ orderPY (and treatment moments ≥ orderPW) stay 0, as in the
 * package. Returns each group's mean path (length pre + steps).
 */
function rollForward(fit: LinearFit, c: CmpConfig, pre: number, steps: number, pop: Start, groups: Start[]): Float64Array[] {
  const len = pre + steps;
  const qY = Math.max(c.orderPY, c.orderUY);
  const popY = Array.from({ length: qY }, () => new Float64Array(len));
  for (let m = 0; m < c.orderPY; m++) for (let tau = 0; tau < pre; tau++) popY[m][tau] = pop.y(m, tau);
  const popW = (m: number, tau: number) => (m < c.orderPW ? pop.w(m, tau) : 0);
  const k = featureCount(c);
  const x = new Float64Array(k);
  for (let tau = pre - 1; tau < len - 1; tau++) {
    fillFeatures(c, x, (m, l) => popY[m][tau - l], (m, l) => popW(m, tau - l + 1), (m, l) => popY[m][tau - l], (m, l) => popW(m, tau - l + 1));
    for (let m = 0; m < c.orderPY; m++) popY[m][tau + 1] = predictLinear(fit, m, x);
  }
  return groups.map((g) => {
    const gy = Array.from({ length: qY }, () => new Float64Array(len));
    for (let m = 0; m < c.orderUY; m++) for (let tau = 0; tau < pre; tau++) gy[m][tau] = g.y(m, tau);
    for (let tau = pre - 1; tau < len - 1; tau++) {
      fillFeatures(c, x, (m, l) => popY[m][tau - l], (m, l) => popW(m, tau - l + 1), (m, l) => gy[m][tau - l], (m, l) => (m < c.orderUW ? g.w(m, tau - l + 1) : 0));
      for (let m = 0; m < c.orderUY; m++) gy[m][tau + 1] = predictLinear(fit, m, x);
    }
    return gy[0];
  });
}

/**
 * The semi-recursive detrending model: regress batch means on lagged population and batch means, the treated
 * shares and (optionally) their interactions, then roll the "none treated" path forward from the observed start.
 * The batch interaction multiplies the batch lag by the last feature added before it, as the package does (the
 * batch treated share, or the population interaction when that is on).
 */
function detrendPath(ctx: Context, d: DetrendConfig): Float64Array {
  const { t } = ctx;
  const L = d.nLagsY;
  if (t <= L) throw configError('cmp.detrend.nLagsY', `is ${L} but the panel has ${t} time steps`, 'use fewer detrending lags');
  const B = batchStats(ctx, d.nBatch, d.batchSize);
  const nu = ctx.pop.raw[0];
  const pi = ctx.pop.w;
  const ip = Boolean(d.interactionP);
  const iu = Boolean(d.interactionU);
  const k = 2 * L + 2 + (ip ? 1 : 0) + (iu ? 1 : 0);
  const rows = (t - L) * d.nBatch;
  const X = new Float64Array(rows * k);
  const Y = new Float64Array(rows);
  let r = 0;
  for (let s = L; s < t; s++) {
    for (let g = 0; g < d.nBatch; g++) {
      const o = g * t;
      let j = r * k;
      for (let l = 1; l <= L; l++) X[j++] = nu[s - l];
      X[j++] = pi[s];
      for (let l = 1; l <= L; l++) X[j++] = B.raw[0][o + s - l];
      X[j++] = B.w[o + s];
      if (ip) X[j++] = nu[s - 1] * pi[s];
      if (iu) X[j] = B.raw[0][o + s - 1] * X[j - 1];
      Y[r] = B.raw[0][o + s];
      r++;
    }
  }
  const coef = solveRidge(normalEquations(X, Y, rows, k, 1), d.ridgeAlpha).coef;
  const est = new Float64Array(t);
  for (let s = 0; s < L; s++) est[s] = nu[s];
  for (let s = L - 1; s < t - 1; s++) {
    let v = nu[s + 1];
    let j = 0;
    for (let l = 0; l < L; l++) v += coef[j++] * (est[s - l] - nu[s - l]);
    v += coef[j++] * (0 - pi[s + 1]);
    for (let l = 0; l < L; l++) v += coef[j++] * (est[s - l] - nu[s - l]);
    v += coef[j++] * (0 - pi[s + 1]);
    if (ip) v += coef[j++] * (0 * est[s] - pi[s + 1] * nu[s]);
    if (iu) v += coef[j] * (0 * est[s] - pi[s + 1] * nu[s]);
    est[s + 1] = v;
  }
  return est;
}

/** Everything of a configuration but its penalty: configurations with equal keys share normal equations. */
function shapeKey(c: CmpConfig): string {
  return [c.nLagsY, c.nLagsW, c.orderPY, c.orderUY, c.orderPW, c.orderUW, c.interactionP, c.interactionU, c.nBatch, c.batchSize].join(',');
}

export interface CmpResult {
  /** Estimated TTE per time step (treated path − control path). */
  tte: Float64Array;
  treated: Float64Array;
  control: Float64Array;
  config: CmpConfig;
  detrend: DetrendConfig | null;
  /** The chosen configuration in words. */
  description: string;
  /** Validation RMSE of the chosen configuration. */
  score: number;
  configsTried: number;
}

/**
 * CMP with counterfactual evolution, model chosen by cross-validation over time blocks. `desired` gives the treated
 * share per time step of the two counterfactuals (time steps before the model's pre-period use the observed share).
 * Assumes the population's outcome moments evolve by one time-invariant map of lagged moments and treated shares
 * (the same for every batch), that batches of units sorted by exposure span enough treatment variation to learn it,
 * and that W is binary. Randomness: the batches, from `opts.seed`.
 */
export function cmpEstimate(p: Panel, desired: { treated: ArrayLike<number>; control: ArrayLike<number> }, stages: readonly number[], opts: CmpOptions): CmpResult {
  const groups = enumerateConfigs(opts, p.n);
  const order = Math.max(1, ...groups.flatMap((g) => g.configs.map((c) => Math.max(c.orderPY, c.orderUY))));
  const ctx = sortedContext(p, order, opts.seed);
  const { n, t } = ctx;
  const minLen = 1 + Math.max(...groups.flatMap((g) => g.configs.map((c) => Math.max(c.nLagsY, c.nLagsW))));
  const blocks = opts.timeBlocks ?? blocksFromStages(stages, t, minLen);
  for (const [a, b] of blocks) {
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b <= t && a < b)) {
      throw configError('cmp.timeBlocks', `holds (${a}, ${b})`, `blocks must satisfy 0 ≤ start < end ≤ ${t}`);
    }
  }
  const nv = Math.max(1, Math.min(opts.validationBatches, n));
  const part = Math.floor(n / nv);
  const val = groupStats(ctx, nv, (g, _k, _d, counts) => wholeRange(g * part, g === nv - 1 ? n : (g + 1) * part, counts));
  const zero = new Float64Array(t);
  const trends = new Map<DetrendConfig | null, Float64Array>();
  const equations = new Map<string, NormalEquations>();
  let best: { score: number; config: CmpConfig; detrend: DetrendConfig | null } | null = null;
  let tried = 0;
  for (const group of groups) {
    const trend = group.detrend ? detrendPath(ctx, group.detrend) : zero;
    trends.set(group.detrend, trend);
    const dkey = group.detrend ? JSON.stringify(group.detrend) : 'none';
    for (const c of group.configs) {
      tried++;
      const pre = Math.max(c.nLagsY, c.nLagsW - 1);
      const est = new Float64Array(nv * t);
      for (const [a, b] of blocks) {
        const ranges: Array<[number, number]> = a === 0 && b === t ? [[0, t]] : a === 0 ? [[b, t]] : b === t ? [[0, a]] : [[0, a], [b, t]];
        const t0 = a === 0 ? pre : a;
        if (t0 - pre < 0 || t0 >= b) throw configError('cmp.timeBlocks', `block (${a}, ${b}) leaves no step to predict after ${pre} lag step(s)`, 'use longer validation blocks');
        const key = `${dkey}|${shapeKey(c)}|${a},${b}`;
        let ne = equations.get(key);
        if (!ne) {
          ne = trainEquations(ctx, c, trend, ranges);
          equations.set(key, ne);
        }
        const fit = solveRidge(ne, c.ridgeAlpha);
        const origin = t0 - pre;
        const popStart: Start = { y: (m, tau) => momentOf(ctx.pop, m, origin + tau, trend[origin + tau]), w: (m, tau) => binaryMoment(m, ctx.pop.w[origin + tau]) };
        const starts: Start[] = Array.from({ length: nv }, (_, g) => ({
          y: (m, tau) => momentOf(val, m, g * t + origin + tau, trend[origin + tau]),
          w: (m, tau) => binaryMoment(m, val.w[g * t + origin + tau]),
        }));
        const paths = rollForward(fit, c, pre, b - t0, popStart, starts);
        const from = a === 0 ? 0 : pre;
        for (let g = 0; g < nv; g++) for (let j = from; j < paths[g].length; j++) est[g * t + origin + j] = paths[g][j];
      }
      let sq = 0;
      for (let g = 0; g < nv; g++) for (let s = 0; s < t; s++) {
        const d = val.raw[0][g * t + s] - (est[g * t + s] + trend[s]);
        sq += d * d;
      }
      const score = Math.sqrt(sq / (nv * t));
      if (!best || score < best.score) best = { score, config: c, detrend: group.detrend };
    }
  }
  if (!best) throw configError('cmp.grid', 'gave no configuration', 'give at least one value per grid field');
  const { config: c, detrend } = best;
  const trend = trends.get(detrend)!;
  const fit = solveRidge(trainEquations(ctx, c, trend, [[0, t]]), c.ridgeAlpha);
  const pre = Math.max(c.nLagsY, c.nLagsW - 1);
  const path = (share: ArrayLike<number>) => {
    const wOf = (m: number, tau: number) => binaryMoment(m, tau < pre ? ctx.pop.w[tau] : share[tau]);
    const popStart: Start = { y: (m, tau) => momentOf(ctx.pop, m, tau, trend[tau]), w: wOf };
    const out = rollForward(fit, c, pre, t - pre, popStart, [popStart])[0];
    return Float64Array.from(out, (v, s) => v + trend[s]);
  };
  const treated = path(desired.treated);
  const control = path(desired.control);
  return {
    tte: Float64Array.from(treated, (v, s) => v - control[s]),
    treated,
    control,
    config: c,
    detrend,
    description: describeConfig(c, detrend),
    score: best.score,
    configsTried: tried,
  };
}
