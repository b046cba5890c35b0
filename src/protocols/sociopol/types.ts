/**
 * The parts LLM-SocioPol adds to the generic engine: a 0–4 voting likelihood stated at each activation, get-out-the-vote
 * messages (informational or social), and an election-day question. The scale's wording lives here once, for the
 * prompts and the app.
 */
import type {
  ActivationRequest as GenericActivation,
  Decision as GenericDecision,
  DecisionOutcome as GenericOutcome,
  FinalOutcome,
  FinalRequest,
} from '../../engine/protocol';
import type { DecisionPort as GenericPort, FinalBatch, RoundBatch as GenericRoundBatch } from '../../engine/ports';
import type { FinalRecord } from '../../engine/types';

/** The 0–4 voting-likelihood scale (0 definitely will not … 4 definitely will). */
export type Likelihood = 0 | 1 | 2 | 3 | 4;

/** The scale's wording, index = value: one source for the prompts and the agent card. */
export const LIKELIHOOD_WORDS = ['definitely not', 'probably not', 'maybe', 'probably', 'definitely'] as const;

export type TreatmentMessage =
  | { kind: 'info'; text: string }
  | {
      kind: 'social';
      text: string;
      /** Adults whose last stated likelihood is ≥ 3, counted over everyone at the start of the round. */
      likelyCount: number;
      /** Up to six accounts the agent follows (or close friends) whose last stated likelihood is ≥ 3. */
      followedLikely: Array<{ id: number; profile: string }>;
    };

/** The protocol's part of an activation request: present for adults only. */
export interface SocioPolRequest {
  vote: {
    roundsToElection: number;
    previousLikelihood: Likelihood | null;
    treatment: TreatmentMessage | null;
    /** Accounts followed, and the share of peers with a stated likelihood whose last one is ≥ 3 (peer signal). */
    followedCount: number;
    followedLikelyShare: number;
  } | null;
}

/** The protocol's part of a decision: required for adults, null for minors. */
export interface SocioPolDecision {
  likelihood: Likelihood | null;
}

/** The protocol's part of an agent's memory of its previous activation. */
export interface SocioPolMemory {
  likelihood: Likelihood | null;
  /** Share of peers whose last stated likelihood was ≥ 3, as seen at that activation. */
  followedLikelyShare: number;
  /** Whether that activation showed a message. */
  sawMessage: boolean;
}

/** The election-day question's part. */
export interface VoteQuestion {
  lastLikelihood: Likelihood | null;
  treatedEver: boolean;
}

export interface VoteAnswer {
  voted: 0 | 1;
}

/** `config.params` of LLM-SocioPol and Bond 2012. */
export interface SocioPolParams {
  messages: {
    /** The get-out-the-vote slogan (informational message, and the first line of the social one). */
    info: string;
    /** Social addition; `{count}` is replaced by the number of likely voters. */
    social: string;
  };
  /** Peers pictured in the social message. @default 6 */
  maxFollowedLikelyShown: number;
  /**
   * Whose likely-voter status the social message pictures and the peer signal counts: accounts followed (protocol A)
   * or close friends (Bond et al. 2012). @default 'followed'
   */
  friendsChannel: 'followed' | 'closeFriends';
}

export type ActivationRequest = GenericActivation<SocioPolRequest, SocioPolMemory>;
export type Decision = GenericDecision<SocioPolDecision>;
export type DecisionOutcome = GenericOutcome<SocioPolDecision>;
export type Memory = NonNullable<ActivationRequest['memory']>;
export type VoteRequest = FinalRequest<VoteQuestion>;
export type VoteOutcome = FinalOutcome<VoteAnswer>;
export type ElectionRecord = FinalRecord<VoteAnswer>;
export type RoundBatch = GenericRoundBatch<SocioPolRequest, SocioPolMemory>;
export type VoteBatch = FinalBatch<VoteQuestion>;
export type SocioPolPort = GenericPort<SocioPolRequest, SocioPolDecision, SocioPolMemory, VoteQuestion, VoteAnswer>;
