/**
 * One run of the estimator testbed, whatever layout it came from: the roll-out panel, the ground truth's two
 * counterfactual means per time step (all treated, none treated; same seed and population) and the treated share of
 * those two counterfactuals, which causal message passing rolls its fitted dynamics forward under.
 */
import type { Panel } from './panel';

/** Followed accounts of each panel row, as row indices (compressed rows); accounts outside the panel are left out. */
export interface RowGraph {
  /** Row i follows rows `followees[offsets[i]] … followees[offsets[i + 1] − 1]`. */
  offsets: Int32Array;
  followees: Int32Array;
  /** Per row, how many followed accounts lie outside the panel (never treated, e.g. minors). */
  outside: Int32Array;
}

export interface TteRun {
  /** Seed number (the JSON's `run`). */
  run: number;
  /** Seed folder name, for tables. */
  label: string;
  panel: Panel;
  /** Round (or time-step) label of each panel column. */
  rounds: number[];
  /** Mean outcome per time step in the all-treated and the all-control condition; null when either is missing. */
  truth: { treated: Float64Array; control: Float64Array } | null;
  /** Treated share per time step in those two conditions (CMP's desired treatments). */
  desired: { treated: Float64Array; control: Float64Array };
  /** Follower graph over panel rows, when known (enables the exposure-mapping estimators). */
  graph?: RowGraph;
  notes: string[];
}

/** Ground-truth TTE per time step: all-treated mean minus all-control mean. */
export function truthOf(run: TteRun): Float64Array | null {
  if (!run.truth) return null;
  const { treated, control } = run.truth;
  return Float64Array.from(treated, (v, j) => v - control[j]);
}
