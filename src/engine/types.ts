/**
 * Plain, structured-cloneable data shared by the engine, the agents, storage, the worker and the UI. Nothing here
 * holds behaviour or references to live engine state, so any value can cross the comlink boundary or go into
 * IndexedDB as it is.
 */

/** The 0–4 voting-likelihood scale of protocol A (0 definitely not … 4 definitely will). */
export type Likelihood = 0 | 1 | 2 | 3 | 4;

/** "Political sophistication" tier; mapped to model names by the LLM agents (gpt-4.1 / mini / nano by default). */
export type Tier = 'full' | 'mini' | 'nano';

export type Sex = 'female' | 'male';
export type Party = 'democrat' | 'republican' | 'independent';
export type Ideology = 'liberal' | 'moderate' | 'conservative';
/** Habitual turnout, from the CPS turnout-by-age rates; feeds the stance phrase ("low-turnout conservative"). */
export type TurnoutHabit = 'consistent' | 'occasional' | 'low-turnout';
export type Education =
  | 'less_than_high_school'
  | 'high_school'
  | 'some_college'
  | 'associate'
  | 'bachelors'
  | 'masters'
  | 'professional'
  | 'doctorate';

export interface Persona {
  id: number;
  age: number;
  /** Adults (18+) vote and can be treated; minors never are. */
  adult: boolean;
  sex: Sex;
  /** A key of census.json `race_ethnicity` (e.g. 'white_nh', 'hispanic_any_race'). */
  raceEthnicity: string;
  education: Education;
  occupation: string;
  maritalStatus: string;
  hoursPerWeek: number;
  /** Derived from weekly hours: part-time flexible/regular, full-time standard/long/very long, or not working. */
  workSchedule: string;
  countryOfBirth: string;
  state: string;
  party: Party;
  ideology: Ideology;
  turnoutHabit: TurnoutHabit;
  /** Free text shown to the agent in the second person ("a consistent progressive voter"). */
  politicalStance: string;
  /** 2–4 political subtopics (keys of census.json `topics`). */
  interests: string[];
  /** 1–7 agent ids, chosen among mutual follows where they exist. */
  closeFriends: number[];
  /** What others see of this agent as an author. */
  publicProfile: string;
  tier: Tier;
}

export interface Post {
  id: number;
  author: number;
  /** Round in which it was written (seed posts: the first warm-up round). */
  round: number;
  topic: string;
  text: string;
  seed: boolean;
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

export type TreatmentMessage =
  | { kind: 'info'; text: string }
  | {
      kind: 'social';
      text: string;
      /** Adults whose last stated likelihood is ≥ 3, counted over everyone at the start of the round. */
      likelyCount: number;
      /** Up to six accounts the agent follows whose last stated likelihood is ≥ 3. */
      followedLikely: Array<{ id: number; profile: string }>;
    };

/** What an agent remembers of its previous activation. */
export interface Memory {
  round: number;
  engaged: Array<{ postId: number; topic: string; text: string; action: 'like' | 'reply'; replyText?: string }>;
  followed: number[];
  unfollowed: number[];
  posted: string | null;
  likelihood: Likelihood | null;
  /** Share of followed accounts whose last stated likelihood was ≥ 3, as seen at that activation. */
  followedLikelyShare: number;
  /** Whether that activation showed a treatment message. */
  sawMessage: boolean;
}

/** Everything one activation's decision may use. Built by the engine, read by any DecisionPort implementation. */
export interface ActivationRequest {
  agentId: number;
  round: number;
  condition: string;
  memory: Memory | null;
  feed: FeedItem[];
  invitedToPost: boolean;
  /** Present for adults only. */
  vote: {
    roundsToElection: number;
    previousLikelihood: Likelihood | null;
    treatment: TreatmentMessage | null;
    /** Accounts followed, and the share of those with a stated likelihood whose last one is ≥ 3 (peer signal). */
    followedCount: number;
    followedLikelyShare: number;
  } | null;
}

export type Engagement = 'none' | 'like' | 'reply';
export type FollowChange = 'none' | 'follow' | 'unfollow';

export interface PostAction {
  postId: number;
  engagement: Engagement;
  replyText?: string;
  follow: FollowChange;
}

export interface Decision {
  /** One entry per feed item, any order; feed items without an entry mean "nothing". */
  actions: PostAction[];
  newPost: { text: string; topic: string } | null;
  /** Required for adults, ignored for minors. */
  likelihood: Likelihood | null;
  /** Delay n ∈ 1…5 before the next activation (the engine adds U{0…n+1}). */
  nextDelay: number;
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
   * (agents/llm/compact.ts); `prompt` is '' then. Keeps an LLM run's records small.
   */
  compact?: unknown;
}

export type DecisionOutcome =
  | { ok: true; decision: Decision; meta?: CallMeta; exchange?: LlmExchange }
  | { ok: false; error: string; meta?: CallMeta; exchange?: LlmExchange };

export interface VoteRequest {
  agentId: number;
  condition: string;
  lastLikelihood: Likelihood | null;
  treatedEver: boolean;
}

/** `exchange`: the election-day question and raw answer, as on DecisionOutcome. */
export type VoteOutcome =
  | { ok: true; voted: 0 | 1; meta?: CallMeta; exchange?: LlmExchange }
  | { ok: false; error: string; meta?: CallMeta; exchange?: LlmExchange };

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
 * (no aliasing across rounds), so a stored record never changes after the fact.
 */
export interface RoundRecord {
  condition: string;
  round: number;
  /** Ids of agents active this round, ascending. */
  active: Int32Array;
  /** Likelihood stated this round (−1 where the agent was not active, is a minor, or its answer was invalid). */
  stated: Int8Array;
  /** Last stated likelihood carried forward (−1 before the first statement). */
  current: Int8Array;
  /** Treatment assignment this round (0/1), as in the published treatment CSVs. */
  treated: Uint8Array;
  /** Per agent this round: likes, replies, posts, follows, unfollows (5 counts, agent-major). */
  activity: Uint16Array;
  engagements: EngagementEvent[];
  posts: Post[];
  replies: Reply[];
  /** Likely voters counted for the social message this round. */
  likelyCount: number;
  /** Agents whose decision was invalid after retries (kept their previous state). */
  invalidAgents: number[];
  /** The decision outcome of each active agent, aligned with `active`: lets a run resume or replay without calls. */
  decisions: DecisionOutcome[];
  llm: LlmTotals;
}

export interface ElectionRecord {
  condition: string;
  /** 0/1 per agent; −1 for minors and invalid answers. */
  votes: Int8Array;
  invalidAgents: number[];
  /** Outcomes aligned with the adults asked, in ascending id order. */
  outcomes: VoteOutcome[];
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
