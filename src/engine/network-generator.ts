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
 * Three additions give the structure the samples have beyond degrees and triangles: dense circles (arcs of the ring
 * whose members follow one another, with a share of their seats taken by the most active and most followed accounts:
 * the deep k-core and a positive degree assortativity), followed-only accounts that follow nobody (most of the
 * strongly connected components), and follow-backs that grow rarer with popularity (celebrities do not follow back,
 * which lengthens directed paths). Any component cut off from the largest one is joined to it. Ids are shuffled at the
 * end so an id says nothing about ring position.
 *
 * Calibration (defaults; tests/integration/network-calibration.test.ts holds the tolerances). Against the 2k sample
 * (reciprocity 0.519, clustering 0.523, median in/out 15/16, mean 24.6, out→in degree assortativity +0.035, 139
 * strongly connected components, max k-core 43, mean directed shortest path 3.36), seeds 20101102, 7, 11, 12345 and 1
 * give 0.506–0.527, 0.517–0.527, 14/15–16, 24.2–24.8, +0.037…+0.059, 138–153, 40–47, 3.13–3.16. Against the 20k
 * sample (0.501, 0.530, 16/19, 30.3, +0.002, 1,090, 68, 4.04): seeds 20101102 and 7 give 0.513–0.517, 0.527–0.529,
 * 17/19, 30.6–30.8, +0.08…+0.10, 1,089–1,129, 67–74, 4.03–4.15 (paths from 200 sampled sources). Cost: about 1 s of
 * CPU for 20,000 accounts (the geometric walk visits ~6 accounts per follow made).
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
  /**
   * Share of accounts that follow nobody and never follow back (followed-only accounts: 5.7 % of the 2k sample have
   * out-degree 0; they are most of its 139 strongly connected components). @default sizeDefaultsFor(n) (0.055 at 2,000)
   */
  silentShare: number;
  /** Accounts per dense circle (a contiguous arc of the ring: an ego's tight circle). @default sizeDefaultsFor(n) (130 at 2,000) */
  circleSize: number;
  /** Dense circles per 2,000 accounts (0: none). @default sizeDefaultsFor(n) (1 at 2,000, 0.5 at 20,000) */
  circlesPer2000: number;
  /** Probability that a member of a circle follows another member (they make the deep k-core). @default 0.3 */
  circleDensity: number;
  /**
   * How much less popular accounts follow back: a follow of b is returned with probability
   * min(1, followBack · (mean κ_in / κ_in,b)^followBackDecay). Celebrities rarely follow back, so paths into them do not
   * lead out again (directed paths get longer, as in ego-Twitter). @default 0.3
   */
  followBackDecay: number;
  /** Share of circle seats given to the accounts with the largest κ_out·κ_in (0: circles of ordinary accounts). @default 0.25 */
  richClub: number;
}

/** Ego-Twitter densification: mean degree 24.6 in the 2,000-node sample, 30.3 in the 20,000-node one. */
export function meanDegreeFor(n: number): number {
  const target = 24.6 + 5.7 * Math.log10(Math.max(n, 2) / 2000);
  return Math.max(0.5, Math.min(target, (n - 1) * 0.6));
}

/**
 * Size-dependent defaults, from the two ego-Twitter samples: followed-only accounts are 5.7 % of the 2k sample and 4.8 %
 * of the 20k one; the deepest k-core grows from 43 to 68, which one circle of 130 per 2,000 accounts at 2k and
 * half as many circles of 206 at 20k reproduce.
 */
export function sizeDefaultsFor(n: number): Pick<GeneratorParams, 'silentShare' | 'circleSize' | 'circlesPer2000'> {
  const scale = Math.max(n, 2) / 2000;
  return {
    silentShare: Math.max(0.02, Math.min(0.08, 0.055 - 0.01 * Math.log10(scale))),
    circleSize: Math.max(2, Math.round(130 * Math.pow(scale, 0.2))),
    circlesPer2000: Math.pow(scale, -0.3),
  };
}

export const DEFAULT_GENERATOR_PARAMS: Omit<GeneratorParams, 'meanDegree' | 'silentShare' | 'circleSize' | 'circlesPer2000'> = {
  activitySigma: 1.0,
  popularitySigma: 1.1,
  activityPopularityCorrelation: 0.5,
  beta: 2.3,
  followBack: 0.26,
  circleDensity: 0.13,
  richClub: 0.22,
  followBackDecay: 0.6,
};

/** Share of circle follows that the geometry had not already made (nearby accounts mostly follow each other). */
const CIRCLE_NEW = 0.35;

export interface GenerateOptions {
  /** Number of accounts, 2 … 200,000. */
  n: number;
  seed: number;
  params?: Partial<GeneratorParams>;
}

export const GENERATOR_MAX_N = 200_000;

