/**
 * Maximum-likelihood estimates of the S3 offline models' parameters from observed decisions (issue 12, "agents fitted
 * from a run"): the independent cascade's per-exposure chance p, the share of spreaders who post, the emotion chain's
 * arousal and decay, the attitude model's consulting chance (a lazy voter: with chance q adopt a randomly heard
 * attitude, else keep one's own; q = 1 is the voter model), and the initial attitude per ideology. Pure: plain numbers
 * in, estimates with standard errors (from the observed information) and counts out, so the tests can check them.
 */
import type { Ideology } from '../../../population/types';

/** One decision of one aware user in one round, as the fit reads it. */
export interface S3Observation {
  /** State at the start of the round and the answer. */
  fromEmotion: number;
  toEmotion: number;
  fromAttitude: number;
  toAttitude: number;
  /** True in the round the user became aware (its attitude answer is its initial attitude). */
  newlyAware: boolean;
  /** Whether the user had already passed the event on. */
  spread: boolean;
  /** Messages that reached the user this round (the cascade's exposures). */
  arrivals: number;
  /** Messages shown (the feed), their mean emotion level / 2 and their share positive. */
  feedSize: number;
  feedIntensity: number;
  feedPositive: number;
  /** 0 none, 1 post, 2 repost. */
  action: number;
  ideology: Ideology;
}

export interface Estimate {
  estimate: number;
  /** Standard error from the observed information (binomial for a share); null at a boundary where it is undefined. */
  se: number | null;
  /** Observations that informed it. */
  n: number;
}

const EPS = 1e-9;

/** Identical cases counted once with a weight: the likelihoods below are sums over few distinct cases. */
function grouped<T extends object>(cases: Iterable<T>, key: (c: T) => string): Array<T & { w: number }> {
  const m = new Map<string, T & { w: number }>();
  for (const c of cases) {
    const k = key(c);
    const g = m.get(k);
    if (g) g.w++;
    else m.set(k, { ...c, w: 1 });
  }
  return [...m.values()];
}

/**
 * Maximiser of a concave function on [lo, hi] from its derivative (bisection; 200 halvings reach machine precision).
 * Returns a bound when the derivative keeps its sign there.
 */
export function argmaxConcave(deriv: (x: number) => number, lo = EPS, hi = 1 - EPS): number {
  if (deriv(lo) <= 0) return lo;
  if (deriv(hi) >= 0) return hi;
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200 && b - a > 1e-15; i++) {
    const m = (a + b) / 2;
    if (deriv(m) > 0) a = m;
    else b = m;
  }
  return (a + b) / 2;
}

function seFromCurvature(d2: number, x: number): number | null {
  if (x <= 1e-6 || x >= 1 - 1e-6 || !(d2 < 0)) return null;
  return 1 / Math.sqrt(-d2);
}

/** A share with its binomial standard error. */
export function share(events: number, n: number): Estimate {
  if (n === 0) return { estimate: 0, se: null, n };
  const p = events / n;
  return { estimate: p, se: Math.sqrt((p * (1 - p)) / n), n };
}

/**
 * Independent cascade: a user who has not yet passed the event on and hears from k messages passes it on with
 * 1 − (1 − p)^k. Log-likelihood Σ y·log(1 − q^k) + (1 − y)·k·log q with q = 1 − p, concave in p.
 */
export function fitCascade(cases: ArrayLike<{ k: number; y: boolean }>): Estimate & { logLik: number } {
  const all = Array.from(cases).filter((c) => c.k > 0);
  const list = grouped(all, (c) => `${c.k}:${c.y}`);
  const d1 = (p: number) => {
    const q = 1 - p;
    let g = 0;
    for (const { k, y, w } of list) g += w * (y ? (k * q ** (k - 1)) / (1 - q ** k) : -k / q);
    return g;
  };
  const d2 = (p: number) => {
    const q = 1 - p;
    let h = 0;
    for (const { k, y, w } of list) {
      if (y) {
        const a = 1 - q ** k;
        h += w * ((-k * (k - 1) * q ** Math.max(0, k - 2)) / a - (k * q ** (k - 1)) ** 2 / (a * a));
      } else h += (w * -k) / (q * q);
    }
    return h;
  };
  if (list.length === 0) return { estimate: 0, se: null, n: 0, logLik: 0 };
  const p = argmaxConcave(d1);
  let ll = 0;
  for (const { k, y, w } of list) ll += w * (y ? Math.log(Math.max(EPS, 1 - (1 - p) ** k)) : k * Math.log(1 - p));
  return { estimate: p, se: seFromCurvature(d2(p), p), n: all.length, logLik: ll };
}

