/**
 * The one decision port. The engine builds plain requests and applies plain decisions; whether an offline rule, an LLM
 * or a replay of stored decisions answers is invisible to it. Every implementation runs the same contract suite.
 */
import type { SimConfig } from './config';
import type { ActivationRequest, DecisionOutcome, Persona, VoteOutcome, VoteRequest } from './types';

export interface PortContext {
  /** The run's seed (each seed folder of a multi-seed run has its own). */
  seed: number;
  config: SimConfig;
  /** Indexed by agent id. */
  personas: readonly Persona[];
}

export interface RoundBatch {
  condition: string;
  round: number;
  requests: ActivationRequest[];
}

export interface VoteBatch {
  condition: string;
  requests: VoteRequest[];
}

export interface DecisionPort {
  /** 'offline' | 'llm' | 'replay' — for labels and records only; the engine never branches on it. */
  readonly kind: string;
  /** Called once before the warm-up. */
  init(ctx: PortContext): Promise<void> | void;
  /**
   * Decide for every active agent of one round of one condition. Must return exactly one outcome per request, in
   * request order; an invalid answer is `{ ok: false }`, never a made-up value. Rejects only on cancellation
   * (`name === 'Cancelled'`) or a stop the caller must see (budget, fatal endpoint error).
   */
  decideRound(batch: RoundBatch, signal?: AbortSignal): Promise<DecisionOutcome[]>;
  /** Election day: one vote question per adult. Same contract as decideRound. */
  decideVotes(batch: VoteBatch, signal?: AbortSignal): Promise<VoteOutcome[]>;
}
