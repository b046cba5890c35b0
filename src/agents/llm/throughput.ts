/**
 * Many concurrent calls under an adaptive limit. The limit grows while calls succeed and halves on a 429 (AIMD, as TCP
 * does), dispatch pauses for what `retry-after(-ms)` and the `x-ratelimit-*` headers say, and 5xx, timeouts and
 * dropped connections are retried with exponential backoff and deterministic jitter. Nothing is dropped: a call either
 * returns, fails for a reason retrying cannot fix, or is cancelled through its AbortSignal.
 */
import { SpilloverError } from '../../engine/errors';
import { Rng, hashSeed } from '../../engine/rng';
import type { ConnectionCause } from './connection-doctor';

export type TransportFailure = 'rate-limit' | 'server' | 'timeout' | 'connection' | 'malformed';

/** A failed attempt that is worth repeating. `headers` are the response's, when there was one. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: TransportFailure,
    message: string,
    readonly headers?: Headers,
    /** For a failed connection: what the runtime said about it (connection-doctor.ts). */
    readonly connection?: ConnectionCause,
  ) {
    super(message);
  }
}

export interface ThroughputOptions {
  /** Upper bound of concurrent calls. @default 32 */
  maxConcurrency?: number;
  /** Concurrency at start; grows by slow start until the first 429. @default 4 */
  initialConcurrency?: number;
  /** Attempts after a 5xx / timeout / dropped connection before giving up on the endpoint. @default 8 */
  maxTransportRetries?: number;
  /** 429s tolerated for one call (they are expected under load, so the bound is loose). @default 200 */
  maxRateLimitRetries?: number;
  /** @default 500 */
  baseBackoffMs?: number;
  /** @default 30000 */
  maxBackoffMs?: number;
  /** Seeds the jitter stream (no Math.random in src/). */
  seed?: number;
  /** Time and timers (tests inject a manual clock to replay exact interleavings). @default SYSTEM_CLOCK */
  clock?: Clock;
  /** Told of every rate-limit pause: the wait used and the wait the server asked for (larger when capped). */
  onWait?: (waitMs: number, askedMs: number) => void;
  /**
   * Consulted after each failed connection, with the call's failures in a row and whether its retries are spent, before
   * the retry: it returns to let the call be retried (or fail as usual), or throws to stop with its own diagnosis (a
   * ConnectionDoctor that found the server gone, or refusing this page).
   */
  onConnectionFailure?: (err: TransportError, failures: number, final: boolean) => Promise<void>;
}

/**
 * The longest a rate limit may pause dispatch. Servers have sent `retry-after: 86400` (a day's stall) and values past
 * 2³¹ ms, which timers cannot hold (they fire at once, in a loop); past this cap the calls are simply tried again.
 */
export const MAX_RATE_LIMIT_WAIT_MS = 120_000;

/** The limiter's only view of time: one reading per decision, and timers that call back. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Attempt<T> {
  value: T;
  headers?: Headers;
}

export function cancelled(): SpilloverError {
  return new SpilloverError('Cancelled', 'LLM calls cancelled: the run was stopped; resume it to continue from the last complete round');
}

/** Parses OpenAI's reset durations ("1s", "6m0s", "20ms", "1.5s") or plain seconds; undefined when unreadable. */
export function parseDurationMs(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = false;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    matched = true;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  return matched ? total : undefined;
}

/** How long a 429 asks us to wait: `retry-after-ms`, else `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const ra = headers.get('retry-after');
  if (ra === null) return undefined;
  const s = Number(ra);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const date = Date.parse(ra);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

const abortHandlers = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Subscribes to a signal's abort through one shared listener per signal. A round's hundreds of waiting calls would
 * otherwise each add a listener to the same signal (Node warns past 10), and unsubscribing stays O(1).
 */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => {};
  let set = abortHandlers.get(signal);
  if (!set) {
    const handlers = new Set<() => void>();
    set = handlers;
    abortHandlers.set(signal, handlers);
    signal.addEventListener('abort', () => {
      for (const h of [...handlers]) h();
      handlers.clear();
    }, { once: true });
  }
  set.add(fn);
  const mine = set;
  return () => mine.delete(fn);
}

function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const off = onAbort(signal, () => {
      clock.clearTimeout(timer);
      reject(cancelled());
    });
    const timer = clock.setTimeout(() => {
      off();
      resolve();
    }, ms);
  });
}

