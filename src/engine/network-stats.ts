/**
 * Descriptive statistics of a follower graph — reciprocity, degrees, clustering, components, the in-degree tail,
 * degree assortativity, strong components, k-cores and path lengths —
 * computed the way shared/data/README.md computed them for the real ego-Twitter samples, so a generated or uploaded
 * network can be compared with Twitter figure for figure (in the calibration test and in the UI).
 */
import { follows, type FollowNetwork } from './network';
import type { Rng } from './rng';

export interface DegreeSummary {
  mean: number;
  /** Middle value; the mean of the two middle values when the count is even. */
  median: number;
  max: number;
}

export interface ClusteringResult {
  /** Average local clustering, accounts with fewer than two neighbours counted as 0. */
  mean: number;
  /** Same average over accounts with at least two neighbours only. */
  meanDegreeAtLeast2: number;
  /** Accounts the average was taken over. */
  nodesUsed: number;
}

export interface PowerLawFit {
  alpha: number;
  kMin: number;
  /** Accounts with in-degree ≥ kMin. */
  nTail: number;
}

export interface NetworkStats {
  nodes: number;
  edges: number;
  reciprocity: number;
  inDegree: DegreeSummary;
  outDegree: DegreeSummary;
  clustering: ClusteringResult;
  /** Discrete power-law exponent of the in-degree tail at k_min = 10. */
  inDegreeAlphaKmin10: PowerLawFit;
  weakComponents: number;
  largestWeakComponentShare: number;
  /** Out-degree of the follower vs in-degree of the followed account over follows (+0.035 in the 2k sample). */
  assortativity: number;
  strongComponents: number;
  /** Deepest k-core of the undirected simple view. */
  maxCore: number;
  /** Mean directed shortest path between connected ordered pairs (from up to `pathSources` sources). */
  meanShortestPath: number;
}

export function outDegrees(net: FollowNetwork): Int32Array {
  const d = new Int32Array(net.n);
  for (let a = 0; a < net.n; a++) d[a] = net.outOffsets[a + 1] - net.outOffsets[a];
  return d;
}

export function inDegrees(net: FollowNetwork): Int32Array {
  const d = new Int32Array(net.n);
  for (let b = 0; b < net.n; b++) d[b] = net.inOffsets[b + 1] - net.inOffsets[b];
  return d;
}

export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = n >>> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarizeDegrees(values: ArrayLike<number>): DegreeSummary {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (values[i] > max) max = values[i];
  }
  return { mean: values.length ? sum / values.length : NaN, median: median(values), max };
}

/** Share of edges a→b whose reverse b→a also exists. */
export function reciprocity(net: FollowNetwork): number {
  const m = net.outTargets.length;
  if (m === 0) return 0;
  let mutual = 0;
  for (let a = 0; a < net.n; a++) {
    for (let k = net.outOffsets[a]; k < net.outOffsets[a + 1]; k++) {
      if (follows(net, net.outTargets[k], a)) mutual++;
    }
  }
  return mutual / m;
}

/** Undirected simple view as CSR: neighbours of v = union of whom v follows and who follows v, ascending. */
export function undirectedView(net: FollowNetwork): { offsets: Int32Array; neighbours: Int32Array } {
  const n = net.n;
  const offsets = new Int32Array(n + 1);
  const buffer = new Int32Array(net.outTargets.length * 2);
  let w = 0;
  for (let v = 0; v < n; v++) {
    // Merge two sorted rows, dropping the repeats that reciprocated pairs produce.
    let i = net.outOffsets[v];
    const iEnd = net.outOffsets[v + 1];
    let j = net.inOffsets[v];
    const jEnd = net.inOffsets[v + 1];
    while (i < iEnd || j < jEnd) {
      const x = i < iEnd ? net.outTargets[i] : 0x7fffffff;
      const y = j < jEnd ? net.inSources[j] : 0x7fffffff;
      if (x < y) {
        buffer[w++] = x;
        i++;
      } else if (y < x) {
        buffer[w++] = y;
        j++;
      } else {
        buffer[w++] = x;
        i++;
        j++;
      }
    }
    offsets[v + 1] = w;
  }
  return { offsets, neighbours: buffer.slice(0, w) };
}

