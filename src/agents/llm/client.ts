/**
 * Talks to any OpenAI-compatible endpoint through the official SDK and turns a prompt into a validated answer. One
 * HTTP attempt at a time is `ChatTransport.send` (SDK errors become retryable TransportErrors or final errors, with the
 * API key scrubbed); `askValidated` adds the response cache, JSON extraction, and repair turns, and gives up after
 * `maxAttempts` with an error, never a made-up value. The SDK's own retries are off: throughput.ts owns them.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { SpilloverError } from '../../engine/errors';
import type { CallMeta } from '../../engine/types';
import { cacheKey, isCachedCall, type CacheLike, type CachedCall } from './cache';
import { costOf, type PriceTable } from './cost';
import type { ChatMessage, JsonSchemaFormat, Validation } from '../../engine/protocol';
import { extractJson, repairMessages } from './answers';
import { TransportError, cancelled, onAbort, type Throughput } from './throughput';
import { causeWords, connectionCause } from './connection-doctor';

export type StructuredOutputs = 'auto' | 'on' | 'off';
export type FormatMode = 'json_schema' | 'json_object' | 'none';

/**
 * Keys shorter than this are placeholders for local servers ("x", "ollama"), not secrets: scrubbing every occurrence
 * of such a string would mangle prompts ("example" → "e[key]ample"), so only whole-token matches are removed.
 */
export const MIN_SECRET_KEY_LENGTH = 8;

const TOKEN_CHARS = 'A-Za-z0-9_\\-';

/** Removes the API key (and any long fragment of it an error might echo) from a text. */
export function scrubKey(text: string, apiKey: string): string {
  if (!apiKey) return text;
  if (apiKey.length < MIN_SECRET_KEY_LENGTH) {
    const escaped = apiKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return text.replace(new RegExp(`(?<![${TOKEN_CHARS}])${escaped}(?![${TOKEN_CHARS}])`, 'g'), '[key]');
  }
  let out = text.split(apiKey).join('[key]');
  if (apiKey.length >= 12) {
    out = out.replace(/[A-Za-z0-9_\-]{8,}/g, (tok) => (apiKey.includes(tok) ? '[key]' : tok));
  }
  return out;
}

export interface TransportOptions {
  apiKey: string;
  baseURL?: string;
  /** Per-attempt limit, covering the whole response (the SDK's own timeout stops at the headers). @default 60000 */
  timeoutMs?: number;
  structuredOutputs?: StructuredOutputs;
  /** A fetch implementation (tests, proxies); the SDK's default otherwise. */
  fetch?: typeof fetch;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  schema: JsonSchemaFormat;
  temperature: number;
  seed: number;
}

export interface ChatAnswer {
  text: string;
  model: string;
  usage: CachedCall['usage'];
}

/** Sends one chat request and returns its answer: ChatTransport (one HTTP call) or BatchTransport (a line of a job). */
export interface ChatSender {
  send(req: ChatRequest, signal?: AbortSignal): Promise<{ value: ChatAnswer; headers?: Headers }>;
}

/** The chat-completions body for a request in a format mode; the Batch API sends the same body as a JSONL line. */
export function chatBody(req: ChatRequest, mode: FormatMode): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming {
  const messages =
    mode === 'json_schema'
      ? req.messages
      : // Without structured outputs the schema travels as text (JSON mode also needs the word JSON in a message).
        [...req.messages, { role: 'system' as const, content: `Answer with one JSON object matching this JSON schema: ${JSON.stringify(req.schema.schema)}` }];
  const body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = { model: req.model, messages, temperature: req.temperature, seed: req.seed };
  if (mode === 'json_schema') body.response_format = { type: 'json_schema', json_schema: req.schema };
  if (mode === 'json_object') body.response_format = { type: 'json_object' };
  return body;
}

/** The answer in a chat.completion, or undefined when it has no message content. */
export function answerOf(data: OpenAI.Chat.ChatCompletion | undefined, model: string): ChatAnswer | undefined {
  const text = data?.choices?.[0]?.message?.content;
  if (typeof text !== 'string') return undefined;
  const usage = data?.usage;
  return {
    text,
    model: data?.model ?? model,
    usage: {
      promptTokens: usage?.prompt_tokens ?? 0,
      cachedPromptTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      completionTokens: usage?.completion_tokens ?? 0,
    },
  };
}

