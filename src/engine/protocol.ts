/**
 * The protocol interface: what an experiment module (`src/protocols/<name>/`) supplies to the generic engine. The
 * engine owns rounds, activity, feeds, posts, replies, follows, seen lists, RNG streams, assignment uniforms, the
 * warm-up fork and the pause hooks; a protocol owns what agents hold and are asked beyond that (a stated intention,
 * a mood), the messages its conditions show, the outcome columns it records, the contrasts its analysis compares,
 * its end-of-run question, its CSV files, its prompts and its offline agents. Nothing here names any protocol.
 *
 * Shapes are flat on purpose: a protocol's request part `Q` is spread into the engine's request and its decision part
 * `D` into the engine's decision (`{ actions, newPost, nextDelay, ...D }`), so stored decisions need no wrapper and an
 * agent reads one object. Everything that crosses a worker or goes into IndexedDB stays plain, cloneable data.
 */
import type { ConditionSpec, SimConfig } from './config';
import type { RankedFeed } from './feed';
import type { DecisionPort } from './ports';
import type { Rng } from './rng';
import type { FeedItem, EngagementEvent, LlmExchange, CallMeta, Post, PostAction, Tier } from './types';

// ---------------------------------------------------------------------------------------------------------------
// Agents, requests and decisions (generic over the protocol's parts)

/** What the engine reads of an agent; a protocol's persona type extends it with whatever its prompts need. */
export interface AgentProfile {
  /** Equals the agent's index and its network node. */
  id: number;
  /** Only adults are assigned to treatment and asked the protocol's questions; minors browse and engage. */
  adult: boolean;
  /** Topics the feed matches and a new post must be about. */
  interests: string[];
  /** Accounts a protocol may use as a peer channel (e.g. the close friends of a field experiment). */
  closeFriends: number[];
  /** What others see of this agent as an author. */
  publicProfile: string;
  /** Model tier for LLM agents ('full' | 'mini' | 'nano'). */
  tier: Tier;
}

/** What every agent remembers of its previous activation, whatever the protocol; `M` adds the protocol's part. */
export interface MemoryBase {
  round: number;
  engaged: Array<{ postId: number; topic: string; text: string; action: 'like' | 'reply'; replyText?: string }>;
  followed: number[];
  unfollowed: number[];
  posted: string | null;
}

/** The engine's part of one activation's request; the protocol's part `Q` is spread into it. */
export interface ActivationBase<M extends object = object> {
  agentId: number;
  round: number;
  condition: string;
  memory: (MemoryBase & M) | null;
  /**
   * Ranked: index 0 is the top, as prompts show it. Empty (and frozen) when the port declared `readsFeedItems: false`:
   * such a port reads `ranked`.
   */
  feed: FeedItem[];
  /** The same feed as the engine keeps it (post ids and flags in typed arrays), always present. */
  ranked: RankedFeed;
  invitedToPost: boolean;
}

export type ActivationRequest<Q extends object = object, M extends object = object> = ActivationBase<M> & Q;

/** The engine's part of a decision; the protocol's part `D` is spread into it. */
export interface DecisionBase {
  /** One entry per feed item acted on, any order; feed items without an entry mean "nothing". */
  actions: PostAction[];
  newPost: { text: string; topic: string } | null;
  /** Delay n ∈ 1…5 before the next activation (the engine adds U{0…n+1}). */
  nextDelay: number;
}

export type Decision<D extends object = object> = DecisionBase & D;

/** An answer or, after retries, a counted failure (never a made-up value). `exchange` keeps the LLM prompt/answer. */
export type DecisionOutcome<D extends object = object> =
  | { ok: true; decision: Decision<D>; meta?: CallMeta; exchange?: LlmExchange }
  | { ok: false; error: string; meta?: CallMeta; exchange?: LlmExchange };

/** One end-of-run question to one agent: the protocol's part `FQ` spread over the agent id and condition. */
export type FinalRequest<FQ extends object = object> = { agentId: number; condition: string } & FQ;

/** The answer part `FA` (e.g. `{ answer: 0 | 1 }`) spread into the outcome, as stored. */
export type FinalOutcome<FA extends object = object> =
  | ({ ok: true; meta?: CallMeta; exchange?: LlmExchange } & FA)
  | { ok: false; error: string; meta?: CallMeta; exchange?: LlmExchange };

// ---------------------------------------------------------------------------------------------------------------
// What a protocol sees while the engine runs a round

/** A read-only view of the engine's world for one condition at the start of a round. */
export interface WorldView {
  readonly n: number;
  /** Accounts `a` follows now, ascending (changes with follows and unfollows). */
  following(a: number): Int32Array;
}