/**
 * Average local clustering on the undirected simple view. With `sample` and `rng`, a uniform sample of that many
 * accounts (without replacement) is used, as the README did for graphs above 2,000 nodes.
 */
export function averageClustering(net: FollowNetwork, options: { sample?: number; rng?: Rng } = {}): ClusteringResult {
  const n = net.n;
  const { offsets, neighbours } = undirectedView(net);
  let nodes: ArrayLike<number>;
  if (options.sample !== undefined && options.sample < n) {
    if (!options.rng) throw new Error('averageClustering: a sample needs an rng; pass { sample, rng }');
    const ids = new Int32Array(n);
    for (let i = 0; i < n; i++) ids[i] = i;
    for (let i = 0; i < options.sample; i++) {
      const j = i + options.rng.int(n - i);
      const t = ids[i];
      ids[i] = ids[j];
      ids[j] = t;
    }
    nodes = ids.subarray(0, options.sample);
  } else {
    nodes = { length: n } as ArrayLike<number>;
  }
  const sampled = options.sample !== undefined && options.sample < n;
  const mark = new Int32Array(n).fill(-1);
  let sum = 0;
  let withTwo = 0;
  for (let s = 0; s < nodes.length; s++) {
    const v = sampled ? nodes[s] : s;
    const lo = offsets[v];
    const hi = offsets[v + 1];
    const k = hi - lo;
    if (k < 2) continue;
    withTwo++;
    for (let t = lo; t < hi; t++) mark[neighbours[t]] = v;
    let links = 0;
    for (let t = lo; t < hi; t++) {
      const u = neighbours[t];
      for (let q = offsets[u]; q < offsets[u + 1]; q++) if (mark[neighbours[q]] === v) links++;
    }
    // Each neighbour pair was seen from both ends.
    sum += links / (k * (k - 1));
  }
  return { mean: nodes.length ? sum / nodes.length : 0, meanDegreeAtLeast2: withTwo ? sum / withTwo : 0, nodesUsed: nodes.length };
}

/** Weakly connected components: component id per account, their count and the size of the largest. */
export function weakComponents(net: FollowNetwork): { count: number; largest: number; component: Int32Array } {
  const n = net.n;
  const component = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  let count = 0;
  let largest = 0;
  for (let start = 0; start < n; start++) {
    if (component[start] >= 0) continue;
    let top = 0;
    let size = 0;
    stack[top++] = start;
    component[start] = count;
    while (top > 0) {
      const v = stack[--top];
      size++;
      for (let k = net.outOffsets[v]; k < net.outOffsets[v + 1]; k++) {
        const u = net.outTargets[k];
        if (component[u] < 0) { component[u] = count; stack[top++] = u; }
      }
      for (let k = net.inOffsets[v]; k < net.inOffsets[v + 1]; k++) {
        const u = net.inSources[k];
        if (component[u] < 0) { component[u] = count; stack[top++] = u; }
      }
    }
    if (size > largest) largest = size;
    count++;
  }
  return { count, largest, component };
}

/** Two-sample Kolmogorov–Smirnov distance: the largest gap between the two empirical CDFs. */
export function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) return NaN;
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    // Step past every copy of the smaller value in both samples before comparing (ties move together).
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    const gap = Math.abs(i / x.length - j / y.length);
    if (gap > d) d = gap;
  }
  return d;
}

/**
 * Discrete power-law MLE at a fixed k_min (Clauset, Shalizi & Newman 2009, eq. 3.7 approximation):
 * alpha = 1 + n_tail / Σ ln(k_i / (k_min − 0.5)) over k_i ≥ k_min.
 */
export function powerLawAlpha(degrees: ArrayLike<number>, kMin = 10): PowerLawFit {
  let nTail = 0;
  let logSum = 0;
  for (let i = 0; i < degrees.length; i++) {
    const k = degrees[i];
    if (k >= kMin) {
      nTail++;
      logSum += Math.log(k / (kMin - 0.5));
    }
  }
  return { alpha: nTail ? 1 + nTail / logSum : NaN, kMin, nTail };
}