/** The parameters a call would use, defaults filled in. */
export function resolveGeneratorParams(n: number, params: Partial<GeneratorParams> = {}): GeneratorParams {
  return { meanDegree: meanDegreeFor(n), ...sizeDefaultsFor(n), ...DEFAULT_GENERATOR_PARAMS, ...params };
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
  if (!(p.silentShare >= 0 && p.silentShare < 1)) throw configError('network.silentShare', `is ${p.silentShare}`, 'use a share from 0 to below 1');
  if (!(p.circleDensity >= 0 && p.circleDensity <= 1)) throw configError('network.circleDensity', `is ${p.circleDensity}`, 'use a probability between 0 and 1');
  if (!(Number.isInteger(p.circleSize) && p.circleSize >= 2)) throw configError('network.circleSize', `is ${p.circleSize}`, 'use a whole number of accounts ≥ 2');
  if (!(p.circlesPer2000 >= 0)) throw configError('network.circlesPer2000', `is ${p.circlesPer2000}`, 'use a number ≥ 0');
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
  // Dense circles: contiguous arcs of the ring, evenly spaced; their follows come out of the mean-degree budget
  // (CIRCLE_NEW is the share of circle follows the geometry had not already made, measured at n = 2,000 and 20,000).
  const circles = p.circleSize * 2 <= n ? Math.min(Math.floor(n / p.circleSize), Math.round((p.circlesPer2000 * n) / 2000)) : 0;
  const circleMean = (circles * p.circleSize * (p.circleSize - 1) * p.circleDensity * CIRCLE_NEW * (1 + p.followBack)) / n;
  const active = 1 - p.silentShare;
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
  // Follow-backs returned per follow made, on average over followed accounts (each weighted by how often it is followed).
  let backShare = 0;
  for (let i = 0; i < n; i++) backShare += kIn[i] * Math.min(1, p.followBack * Math.pow(sumIn / n / kIn[i], p.followBackDecay));
  backShare /= sumIn;
  const baseMean = Math.max(0.5, p.meanDegree - circleMean) / (1 + 0.8 * backShare * active) / 0.9 / saturation / active;
  for (let i = 0; i < n; i++) {
    kOut[i] *= baseMean / (sumOut / n);
    kIn[i] *= (baseMean * active) / (sumIn / n);
  }
  // The circles are where the most active and most followed accounts sit (a rich club: an ego's inner circle of
  // prolific, popular accounts), so active accounts follow popular ones (positive degree assortativity, as in
  // ego-Twitter) and the circle is the graph's deepest core. Hidden degrees are swapped, not redrawn.
  if (circles > 0 && p.richClub > 0) {
    // Seats spread evenly over each circle's arc.
    const slots: number[] = [];
    const seats = Math.round(p.circleSize * p.richClub);
    for (let c = 0; c < circles; c++) {
      const start = Math.floor((c * n) / circles);
      for (let i = 0; i < seats; i++) slots.push((start + Math.floor((i * p.circleSize) / seats)) % n);
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => kOut[y] * kIn[y] - kOut[x] * kIn[x] || x - y);
    const top = order.slice(0, slots.length);
    const pairs = top.map((i) => [kOut[i], kIn[i]] as const);
    const inSlots = new Uint8Array(n);
    const inTop = new Uint8Array(n);
    for (const sl of slots) inSlots[sl] = 1;
    for (const i of top) inTop[i] = 1;
    // Seat holders who are not among the top move to the top accounts' vacated places.
    const freed = top.filter((i) => !inSlots[i]);
    let f = 0;
    for (const sl of slots) {
      if (inTop[sl]) continue;
      const dest = freed[f++];
      kOut[dest] = kOut[sl];
      kIn[dest] = kIn[sl];
    }
    slots.forEach((sl, k) => {
      kOut[sl] = pairs[k][0];
      kIn[sl] = pairs[k][1];
    });
  }
  // Followed-only accounts: they follow nobody, so they neither start paths nor follow back.
  const silent = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (rng.next() < p.silentShare) silent[i] = 1;
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
    if (silent[a]) continue;
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

  // Circles: members follow one another with circleDensity, on top of what the geometry made (duplicates are dropped).
  for (let c = 0; c < circles; c++) {
    const start = Math.floor((c * n) / circles);
    for (let i = 0; i < p.circleSize; i++) {
      const a = (start + i) % n;
      if (silent[a]) continue;
      for (let j = 0; j < p.circleSize; j++) {
        if (j !== i && rng.next() < p.circleDensity) edges.add(a, (start + j) % n);
      }
    }
  }

  // Follow-backs.
  const meanIn = baseMean * active;
  const backProb = Float64Array.from(kIn, (k) => Math.min(1, p.followBack * Math.pow(meanIn / k, p.followBackDecay)));
  const baseCount = edges.m;
  for (let k = 0; k < baseCount; k++) {
    const b = edges.dst[k];
    if (!silent[b] && rng.next() < backProb[b]) edges.add(b, edges.src[k]);
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
      if (!silent[v]) edges.add(v, lo);
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
