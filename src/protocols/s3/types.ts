/**
 * Plain data of the S3 protocol (Gao et al. 2023, arXiv 2307.14984; protocols.md §D): the user states, the messages
 * about the event, and what one agent is asked and answers each round. Everything is structured-cloneable, so requests
 * and decisions can cross a worker boundary and be stored with their round for resume and replay.
 */
import type { CallMeta, LlmExchange } from '../../engine/types';

/** Emotion level toward the event: 0 calm, 1 moderate, 2 intense (calm until aware). */
export type EmotionLevel = 0 | 1 | 2;
export const EMOTIONS = ['calm', 'moderate', 'intense'] as const;
export type Emotion = (typeof EMOTIONS)[number];

/** Attitude toward the event: 0 negative, 1 positive. */
export type AttitudeValue = 0 | 1;
export const ATTITUDES = ['negative', 'positive'] as const;
export type Attitude = (typeof ATTITUDES)[number];

export const ACTIONS = ['none', 'post', 'repost'] as const;
export type S3Action = (typeof ACTIONS)[number];

/** How a message reached a reader; each source has one weight in the memory pool (S3 §3.3). */
export type MessageSource = 'followee' | 'mutual' | 'recommended' | 'own';

/** A post about the event, a repost of one, the seed posts of round 0, or an official correction. */
export interface S3Message {
  id: number;
  author: number;
  round: number;
  kind: 'seed' | 'post' | 'repost' | 'official';
  /** The message a repost passes on (its own id for everything else). */
  parent: number;
  /** The first message of the chain a repost belongs to (its own id for everything else). */
  origin: number;
  /** The author's emotion and attitude when writing it. */
  emotion: EmotionLevel;
  attitude: AttitudeValue;
  /** The author's DeGroot opinion in [0, 1] when writing it (its attitude for LLM agents). */
  opinion: number;
  text: string;
}

/** One message as a reader sees it this round (feed or memory). */
export interface SeenMessage {
  id: number;
  author: number;
  authorProfile: string;
  source: MessageSource;
  round: number;
  kind: S3Message['kind'];
  emotion: EmotionLevel;
  attitude: AttitudeValue;
  opinion: number;
  text: string;
}

/** Everything one aware user's decision may use in one round. */
export interface S3Request {
  agentId: number;
  round: number;
  condition: string;
  /** What the user is told about itself (age, gender, occupation group, role; the text its readers see). */
  profile: string;
  /** True in the round the user became aware (its attitude was just initialised from its profile). */
  newlyAware: boolean;
  emotion: EmotionLevel;
  attitude: AttitudeValue;
  /** DeGroot's continuous opinion in [0, 1] (the attitude is its side of 0.5). */
  opinion: number;
  /** Whether this user has already passed the event on (posted or reposted). */
  spread: boolean;
  /** Messages shown in the user's feed this round (at most the feed size, most influential first). Named apart from
   * the engine's `feed` of posts, which S3 does not use. */
  messages: SeenMessage[];
  /** How many messages reached the user this round, shown or not (each one a chance for the independent cascade). */
  arrivals: number;
  /** The memory pool before this round's messages (top K by influence), most influential first. */
  remembered: SeenMessage[];
  /** For the linear-threshold agent: the share of the user's followees who have spread the event. */
  spreadFolloweeShare: number;
}

export interface S3Decision {
  emotion: EmotionLevel;
  attitude: AttitudeValue;
  /** DeGroot's updated opinion; LLM agents set it to the attitude (0 or 1). */
  opinion: number;
  action: S3Action;
  /** The feed message reposted (action 'repost'). */
  repostId: number | null;
  /** The new post's text (action 'post'). */
  postText: string | null;
}

/** Accounting and outcome of one decision, as the engine's DecisionOutcome (LLM metadata absent offline). */
export type S3Outcome =
  | { ok: true; decision: S3Decision; meta?: CallMeta; exchange?: LlmExchange }
  | { ok: false; error: string; meta?: CallMeta; exchange?: LlmExchange };

export interface S3Batch {
  condition: string;
  round: number;
  requests: S3Request[];
}

/** The S3 decision port: one outcome per request, in request order; invalid answers are `{ ok: false }`. */
export interface S3Port {
  readonly kind: string;
  decideRound(batch: S3Batch, signal?: AbortSignal): Promise<S3Outcome[]> | S3Outcome[];
}
