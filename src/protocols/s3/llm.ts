/**
 * The S3 LLM agent: one chat call per aware user with new messages per round, through the same client as every LLM
 * agent (the official openai SDK, the throughput limiter with retries, the response cache, cost metering against a
 * budget). An invalid answer is retried with a repair turn, then recorded as invalid — never replaced.
 */
import { endpointId, type CacheLike } from '../../agents/llm/cache';
import { askValidated, ChatTransport, scrubKey, type AskContext, type StructuredOutputs } from '../../agents/llm/client';
import { CostMeter, DEFAULT_PRICES, type PriceTable } from '../../agents/llm/cost';
import { Throughput, cancelled } from '../../agents/llm/throughput';
import { SpilloverError } from '../../engine/errors';
import { hashSeed } from '../../engine/rng';
import type { LlmTotals } from '../../engine/types';
import type { S3Config } from './config';
import { s3Messages } from './prompts';
import { s3Schema, validateS3Answer } from './schema';
import type { S3Batch, S3Outcome, S3Port, S3Request } from './types';

export interface S3LlmOptions {
  apiKey: string;
  baseURL?: string;
  /** One model for every user (S3 used one model per run). @default 'gpt-4.1-nano' */
  model?: string;
  prices?: PriceTable;
  /** @default 32 */
  maxConcurrency?: number;
  /** @default 3 */
  maxAttempts?: number;
  timeoutMs?: number;
  budgetUsd?: number | null;
  cache?: CacheLike;
  structuredOutputs?: StructuredOutputs;
  maxTransportRetries?: number;
  baseBackoffMs?: number;
  /** @default 0.5 */
  temperature?: number;
  fetch?: typeof fetch;
}

export interface S3LlmPort extends S3Port {
  totals(): LlmTotals;
  budgetReached(): boolean;
  readonly model: string;
}

/**
 * `profiles[a]` is what user a is told about itself (the same text its readers see). The seed fixes each call's
 * sampling seed by (user, round), the same in every condition.
 */
export function createS3LlmPort(opts: S3LlmOptions, config: S3Config, seed: number, profiles: readonly string[]): S3LlmPort {
  if (!opts.apiKey) {
    throw new SpilloverError('ConfigError', 'LLM agents: no API key; set OPENAI_API_KEY (CLI) or enter a key in settings (any text works for a local server)', 'apiKey');
  }
  const model = opts.model ?? 'gpt-4.1-nano';
  const prices = { ...DEFAULT_PRICES, ...(opts.prices ?? {}) };
  const meter = new CostMeter(opts.budgetUsd ?? null);
  const transport = new ChatTransport({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeoutMs: opts.timeoutMs, structuredOutputs: opts.structuredOutputs, fetch: opts.fetch });
  const throughput = new Throughput({ maxConcurrency: opts.maxConcurrency, maxTransportRetries: opts.maxTransportRetries, baseBackoffMs: opts.baseBackoffMs, seed });
  const endpoint = endpointId(opts.baseURL);
  const schema = s3Schema();
  const ask = (arm: string): AskContext => ({
    transport,
    throughput,
    cache: opts.cache,
    prices,
    maxAttempts: Math.max(1, opts.maxAttempts ?? 3),
    apiKey: opts.apiKey,
    endpoint,
    onAttempt: (one) => meter.add(arm, one, false),
  });

  async function decideOne(req: S3Request, signal: AbortSignal): Promise<S3Outcome> {
    const profile = profiles[req.agentId];
    if (profile === undefined) throw new SpilloverError('DataError', `S3 LLM agents: no profile for user ${req.agentId}; pass one profile per network account`);
    const messages = s3Messages(req, profile, config.event);
    const result = await askValidated(
      ask(req.condition),
      { model, messages, schema, temperature: opts.temperature ?? 0.5, seed: hashSeed(seed, 's3-llm', req.agentId, req.round) & 0x7fffffff },
      (raw) => validateS3Answer(raw, req),
      signal,
    );
    const exchange = { prompt: scrubKey(messages[1].content, opts.apiKey), answer: result.answer };
    if (!result.ok) {
      meter.add(req.condition, undefined, true);
      return { ok: false, error: result.error, meta: result.meta, exchange };
    }
    return { ok: true, decision: result.value, meta: result.meta, exchange };
  }

  return {
    kind: 'llm',
    model,
    totals: () => meter.totals(),
    budgetReached: () => meter.budgetReached(),
    /** All requests of the round at once; a call that fails for good aborts the others and the round rejects whole. */
    async decideRound(batch: S3Batch, signal?: AbortSignal): Promise<S3Outcome[]> {
      if (signal?.aborted) throw cancelled();
      // The cap is checked at each round boundary: a round already started finishes (its calls are paid for anyway).
      if (meter.budgetReached()) {
        throw new SpilloverError('BudgetExceeded', `LLM agents: the budget of $${opts.budgetUsd} is spent (round ${batch.round} of '${batch.condition}' not started); raise the budget and resume, the stored rounds replay without calls`);
      }
      const inner = new AbortController();
      const onAbort = () => inner.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let failure: unknown;
      try {
        const out = await Promise.all(
          batch.requests.map((r) =>
            decideOne(r, inner.signal).catch((err: unknown) => {
              failure ??= err;
              inner.abort(err);
              return undefined;
            }),
          ),
        );
        if (signal?.aborted) throw cancelled();
        if (failure !== undefined) throw failure;
        return out as S3Outcome[];
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

/**
 * Replays stored decisions (resume after reload, a bundle) and asks `live` only for rounds not stored. A stored round
 * whose users differ from the requests means the run's inputs changed: that is refused, never papered over.
 */
export function replayS3Port(stored: ReadonlyMap<string, { active: ArrayLike<number>; decisions: S3Outcome[] }>, live: S3Port | null): S3Port & { replayed(): number } {
  let replayed = 0;
  return {
    kind: live ? `replay+${live.kind}` : 'replay',
    replayed: () => replayed,
    async decideRound(batch: S3Batch, signal?: AbortSignal): Promise<S3Outcome[]> {
      const rec = stored.get(`${batch.condition}:${batch.round}`);
      if (rec) {
        const ids = batch.requests.map((r) => r.agentId);
        if (ids.length !== rec.active.length || ids.some((id, i) => rec.active[i] !== id)) {
          throw new SpilloverError('DataError', `replay: round ${batch.round} of '${batch.condition}' asked other users than the stored run; replay it with the configuration, network and seed it was run with`);
        }
        replayed += rec.decisions.length;
        return rec.decisions;
      }
      if (!live) throw new SpilloverError('DataError', `replay: round ${batch.round} of '${batch.condition}' is not stored; run it with agents (offline or LLM) to continue`);
      return live.decideRound(batch, signal);
    },
  };
}