interface Waiter {
  resolve: () => void;
  off?: () => void;
}

export class Throughput {
  private limit: number;
  private readonly max: number;
  private inFlight = 0;
  private readonly queue: Waiter[] = [];
  /** No dispatch before this time (ms since epoch): set by 429s and exhausted rate-limit headers. */
  private gateUntil = 0;
  private gateTimer: unknown = null;
  private readonly clock: Clock;
  private slowStart = true;
  private lastDecrease = 0;
  private readonly rng: Rng;
  private readonly opts: Required<Omit<ThroughputOptions, 'seed' | 'clock' | 'onWait' | 'onConnectionFailure'>>;
  private readonly onWait: ThroughputOptions['onWait'];
  private readonly onConnectionFailure: ThroughputOptions['onConnectionFailure'];
  /**
   * Observed counts, for the benchmark and the UI. `repairs` counts pumps that found queued calls with nothing in
   * flight and no timer after dispatching; pump() rules that out, so anything but 0 is a bug worth reporting.
   */
  readonly stats = { attempts: 0, settled: 0, rateLimited: 0, transportErrors: 0, peakLimit: 0, repairs: 0 };

  constructor(options: ThroughputOptions = {}) {
    this.opts = {
      maxConcurrency: options.maxConcurrency ?? 32,
      initialConcurrency: options.initialConcurrency ?? 4,
      maxTransportRetries: options.maxTransportRetries ?? 8,
      maxRateLimitRetries: options.maxRateLimitRetries ?? 200,
      baseBackoffMs: options.baseBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
    };
    this.max = Math.max(1, this.opts.maxConcurrency);
    this.limit = Math.min(this.max, Math.max(1, this.opts.initialConcurrency));
    this.stats.peakLimit = this.limit;
    this.rng = new Rng(hashSeed(options.seed ?? 0, 'llm-backoff'));
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.onWait = options.onWait;
    this.onConnectionFailure = options.onConnectionFailure;
  }

  /** Calls waiting for a slot, calls in flight, and when the rate-limit gate opens (ms since epoch; past = open). */
  get state(): { waiting: number; inFlight: number; gateUntil: number; gateTimer: boolean } {
    return { waiting: this.queue.length, inFlight: this.inFlight, gateUntil: this.gateUntil, gateTimer: this.gateTimer !== null };
  }

  /** The current concurrency limit (fractional while growing). */
  get currentLimit(): number {
    return this.limit;
  }

  /**
   * Runs `attempt` until it succeeds, retrying TransportErrors; other errors propagate unchanged. Returns the value
   * and how many attempts were repeated. Rejects with a 'Cancelled' SpilloverError as soon as `signal` aborts.
   */
  async run<T>(attempt: (signal: AbortSignal | undefined) => Promise<Attempt<T>>, signal?: AbortSignal): Promise<{ value: T; retries: number }> {
    let retries = 0;
    let failures = 0;
    let rateLimits = 0;
    for (;;) {
      await this.acquire(signal);
      let result: Attempt<T>;
      try {
        this.stats.attempts++;
        result = await attempt(signal);
      } catch (err) {
        this.stats.settled++;
        this.release();
        if (signal?.aborted) throw cancelled();
        if (!(err instanceof TransportError)) throw err;
        retries++;
        if (err.kind === 'rate-limit') {
          this.stats.rateLimited++;
          rateLimits++;
          if (rateLimits > this.opts.maxRateLimitRetries) {
            throw new SpilloverError('LlmError', `LLM endpoint: still rate-limited after ${rateLimits} tries (${err.message}); lower the concurrency or raise the account's rate limit, then resume`);
          }
          this.onRateLimit(err.headers);
          continue;
        }
        this.stats.transportErrors++;
        failures++;
        if (err.kind === 'connection' && this.onConnectionFailure) {
          await this.onConnectionFailure(err, failures, failures > this.opts.maxTransportRetries);
          if (signal?.aborted) throw cancelled();
        }
        if (failures > this.opts.maxTransportRetries) {
          throw new SpilloverError('LlmError', `LLM endpoint: ${failures} failed attempts in a row for one call (last: ${err.message}); check that the endpoint is up, then resume`);
        }
        if (err.kind === 'server') this.decrease(0.8);
        await sleep(this.clock, this.backoff(failures), signal);
        continue;
      }
      this.stats.settled++;
      this.release();
      this.onSuccess(result.headers);
      return { value: result.value, retries };
    }
  }

