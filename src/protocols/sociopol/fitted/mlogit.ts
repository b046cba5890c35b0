/**
 * Ridge-penalised multinomial logit fitted by Newton's method on soft targets: the one estimator behind every fitted
 * choice of the SocioPol surrogate (next stated likelihood per previous level, the latent delay, the first value,
 * the vote). Soft targets let the same code run the M-step of an EM fit where the chosen class is not observed.
 * Deterministic: no randomness, a fixed iteration order, and a Cholesky solve.
 */

/** Observations in a flat layout: row i has features x[i·p … i·p+p) and target weights y[i·K … i·K+K) summing to 1. */
export interface Design {
  n: number;
  p: number;
  K: number;
  x: Float64Array;
  y: Float64Array;
  /** Observation weights (1 when absent). */
  w?: Float64Array;
}

export interface MlogitOptions {
  /** Penalty on slopes (every feature but the first, the intercept). @default 1 */
  ridge?: number;
  /** Penalty on intercepts: small, it only keeps rare classes finite. @default 0.01 */
  ridgeIntercept?: number;
  /** Class whose coefficients are fixed at zero. @default 0 */
  reference?: number;
  /** Classes fixed at probability 0 (never observed: a move the data never show is not invented). */
  excluded?: boolean[];
  maxIter?: number;
  tol?: number;
}

export interface MlogitFit {
  /** K × p coefficients, row-major; the reference class and excluded classes are all zeros. */
  beta: number[];
  excluded: boolean[];
  logLik: number;
  iterations: number;
}

/** Class probabilities for one feature vector (excluded classes get 0). */
export function mlogitProbs(beta: ArrayLike<number>, excluded: readonly boolean[], x: ArrayLike<number>, xOff: number, p: number, out: Float64Array): Float64Array {
  const K = excluded.length;
  let max = -Infinity;
  for (let c = 0; c < K; c++) {
    if (excluded[c]) continue;
    let eta = 0;
    for (let j = 0; j < p; j++) eta += beta[c * p + j] * x[xOff + j];
    out[c] = eta;
    if (eta > max) max = eta;
  }
  let total = 0;
  for (let c = 0; c < K; c++) {
    if (excluded[c]) {
      out[c] = 0;
      continue;
    }
    out[c] = Math.exp(out[c] - max);
    total += out[c];
  }
  for (let c = 0; c < K; c++) out[c] /= total;
  return out;
}

/** Penalised log-likelihood of a design under given coefficients (the penalty is not included). */
export function mlogitLogLik(d: Design, beta: ArrayLike<number>, excluded: readonly boolean[], floor = 1e-6): number {
  const pr = new Float64Array(d.K);
  let ll = 0;
  for (let i = 0; i < d.n; i++) {
    mlogitProbs(beta, excluded, d.x, i * d.p, d.p, pr);
    const w = d.w ? d.w[i] : 1;
    for (let c = 0; c < d.K; c++) {
      const y = d.y[i * d.K + c];
      if (y > 0) ll += w * y * Math.log(Math.max(pr[c], floor));
    }
  }
  return ll;
}

/** Solve A z = b for a symmetric positive definite A (m × m, row-major), in place of b. */
function choleskySolve(A: Float64Array, b: Float64Array, m: number): void {
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * m + j];
      for (let k = 0; k < j; k++) s -= L[i * m + k] * L[j * m + k];
      if (i === j) L[i * m + i] = Math.sqrt(Math.max(s, 1e-12));
      else L[i * m + j] = s / L[j * m + j];
    }
  }
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * m + k] * b[k];
    b[i] = s / L[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < m; k++) s -= L[k * m + i] * b[k];
    b[i] = s / L[i * m + i];
  }
}

/**
 * Maximise Σ w·y·log P − ridge/2·|slopes|² − ridgeIntercept/2·|intercepts|² by Newton steps with step halving.
 * `start` (K × p) warm-starts the EM iterations.
 */
export function fitMlogit(d: Design, options: MlogitOptions = {}, start?: readonly number[]): MlogitFit {
  const { n, p, K } = d;
  const ridge = options.ridge ?? 1;
  const ridge0 = options.ridgeIntercept ?? 0.01;
  const ref = options.reference ?? 0;
  const maxIter = options.maxIter ?? 50;
  const tol = options.tol ?? 1e-9;
  const excluded = options.excluded ? options.excluded.slice() : new Array<boolean>(K).fill(false);
  excluded[ref] = false;
  const free: number[] = [];
  for (let c = 0; c < K; c++) if (c !== ref && !excluded[c]) free.push(c);
  const m = free.length * p;
  const beta = new Float64Array(K * p);
  if (start) for (const c of free) for (let j = 0; j < p; j++) beta[c * p + j] = start[c * p + j];
  const penalty = (b: Float64Array) => {
    let s = 0;
    for (const c of free) for (let j = 0; j < p; j++) s += (j === 0 ? ridge0 : ridge) * b[c * p + j] ** 2;
    return s / 2;
  };
  const objective = (b: Float64Array) => mlogitLogLik(d, b, excluded, 1e-300) - penalty(b);
  let current = objective(beta);
  const pr = new Float64Array(K);
  let it = 0;
  for (; it < maxIter && m > 0; it++) {
    const g = new Float64Array(m);
    const H = new Float64Array(m * m);
    for (let i = 0; i < n; i++) {
      const off = i * p;
      mlogitProbs(beta, excluded, d.x, off, p, pr);
      const w = d.w ? d.w[i] : 1;
      let ysum = 0;
      for (let c = 0; c < K; c++) ysum += d.y[i * K + c];
      for (let a = 0; a < free.length; a++) {
        const ca = free[a];
        const r = w * (d.y[i * K + ca] - ysum * pr[ca]);
        for (let j = 0; j < p; j++) g[a * p + j] += r * d.x[off + j];
        for (let b2 = 0; b2 <= a; b2++) {
          const cb = free[b2];
          const h = w * ysum * pr[ca] * ((ca === cb ? 1 : 0) - pr[cb]);
          if (h === 0) continue;
          for (let j = 0; j < p; j++) {
            const xj = d.x[off + j];
            if (xj === 0) continue;
            const hx = h * xj;
            const row = (a * p + j) * m + b2 * p;
            for (let k = 0; k < p; k++) H[row + k] += hx * d.x[off + k];
          }
        }
      }
    }
    for (let a = 0; a < free.length; a++) {
      for (let j = 0; j < p; j++) {
        const lam = j === 0 ? ridge0 : ridge;
        g[a * p + j] -= lam * beta[free[a] * p + j];
        H[(a * p + j) * m + a * p + j] += lam;
      }
    }
    // Fill the upper blocks from the lower ones (the Hessian is symmetric).
    for (let r = 0; r < m; r++) for (let c = r + 1; c < m; c++) H[r * m + c] = H[c * m + r];
    const step = g.slice();
    choleskySolve(H, step, m);
    let t = 1;
    let next = beta;
    let value = current;
    for (let half = 0; half < 30; half++, t /= 2) {
      next = beta.slice();
      for (let a = 0; a < free.length; a++) for (let j = 0; j < p; j++) next[free[a] * p + j] += t * step[a * p + j];
      value = objective(next);
      if (value >= current - 1e-12) break;
    }
    const gain = value - current;
    beta.set(next);
    current = value;
    if (Math.abs(gain) < tol * (1 + Math.abs(current))) {
      it++;
      break;
    }
  }
  return { beta: Array.from(beta), excluded, logLik: mlogitLogLik(d, beta, excluded, 1e-300), iterations: it };
}
