/**
 * The one decision port. The engine builds plain requests and applies plain decisions; whether an offline rule, an LLM
 * or a replay of stored decisions answers is invisible to it. Every implementation runs the same contract suite. The
 * type parameters are the protocol's parts (src/engine/protocol.ts).
 */
import type { SimConfig } from './config';
import type { ActivationRequest, AgentProfile, DecisionOutcome, FinalOutcome, FinalRequest } from './protocol';

export interface PortContext<A extends AgentProfile = AgentProfile> {
  /** The RNG seed of this run (each seed folder of a multi-seed run has its own). */
  seed: number;
  config: SimConfig;
  /** Indexed by agent id. */
  agents: readonly A[];
}

export interface RoundBatch<Q extends object = object, M extends object = object> {
  condition: string;
  round: number;
  requests: ActivationRequest<Q, M>[];
}

export interface FinalBatch<FQ extends object = object> {
  condition: string;
  requests: FinalRequest<FQ>[];
}

/**
 * The one decision port: offline rules, LLM agents and replays of stored decisions all answer through it. Must return
 * exactly one outcome per request, in request order; rejects only on cancellation (`name === 'Cancelled'`) or a stop
 * the caller must see (budget, fatal endpoint error).
 */
export interface DecisionPort<Q extends object = object, D extends object = object, M extends object = object, FQ extends object = object, FA extends object = object> {
  /** 'offline' | 'llm' | 'replay' — for labels and records only; the engine never branches on it. */
  readonly kind: string;
  /**
   * False when the port reads a request's feed only through `request.ranked` (offline agents): the engine then builds
   * no FeedItem objects, the bulk of a run's garbage. @default true
   */
  readonly readsFeedItems?: boolean;
  init(ctx: PortContext): Promise<void> | void;
  decideRound(batch: RoundBatch<Q, M>, signal?: AbortSignal): Promise<DecisionOutcome<D>[]>;
  /** The end-of-run question; only called when the protocol declares one. */
  decideFinal(batch: FinalBatch<FQ>, signal?: AbortSignal): Promise<FinalOutcome<FA>[]>;
}

/**
 * A stored answer of a decision port that calls a model: the raw text and its usage, under a hash of what determined
 * it. Declared here, on the port side, so storage can implement the store without importing any agents.
 */
export interface CachedCall {
  /** The answer's raw message content, exactly as received. */
  text: string;
  /** The model name the response reported. */
  model: string;
  usage: { promptTokens: number; cachedPromptTokens: number; completionTokens: number };
}

/** True when `x` has a CachedCall's shape (a row read back from storage, a file or a bundle is unchecked data). */
export function isCachedCall(x: unknown): x is CachedCall {
  if (typeof x !== 'object' || x === null) return false;
  const c = x as Record<string, unknown>;
  const u = c.usage as Record<string, unknown> | undefined;
  return (
    typeof c.text === 'string' &&
    typeof c.model === 'string' &&
    typeof u === 'object' &&
    u !== null &&
    typeof u.promptTokens === 'number' &&
    typeof u.cachedPromptTokens === 'number' &&
    typeof u.completionTokens === 'number'
  );
}

/** Where cached answers live (memory, a file in the CLI, IndexedDB in the app). */
export interface ResponseCacheStore {
  get(key: string): Promise<CachedCall | undefined>;
  put(key: string, value: CachedCall): Promise<void>;
  entries(): AsyncIterable<[string, CachedCall]>;
}