  private backoff(failures: number): number {
    const base = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** (failures - 1));
    return base * (0.5 + 0.5 * this.rng.next());
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    if (this.queue.length === 0 && this.hasSlot(this.clock.now())) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve };
      waiter.off = onAbort(signal, () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(cancelled());
      });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Takes the time as an argument so that one decision never reads the clock twice. */
  private hasSlot(now: number): boolean {
    return this.inFlight < Math.floor(this.limit) && now >= this.gateUntil;
  }

  private release(): void {
    this.inFlight--;
    this.pump();
  }

  /**
   * Dispatches what the limit and the gate allow, then makes sure queued calls have something that will pump again:
   * a call in flight (its release pumps) or the gate timer. The clock is read once: reading it twice let a gate pass
   * between "may not dispatch yet" and "no need to wait", which stranded the queue with nothing left to wake it, and
   * Node exited mid-run with status 0 (issue 8).
   */
  private pump(): void {
    const now = this.clock.now();
    while (this.queue.length && this.hasSlot(now)) {
      const w = this.queue.shift()!;
      w.off?.();
      this.inFlight++;
      w.resolve();
    }
    if (this.queue.length === 0 || this.gateTimer !== null) return;
    const gateClosed = now < this.gateUntil;
    if (!gateClosed && this.inFlight > 0) return;
    if (!gateClosed) this.stats.repairs++;
    // Whole milliseconds, at least one: the gate time is fractional and timers are not, so a timer that fires a
    // fraction early finds the gate still closed and simply arms again.
    const wait = Math.max(1, Math.ceil(this.gateUntil - now));
    this.gateTimer = this.clock.setTimeout(() => {
      this.gateTimer = null;
      this.pump();
    }, wait);
  }

  private gate(ms: number): void {
    const until = this.clock.now() + Math.min(ms, MAX_RATE_LIMIT_WAIT_MS);
    if (until > this.gateUntil) this.gateUntil = until;
    if (this.gateTimer !== null) {
      this.clock.clearTimeout(this.gateTimer);
      this.gateTimer = null;
    }
  }

  private decrease(factor: number): void {
    // One decrease per burst: the 429s of calls that were already in flight report the same overload.
    const now = this.clock.now();
    if (now - this.lastDecrease < 1000) return;
    this.lastDecrease = now;
    this.slowStart = false;
    this.limit = Math.max(1, this.limit * factor);
  }

  private onRateLimit(headers: Headers | undefined): void {
    this.decrease(0.5);
    const asked = retryAfterMs(headers, this.clock.now()) ?? this.backoff(1);
    const wait = Math.min(asked, MAX_RATE_LIMIT_WAIT_MS);
    this.onWait?.(wait, asked);
    // A little jitter so the waiting calls do not all return at the same instant.
    this.gate(wait + 20 * this.rng.next());
    this.pump();
  }

  private onSuccess(headers: Headers | undefined): void {
    this.limit = Math.min(this.max, this.limit + (this.slowStart ? 1 : 1 / this.limit));
    if (this.limit > this.stats.peakLimit) this.stats.peakLimit = this.limit;
    if (!headers) return;
    // Exhausted request budget: wait for about one request's worth of refill, not the full reset, so the pace stays
    // near the limit instead of stalling for a whole window.
    const remReq = headers.get('x-ratelimit-remaining-requests');
    if (remReq !== null && Number(remReq) <= 0) {
      const reset = parseDurationMs(headers.get('x-ratelimit-reset-requests')) ?? 1000;
      const perMinute = Number(headers.get('x-ratelimit-limit-requests'));
      const oneSlot = perMinute > 0 ? 60_000 / perMinute : reset;
      this.gate(Math.min(reset, oneSlot));
    }
    const remTok = headers.get('x-ratelimit-remaining-tokens');
    if (remTok !== null && Number(remTok) <= 0) {
      this.gate(Math.min(parseDurationMs(headers.get('x-ratelimit-reset-tokens')) ?? 1000, 5000));
    }
    this.pump();
  }
}