/** An answer the endpoint refused for this request only (a 400 not about the format): the request is recorded invalid. */
export class RequestRejected extends Error {
  override readonly name = 'RequestRejected';
}

/** Requests in flight right now, and how many of them are slow (see `ChatTransport.requests`). */
export interface RequestsNow {
  inFlight: number;
  slow: number;
  /** An attempt is slow past this many ms without an answer. */
  slowAfterMs: number;
  /** Per-attempt limit, after which the attempt is retried anyway. */
  timeoutMs: number;
  /** Attempts answered so far by this transport. */
  answered: number;
}

/** An attempt is never called slow before this; on a fast endpoint, a stalled request shows after 5 s. */
export const SLOW_FLOOR_MS = 5000;

/** One HTTP attempt per `send`, with fallback from structured outputs to JSON mode to no format for this endpoint. */
export class ChatTransport implements ChatSender {
  private readonly client: OpenAI;
  private mode: FormatMode;
  private readonly timeoutMs: number;
  private readonly apiKey: string;
  /** Attempts in flight, with when they started and how to end them early ("retry now"). */
  private readonly open = new Set<{ started: number; ctrl: AbortController }>();
  /** Latencies of the last answered attempts, ms: "slow" is relative to what this endpoint usually takes. */
  private readonly latencies: number[] = [];
  private answered = 0;

