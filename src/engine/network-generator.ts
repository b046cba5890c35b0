/**
 * A seeded generator of Twitter-like follower graphs at any size, calibrated to the SNAP ego-Twitter samples
 * (shared/data/README.md): about half of all follows reciprocated, heavy-tailed in-degree, average clustering about
 * 0.5 and one weakly connected component. The app ships no real Twitter data, so every run whose network is not
 * uploaded uses this generator.
 *
 * Model: a directed S¹ (latent-geometry) graph — Serrano, Krioukov & Boguñá, PRL 100:078701 (2008); directed form as
 * in Allard, Serrano & Boguñá, Nature Physics (2024) — plus follow-backs. Accounts sit evenly on a ring (a stand-in
 * for the overlapping ego circles ego-Twitter is made of); each has an expected out-degree κ_out (log-normal: how
 * much it follows) and in-degree κ_in (log-normal, correlated with κ_out: how followed it is; its upper tail makes
 * the celebrities).
 * a follows b with probability 1 / (1 + (d_ab / (μ κ_out,a κ_in,b))^β), d_ab the ring distance, so nearby accounts
 * follow each other (triangles: β sets clustering) and popular accounts are followed from far away (the heavy tail).
 * Each follow is then returned with probability `followBack`, and any component cut off from the largest one is
 * joined to it by a mutual follow. Ids are shuffled at the end so an id says nothing about ring position.
 *
 * Calibration (defaults; tests/integration/network-calibration.test.ts holds the tolerances). Against the 2k sample
 * (reciprocity 0.519, clustering 0.523, median in/out 15/16, mean 24.6): seed 20101102 gives 0.505, 0.534, 15/16,
 * 24.5, KS distance of the in-degree distribution 0.042 (out 0.053). Against the 20k sample (0.501, 0.530, 16/19,
 * 30.3): 0.500, 0.536, 17/19, 30.2, KS 0.026 (out 0.068). β was set for clustering, followBack for reciprocity, the
 * sigmas and correlation for the in/out KS distances. Cost: about 1 s of CPU for 20,000 accounts, ~20 s for 200,000
 * (the geometric walk visits ~6 accounts per follow made).
 */
import { buildNetwork, type FollowNetwork } from './network';
import { configError } from './errors';
import { Rng } from './rng';

export interface GeneratorParams {
  /**
   * Target mean out-degree (= mean in-degree) of the finished graph. Default: 24.6 + 5.7·log10(n/2000), the
   * densification of the ego-Twitter samples (24.6 at 2,000 accounts, 30.3 at 20,000), capped at 60 % of n − 1.
   * @default meanDegreeFor(n)
   */
  meanDegree: number;
  /** Log-normal sigma of κ_out (expected out-degree); sets the spread of out-degree. @default 1.0 */
  activitySigma: number;
  /** Log-normal sigma of κ_in (expected in-degree); sets the spread and tail of in-degree. @default 1.1 */
  popularitySigma: number;
  /** Correlation of the normal scores behind κ_out and κ_in (active accounts are also followed more). @default 0.5 */
  activityPopularityCorrelation: number;
  /** Inverse temperature of the ring (> 1): higher = follows more local = more clustering. @default 2.2 */
  beta: number;
  /** Probability that a followed account follows back (on top of mutual follows the geometry makes). @default 0.18 */
  followBack: number;
}

/** Ego-Twitter densification: mean degree 24.6 in the 2,000-node sample, 30.3 in the 20,000-node one. */
export function meanDegreeFor(n: number): number {
  const target = 24.6 + 5.7 * Math.log10(Math.max(n, 2) / 2000);
  return Math.max(0.5, Math.min(target, (n - 1) * 0.6));
}

export const DEFAULT_GENERATOR_PARAMS: Omit<GeneratorParams, 'meanDegree'> = {
  activitySigma: 1.0,
  popularitySigma: 1.1,
  activityPopularityCorrelation: 0.5,
  beta: 2.2,
  followBack: 0.18,
};

export interface GenerateOptions {
  /** Number of accounts, 2 … 200,000. */
  n: number;
  seed: number;
  params?: Partial<GeneratorParams>;
}

export const GENERATOR_MAX_N = 200_000;

/** The parameters a call would use, defaults filled in. */
export function resolveGeneratorParams(n: number, params: Partial<GeneratorParams> = {}): GeneratorParams {
  return { meanDegree: meanDegreeFor(n), ...DEFAULT_GENERATOR_PARAMS, ...params };
}

