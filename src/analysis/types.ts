/**
 * The common input of every estimator: per seed, per condition, the wide tables of the published layout (one row per
 * agent, one column per round) plus what a simulated run adds (votes, the follower graph). Both `replicate` (from
 * engine records) and `analyze` (from the authors' CSVs) build this, so both print the same tables from the same code.
 */
import type { FollowNetwork } from '../engine/network';
import type { ContrastDecl } from '../engine/protocol';

export interface ConditionData {
  /** e.g. 'control', 'treatment_soc_message'. */
  name: string;
  /** Agent ids (row labels), ascending; rows of the matrices below follow this order. */
  agentIds: Int32Array;
  /** Round labels of the columns, e.g. −15…30. */
  rounds: number[];
  /**
   * The value stated in that round (SocioPol: the likelihood; the published `<condition>_voting_data.csv`), row-major
   * agents × rounds; −1 where none was stated. Its carried-forward value is the last stated likelihood.
   */
  stated: Int8Array;
  /** Treatment 0/1, row-major agents × rounds; null when the treatment file was missing or unusable. */
  treatment: Uint8Array | null;
  /** Election-day vote per row (0/1, −1 unknown); absent in the published data. */
  votes?: Int8Array;
  /** Problems met while reading (quirks handled, columns missing), reported beside the tables. */
  notes: string[];
  /**
   * Arms randomised within this condition (the Bond 2012 design): arm names, each arm's message, and the arm index of
   * each row (−1 unknown).
   */
  arms?: { names: string[]; messages: string[]; byRow: Int8Array };
  /**
   * True when only the last round's treatment column can be trusted (a roll-out file whose earlier columns contradict
   * its schedule and could not be rebuilt): per-period (cohort) estimates are then skipped for this condition.
   */
  treatmentFinalOnly?: boolean;
}

export interface SeedData {
  /** The seed's label: its folder name, e.g. 'seed_1' (the RNG seed is the configuration's business). */
  label: string;
  conditions: ConditionData[];
  /** Follower graph over agent ids (rows map to nodes by id); enables exposure-based spillover estimates. */
  network?: FollowNetwork;
  /** Close friends per agent id; enables the friends-of-treated spillover estimate of arm designs (Bond 2012). */
  closeFriends?: number[][];
  /** Seed-level problems met while reading (a condition or file missing), reported beside the tables. */
  notes?: string[];
}

/** One difference-in-means estimate. */
export interface Effect {
  /** Compared arm, e.g. 'treatment_soc_message' or 'experiment_soc_message:untreated'. */
  treatment: string;
  /** Baseline arm, e.g. 'control'. */
  baseline: string;
  /** 'likelihood_r30' (mean last stated likelihood at the last round), 'share_likely_r30', 'turnout', … */
  outcome: string;
  estimate: number;
  se: number;
  ci95: [number, number];
  nTreatment: number;
  nBaseline: number;
  /** Seed folder, or 'pooled'. */
  seed: string;
  /** 'neyman' | 'paired' … (pooled rows keep their per-seed method and have seed 'pooled'). */
  method: string;
  /** Pooled rows only: number of seeds, SD of the seed estimates, and both standard errors of their mean. */
  nSeeds?: number;
  seedSd?: number;
  /** sqrt(mean of the seeds' SE²) / sqrt(nSeeds): the within-seed SEs combined (this is `se` on pooled rows). */
  seWithinPooled?: number;
  /** seedSd / sqrt(nSeeds): the empirical between-seed SE (noisy with few seeds). */
  seBetweenSeeds?: number;
}

export interface ConditionSummary {
  adults: number;
  /** round → mean of each adult's last stated likelihood so far (adults with none yet are left out). */
  meanLikelihoodByRound: Record<string, number>;
  /** round → share of adults whose last stated likelihood so far is ≥ 3 (over adults with a statement). */
  shareLikelyByRound: Record<string, number>;
  /** Share of adults who voted; null when votes are unknown (published data). */
  turnout: number | null;
  /** For a condition with arms (Bond 2012 design): the share who voted in each arm. */
  turnoutByArm?: Record<string, number | null>;
}

/** A declared contrast with the labels its effects carry (`Effect.treatment`, `Effect.baseline`). */
export interface ContrastLabel extends ContrastDecl {
  treatmentLabel: string;
  baselineLabel: string;
}

/** The `--json` shape shared by `replicate` and `analyze`. */
export interface Summary {
  source: string;
  seeds: string[];
  /** Pooled over seeds (means of per-seed values). */
  conditions: Record<string, ConditionSummary>;
  perSeed: Record<string, Record<string, ConditionSummary>>;
  effects: Effect[];
  /** The contrasts the protocol declared for these seeds (each once), so readers find effects by meaning, not by name. */
  contrasts: ContrastLabel[];
  notes: string[];
}