/**
 * The context of one round of one condition, handed to every protocol hook of that round. `message[a]` is the message
 * agent `a` sees this round (0 none, k = 1 + index into `Protocol.messages`), decided by the engine from the
 * condition's schedule or arms and the agent's assignment uniform; `treatedEver[a]` is 1 once `a` has seen any.
 */
export interface RoundContext<S, A extends AgentProfile = AgentProfile> {
  readonly seed: number;
  readonly config: SimConfig;
  readonly agents: readonly A[];
  readonly condition: string;
  /** Negative and 0 in the warm-up (shared by every condition, condition = 'warmup', no messages). */
  readonly round: number;
  /** The protocol's state of this condition (forked from the warm-up's). */
  readonly state: S;
  readonly world: WorldView;
  readonly message: Uint8Array;
  readonly treatedEver: Uint8Array;
}

// ---------------------------------------------------------------------------------------------------------------
// Declarations: messages, outcome columns, outcomes, contrasts

/** One message (treatment) a condition or an arm may show; conditions name it by `id` ('none' = no message). */
export interface MessageDecl {
  id: string;
  label: string;
}

/** A per-agent, per-round numeric column the protocol records (e.g. the value an agent stated this round). */
export interface ColumnDecl {
  name: string;
  label: string;
  /** Value where nothing applies (an inactive agent, a minor). */
  missing: number;
  type: 'int8' | 'float32';
  /** True when the value persists between activations (the graph and the charts read the latest round). */
  carried: boolean;
  /** The meaning of each whole value 0…k−1 (a scale's wording), for legends, agent cards and prompts: one source. */
  levels?: readonly string[];
}

/** A population-level number per round (e.g. how many agents hold some view). */
export interface ScalarDecl {
  name: string;
  label: string;
}

/**
 * A per-agent outcome the analysis compares: a column's value carried to the last round (optionally as 1 where
 * value ≥ threshold), the value recorded in one given round (not carried: only agents who answered then), or the
 * end-of-run answer. `id` is what contrasts and the summary call it (it may name the last round, e.g. 'x_r30').
 */
export type OutcomeDecl =
  | { id: string; label: string; column: string; round: 'last'; threshold?: number }
  | { id: string; label: string; column: string; round: number }
  | { id: string; label: string; final: true };

/** Which rows of a condition an estimate uses. */
export interface GroupRef {
  condition: string;
  /** Only this arm of a condition with arms. */
  arm?: string;
  /**
   * Rows by treatment status at the last round: 'treated' / 'untreated' (in a roll-out, untreated = never treated: the
   * spillover group), 'cohort' = first treated in period `period`, 'friends' = the group's adults measured through
   * their close friends (per adult, the mean outcome of its close friends: a field experiment's spillover).
   */
  who?: 'all' | 'treated' | 'untreated' | 'cohort' | 'friends';
  /** With who 'cohort': the period (1-based) in which the rows were first treated. */
  period?: number;
  /**
   * Only rows whose share of followed accounts treated at the last round lies in (above, upTo]; above null = exactly
   * upTo (the bin 'exposure 0'). Exposure is not randomised by itself: use it against a baseline of the same agents.
   */
  exposure?: { above: number | null; upTo: number };
}

/** One comparison the analysis reports: treatment group vs baseline group on one outcome. */
export interface ContrastDecl {
  /** Stable label, e.g. a condition name or 'condition:arm'. */
  id: string;
  treatment: GroupRef;
  baseline: GroupRef;
  outcome: string;
  kind: 'direct' | 'spillover' | 'total';
  /**
   * Estimators: 'neyman' (difference in means) and/or 'paired' (the same agents in two conditions that share agents;
   * the baseline must be a whole condition). @default both for two conditions, ['neyman'] within one condition
   */
  methods?: Array<'neyman' | 'paired'>;
  /** The messages (`MessageDecl.id`, 'none' = no message) the treatment and the baseline group see, for readers of the results. */
  messages?: [string, string];
}

/**
 * Ground truth for total-treatment-effect estimators: the design in which every eligible agent sees `message` and the
 * one in which nobody does. The testbed runs both beside a partial design and compares estimates with their gap.
 */