function validate(n: number, p: GeneratorParams): void {
  if (!Number.isInteger(n) || n < 2 || n > GENERATOR_MAX_N) {
    throw configError('network.n', `is ${n}`, `use a whole number of accounts from 2 to ${GENERATOR_MAX_N}`);
  }
  if (!(p.followBack >= 0 && p.followBack <= 1)) {
    throw configError('network.followBack', `is ${p.followBack}`, 'use a probability between 0 and 1');
  }
  if (!(p.activityPopularityCorrelation >= -1 && p.activityPopularityCorrelation <= 1)) {
    throw configError('network.activityPopularityCorrelation', `is ${p.activityPopularityCorrelation}`, 'use a correlation between −1 and 1');
  }
  if (!(p.meanDegree > 0 && p.meanDegree < n)) {
    throw configError('network.meanDegree', `is ${p.meanDegree}`, `use a mean degree above 0 and below n = ${n}`);
  }
  if (!(p.beta > 1)) throw configError('network.beta', `is ${p.beta}`, 'use a value above 1 (2.2 is Twitter-like)');
  for (const k of ['activitySigma', 'popularitySigma'] as const) {
    if (!(p[k] >= 0 && p[k] <= 4)) throw configError(`network.${k}`, `is ${p[k]}`, 'use a sigma from 0 to 4');
  }
}

/** Growable pair of Int32Arrays for edges. */
class EdgeBuffer {
  src: Int32Array;
  dst: Int32Array;
  m = 0;
  constructor(capacity: number) {
    this.src = new Int32Array(Math.max(16, capacity));
    this.dst = new Int32Array(Math.max(16, capacity));
  }
  add(a: number, b: number): void {
    if (this.m === this.src.length) {
      const s = new Int32Array(this.m * 2);
      s.set(this.src);
      this.src = s;
      const d = new Int32Array(this.m * 2);
      d.set(this.dst);
      this.dst = d;
    }
    this.src[this.m] = a;
    this.dst[this.m] = b;
    this.m++;
  }
}