/** Emotion moves the chain can express: up one level, down one level, or stay. */
export interface EmotionCase {
  from: number;
  to: number;
  /** Mean level / 2 of the messages heard, in [0, 1]: the upward chance is arousal × this. */
  m: number;
}

/** Probability of one observed move under the chain (a two-level jump counts as a one-level move). */
export function emotionMoveProb(c: EmotionCase, arousal: number, decay: number): number {
  const up = arousal * c.m;
  const down = (1 - up) * decay;
  if (c.to > c.from) return up;
  if (c.to < c.from) return down;
  if (c.from === 0) return 1 - up;
  if (c.from === 1) return 1 - up - down;
  return 1 - down;
}

function emotionLogLik(cases: ReadonlyArray<EmotionCase & { w: number }>, a: number, d: number): number {
  let ll = 0;
  for (const c of cases) ll += c.w * Math.log(Math.max(1e-300, emotionMoveProb(c, a, d)));
  return ll;
}

/** Golden-section maximiser of a unimodal function on [lo, hi]. */
function goldenMax(f: (x: number) => number, lo: number, hi: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 80; i++) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const x = (a + b) / 2;
  // The ends are candidates too (the maximum may sit on a bound).
  return [lo, x, hi].reduce((best, y) => (f(y) > f(best) ? y : best), x);
}

export interface EmotionFit {
  arousal: Estimate;
  decay: Estimate;
  logLik: number;
  /** Observed moves: counts[from][to] over every decision (before any exclusion). */
  transitions: number[][];
  /** Two-level jumps (calm ↔ intense), counted as one-level moves in the likelihood. */
  jumps: number;
  /** Rises after hearing only calm messages: the chain gives them probability 0, so they are left out and counted. */
  excluded: number;
}

/**
 * The chain's arousal a and decay d by maximum likelihood: up with a·m, else down with d. The decay is profiled out
 * for each a (the log-likelihood is concave in d), then a is found by golden section; standard errors from the
 * numerical observed information (2 × 2, inverted).
 */
export function fitEmotion(observed: readonly EmotionCase[]): EmotionFit {
  const transitions = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  let jumps = 0;
  let excluded = 0;
  const kept: EmotionCase[] = [];
  for (const c of observed) {
    transitions[c.from][c.to]++;
    if (Math.abs(c.to - c.from) === 2) jumps++;
    if (c.to > c.from && c.m <= 0) {
      excluded++;
      continue;
    }
    kept.push({ from: c.from, to: Math.sign(c.to - c.from) + c.from, m: c.m });
  }
  const cases = grouped(kept, (c) => `${c.from}:${c.to}:${c.m}`);
  const nUp = kept.filter((c) => c.m > 0).length;
  const nDown = kept.filter((c) => c.from > 0).length;
  const bestDecay = (a: number) => argmaxConcave((d) => {
    let g = 0;
    for (const c of cases) {
      if (c.from === 0) continue;
      const r = 1 - a * c.m;
      if (c.to < c.from) g += c.w / d;
      else if (c.to === c.from) g += c.w * (c.from === 1 ? -1 / (1 - d) : -r / (1 - r * d));
    }
    return g;
  }, 0, 1);
  const a = nUp ? goldenMax((x) => emotionLogLik(cases, x, bestDecay(x)), 0, 1) : 0;
  const d = nDown ? bestDecay(a) : 0;
  const ll = emotionLogLik(cases, a, d);
  const se = hessianSe((x, y) => emotionLogLik(cases, x, y), a, d);
  return {
    arousal: { estimate: a, se: nUp ? se[0] : null, n: nUp },
    decay: { estimate: d, se: nDown ? se[1] : null, n: nDown },
    logLik: ll,
    transitions,
    jumps,
    excluded,
  };
}

