/**
 * The three deterministic TTE estimators of the CausalMP package, defined exactly as it defines them (edge cases
 * included) so our numbers match its reference output to 1e-9: difference in means, Horvitz–Thompson with the
 * stage design's probability, and basic causal message passing. NaN marks a time step where an estimator is
 * undefined.
 */
import { olsMinNorm } from './linalg';
import { columnMeans, stageProbabilities, type Panel, type StageDesign } from './panel';

/**
 * Difference in means per time step: mean Y of the units treated at t minus mean Y of the untreated.
 * Assumes no interference (SUTVA), so under spillovers it estimates a direct contrast, not the TTE. NaN when
 * nobody or everybody is treated at t.
 */
export function differenceInMeans(p: Panel): Float64Array {
  const { n, t, y, w } = p;
  const out = new Float64Array(t).fill(NaN);
  for (let s = 0; s < t; s++) {
    let treated = 0;
    let sum1 = 0;
    let sum0 = 0;
    for (let i = 0; i < n; i++) {
      const v = y[i * t + s];
      if (w[i * t + s]) {
        treated++;
        sum1 += v;
      } else sum0 += v;
    }
    const control = n - treated;
    if (treated > 0 && control > 0) out[s] = sum1 / treated - sum0 / control;
  }
  return out;
}

/**
 * Horvitz–Thompson per time step: mean(Y·W)/p − mean(Y·(1 − W))/(1 − p), with p the design's probability at t
 * (not the realised share). Assumes Bernoulli(p) assignment at t and no interference; NaN where p is 0 or 1.
 */
export function horvitzThompson(p: Panel, design: StageDesign): Float64Array {
  const { n, t, y, w } = p;
  const probs = stageProbabilities(design, t);
  const out = new Float64Array(t).fill(NaN);
  for (let s = 0; s < t; s++) {
    const q = probs[s];
    if (!(q > 0 && q < 1)) continue;
    let sum1 = 0;
    let sum0 = 0;
    for (let i = 0; i < n; i++) {
      const v = y[i * t + s];
      if (w[i * t + s]) sum1 += v;
      else sum0 += v;
    }
    out[s] = sum1 / n / q - sum0 / n / (1 - q);
  }
  return out;
}

/**
 * Basic causal message passing (Shirani & Bayati 2024): regress the population mean ν(t+1) on the treated share
 * p(t+1), ν(t) and their product by least squares, then roll the fitted dynamics forward under "all treated" and
 * "none treated" from ν(0). Assumes the population mean follows one first-order recursion whose coefficients do not
 * change over time; needs T ≥ 2 (with fewer than five time steps the regression is underdetermined and the
 * minimum-norm solution is used). TTE(0) = 0.
 */
export function basicCmp(p: Panel): Float64Array {
  const { n, t } = p;
  const nu = columnMeans(p.y, n, t);
  const share = columnMeans(p.w, n, t);
  const out = new Float64Array(t);
  if (t < 2) return out;
  const rows = t - 1;
  const X = new Float64Array(rows * 3);
  const target = new Float64Array(rows);
  for (let s = 0; s < rows; s++) {
    X[s * 3] = share[s + 1];
    X[s * 3 + 1] = nu[s];
    X[s * 3 + 2] = share[s + 1] * nu[s];
    target[s] = nu[s + 1];
  }
  const fit = olsMinNorm(X, target, rows, 3);
  const lambda = fit.coef[0];
  const xi = fit.coef[1];
  const gamma = fit.coef[2];
  // ν̃ is the estimated all-treated path; the recursion is the package's, term for term.
  let nuTilde = nu[0];
  for (let s = 1; s < t; s++) {
    const next = nu[s] + xi * (nuTilde - nu[s - 1]) + lambda * (1 - share[s]) + gamma * (nuTilde - share[s] * nu[s - 1]);
    out[s] = out[s - 1] * xi + lambda + gamma * nuTilde;
    nuTilde = next;
  }
  return out;
}