export interface TotalEffectDecl {
  message: string;
  allTreated: ConditionSpec;
  noneTreated: ConditionSpec;
  /** Outcome ids (of `Protocol.outcomes(config)`) the gap is measured on. */
  outcomes: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// The record views a protocol's CSV writers read

/** One condition of one seed, columnar: agents × rounds matrices (row-major, agent-major) and the event lists. */
export interface ConditionView<A extends AgentProfile = AgentProfile> {
  name: string;
  /** Column labels, firstRound…lastRound (warm-up included). */
  rounds: readonly number[];
  agents: readonly A[];
  /** A declared column as an n × rounds matrix. */
  column(name: string): Int8Array | Float32Array;
  /** n × rounds, message shown 0/1. */
  treated: Uint8Array;
  /** n × rounds, 1 where the agent was active. */
  active: Uint8Array;
  /** The end-of-run answer per agent (−1 not asked or invalid); null before it has run or when none is declared. */
  final: Int8Array | null;
  /** Arm index per agent for conditions with arms (−1 minors); null otherwise. */
  arms: Int8Array | null;
  events: readonly EngagementEvent[];
  posts: readonly Post[];
  /** The protocol's own records of the rounds (`RoundRecord.extra`) in round order, warm-up first, when it keeps them. */
  extras?: ReadonlyArray<{ round: number; extra: unknown }>;
  /** Highest main round recorded (a stopped or running run has fewer than `rounds`); absent: every round. */
  lastRound?: number;
}

/** A file of one condition: written as `<condition>_<suffix>` in the condition's folder. */
export interface CsvFile {
  suffix: string;
  text: string;
}

// ---------------------------------------------------------------------------------------------------------------
// LLM prompts (plain types here so the engine and protocols need not import the LLM agents)

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface JsonSchemaFormat {
  name: string;
  strict: true;
  schema: Record<string, unknown>;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * What the generic LLM agents need from a protocol: the messages and schema of one activation and of the end-of-run
 * question, and validators that map a raw JSON answer to the decision (errors are written for the model: they go into
 * the repair turn). `typical*` give a representative request for cost estimates.
 */
export interface LlmPrompts<Q extends object, D extends object, M extends object, FQ extends object, FA extends object, A extends AgentProfile> {
  activationMessages(req: ActivationRequest<Q, M>, agent: A, config: SimConfig): ChatMessage[];
  activationSchema(req: ActivationRequest<Q, M>, agent: A): JsonSchemaFormat;
  validateActivation(raw: unknown, req: ActivationRequest<Q, M>, agent: A, config: SimConfig): Validation<Decision<D>>;
  finalMessages?(req: FinalRequest<FQ>, agent: A, config: SimConfig): ChatMessage[];
  finalSchema?(): JsonSchemaFormat;
  validateFinal?(raw: unknown): Validation<FA>;
  typicalActivation(config: SimConfig): { request: ActivationRequest<Q, M>; agent: A };
  /** Expected share of agents deciding per round, for cost estimates (absent: the engine's measured 0.21). */
  activityRate?(config: SimConfig): number;
  /**
   * The variable part of an activation's prompt in a compact form the protocol can rebuild from the run's stored data
   * (stored as `LlmExchange.compact` instead of the prompt text); absent: the prompt text is stored.
   */
  compactActivation?(req: ActivationRequest<Q, M>, config: SimConfig): unknown;
  typicalFinal?(config: SimConfig): { request: FinalRequest<FQ>; agent: A };
}

// ---------------------------------------------------------------------------------------------------------------
// The protocol

/**
 * The end-of-run question (e.g. "did you go and vote?"): asked once per agent and condition after the last round. The
 * answer becomes one number per agent (−1 not asked or invalid), recorded under the name `column`.
 */
export interface FinalQuestion<S, FQ extends object, FA extends object, A extends AgentProfile> {
  column: string;
  label: string;
  /** The question for agent `a`, or null when it is not asked (minors). */
  ask(state: S, a: number, ctx: { config: SimConfig; agents: readonly A[]; treatedEver: Uint8Array }): FQ | null;
  /** The recorded number of a valid answer, or null when the answer is not one (it is counted invalid). */
  value(answer: FA): number | null;
}

/**
 * An experiment module. Type parameters: `S` per-condition state (typed arrays per agent, forked after the warm-up),
 * `X` per-round scratch (what `beginRound` computes once for every request of the round), `Q` request part,
 * `D` decision part, `M` memory part, `FQ`/`FA` end-of-run question and answer parts, `A` the agent type, `P` the
 * protocol's parameters (`config.params`).
 *
 * Call order per round and condition: beginRound → request (each active agent, ascending id) → the port decides →
 * checkDecision, then applyDecision (each valid outcome, ascending id) → endRound. An invalid outcome leaves the
 * agent's state as it was. After the last round, `final.ask` for every agent, the port's decideFinal, `final.value`.
 */
export interface Protocol<
  S = unknown,
  X = unknown,
  Q extends object = object,
  D extends object = object,
  M extends object = object,
  FQ extends object = object,
  FA extends object = object,
  A extends AgentProfile = AgentProfile,
  P = unknown,
> {
  /** Registry key, stored with runs (`config.protocol`). */
  readonly id: string;
  readonly title: string;
  /** One or two sentences for the setup screen and `--help`. */
  readonly summary: string;

  /** A complete default configuration of this protocol (rounds, periods, conditions, params). */
  defaults(): SimConfig;
  /** Check `config.params` and the conditions' messages; throw a ConfigError naming the field and the fix. */
  validateParams(config: SimConfig): P;

  readonly messages: readonly MessageDecl[];
  readonly columns: readonly ColumnDecl[];
  readonly scalars: readonly ScalarDecl[];
  /**
   * The column the generic analysis reads (`columns[].name`): the value an agent gives when active, missing between
   * answers; its summaries and outcomes at the last round carry each agent's last answer forward. Absent for a
   * protocol that brings its own analysis (its runs then have no generic results view).
   */
  readonly answerColumn?: string;
  /** Outcomes for this configuration (ids may name the last round). */
  outcomes(config: SimConfig): OutcomeDecl[];
  /** The comparisons the analysis reports for this configuration (never found by condition-name prefixes). */
  contrasts(config: SimConfig): ContrastDecl[];
  /** Ground-truth designs for total treatment effects (empty when the protocol has no treatment). */
  totalEffects(config: SimConfig): TotalEffectDecl[];

  /** Initial per-agent state (before the warm-up). */
  createState(ctx: { seed: number; config: SimConfig; agents: readonly A[] }): S;
  /** An independent copy: conditions share the warm-up exactly, then diverge. */
  forkState(state: S): S;
  /**
   * The state as plain data, its bulk in typed arrays (an independent copy), and back on the run's context: lets a
   * pool play the warm-up once and ship it to its workers. Without them every worker replays the warm-up.
   */
  packState?(state: S): unknown;
  unpackState?(packed: unknown, ctx: { seed: number; config: SimConfig; agents: readonly A[] }): S;
  /** Population-level quantities of the round, computed once on the state at the start of the round. */
  beginRound(ctx: RoundContext<S, A>): X;
  /**
   * Who acts this round, ascending ids, when the protocol decides it from its own state (e.g. every agent that received
   * something new); called after `beginRound`. Absent: the engine's activation schedule (delays) decides. With this
   * hook the decision's `nextDelay` is ignored.
   */
  activeAgents?(ctx: RoundContext<S, A>, scratch: X): Int32Array;
  /** The protocol's part of an active agent's request. Must not change state (every request sees the round's start). */
  request(ctx: RoundContext<S, A>, scratch: X, a: number): Q;
  /** Reasons a decision's protocol part cannot be applied (e.g. a value outside its scale), or null. */
  checkDecision(decision: Decision<D>, request: ActivationRequest<Q, M>): string | null;
  /** Apply a valid decision's protocol part to the state; returns the protocol's part of the agent's new memory. */
  applyDecision(ctx: RoundContext<S, A>, scratch: X, a: number, decision: Decision<D>, request: ActivationRequest<Q, M>): M;
  /**
   * The round's declared columns (independent copies, length n) and scalars; optionally `extra`, the protocol's own
   * plain record of the round (e.g. messages it keeps outside the engine's posts), stored with the round.
   */
  endRound(ctx: RoundContext<S, A>, scratch: X): { columns: Record<string, Int8Array | Float32Array>; scalars: Record<string, number>; extra?: unknown };

  readonly final?: FinalQuestion<S, FQ, FA, A>;

  /**
   * The text of a seed post on `topic` (the warm-up's first round starts from `config.seedPosts` of them); absent for
   * protocols that run with `seedPosts: 0`.
   */
  seedPost?(topic: string, rng: Rng, maxChars: number): string;

  /**
   * The protocol's files of one condition (e.g. per-round columns in a published wide layout, personas with the
   * end-of-run answer); the runner adds the generic activity, engagement and posts files.
   */
  writeCsv(view: ConditionView<A>, options: { models?: Record<string, string> }): CsvFile[];

  /**
   * Offline agents by name ('rules', and e.g. 'fitted'); `data` is what a kind needs beyond the run (fitted
   * parameters read by the runner). `defaultOffline` names the one used when none is chosen; it must need no data.
   */
  readonly offlineAgents: Record<string, (data?: unknown) => DecisionPort<Q, D, M, FQ, FA>>;
  readonly defaultOffline: string;
  /** Prompts for LLM agents; absent = this protocol runs offline only. */
  readonly llm?: LlmPrompts<Q, D, M, FQ, FA, A>;
}

/**
 * A protocol of unknown parts, as the registry and the generic runners hold them (`any` keeps the registry
 * heterogeneous; each protocol is fully typed inside its own folder).
 */
export type AnyProtocol = Protocol<any, any, any, any, any, any, any, any, any>;
