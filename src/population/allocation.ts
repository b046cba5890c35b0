/**
 * Quota allocation: integer counts by largest remainder, propensity tables fitted to published marginals by iterative
 * proportional fitting, and seeded dealing of values to agents, so every marginal matches its target at every seed.
 */
import { Rng } from '../engine/rng';

/**
 * Integer counts summing to `total`, proportional to `weights` (Hamilton's largest-remainder method; ties go to
 * the lower index, so the result is deterministic).
 */
export function largestRemainder(total: number, weights: ArrayLike<number>): Int32Array {
  const k = weights.length;
  const out = new Int32Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += weights[i];
  if (total <= 0 || k === 0) return out;
  if (sum <= 0) {
    // No information: spread evenly (only reached for rows that no fitted table covers).
    for (let i = 0; i < total; i++) out[i % k]++;
    return out;
  }
  const rem = new Float64Array(k);
  let given = 0;
  for (let i = 0; i < k; i++) {
    const exact = (weights[i] / sum) * total;
    out[i] = Math.floor(exact);
    rem[i] = exact - out[i];
    given += out[i];
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => rem[y] - rem[x] || x - y);
  for (let j = 0; given < total; j++, given++) out[order[j % k]]++;
  return out;
}

/**
 * Iterative proportional fitting: scale `seed` (rows × cols) until its row sums are `rowTotals` and its column
 * sums are `colTotals` (rescaled to the same grand total). Zero seed cells stay zero, which is how impossible
 * combinations (a 20-year-old with a doctorate, a retired 18-year-old) are kept out.
 */
export function ipf(seed: number[][], rowTotals: ArrayLike<number>, colTotals: ArrayLike<number>, iterations = 300): number[][] {
  const R = seed.length;
  const C = colTotals.length;
  let rowSum = 0;
  for (let r = 0; r < R; r++) rowSum += rowTotals[r];
  let colSum = 0;
  for (let c = 0; c < C; c++) colSum += colTotals[c];
  const target = Array.from({ length: C }, (_, c) => (colSum > 0 ? (colTotals[c] / colSum) * rowSum : 0));
  const m = seed.map((row) => row.slice());
  for (let it = 0; it < iterations; it++) {
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += m[r][c];
      const f = s > 0 ? rowTotals[r] / s : 0;
      for (let c = 0; c < C; c++) m[r][c] *= f;
    }
    let worst = 0;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += m[r][c];
      if (s > 0) {
        const f = target[c] / s;
        worst = Math.max(worst, Math.abs(s - target[c]));
        for (let r = 0; r < R; r++) m[r][c] *= f;
      }
    }
    if (worst < 1e-9 * Math.max(1, rowSum)) break;
  }
  return m;
}

/**
 * Integer cell counts with exact row totals and column totals within about one agent of the fitted matrix: each
 * row is rounded by largest remainder, carrying every column's rounding error into the next row (controlled
 * rounding), so errors do not pile up over many rows.
 */
function roundRows(fitted: number[][], rowCounts: ArrayLike<number>): Int32Array[] {
  const C = fitted.length > 0 ? fitted[0].length : 0;
  const carry = new Float64Array(C);
  return fitted.map((row, r) => {
    const want = row.map((x, c) => (x > 0 ? Math.max(0, x + carry[c]) : 0));
    const counts = largestRemainder(rowCounts[r], want.some((w) => w > 0) ? want : row);
    for (let c = 0; c < C; c++) carry[c] += row[c] - counts[c];
    return counts;
  });
}

/**
 * Deal column values to agents by row: agents in row r (in `agents` order) receive exactly `counts[r][c]` copies of
 * value c, in a seeded random order.
 */
function dealByRows(agents: ArrayLike<number>, rowOf: Int32Array, counts: Int32Array[], out: Int32Array, rng: Rng): void {
  const groups: number[][] = counts.map(() => []);
  for (let i = 0; i < agents.length; i++) groups[rowOf[agents[i]]].push(agents[i]);
  groups.forEach((g, r) => {
    const values: number[] = [];
    counts[r].forEach((k, c) => {
      for (let j = 0; j < k; j++) values.push(c);
    });
    rng.shuffle(values);
    for (let j = 0; j < g.length; j++) out[g[j]] = values[j];
  });
}

function rowCountsOf(agents: ArrayLike<number>, rowOf: Int32Array, rows: number): Int32Array {
  const n = new Int32Array(rows);
  for (let i = 0; i < agents.length; i++) n[rowOf[agents[i]]]++;
  return n;
}

/**
 * Assign a column attribute to `agents` so that, given their row attribute, the joint follows `seed` fitted to the
 * column `shares`. Returns the fitted row-conditional distributions, to deal the same attribute to minors.
 */
export function assignJoint(
  agents: ArrayLike<number>,
  rowOf: Int32Array,
  seed: number[][],
  shares: number[],
  out: Int32Array,
  rng: Rng,
): number[][] {
  const rowCounts = rowCountsOf(agents, rowOf, seed.length);
  const colTotals = shares.map((s) => s * agents.length);
  const fitted = ipf(seed, rowCounts, colTotals);
  dealByRows(agents, rowOf, roundRows(fitted, rowCounts), out, rng);
  // Conditional distribution per row; a row no adult fell in keeps its seed shape.
  return fitted.map((row, r) => {
    const s = row.reduce((x, y) => x + y, 0);
    return s > 0 ? row.map((x) => x / s) : seed[r].some((x) => x > 0) ? seed[r] : shares;
  });
}

/** Deal a distribution to agents by row (each row's counts by largest remainder of its conditional distribution). */
export function assignConditional(agents: ArrayLike<number>, rowOf: Int32Array, conditional: number[][], out: Int32Array, rng: Rng): void {
  const rowCounts = rowCountsOf(agents, rowOf, conditional.length);
  const counts = conditional.map((dist, r) => largestRemainder(rowCounts[r], dist));
  dealByRows(agents, rowOf, counts, out, rng);
}

/** Quota for one attribute with no conditioning. */
export function assignQuota(agents: ArrayLike<number>, shares: number[], out: Int32Array, rng: Rng): void {
  const counts = largestRemainder(agents.length, shares);
  const values: number[] = [];
  counts.forEach((k, c) => {
    for (let j = 0; j < k; j++) values.push(c);
  });
  rng.shuffle(values);
  for (let i = 0; i < agents.length; i++) out[agents[i]] = values[i];
}