/** First index i in [lo, hi) with values[i] >= x (values ascending). */
function lowerBound(values: Int32Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function gaussian(rng: Rng): number {
  // Box–Muller; 1 − next() keeps the log argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** Generate a directed follower graph (a→b = a follows b) with Twitter-like structure. Same options → same graph. */
export function generateTwitterNetwork(options: GenerateOptions): FollowNetwork {
  const n = options.n;
  const p = resolveGeneratorParams(n, options.params);
  validate(n, p);
  const rng = new Rng(options.seed);

  // Hidden degrees. The geometric pass aims below meanDegree because follow-backs add the rest; 0.8 accounts for
  // follow-backs that land on follows the geometry already made mutual, and 0.95 for the geometric pass falling a
  // little short of its nominal mean (both measured at n = 2,000 and 20,000). A finite ring also saturates: the
  // denser the graph relative to n, the more far follows are lost (−3.5 % at n = 2,000, −0.3 % at 20,000);
  // 2.7·meanDegree/n fits that loss from n = 200 to 50,000.
  const saturation = Math.max(0.8, 1 - (2.7 * p.meanDegree) / n);
  const baseMean = p.meanDegree / (1 + 0.8 * p.followBack) / 0.95 / saturation;
  const kOut = new Float64Array(n);
  const kIn = new Float64Array(n);
  const rho = p.activityPopularityCorrelation;
  let sumOut = 0;
  let sumIn = 0;
  for (let i = 0; i < n; i++) {
    const z = gaussian(rng);
    const own = rho * z + Math.sqrt(1 - rho * rho) * gaussian(rng);
    kOut[i] = Math.exp(p.activitySigma * z);
    kIn[i] = Math.exp(p.popularitySigma * own);
    sumOut += kOut[i];
    sumIn += kIn[i];
  }
  for (let i = 0; i < n; i++) {
    kOut[i] *= baseMean / (sumOut / n);
    kIn[i] *= baseMean / (sumIn / n);
  }
  // μ makes the expected out-degree of a equal κ_out,a on an infinite ring with one account per unit length.
  const mu = (p.beta * Math.sin(Math.PI / p.beta)) / (2 * Math.PI * baseMean);

  // Accounts grouped into classes of similar κ_in (ratio 1.25 per class), each class's ring positions ascending,
  // so each class can be scanned only as far as its largest κ_in can reach.
  const minIn = kIn.reduce((m, v) => Math.min(m, v), Infinity);
  const classOf = new Int32Array(n);
  let classes = 0;
  for (let i = 0; i < n; i++) {
    classOf[i] = Math.floor(Math.log(kIn[i] / minIn) / Math.log(1.25));
    if (classOf[i] + 1 > classes) classes = classOf[i] + 1;
  }
  const classStart = new Int32Array(classes + 1);
  for (let i = 0; i < n; i++) classStart[classOf[i] + 1]++;
  for (let c = 0; c < classes; c++) classStart[c + 1] += classStart[c];
  const members = new Int32Array(n);
  const fill = classStart.slice(0, classes);
  for (let i = 0; i < n; i++) members[fill[classOf[i]]++] = i;
  const classMax = new Float64Array(classes);
  for (let i = 0; i < n; i++) if (kIn[i] > classMax[classOf[i]]) classMax[classOf[i]] = kIn[i];
  // (κ_in,b / class max)^β, so the class envelope at b's distance costs no second power.
  const envelopeRatio = new Float64Array(n);
  const invKIn = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    envelopeRatio[i] = Math.pow(kIn[i] / classMax[classOf[i]], p.beta);
    invKIn[i] = 1 / kIn[i];
  }

  const edges = new EdgeBuffer(Math.ceil(n * p.meanDegree * 1.1));
  const beta = p.beta;
  const clockwiseLimit = Math.floor(n / 2);
  const counterLimit = n - 1 - clockwiseLimit;
  for (let a = 0; a < n; a++) {
    const invScaleA = 1 / (mu * kOut[a]);
    for (let c = 0; c < classes; c++) {
      const lo = classStart[c];
      const len = classStart[c + 1] - lo;
      if (len === 0) continue;
      const first = lowerBound(members, lo, lo + len, a) - lo;
      // Walk the class outwards from a, clockwise then counter-clockwise, covering every other account once.
      // Geometric skips under a decreasing envelope (the class's largest κ_in at the last distance reached) visit
      // only a few accounts per follow made, so the cost is near-linear in edges with no distance cutoff.
      for (let dir = 0; dir < 2; dir++) {
        const limit = dir === 0 ? clockwiseLimit : counterLimit;
        let envelope = 1;
        for (let step = 0; step < len; step++) {
          if (envelope < 1) {
            // Far enough that no account of the class can be followed (in floating point): stop.
            if (envelope <= 0) break;
            const u = 1 - rng.next();
            step += Math.floor(Math.log(u) / Math.log1p(-envelope));
            if (step >= len) break;
          }
          const b = dir === 0 ? members[lo + ((first + step) % len)] : members[lo + ((first - 1 - step + 2 * len) % len)];
          if (b === a) continue;
          const d = dir === 0 ? (b - a + n) % n : (a - b + n) % n;
          if (d > limit) break;
          const t = Math.pow(d * invScaleA * invKIn[b], beta);
          if (rng.next() * envelope * (1 + t) < 1) edges.add(a, b);
          envelope = 1 / (1 + t * envelopeRatio[b]);
        }
      }
    }
  }

  // Follow-backs.
  const baseCount = edges.m;
  for (let k = 0; k < baseCount; k++) {
    if (rng.next() < p.followBack) edges.add(edges.dst[k], edges.src[k]);
  }

  // Join stray components (often single accounts with tiny κ) to the largest with a mutual follow to an account of
  // it chosen in proportion to κ_in, as a newcomer would follow someone popular.
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const root = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let k = 0; k < edges.m; k++) {
    const x = root(edges.src[k]);
    const y = root(edges.dst[k]);
    if (x !== y) parent[x] = y;
  }
  const comp = new Int32Array(n);
  const size = new Int32Array(n);
  for (let v = 0; v < n; v++) size[(comp[v] = root(v))]++;
  let giant = 0;
  for (let v = 1; v < n; v++) if (size[v] > size[giant]) giant = v;
  if (size[giant] < n) {
    const cumIn = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) cumIn[i + 1] = cumIn[i] + (comp[i] === giant ? kIn[i] : 0);
    const joined = new Uint8Array(n);
    for (let v = 0; v < n; v++) {
      // One mutual follow per stray component, from its first account.
      const c = comp[v];
      if (c === giant || joined[c]) continue;
      joined[c] = 1;
      const x = rng.next() * cumIn[n];
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumIn[mid + 1] > x) hi = mid;
        else lo = mid + 1;
      }
      edges.add(v, lo);
      edges.add(lo, v);
    }
  }

  // Shuffle ids so that neighbouring ids are not neighbours on the ring.
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const src = edges.src.subarray(0, edges.m);
  const dst = edges.dst.subarray(0, edges.m);
  for (let k = 0; k < edges.m; k++) {
    src[k] = perm[src[k]];
    dst[k] = perm[dst[k]];
  }
  return buildNetwork(n, src, dst);
}
