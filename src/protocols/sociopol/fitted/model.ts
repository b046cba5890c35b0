/**
 * The fitted SocioPol agents as data: the JSON shape of a fit (coefficients of four choices and where they came from)
 * and the covariates each choice reads. One definition serves the fit, the held-out scoring and the decision port, so
 * what is estimated is exactly what is simulated.
 */
import type { Likelihood } from '../../../protocols/sociopol/types';
import type { TurnoutHabit } from '../../../population/types';
import { mlogitProbs } from './mlogit';

export const FITTED_FORMAT = 'spillover-fitted-sociopol';
export const FITTED_VERSION = 1;
/** How the default (bundled) fitted agents are named wherever they can be picked. */
export const FITTED_PUBLISHED_LABEL = 'fitted to the published LLM-SocioPol runs';

/**
 * Covariates of the next stated likelihood, per previous level. "Exposure rounds" stands for the dose: rounds since the
 * agent's first treated round (the roll-out is absorbing), rather than a count of treated activations, because a
 * decision port must answer from its request alone so that a resumed run replays identically.
 */
export const TRANSITION_FEATURES = [
  'intercept',
  'info message, first exposure',
  'info message, repeat',
  'social message, first exposure',
  'social message, repeat',
  'info repeat × ln(1 + exposure rounds)',
  'social repeat × ln(1 + exposure rounds)',
  'ln(rounds since last activation)',
  'round / 30 (main stage)',
  'warm-up round',
  'followed accounts likely share',
  'change in followed likely share',
  'persona: occasional voter',
  'persona: low-turnout voter',
] as const;

/** Covariates of the chosen delay n ∈ 1…5 (the engine then waits n + U{0…n+1} rounds). */
export const DELAY_FEATURES = [
  'intercept',
  'stated 0',
  'stated 1',
  'stated 2',
  'stated 4',
  'info message',
  'social message',
  'round / 30 (main stage)',
  'warm-up round',
] as const;

/** Covariates of the first stated value. */
export const FIRST_FEATURES = ['intercept', 'persona: occasional voter', 'persona: low-turnout voter'] as const;

export interface ChoiceModel {
  /** Feature names, in coefficient order. */
  features: string[];
  /** Classes × features, row-major (classes are likelihoods 0…4, or delays 1…5). */
  beta: number[];
  /** Classes never observed in the data: probability 0. */
  excluded: boolean[];
  /** Observations it was fitted on. */
  n: number;
}

export interface FittedAgents {
  format: typeof FITTED_FORMAT;
  version: number;
  /** Where the decisions came from, shown wherever these agents can be picked. */
  source: { kind: 'published' | 'run'; label: string; seeds: string[]; activations: number; createdBy: string };
  /** Features absent from the data (all zero there): their coefficients are fixed at zero, not invented. */
  absent: string[];
  ridge: number;
  /** Next likelihood given the previous one: one model per previous level 0…4 (null when never observed). */
  transition: Array<ChoiceModel | null>;
  delay: ChoiceModel;
  first: ChoiceModel;
  /** Election day: probability of voting by last stated likelihood, and for adults who never stated one. */
  vote: { byLevel: number[]; withoutStatement: number; fitted: boolean; note: string; n: number[] };
}

export type MessageCode = 0 | 1 | 2;

/** One activation as the transition model reads it (from a request, or from a stored run's tables). */
export interface TransitionInput {
  message: MessageCode;
  /** First treated activation (treated now, not at the previous activation). */
  firstExposure: boolean;
  /** Rounds since the first treated round (0 at it). */
  exposureRounds: number;
  /** Rounds since the previous activation (≥ 1). */
  gap: number;
  round: number;
  peerShare: number;
  peerChange: number;
  habit: TurnoutHabit | null;
}

export function transitionFeatures(t: TransitionInput, out: Float64Array, off = 0): void {
  out.fill(0, off, off + TRANSITION_FEATURES.length);
  out[off] = 1;
  if (t.message === 1) out[off + (t.firstExposure ? 1 : 2)] = 1;
  if (t.message === 2) out[off + (t.firstExposure ? 3 : 4)] = 1;
  if (!t.firstExposure && t.message !== 0) out[off + (t.message === 1 ? 5 : 6)] = Math.log(1 + Math.max(0, t.exposureRounds));
  out[off + 7] = Math.log(Math.max(1, t.gap));
  if (t.round >= 1) out[off + 8] = t.round / 30;
  else out[off + 9] = 1;
  out[off + 10] = t.peerShare;
  out[off + 11] = t.peerChange;
  if (t.habit === 'occasional') out[off + 12] = 1;
  if (t.habit === 'low-turnout') out[off + 13] = 1;
}

export function delayFeatures(level: number, message: MessageCode, round: number, out: Float64Array, off = 0): void {
  out.fill(0, off, off + DELAY_FEATURES.length);
  out[off] = 1;
  if (level === 0) out[off + 1] = 1;
  if (level === 1) out[off + 2] = 1;
  if (level === 2) out[off + 3] = 1;
  if (level === 4) out[off + 4] = 1;
  if (message === 1) out[off + 5] = 1;
  if (message === 2) out[off + 6] = 1;
  if (round >= 1) out[off + 7] = round / 30;
  else out[off + 8] = 1;
}

export function firstFeatures(habit: TurnoutHabit | null, out: Float64Array, off = 0): void {
  out.fill(0, off, off + FIRST_FEATURES.length);
  out[off] = 1;
  if (habit === 'occasional') out[off + 1] = 1;
  if (habit === 'low-turnout') out[off + 2] = 1;
}

/** Probabilities of the classes of one choice for a feature vector. */
export function choiceProbs(m: ChoiceModel, x: Float64Array, out = new Float64Array(m.excluded.length)): Float64Array {
  return mlogitProbs(m.beta, m.excluded, x, 0, m.features.length, out);
}

/** P(observed gap | chosen delay n): the engine waits n + U{0…n+1} rounds. `censoredAbove` ≥ 0: only gap > it is known. */
export function gapGivenDelay(n: number, gap: number, censoredAbove = -1): number {
  if (censoredAbove >= 0) {
    const hi = 2 * n + 1;
    const count = Math.max(0, hi - Math.max(n, censoredAbove + 1) + 1);
    return count / (n + 2);
  }
  return gap >= n && gap <= 2 * n + 1 ? 1 / (n + 2) : 0;
}

export function pick(probs: ArrayLike<number>, u: number): number {
  let x = u;
  for (let i = 0; i < probs.length; i++) {
    x -= probs[i];
    if (x < 0) return i;
  }
  for (let i = probs.length - 1; i >= 0; i--) if (probs[i] > 0) return i;
  return 0;
}

export function asLikelihood(k: number): Likelihood {
  return Math.max(0, Math.min(4, k)) as Likelihood;
}