/**
 * All of the above in one pass. Clustering uses every account up to `clusteringSample` (default 2,000, as the
 * reference figures) and a uniform sample of that many above it, drawn with `rng` (required then); shortest paths
 * start from every account up to `pathSources` (default 2,000, as the reference figures) and from a uniform sample of that many above it.
 */
export function networkStats(net: FollowNetwork, options: { clusteringSample?: number; pathSources?: number; rng?: Rng } = {}): NetworkStats {
  const paths = options.pathSources ?? 2000;
  const inDeg = inDegrees(net);
  const outDeg = outDegrees(net);
  const sample = options.clusteringSample ?? 2000;
  const wcc = weakComponents(net);
  return {
    nodes: net.n,
    edges: net.outTargets.length,
    reciprocity: reciprocity(net),
    inDegree: summarizeDegrees(inDeg),
    outDegree: summarizeDegrees(outDeg),
    clustering: averageClustering(net, net.n > sample ? { sample, rng: options.rng } : {}),
    inDegreeAlphaKmin10: powerLawAlpha(inDeg, 10),
    weakComponents: wcc.count,
    largestWeakComponentShare: net.n ? wcc.largest / net.n : 0,
    assortativity: degreeAssortativity(net),
    strongComponents: strongComponents(net).count,
    maxCore: coreNumbers(net).reduce((m, c) => Math.max(m, c), 0),
    meanShortestPath: meanShortestPath(net, net.n > paths ? { sources: paths, rng: options.rng } : {}),
  };
}

/**
 * Degree assortativity: the Pearson correlation of degrees at the two ends of each edge. 'out-in' correlates the
 * follower's out-degree with the followed account's in-degree over directed edges (networkx's default for directed
 * graphs); 'total' uses in + out at both ends; 'undirected' uses degrees in the undirected simple view, each edge both
 * ways.
 */
export function degreeAssortativity(net: FollowNetwork, kind: 'out-in' | 'total' | 'undirected' = 'out-in'): number {
  const pairs = new PairMoments();
  if (kind === 'undirected') {
    const { offsets, neighbours } = undirectedView(net);
    for (let v = 0; v < net.n; v++) {
      const dv = offsets[v + 1] - offsets[v];
      for (let k = offsets[v]; k < offsets[v + 1]; k++) {
        const u = neighbours[k];
        pairs.add(dv, offsets[u + 1] - offsets[u]);
      }
    }
  } else {
    const inDeg = inDegrees(net);
    const outDeg = outDegrees(net);
    for (let a = 0; a < net.n; a++) {
      for (let k = net.outOffsets[a]; k < net.outOffsets[a + 1]; k++) {
        const b = net.outTargets[k];
        if (kind === 'out-in') pairs.add(outDeg[a], inDeg[b]);
        else pairs.add(outDeg[a] + inDeg[a], outDeg[b] + inDeg[b]);
      }
    }
  }
  return pairs.correlation();
}

/** Running sums of pairs (x, y) for their Pearson correlation in one pass, without storing the pairs (one per edge). */
class PairMoments {
  private readonly sums = new Float64Array(6);

  add(x: number, y: number): void {
    const s = this.sums;
    s[0]++;
    s[1] += x;
    s[2] += y;
    s[3] += x * x;
    s[4] += y * y;
    s[5] += x * y;
  }

  /** The correlation; 0 when either side is constant (or there are no pairs). */
  correlation(): number {
    const [n, sx, sy, sxx, syy, sxy] = this.sums;
    const cov = sxy / n - (sx / n) * (sy / n);
    const vx = sxx / n - (sx / n) ** 2;
    const vy = syy / n - (sy / n) ** 2;
    return vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : 0;
  }
}

