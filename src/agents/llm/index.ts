/**
 * The LLM implementation of the engine's decision port, for any protocol that supplies prompts (`LlmPrompts`): one
 * chat call per activation and one per agent asked the end-of-run question, each agent's tier mapped to a model,
 * answers validated and counted, spend metered against a budget. Runs the same in Node (CLI) and in a browser Worker;
 * only the cache store differs.
 */
import type { SimConfig } from '../../engine/config';
import { SpilloverError } from '../../engine/errors';
import type { DecisionPort, FinalBatch, PortContext, RoundBatch } from '../../engine/ports';
import type { ActivationRequest, AgentProfile, ChatMessage, DecisionOutcome, FinalOutcome, FinalRequest, LlmPrompts } from '../../engine/protocol';
import { hashSeed } from '../../engine/rng';
import type { LlmExchange, LlmTotals, Tier } from '../../engine/types';
import { endpointId, type CacheLike } from './cache';
import { BatchTransport, type BatchSettings } from './batch';
import { askValidated, ChatTransport, scrubKey, type AskContext, type RequestsNow, type StructuredOutputs } from './client';
import { batchPrices, CostMeter, DEFAULT_PRICES, estimateCost, unpricedModels, type Estimate, type PriceTable } from './cost';
import { Throughput, cancelled, type TransportError } from './throughput';
import { ConnectionDoctor } from './connection-doctor';

// The prompts' parts are the protocol's; the port only passes them through.
type AnyPrompts = LlmPrompts<any, any, any, any, any, any>;

export type { ResponseCacheStore, CachedCall, CacheLike } from './cache';
export { MemoryCacheStore, cacheKey, endpointId, isCachedCall } from './cache';
export { DEFAULT_PRICES, estimateCost, costOf, BATCH_DISCOUNT, unpricedModels, userPrices } from './cost';
export type { BatchSettings, BatchStateStore, BatchJobRecord, BatchProgress } from './batch';
export type { PriceTable, ModelPrice, Estimate } from './cost';

import { DEFAULT_MODELS } from './models';

export { DEFAULT_MODELS };

export interface LlmOptions {
  apiKey: string;
  /** The protocol's prompts, schemas and validators (`Protocol.llm`). */
  prompts: AnyPrompts;
  /** Any OpenAI-compatible base URL (ends in /v1 for most servers). @default the SDK's (api.openai.com) */
  baseURL?: string;
  /** Model per tier. @default DEFAULT_MODELS */
  models?: Partial<Record<Tier, string>>;
  /** USD per 1M tokens per model, merged over DEFAULT_PRICES. */
  prices?: PriceTable;
  /** @default 32 */
  maxConcurrency?: number;
  /** Answers tried per decision (first + repair turns) before it is recorded invalid. @default 3 */
  maxAttempts?: number;
  /** Per HTTP attempt. @default 60000 */
  timeoutMs?: number;
  /**
   * Spend cap in USD; `budgetReached()` turns true once reached. 0 means spend nothing (answers come from the cache
   * only; the first call that would be sent pauses the run). null: no cap. A cap needs a price for every model.
   * @default null
   */
  budgetUsd?: number | null;
  /** Response cache (MemoryCacheStore, the CLI's file store, the app's Dexie store). */
  cache?: CacheLike;
  /** 'auto' falls back to JSON mode / plain text when the endpoint refuses response_format. @default 'auto' */
  structuredOutputs?: StructuredOutputs;
  /** Transport retries after 5xx / timeouts / dropped connections before a call fails the round. @default 8 */
  maxTransportRetries?: number;
  /** First backoff after a failure (doubles each time). @default 500 */
  baseBackoffMs?: number;
  fetch?: typeof fetch;
  /**
   * The page's origin, in a browser: a connection that fails mid-run and a fresh check that finds the server refusing
   * this origin stops the run with the CORS fix (connection-doctor.ts). Absent outside a browser.
   */
  origin?: string;
  /** Told of each rate-limit pause (capped at MAX_RATE_LIMIT_WAIT_MS) and of what the server asked for, to show it. */
  onRateLimitWait?: (waitMs: number, askedMs: number) => void;
  /**
   * Send each round's calls as one Batch API job (batch.ts) instead of one request each: answers within the job's
   * completion window, billed at the batch discount (cost.ts), the same records. @default off
   */
  batch?: BatchSettings;
}

