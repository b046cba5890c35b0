/**
 * Plain, structured-cloneable data shared by the engine, the agents, storage, the worker and the UI. Nothing here
 * holds behaviour or references to live engine state, so any value can cross the comlink boundary or go into
 * IndexedDB as it is.
 */
import type { DecisionOutcome, FinalOutcome } from './protocol';

/** Model tier of an agent; LLM agents map tiers to model names (one source: DEFAULT_MODELS in src/agents/llm). */
export type Tier = 'full' | 'mini' | 'nano';

export interface Post {
  id: number;
  author: number;
  /** Round in which it was written (seed posts: the first warm-up round). */
  round: number;
  topic: string;
  text: string;
  /**
   * A seed post (written to start the warm-up's first round), not an agent's. Stored runs and bundles from before
   * this name hold it as `seed`; storage reads both (`storage/migrations.ts` upgradePost).
   */
  seedPost: boolean;
}

export interface Reply {
  postId: number;
  author: number;
  round: number;
  text: string;
}

/** One post as an active agent sees it in its feed (already ranked: index 0 is the top). */
export interface FeedItem {
  postId: number;
  authorId: number;
  authorProfile: string;
  /** Whether the viewing agent follows the author. */
  followed: boolean;
  topic: string;
  text: string;
  likeCount: number;
  replyCount: number;
  /** Ids of accounts the viewer follows that liked / replied to this post (at most 3 each, for the prompt). */
  likedByFollowed: number[];
  repliedByFollowed: number[];
  latestReply: { authorId: number; text: string } | null;
  /** Which source of the feed mix drew it. */
  source: 'interest' | 'followed' | 'trending' | 'random';
}

export type Engagement = 'none' | 'like' | 'reply';
export type FollowChange = 'none' | 'follow' | 'unfollow';

export interface PostAction {
  postId: number;
  engagement: Engagement;
  replyText?: string;
  follow: FollowChange;
}

/** Accounting of one decision's LLM traffic (zeros for offline agents). */
export interface CallMeta {
  calls: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** Answered from the response cache without a request. */
  cacheHits: number;
  retries: number;
  model?: string;
}

/**
 * What an LLM agent was asked and what it answered, kept with its outcome so the agent card can show it (also after
 * a replay or an import, since the outcome is stored with its round). `prompt` is the per-agent user message (persona
 * and this activation); the system prompt shared by every agent is not repeated. `answer` is the raw text of the last
 * attempt ('' if the endpoint gave none). Never holds the API key. Absent for offline agents, so their runs don't grow.
 */
export interface LlmExchange {
  prompt: string;
  answer: string;
  /**
   * The prompt's variable part in a compact form the writing port can rebuild from the run's stored data
   * (`LlmPrompts.compactActivation`); `prompt` is '' then. Keeps an LLM run's records small.
   */
  compact?: unknown;
}

export type EngagementKind = 'like' | 'reply' | 'follow' | 'unfollow' | 'post';

export interface EngagementEvent {
  round: number;
  agent: number;
  kind: EngagementKind;
  /** Post liked/replied to, or the new post's id. */
  postId: number;
  /** Author followed or unfollowed (or the post's author). */
  target: number;
  text?: string;
}

export interface LlmTotals {
  calls: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  costUsd: number;
  cacheHits: number;
  retries: number;
  invalid: number;
}

/**
 * Everything that happened in one round of one condition. Arrays are indexed by agent id and are independent copies
 * (no aliasing across rounds), so a stored record never changes after the fact. `D` is the protocol's decision part.
 */
export interface RoundRecord<D extends object = object> {
  condition: string;
  round: number;
  /** Ids of agents active this round, ascending. */
  active: Int32Array;
  /** Whether each agent was shown a message this round (0/1), as the published treatment CSVs record it. */
  treated: Uint8Array;
  /** Per agent this round: likes, replies, posts, follows, unfollows (5 counts, agent-major). */
  activity: Uint16Array;
  /** The protocol's declared per-agent columns this round (`Protocol.columns`), each of length n. */
  columns: Record<string, Int8Array | Float32Array>;
  /** The protocol's declared population-level numbers this round (`Protocol.scalars`). */
  scalars: Record<string, number>;
  engagements: EngagementEvent[];
  posts: Post[];
  replies: Reply[];
  /** Agents whose decision was invalid after retries (kept their previous state). */
  invalidAgents: number[];
  /** The decision outcome of each active agent, aligned with `active`: lets a run resume or replay without calls. */
  decisions: DecisionOutcome<D>[];
  llm: LlmTotals;
  /** The protocol's own plain record of the round (`Protocol.endRound`'s `extra`), when it keeps one. */
  extra?: unknown;
}

/** The end-of-run question of one condition (`Protocol.final`): one answer per agent asked. */
export interface FinalRecord<FA extends object = object> {
  condition: string;
  /** The recorded number per agent; −1 where not asked or the answer was invalid. */
  values: Int8Array;
  invalidAgents: number[];
  /** Outcomes aligned with the agents asked, in ascending id order. */
  outcomes: FinalOutcome<FA>[];
  llm: LlmTotals;
}

/** Index names of `RoundRecord.activity`. */
export const ACTIVITY_FIELDS = ['likes', 'replies', 'posts', 'follows', 'unfollows'] as const;
export const ACTIVITY_WIDTH = ACTIVITY_FIELDS.length;

export function emptyLlmTotals(): LlmTotals {
  return { calls: 0, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, costUsd: 0, cacheHits: 0, retries: 0, invalid: 0 };
}

/** Add one set of totals to another (invalid counts included). */
export function addTotals(into: LlmTotals, from: LlmTotals): void {
  addMeta(into, from);
  into.invalid += from.invalid;
}

/** Add one decision's accounting to running totals (a CallMeta is an LlmTotals without the invalid count). */
export function addMeta(totals: LlmTotals, meta: CallMeta | undefined): void {
  if (!meta) return;
  totals.calls += meta.calls;
  totals.promptTokens += meta.promptTokens;
  totals.cachedPromptTokens += meta.cachedPromptTokens;
  totals.completionTokens += meta.completionTokens;
  totals.costUsd += meta.costUsd;
  totals.cacheHits += meta.cacheHits;
  totals.retries += meta.retries;
}