/** Strongly connected components (iterative Tarjan): their count and the size of the largest. */
export function strongComponents(net: FollowNetwork): { count: number; largest: number; component: Int32Array } {
  const n = net.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callV = new Int32Array(n);
  const callK = new Int32Array(n);
  const component = new Int32Array(n).fill(-1);
  let sp = 0;
  let next = 0;
  let count = 0;
  let largest = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] >= 0) continue;
    let depth = 0;
    callV[0] = s;
    callK[0] = net.outOffsets[s];
    index[s] = low[s] = next++;
    stack[sp++] = s;
    onStack[s] = 1;
    while (depth >= 0) {
      const v = callV[depth];
      if (callK[depth] < net.outOffsets[v + 1]) {
        const w = net.outTargets[callK[depth]++];
        if (index[w] < 0) {
          index[w] = low[w] = next++;
          stack[sp++] = w;
          onStack[w] = 1;
          depth++;
          callV[depth] = w;
          callK[depth] = net.outOffsets[w];
        } else if (onStack[w] && index[w] < low[v]) low[v] = index[w];
        continue;
      }
      if (low[v] === index[v]) {
        let size = 0;
        let w: number;
        do {
          w = stack[--sp];
          onStack[w] = 0;
          component[w] = count;
          size++;
        } while (w !== v);
        if (size > largest) largest = size;
        count++;
      }
      depth--;
      if (depth >= 0) {
        const parent = callV[depth];
        if (low[v] < low[parent]) low[parent] = low[v];
      }
    }
  }
  return { count, largest, component };
}

/** k-core number of every account in the undirected simple view (Batagelj & Zaveršnik, O(edges)). */
export function coreNumbers(net: FollowNetwork): Int32Array {
  const { offsets, neighbours } = undirectedView(net);
  const n = net.n;
  const deg = new Int32Array(n);
  let maxDeg = 0;
  for (let v = 0; v < n; v++) {
    deg[v] = offsets[v + 1] - offsets[v];
    if (deg[v] > maxDeg) maxDeg = deg[v];
  }
  const bin = new Int32Array(maxDeg + 2);
  for (let v = 0; v < n; v++) bin[deg[v]]++;
  let start = 0;
  for (let d = 0; d <= maxDeg; d++) {
    const c = bin[d];
    bin[d] = start;
    start += c;
  }
  const pos = new Int32Array(n);
  const vert = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    pos[v] = bin[deg[v]]++;
    vert[pos[v]] = v;
  }
  for (let d = maxDeg; d > 0; d--) bin[d] = bin[d - 1];
  bin[0] = 0;
  for (let i = 0; i < n; i++) {
    const v = vert[i];
    for (let k = offsets[v]; k < offsets[v + 1]; k++) {
      const u = neighbours[k];
      if (deg[u] > deg[v]) {
        const du = deg[u];
        const pu = pos[u];
        const pw = bin[du];
        const w = vert[pw];
        if (u !== w) {
          pos[u] = pw;
          vert[pu] = w;
          pos[w] = pu;
          vert[pw] = u;
        }
        bin[du]++;
        deg[u]--;
      }
    }
  }
  return deg;
}

/**
 * Mean length of directed shortest paths (following follows) between ordered pairs that are connected, by BFS from
 * every account, or from `sources` accounts drawn uniformly with `rng` on large graphs.
 */
export function meanShortestPath(net: FollowNetwork, options: { sources?: number; rng?: Rng; undirected?: boolean } = {}): number {
  const n = net.n;
  const view = options.undirected ? undirectedView(net) : { offsets: net.outOffsets, neighbours: net.outTargets };
  let starts: number[] = Array.from({ length: n }, (_, i) => i);
  if (options.sources !== undefined && options.sources < n) {
    if (!options.rng) throw new Error('meanShortestPath: a sample of sources needs an rng; pass one, or sources ≥ n');
    starts = options.rng.sample(starts, options.sources);
  }
  const dist = new Int32Array(n);
  const queue = new Int32Array(n);
  let total = 0;
  let pairs = 0;
  for (const s of starts) {
    dist.fill(-1);
    dist[s] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    while (head < tail) {
      const v = queue[head++];
      const dv = dist[v] + 1;
      for (let k = view.offsets[v]; k < view.offsets[v + 1]; k++) {
        const u = view.neighbours[k];
        if (dist[u] < 0) {
          dist[u] = dv;
          total += dv;
          pairs++;
          queue[tail++] = u;
        }
      }
    }
  }
  return pairs ? total / pairs : NaN;
}