/** The LLM port; its type parameters are the protocol's parts, taken from the prompts it was built with. */
export interface LlmPort<Q extends object = any, D extends object = any, M extends object = any, FQ extends object = any, FA extends object = any> extends DecisionPort<Q, D, M, FQ, FA> {
  totals(): LlmTotals;
  perArm(): Record<string, LlmTotals>;
  budgetReached(): boolean;
  /** Raise (or clear with null) the cap; a paused run resumes once `budgetReached()` is false again. */
  setBudget(usd: number | null): void;
  /** Continue from a resumed run's stored totals, so the meter and the budget cover the whole run. */
  restoreTotals(run: LlmTotals): void;
  /** Expected calls and cost of a run with this configuration, from a measured representative prompt. */
  estimate(config: SimConfig, agents?: readonly AgentProfile[]): Estimate;
  readonly models: Record<Tier, string>;
  /** Jobs, resumed jobs, lines and failed lines of a batch run; null without `batch`. */
  batchStats(): BatchTransport['stats'] | null;
  /**
   * The limiter's counts since init: attempts begun and settled (a watchdog sees progress while either moves), 429s,
   * transport errors, and `repairs` (should stay 0). Plus calls waiting and in flight right now.
   */
  limiter(): LimiterStats;
  /** Requests in flight and how many are slow (none with `batch`: a job's lines are not requests). */
  requests(): RequestsNow;
  /** End the slow requests' attempts now; each is retried at once, as after a timeout. Returns how many. */
  retrySlow(): number;
}

export interface LimiterStats {
  attempts: number;
  settled: number;
  rateLimited: number;
  transportErrors: number;
  repairs: number;
  waiting: number;
  inFlight: number;
}