/** Standard errors of a 2-parameter maximum from the inverse of the numerical observed information; null at a bound. */
function hessianSe(f: (x: number, y: number) => number, x: number, y: number): [number | null, number | null] {
  const inside = (v: number) => v > 1e-4 && v < 1 - 1e-4;
  const h = 1e-4;
  const hx = Math.min(h, x / 2, (1 - x) / 2) || h;
  const hy = Math.min(h, y / 2, (1 - y) / 2) || h;
  const f0 = f(x, y);
  const fxx = (f(x + hx, y) - 2 * f0 + f(x - hx, y)) / (hx * hx);
  const fyy = (f(x, y + hy) - 2 * f0 + f(x, y - hy)) / (hy * hy);
  const fxy = (f(x + hx, y + hy) - f(x + hx, y - hy) - f(x - hx, y + hy) + f(x - hx, y - hy)) / (4 * hx * hy);
  // Information I = −H; the variances are the diagonal of I⁻¹.
  const a = -fxx;
  const b = -fxy;
  const c = -fyy;
  const det = a * c - b * b;
  if (!(det > 0) || !(a > 0) || !(c > 0)) return [null, null];
  return [inside(x) ? Math.sqrt(c / det) : null, inside(y) ? Math.sqrt(a / det) : null];
}

export interface AttitudeCase {
  from: number;
  to: number;
  /** Share positive among the messages heard. */
  s: number;
}

/** Share of the other side among the messages heard. */
const otherShare = (c: AttitudeCase) => (c.from === 1 ? 1 - c.s : c.s);

/** P(to | from, s) under the noisy lazy voter: switch with flip + consult × (share of the other side heard). */
export function attitudeProb(c: AttitudeCase, flip: number, consult: number): number {
  const sw = flip + consult * otherShare(c);
  return c.to !== c.from ? sw : 1 - sw;
}

export interface AttitudeFit {
  /** Chance of switching whatever was heard (the noise of the noisy voter model). */
  flip: Estimate;
  /** Chance of adopting the attitude of one message heard (the voter step). */
  consult: Estimate;
  logLik: number;
  /** Observed and predicted switch rates by the share of the other side heard (fifths). */
  table: Array<{ otherShare: string; n: number; switches: number; predicted: number }>;
}

/**
 * The noisy lazy voter (the noisy voter model of Granovsky & Madras 1995, in discrete rounds, with a chance of not
 * consulting anyone): a user switches with flip + consult × o, o the share of the other side among the messages heard,
 * flip + consult ≤ 1. The log-likelihood is concave in (flip, consult) — each term is the log of a linear function — so
 * the profile over flip (golden section) of the best consult (bisection on [0, 1 − flip]) finds the maximum.
 * flip = 0, consult = 1 is the voter model; flip = consult = 0 keeps every attitude.
 */