  constructor(opts: TransportOptions) {
    this.apiKey = opts.apiKey;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.mode = opts.structuredOutputs === 'off' ? 'none' : 'json_schema';
    this.fallback = opts.structuredOutputs !== 'on';
    this.client = new OpenAI({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL,
      dangerouslyAllowBrowser: true,
      maxRetries: 0,
      timeout: this.timeoutMs,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  private readonly fallback: boolean;

  /** The format currently used for this endpoint ('json_schema' until a 400 says it is unsupported). */
  get formatMode(): FormatMode {
    return this.mode;
  }

  async send(req: ChatRequest, signal?: AbortSignal): Promise<{ value: ChatAnswer; headers: Headers }> {
    for (;;) {
      const mode = this.mode;
      try {
        return await this.attempt(req, mode, signal);
      } catch (err) {
        if (this.fallback && mode !== 'none' && isFormatRefusal(err)) {
          // The endpoint does not take this response_format: step down once for the whole endpoint.
          if (this.mode === mode) this.mode = mode === 'json_schema' ? 'json_object' : 'none';
          continue;
        }
        throw this.translate(err, signal);
      }
    }
  }

  private async attempt(req: ChatRequest, mode: FormatMode, outer?: AbortSignal): Promise<{ value: ChatAnswer; headers: Headers }> {
    // Our own timer covers the body too (a server may stall after the headers); it aborts this attempt only.
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(new TimeoutMarker()), this.timeoutMs);
    const off = onAbort(outer, () => ctrl.abort(outer?.reason));
    if (outer?.aborted) ctrl.abort(outer.reason);
    const entry = { started: Date.now(), ctrl };
    this.open.add(entry);
    try {
      const { data, response } = await this.client.chat.completions.create(chatBody(req, mode), { signal: ctrl.signal }).withResponse();
      const value = answerOf(data, req.model);
      if (!value) throw new TransportError('malformed', 'the response has no message content', response.headers);
      this.answered++;
      this.latencies.push(Date.now() - entry.started);
      if (this.latencies.length > 64) this.latencies.shift();
      return { value, headers: response.headers };
    } catch (err) {
      if (ctrl.signal.aborted && !outer?.aborted) {
        if (ctrl.signal.reason instanceof TimeoutMarker) throw new TransportError('timeout', `no complete answer within ${this.timeoutMs} ms`);
        if (ctrl.signal.reason instanceof RetryNowMarker) throw new TransportError('timeout', `retried on request after ${Math.round((Date.now() - entry.started) / 1000)} s without an answer`);
      }
      throw err;
    } finally {
      this.open.delete(entry);
      clearTimeout(timer);
      off();
    }
  }

  /**
   * Attempts in flight and how many are slow: waiting longer than four times this endpoint's median answer time, and
   * at least SLOW_FLOOR_MS (a local model that always takes 20 s is not slow at 25 s; a stalled request to a fast API is).
   */
  requests(now = Date.now()): RequestsNow {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
    const slowAfterMs = Math.min(Math.max(SLOW_FLOOR_MS, 4 * median), this.timeoutMs);
    let slow = 0;
    for (const a of this.open) if (now - a.started >= slowAfterMs) slow++;
    return { inFlight: this.open.size, slow, slowAfterMs, timeoutMs: this.timeoutMs, answered: this.answered };
  }

  /** "Retry now": end the slow attempts at once; each is retried as after a timeout. Returns how many were ended. */
  retrySlow(now = Date.now()): number {
    const { slowAfterMs } = this.requests(now);
    let ended = 0;
    for (const a of [...this.open]) {
      if (now - a.started >= slowAfterMs) {
        a.ctrl.abort(new RetryNowMarker());
        ended++;
      }
    }
    return ended;
  }

  /** SDK and network errors → TransportError (retry), RequestRejected (this request), or a final LlmError. */
  private translate(err: unknown, signal?: AbortSignal): unknown {
    if (signal?.aborted) return cancelled();
    if (err instanceof TransportError) return err;
    const msg = scrubKey(err instanceof Error ? err.message : String(err), this.apiKey);
    if (err instanceof APIUserAbortError) return new TransportError('timeout', msg);
    if (err instanceof APIConnectionTimeoutError) return new TransportError('timeout', msg);
    if (err instanceof APIConnectionError) {
      const cause = connectionCause(err);
      return new TransportError('connection', cause === 'unknown' ? msg : `${causeWords(cause)}: ${msg}`, undefined, cause);
    }
    if (err instanceof APIError) {
      const status = err.status ?? 0;
      const headers = err.headers instanceof Headers ? err.headers : undefined;
      // A 429 for an account without credit looks like a rate limit but waiting never helps: stop and say so.
      if (status === 429 && (err.code === 'insufficient_quota' || err.type === 'insufficient_quota')) {
        return new SpilloverError('LlmError', `LLM endpoint: the account behind this key has no credit left (429 insufficient_quota: ${msg}); add credit or raise the limit with your provider, then resume — completed rounds are kept`);
      }
      if (status === 429) return new TransportError('rate-limit', `429 ${msg}`, headers);
      if (status >= 500 || status === 408 || status === 409) return new TransportError('server', `${status} ${msg}`, headers);
      if (status === 401 || status === 403) {
        return new SpilloverError('LlmError', `LLM endpoint refused the API key (${status}: ${msg}); check OPENAI_API_KEY or the key in settings`);
      }
      if (status === 404) {
        return new SpilloverError('LlmError', `LLM endpoint: model or URL not found (404: ${msg}); check the model names and the base URL (it usually ends in /v1)`);
      }
      return new RequestRejected(`${status} ${msg}`);
    }
    // Body cut short (truncated JSON, socket closed mid-body) or a fetch-level failure: worth another attempt.
    if (err instanceof SyntaxError) return new TransportError('malformed', `unreadable response body: ${msg}`);
    return new TransportError('connection', msg);
  }
}

class TimeoutMarker extends Error {
  constructor() {
    super('attempt timed out');
  }
}

class RetryNowMarker extends Error {
  constructor() {
    super('attempt ended to be retried now');
  }
}

function isFormatRefusal(err: unknown): boolean {
  if (!(err instanceof APIError) || (err.status !== 400 && err.status !== 422)) return false;
  const text = `${err.message} ${err.param ?? ''} ${JSON.stringify(err.error ?? '')}`.toLowerCase();
  return /response_format|json_schema|json_object|structured output/.test(text);
}

export interface AskContext {
  transport: ChatSender;
  throughput: Pick<Throughput, 'run'>;
  cache?: CacheLike;
  prices: PriceTable;
  /** Answers tried per decision (first answer + repair turns). @default 3 */
  maxAttempts: number;
  apiKey: string;
  /** The endpoint as `endpointId` spells it: part of every cache key. */
  endpoint: string;
  /**
   * Called with each attempt's own accounting the moment its answer arrives (from the endpoint or the cache), before
   * validation and before the round completes, so spend is metered even if the decision or the round is later aborted.
   */
  onAttempt?: (attempt: CallMeta) => void;
  /** False when no call may be sent (a budget of $0): the decision then rejects with BudgetExceeded. */
  mayCall?: () => boolean;
}

/** `answer`: the raw text of the last attempt, cached or fresh ('' when the endpoint rejected the request), key scrubbed. */
export type Asked<T> = { ok: true; value: T; meta: CallMeta; answer: string } | { ok: false; error: string; meta: CallMeta; answer: string };

/**
 * Ask until an answer validates: each answer comes from the cache when it holds the exact request, otherwise from the
 * endpoint (throughput-limited, transport retries included); an invalid one triggers a repair turn that resends the
 * whole context with the answer and the error. Rejects only on cancellation or a final endpoint error.
 */
export async function askValidated<T>(
  ctx: AskContext,
  req: ChatRequest,
  validate: (raw: unknown) => Validation<T>,
  signal?: AbortSignal,
): Promise<Asked<T>> {
  const meta: CallMeta = { calls: 0, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, costUsd: 0, cacheHits: 0, retries: 0, model: req.model };
  let messages = req.messages;
  let lastError = 'no answer';
  let lastAnswer = '';
  for (let attempt = 1; attempt <= ctx.maxAttempts; attempt++) {
    if (signal?.aborted) throw cancelled();
    if (attempt > 1) meta.retries++;
    const call: ChatRequest = { ...req, messages };
    const key = ctx.cache ? await cacheKey({ endpoint: ctx.endpoint, model: call.model, messages: call.messages, schema: call.schema, temperature: call.temperature, seed: call.seed }) : '';
    const stored = ctx.cache ? await ctx.cache.get(key) : undefined;
    let answer: ChatAnswer | undefined = isCachedCall(stored) ? stored : undefined;
    const one: CallMeta = { calls: 0, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, costUsd: 0, cacheHits: 0, retries: attempt > 1 ? 1 : 0, model: req.model };
    if (answer) {
      meta.cacheHits++;
      one.cacheHits = 1;
      ctx.onAttempt?.(one);
    } else {
      if (ctx.mayCall && !ctx.mayCall()) {
        throw new SpilloverError('BudgetExceeded', 'LLM budget of $0 reached: a budget of 0 spends nothing, so only cached answers are used; raise the budget in Setup (or clear it for no cap) and press Resume');
      }
      let sent: { value: ChatAnswer; retries: number };
      try {
        sent = await ctx.throughput.run((s) => ctx.transport.send(call, s), signal);
      } catch (err) {
        if (err instanceof RequestRejected) {
          return { ok: false, error: scrubKey(`the endpoint rejected the request: ${err.message}`, ctx.apiKey), meta, answer: scrubKey(lastAnswer, ctx.apiKey) };
        }
        throw err;
      }
      answer = sent.value;
      Object.assign(one, {
        calls: 1,
        retries: one.retries + sent.retries,
        promptTokens: answer.usage.promptTokens,
        cachedPromptTokens: answer.usage.cachedPromptTokens,
        completionTokens: answer.usage.completionTokens,
        costUsd: costOf(req.model, answer.usage, ctx.prices),
      });
      ctx.onAttempt?.(one);
      meta.retries += sent.retries;
      meta.calls++;
      meta.promptTokens += one.promptTokens;
      meta.cachedPromptTokens += one.cachedPromptTokens;
      meta.completionTokens += one.completionTokens;
      meta.costUsd += one.costUsd;
      if (ctx.cache) await ctx.cache.put(key, { text: answer.text, model: answer.model, usage: { ...answer.usage } });
    }
    lastAnswer = answer.text;
    const parsed = extractJson(answer.text);
    const checked = parsed.ok ? validate(parsed.value) : parsed;
    if (checked.ok) return { ok: true, value: checked.value, meta, answer: scrubKey(lastAnswer, ctx.apiKey) };
    lastError = checked.error;
    messages = repairMessages(req.messages, answer.text, checked.error);
  }
  return { ok: false, error: scrubKey(`invalid answer after ${ctx.maxAttempts} attempts: ${lastError}`, ctx.apiKey), meta, answer: scrubKey(lastAnswer, ctx.apiKey) };
}