/** Approximate tokens of a text without a tokenizer (o200k averages ~4 characters per token on these prompts). */
export function approxTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function createLlmPort<Q extends object, D extends object, M extends object, FQ extends object, FA extends object>(
  opts: LlmOptions & { prompts: LlmPrompts<Q, D, M, FQ, FA, any> },
): LlmPort<Q, D, M, FQ, FA> {
  if (!opts.apiKey) {
    throw new SpilloverError('ConfigError', 'LLM agents: no API key; set OPENAI_API_KEY (CLI) or enter a key in settings (any text works for a local server)', 'apiKey');
  }
  const models: Record<Tier, string> = { ...DEFAULT_MODELS, ...(opts.models ?? {}) };
  const listPrices: PriceTable = { ...DEFAULT_PRICES, ...(opts.prices ?? {}) };
  const prices = opts.batch ? batchPrices(listPrices) : listPrices;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  const budget = opts.budgetUsd ?? null;
  if (budget !== null && !(Number.isFinite(budget) && budget >= 0)) {
    throw new SpilloverError('ConfigError', `LLM budget: $${budget} is not a spend cap; use a number of US dollars ≥ 0 (0 spends nothing), or no budget for no cap`, 'budgetUsd');
  }
  const unpriced = unpricedModels(models, prices);
  if (budget !== null && unpriced.length) {
    throw new SpilloverError(
      'ConfigError',
      `LLM budget: the price of ${unpriced.map((m) => `'${m}'`).join(', ')} is unknown, so a budget of $${budget} could not be enforced (its spend would count as $0); enter its price in $/1M tokens (app: under the models; CLI: --prices '${unpriced[0]}=INPUT,OUTPUT'), or run without a budget`,
      'budgetUsd',
    );
  }
  const meter = new CostMeter(budget);
  const endpoint = endpointId(opts.baseURL);
  const transport = new ChatTransport({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    timeoutMs: opts.timeoutMs,
    structuredOutputs: opts.structuredOutputs,
    fetch: opts.fetch,
  });
  const batch = opts.batch
    ? new BatchTransport({ ...opts.batch, apiKey: opts.apiKey, baseURL: opts.baseURL, structuredOutputs: opts.structuredOutputs, fetch: opts.fetch })
    : null;
  let ctx: PortContext | null = null;
  const doctor = new ConnectionDoctor({ apiKey: opts.apiKey, baseURL: opts.baseURL ?? 'https://api.openai.com/v1', origin: opts.origin, fetch: opts.fetch });
  const onConnectionFailure = (err: TransportError, failures: number, final: boolean) => doctor.onFailure(err, failures, final);
  let throughput = new Throughput({ maxConcurrency: opts.maxConcurrency, maxTransportRetries: opts.maxTransportRetries, baseBackoffMs: opts.baseBackoffMs, onWait: opts.onRateLimitWait, onConnectionFailure });
  /** A job's lines are not rate-limited one by one: the transport itself retries failed lines in the next job. */
  const direct: AskContext['throughput'] = { run: async (attempt, signal) => ({ value: (await attempt(signal)).value, retries: 0 }) };

  /** Every attempt is metered for its arm as its answer arrives (see AskContext.onAttempt). */
  const ask = (arm: string): AskContext => ({
    transport: batch ?? transport,
    throughput: batch ? direct : throughput,
    cache: opts.cache,
    prices,
    maxAttempts,
    apiKey: opts.apiKey,
    endpoint,
    onAttempt: (one) => meter.add(arm, one, false),
    mayCall: () => meter.budgetUsd !== 0,
  });
  const track = <T>(work: () => Promise<T>): Promise<T> => (batch ? batch.participant(work) : work());

  function context(): PortContext {
    if (!ctx) throw new SpilloverError('LlmError', 'LLM agents: decideRound was called before init; call port.init({seed, config, agents}) first');
    return ctx;
  }

  const prompts = opts.prompts;

  function persona(id: number): AgentProfile {
    const p = context().agents[id];
    if (!p) throw new SpilloverError('DataError', `LLM agents: no persona for agent ${id}; pass every agent's persona to init, indexed by id`, String(id));
    return p;
  }

  /** The sampling seed of one call: the same in every condition, so arms differ by treatment, not by draw. */
  function callSeed(agentId: number, round: number): number {
    return hashSeed(context().seed, 'llm', agentId, round) & 0x7fffffff;
  }

  async function decideOne(req: ActivationRequest, signal?: AbortSignal): Promise<DecisionOutcome> {
    const { config } = context();
    const p = persona(req.agentId);
    const messages = prompts.activationMessages(req, p, config);
    const result = await askValidated(
      ask(req.condition),
      {
        model: models[p.tier],
        messages,
        schema: prompts.activationSchema(req, p),
        temperature: config.temperature,
        seed: callSeed(req.agentId, req.round),
      },
      (raw) => prompts.validateActivation(raw, req, p, config),
      signal,
    );
    // With a protocol that compacts its prompts, only the variable part is stored (the card rebuilds the prompt from
    // the run's stored data); otherwise the per-agent user message, as for the end-of-run question.
    const compact = prompts.compactActivation?.(req, config);
    const exchange: LlmExchange = compact === undefined ? exchangeOf(messages, result.answer) : { prompt: '', answer: result.answer, compact };
    return result.ok ? { ok: true, decision: result.value, meta: result.meta, exchange } : { ok: false, error: result.error, meta: result.meta, exchange };
  }

  /** The per-agent user message and the raw answer; the shared system message is left out (the UI shows it once). */
  function exchangeOf(messages: ChatMessage[], answer: string): LlmExchange {
    const user = messages.find((m) => m.role === 'user')?.content ?? '';
    return { prompt: scrubKey(user, opts.apiKey), answer };
  }

  async function finalOne(req: FinalRequest, signal?: AbortSignal): Promise<FinalOutcome> {
    const { config } = context();
    const p = persona(req.agentId);
    if (!prompts.finalMessages || !prompts.finalSchema || !prompts.validateFinal) {
      throw new SpilloverError('ConfigError', "LLM agents: this protocol asks an end-of-run question but gives no prompt for it; add finalMessages, finalSchema and validateFinal to its 'llm' prompts");
    }
    const messages = prompts.finalMessages(req, p, config);
    const result = await askValidated(
      ask(req.condition),
      {
        model: models[p.tier],
        messages,
        schema: prompts.finalSchema(),
        temperature: config.temperature,
        seed: callSeed(req.agentId, config.lastRound + 1),
      },
      prompts.validateFinal,
      signal,
    );
    const exchange = exchangeOf(messages, result.answer);
    return result.ok ? { ok: true, ...(result.value as object), meta: result.meta, exchange } : { ok: false, error: result.error, meta: result.meta, exchange };
  }

  /**
   * Runs every request concurrently and returns outcomes in request order. If any call fails for good (or the run is
   * cancelled), the others are aborted and the round rejects once all have settled: a round is all or nothing, so a
   * resume redoes it whole. Spend is metered per attempt as each answer arrives (it was paid whether or not the
   * decision validates or the round completes); an attempt aborted before its response arrived has no usage to meter —
   * providers usually do not bill a request cancelled before its answer, and if they do, this meter under-counts it.
   */
  async function all<R, O extends { ok: boolean; meta?: DecisionOutcome['meta'] }>(
    arm: string,
    requests: R[],
    one: (r: R, s: AbortSignal) => Promise<O>,
    signal?: AbortSignal,
  ): Promise<O[]> {
    if (signal?.aborted) throw cancelled();
    const inner = new AbortController();
    const onAbort = () => inner.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let failure: unknown;
    try {
      const results = await Promise.all(
        requests.map((r) =>
          track(() => one(r, inner.signal)).then(
            (o) => {
              if (!o.ok) meter.add(arm, undefined, true);
              return o;
            },
            (err: unknown) => {
              failure ??= err;
              inner.abort(err);
              return undefined;
            },
          ),
        ),
      );
      if (signal?.aborted) throw cancelled();
      if (failure !== undefined) throw failure;
      return results as O[];
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  const port: LlmPort = {
    kind: 'llm',
    models,
    init(c: PortContext) {
      ctx = c;
      throughput = new Throughput({
        maxConcurrency: opts.maxConcurrency,
        maxTransportRetries: opts.maxTransportRetries,
        baseBackoffMs: opts.baseBackoffMs,
        seed: c.seed,
        onWait: opts.onRateLimitWait,
        onConnectionFailure,
      });
    },
    decideRound(batch: RoundBatch, signal?: AbortSignal) {
      return all(batch.condition, batch.requests, decideOne, signal);
    },
    decideFinal(batch: FinalBatch, signal?: AbortSignal) {
      return all(batch.condition, batch.requests, finalOne, signal);
    },
    totals: () => meter.totals(),
    limiter: () => {
      const { attempts, settled, rateLimited, transportErrors, repairs } = throughput.stats;
      const { waiting, inFlight } = throughput.state;
      return { attempts, settled, rateLimited, transportErrors, repairs, waiting, inFlight };
    },
    requests: () => (batch ? { inFlight: 0, slow: 0, slowAfterMs: 0, timeoutMs: 0, answered: 0 } : transport.requests()),
    retrySlow: () => (batch ? 0 : transport.retrySlow()),
    batchStats: () => (batch ? { ...batch.stats } : null),
    perArm: () => meter.perArm(),
    budgetReached: () => meter.budgetReached(),
    setBudget(usd: number | null) {
      meter.budgetUsd = usd;
    },
    restoreTotals(run: LlmTotals) {
      meter.restore(run, {});
    },
    estimate(config: SimConfig, agents?: readonly AgentProfile[]) {
      const tokens = (msgs: ChatMessage[], schema: object) => msgs.reduce((n, m) => n + approxTokens(m.content) + 3, 3) + approxTokens(JSON.stringify(schema));
      const act = prompts.typicalActivation(config);
      const actTokens = tokens(prompts.activationMessages(act.request, act.agent, config), prompts.activationSchema(act.request, act.agent).schema);
      const fin = prompts.typicalFinal?.(config);
      const finalTokens = fin && prompts.finalMessages && prompts.finalSchema ? tokens(prompts.finalMessages(fin.request, fin.agent, config), prompts.finalSchema().schema) : 0;
      return estimateCost({ config, models, prices, agents, activationPromptTokens: actTokens, votePromptTokens: finalTokens, activityRate: prompts.activityRate?.(config), hasFinal: !!prompts.finalMessages });
    },
  };
  return port as LlmPort<Q, D, M, FQ, FA>;
}
