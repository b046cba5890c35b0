/**
 * The follower graph as the engine uses it: compressed sparse rows of who follows whom, built once and shared
 * read-only by every condition (follows made during a run live in the condition's own state). An edge a→b means
 * "a follows b": a's feed draws on b's posts, and b's posts reach a.
 */

export interface FollowNetwork {
  /** Number of accounts (agent ids are 0…n−1). */
  n: number;
  /** outTargets[outOffsets[a] … outOffsets[a+1]) = accounts a follows, ascending. */
  outOffsets: Int32Array;
  outTargets: Int32Array;
  /** inSources[inOffsets[b] … inOffsets[b+1]) = followers of b, ascending. */
  inOffsets: Int32Array;
  inSources: Int32Array;
  /** Original node labels when imported from a file (label of agent i); absent for generated graphs. */
  labels?: string[];
}

/** The network's serialised form (stored rows, run bundles): one edge a→b per follow. */
export interface EdgeArrays {
  src: Int32Array;
  dst: Int32Array;
}

/** The edges of a network in row order (a ascending, then b ascending): `buildNetwork` reads them back exactly. */
export function edgeArrays(net: FollowNetwork): EdgeArrays {
  const src = new Int32Array(net.outTargets.length);
  for (let a = 0; a < net.n; a++) src.fill(a, net.outOffsets[a], net.outOffsets[a + 1]);
  return { src, dst: net.outTargets.slice() };
}

/**
 * Build a network from parallel edge arrays (a follows b). Self-loops and duplicate edges are dropped; ids must be in
 * 0…n−1.
 */
export function buildNetwork(n: number, src: ArrayLike<number>, dst: ArrayLike<number>, labels?: string[]): FollowNetwork {
  const m = src.length;
  const outDeg = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) if (src[i] !== dst[i]) outDeg[src[i] + 1]++;
  const outOffsets = new Int32Array(n + 1);
  for (let a = 0; a < n; a++) outOffsets[a + 1] = outOffsets[a] + outDeg[a + 1];
  const fill = outOffsets.slice(0, n);
  const rawTargets = new Int32Array(outOffsets[n]);
  for (let i = 0; i < m; i++) if (src[i] !== dst[i]) rawTargets[fill[src[i]]++] = dst[i];
  // Sort and deduplicate each row.
  const outOff2 = new Int32Array(n + 1);
  let w = 0;
  for (let a = 0; a < n; a++) {
    const row = rawTargets.subarray(outOffsets[a], outOffsets[a + 1]);
    row.sort();
    let prev = -1;
    for (let k = 0; k < row.length; k++) {
      if (row[k] !== prev) {
        rawTargets[w++] = row[k];
        prev = row[k];
      }
    }
    outOff2[a + 1] = w;
  }
  const outTargets = rawTargets.slice(0, w);
  const inDeg = new Int32Array(n + 1);
  for (let k = 0; k < w; k++) inDeg[outTargets[k] + 1]++;
  const inOffsets = new Int32Array(n + 1);
  for (let b = 0; b < n; b++) inOffsets[b + 1] = inOffsets[b] + inDeg[b + 1];
  const inFill = inOffsets.slice(0, n);
  const inSources = new Int32Array(w);
  for (let a = 0; a < n; a++) {
    for (let k = outOff2[a]; k < outOff2[a + 1]; k++) inSources[inFill[outTargets[k]]++] = a;
  }
  // Rows of inSources are ascending because a runs in order.
  return { n, outOffsets: outOff2, outTargets, inOffsets, inSources, labels };
}

export function edgeCount(net: FollowNetwork): number {
  return net.outTargets.length;
}

export function following(net: FollowNetwork, a: number): Int32Array {
  return net.outTargets.subarray(net.outOffsets[a], net.outOffsets[a + 1]);
}

export function followers(net: FollowNetwork, b: number): Int32Array {
  return net.inSources.subarray(net.inOffsets[b], net.inOffsets[b + 1]);
}

/** Binary search in an ascending row. */
export function sortedHas(row: ArrayLike<number>, b: number): boolean {
  let lo = 0;
  let hi = row.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = row[mid];
    if (v === b) return true;
    if (v < b) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Whether a follows b (binary search in a's sorted row). */
export function follows(net: FollowNetwork, a: number, b: number): boolean {
  return sortedHas(following(net, a), b);
}
