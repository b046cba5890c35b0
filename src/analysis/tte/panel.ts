/**
 * The protocol-agnostic input of every total-treatment-effect estimator: a panel of outcomes Y and treatments W
 * (units × time steps, row-major) from one staggered roll-out, and the stage design that assigned W. Readers of any
 * layout (causalmp panels, LLM-SocioPol CSVs, our runs) produce this; the estimators know nothing else.
 */

export interface Panel {
  /** Units (rows). */
  n: number;
  /** Time steps (columns). */
  t: number;
  /** Outcomes, row-major n × t; every cell finite. */
  y: Float64Array;
  /** Treatments 0/1, row-major n × t. */
  w: Uint8Array;
}

/**
 * A stage design as the CausalMP package states it: `probabilities[k]` is the treatment probability in stage k and
 * stage k ≥ 1 starts at time step `stages[k − 1]`; `probabilities[0]` applies before `stages[0]` and the last entry of
 * `stages` is the end (T). E.g. probabilities [0, 0.1, 0.2, 0.5] with stages [1, 3, 5, 7]: 0 at time 0, 0.1 at 1–2,
 * 0.2 at 3–4, 0.5 at 5–6.
 */
export interface StageDesign {
  probabilities: number[];
  stages: number[];
}

/** Mean over units of each column. */
export function columnMeans(values: ArrayLike<number>, n: number, t: number): Float64Array {
  const out = new Float64Array(t);
  for (let i = 0; i < n; i++) for (let j = 0; j < t; j++) out[j] += values[i * t + j];
  for (let j = 0; j < t; j++) out[j] /= n;
  return out;
}

/**
 * The design's probability at each time step, with exactly the package's stage walk: the stage index moves on by at
 * most one per time step, once t reaches the next stage start, and stops at the last probability.
 */
export function stageProbabilities(design: StageDesign, t: number): Float64Array {
  const out = new Float64Array(t);
  let k = 0;
  for (let s = 0; s < t; s++) {
    if (k < design.stages.length - 1 && s >= design.stages[k]) k++;
    out[s] = design.probabilities[Math.min(k, design.probabilities.length - 1)];
  }
  return out;
}

/** Check a design against a panel's length; returns the problem in words, or null. */
export function designProblem(design: StageDesign, t: number): string | null {
  const { probabilities: p, stages } = design;
  if (p.length === 0 || stages.length === 0) return 'needs at least one probability and one stage start';
  if (p.length !== stages.length) return `has ${p.length} probabilities but ${stages.length} stage starts; give one start per probability (the last start is the end, T)`;
  if (p.some((x) => !(x >= 0 && x <= 1))) return 'has a probability outside 0–1';
  for (let k = 1; k < stages.length; k++) {
    if (!(stages[k] > stages[k - 1])) return `stage starts must increase (${stages[k - 1]} then ${stages[k]})`;
  }
  if (stages.some((s) => !Number.isInteger(s) || s < 0)) return 'stage starts must be whole time steps ≥ 0';
  if (stages[stages.length - 1] !== t) return `ends at ${stages[stages.length - 1]} but the panel has ${t} time steps; the last stage start must equal T = ${t}`;
  return null;
}