export function fitAttitude(observed: readonly AttitudeCase[]): AttitudeFit {
  const cases = grouped(observed.map((c) => ({ from: c.from, to: c.to, s: c.s })), (c) => `${c.from}:${c.to}:${c.s}`);
  const ll = (f: number, q: number) => cases.reduce((t, c) => t + c.w * Math.log(Math.max(1e-300, attitudeProb(c, f, q))), 0);
  const bestConsult = (f: number) => argmaxConcave((q) => cases.reduce((g, c) => {
    const o = otherShare(c);
    if (o === 0) return g;
    return g + c.w * (c.to !== c.from ? o / Math.max(1e-300, f + q * o) : -o / Math.max(1e-300, 1 - f - q * o));
  }, 0), 0, 1 - f);
  const n = observed.length;
  const f = n ? goldenMax((x) => ll(x, bestConsult(x)), 0, 1) : 0;
  const q = n ? bestConsult(f) : 0;
  const se = hessianSe(ll, f, q);
  const bins = [0, 0.2, 0.4, 0.6, 0.8].map((lo) => ({ lo, n: 0, switches: 0, pred: 0 }));
  for (const c of observed) {
    const o = otherShare(c);
    const b = bins[Math.min(4, Math.floor(o * 5))];
    b.n++;
    if (c.to !== c.from) b.switches++;
    b.pred += f + q * o;
  }
  const informative = observed.filter((c) => otherShare(c) > 0).length;
  return {
    flip: { estimate: f, se: n && f + q < 1 - 1e-4 ? se[0] : null, n },
    consult: { estimate: q, se: informative && f + q < 1 - 1e-4 ? se[1] : null, n: informative },
    logLik: n ? ll(f, q) : 0,
    table: bins.map((b) => ({ otherShare: `${b.lo.toFixed(1)}–${(b.lo + 0.2).toFixed(1)}`, n: b.n, switches: b.switches, predicted: b.n ? b.pred / b.n : 0 })),
  };
}

/** Bins of the mean intensity heard (mean level / 2) for the emotion transition matrices. */
export const INTENSITY_BINS = ['nothing arousing (0)', 'some (0–0.5)', 'much (≥ 0.5)'] as const;

export function intensityBin(m: number): number {
  return m <= 0 ? 0 : m < 0.5 ? 1 : 2;
}

export interface EmotionMatrices {
  /** counts[bin][from][to] of the decisions. */
  counts: number[][][];
  /** Row shares: P(to | from, bin); a row without observations is null (the chain's row is used). */
  shares: Array<Array<number[] | null>>;
}

/** The emotion transition matrices by the intensity heard: maximum likelihood of a Markov chain is the row shares. */
export function emotionMatrices(observed: readonly EmotionCase[]): EmotionMatrices {
  const counts = [0, 1, 2].map(() => [0, 1, 2].map(() => [0, 0, 0]));
  for (const c of observed) counts[intensityBin(c.m)][c.from][c.to]++;
  const shares = counts.map((bin) => bin.map((row) => {
    const t = row[0] + row[1] + row[2];
    return t ? row.map((x) => x / t) : null;
  }));
  return { counts, shares };
}

export interface S3FitEstimates {
  spread: { p: Estimate; postShare: Estimate; again: Estimate; logLik: number };
  emotion: EmotionFit & { matrices: EmotionMatrices };
  attitude: AttitudeFit & { initialPositive: Record<Ideology, Estimate> };
}

/** Every estimate from the observed decisions. */
export function estimateAll(obs: readonly S3Observation[]): S3FitEstimates {
  const cascade = fitCascade(obs.filter((o) => !o.spread && o.feedSize > 0).map((o) => ({ k: o.arrivals, y: o.action !== 0 })));
  const firstSpread = obs.filter((o) => !o.spread && o.feedSize > 0 && o.action !== 0);
  const again = obs.filter((o) => o.spread && o.feedSize > 0);
  const moves = obs.map((o) => ({ from: o.fromEmotion, to: o.toEmotion, m: o.feedIntensity }));
  const emotion = { ...fitEmotion(moves), matrices: emotionMatrices(moves) };
  const attitude = fitAttitude(obs.filter((o) => !o.newlyAware && o.feedSize > 0).map((o) => ({ from: o.fromAttitude, to: o.toAttitude, s: o.feedPositive })));
  const initial = {} as Record<Ideology, Estimate>;
  for (const ideo of ['liberal', 'moderate', 'conservative'] as const) {
    const first = obs.filter((o) => o.newlyAware && o.ideology === ideo);
    initial[ideo] = share(first.filter((o) => o.toAttitude === 1).length, first.length);
  }
  return {
    spread: {
      p: { estimate: cascade.estimate, se: cascade.se, n: cascade.n },
      postShare: share(firstSpread.filter((o) => o.action === 1).length, firstSpread.length),
      again: share(again.filter((o) => o.action !== 0).length, again.length),
      logLik: cascade.logLik,
    },
    emotion,
    attitude: { ...attitude, initialPositive: initial },
  };
}
