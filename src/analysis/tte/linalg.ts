/**
 * The two small regressions the TTE estimators need, in closed form on typed arrays: ordinary least squares with an
 * intercept and a minimum-norm solution when the design is rank-deficient (what scikit-learn's LinearRegression
 * returns), and ridge regression with an unpenalised intercept (scikit-learn's Ridge). Feature matrices here have a
 * handful of columns, so a one-sided Jacobi SVD and a Cholesky solve are exact enough and allocation-light.
 */

const EPS = 2.220446049250313e-16;

/** Intercept and coefficients of a fitted linear model; `coef` is row-major targets × features. */
export interface LinearFit {
  intercept: Float64Array;
  coef: Float64Array;
  features: number;
  targets: number;
}

/** Predict target `q` of a fitted model at feature vector `x` (length `features`, read from `offset`). */
export function predictLinear(fit: LinearFit, q: number, x: ArrayLike<number>, offset = 0): number {
  let s = fit.intercept[q];
  const k = fit.features;
  for (let j = 0; j < k; j++) s += fit.coef[q * k + j] * x[offset + j];
  return s;
}

/**
 * Least squares y ≈ b0 + X b with an intercept, X row-major n × k. Centres X and y, then solves by a one-sided
 * Jacobi SVD; singular values below max(n, k)·eps·σmax count as zero, which gives the minimum-norm solution of a
 * rank-deficient design, as LAPACK's gelsd does for scikit-learn.
 */
export function olsMinNorm(X: Float64Array, y: Float64Array, n: number, k: number): LinearFit {
  const xm = new Float64Array(k);
  let ym = 0;
  for (let i = 0; i < n; i++) {
    ym += y[i];
    for (let j = 0; j < k; j++) xm[j] += X[i * k + j];
  }
  ym /= n;
  for (let j = 0; j < k; j++) xm[j] /= n;
  // Column-major centred copy: A[j * n + i].
  const A = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) A[j * n + i] = X[i * k + j] - xm[j];
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) yc[i] = y[i] - ym;
  const V = new Float64Array(k * k);
  for (let j = 0; j < k; j++) V[j * k + j] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < n; i++) {
          const ap = A[p * n + i];
          const aq = A[q * n + i];
          alpha += ap * ap;
          beta += aq * aq;
          gamma += ap * aq;
        }
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < n; i++) {
          const ap = A[p * n + i];
          const aq = A[q * n + i];
          A[p * n + i] = c * ap - s * aq;
          A[q * n + i] = s * ap + c * aq;
        }
        for (let i = 0; i < k; i++) {
          const vp = V[i * k + p];
          const vq = V[i * k + q];
          V[i * k + p] = c * vp - s * vq;
          V[i * k + q] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  const sigma = new Float64Array(k);
  let smax = 0;
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += A[j * n + i] * A[j * n + i];
    sigma[j] = Math.sqrt(s);
    smax = Math.max(smax, sigma[j]);
  }
  const cutoff = Math.max(n, k) * EPS * smax;
  const coef = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    if (!(sigma[j] > cutoff)) continue;
    let uy = 0;
    for (let i = 0; i < n; i++) uy += A[j * n + i] * yc[i];
    const w = uy / (sigma[j] * sigma[j]);
    for (let i = 0; i < k; i++) coef[i] += V[i * k + j] * w;
  }
  let b0 = ym;
  for (let j = 0; j < k; j++) b0 -= coef[j] * xm[j];
  return { intercept: Float64Array.of(b0), coef, features: k, targets: 1 };
}

/**
 * Centred normal equations of a regression with an intercept: feature means, target means, Xc'Xc (k × k) and Xc'Yc
 * (k × q). Kept apart from the solve so several ridge penalties reuse one pass over the rows.
 */
export interface NormalEquations {
  k: number;
  q: number;
  n: number;
  xMean: Float64Array;
  yMean: Float64Array;
  xtx: Float64Array;
  xty: Float64Array;
}

/** Accumulate the centred normal equations of rows X (n × k) and targets Y (n × q), both row-major. Two passes. */
export function normalEquations(X: Float64Array, Y: Float64Array, n: number, k: number, q: number): NormalEquations {
  const xMean = new Float64Array(k);
  const yMean = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) xMean[j] += X[i * k + j];
    for (let j = 0; j < q; j++) yMean[j] += Y[i * q + j];
  }
  for (let j = 0; j < k; j++) xMean[j] /= n;
  for (let j = 0; j < q; j++) yMean[j] /= n;
  const xtx = new Float64Array(k * k);
  const xty = new Float64Array(k * q);
  const xc = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) xc[j] = X[i * k + j] - xMean[j];
    for (let a = 0; a < k; a++) {
      const xa = xc[a];
      for (let b = a; b < k; b++) xtx[a * k + b] += xa * xc[b];
      for (let b = 0; b < q; b++) xty[a * q + b] += xa * (Y[i * q + b] - yMean[b]);
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) xtx[a * k + b] = xtx[b * k + a];
  return { k, q, n, xMean, yMean, xtx, xty };
}

/**
 * Ridge solution (Xc'Xc + αI) b = Xc'Yc with the intercept left unpenalised, by Cholesky. α must be > 0 unless the
 * design has full rank; a matrix that is not positive definite throws.
 */
export function solveRidge(ne: NormalEquations, alpha: number): LinearFit {
  const { k, q } = ne;
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = ne.xtx[i * k + j] + (i === j ? alpha : 0);
      for (let m = 0; m < j; m++) s -= L[i * k + m] * L[j * k + m];
      if (i === j) {
        if (!(s > 0)) throw new Error(`ridge: the feature matrix is singular at column ${i + 1} (penalty ${alpha}); use a penalty above 0`);
        L[i * k + i] = Math.sqrt(s);
      } else L[i * k + j] = s / L[j * k + j];
    }
  }
  const coef = new Float64Array(q * k);
  const z = new Float64Array(k);
  for (let t = 0; t < q; t++) {
    for (let i = 0; i < k; i++) {
      let s = ne.xty[i * q + t];
      for (let m = 0; m < i; m++) s -= L[i * k + m] * z[m];
      z[i] = s / L[i * k + i];
    }
    for (let i = k - 1; i >= 0; i--) {
      let s = z[i];
      for (let m = i + 1; m < k; m++) s -= L[m * k + i] * coef[t * k + m];
      coef[t * k + i] = s / L[i * k + i];
    }
  }
  const intercept = new Float64Array(q);
  for (let t = 0; t < q; t++) {
    let b0 = ne.yMean[t];
    for (let j = 0; j < k; j++) b0 -= coef[t * k + j] * ne.xMean[j];
    intercept[t] = b0;
  }
  return { intercept, coef, features: k, targets: q };
}
