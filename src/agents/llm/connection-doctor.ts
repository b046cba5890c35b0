/**
 * A connection that fails in the middle of an LLM run is diagnosed before it is retried, so that a run whose server
 * went away, or started refusing this page, stops within seconds with the fix instead of retrying for minutes. The
 * cause comes from the error where the runtime gives one (Node names a refused connection, a host name that does not
 * resolve, a dropped socket) and from a fresh endpoint check (endpoint-check.ts) where it does not (a browser reports
 * every one of them as "Failed to fetch"): an endpoint that answers again means a dropped connection, which is retried.
 */
import { SpilloverError } from '../../engine/errors';
import { scrubKey } from './client';
import { checkEndpoint, endpointAdvice, type EndpointProblem } from './endpoint-check';
import type { TransportError } from './throughput';

/** What the runtime says about a failed connection; 'unknown' in browsers, which say nothing. */
export type ConnectionCause = 'refused' | 'dns' | 'dropped' | 'unknown';

const CAUSE_CODES: Record<string, ConnectionCause> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ECONNRESET: 'dropped',
  EPIPE: 'dropped',
  UND_ERR_SOCKET: 'dropped',
  UND_ERR_CLOSED: 'dropped',
};

/** The cause of a connection error from its chain of `cause`s (undici's codes under the SDK's APIConnectionError). */
export function connectionCause(err: unknown): ConnectionCause {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 6; e = e.cause as typeof e, depth++) {
    const code = typeof e.code === 'string' ? CAUSE_CODES[e.code] : undefined;
    if (code) return code;
    const errors = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(errors)) for (const inner of errors) if (connectionCause(inner) !== 'unknown') return connectionCause(inner);
  }
  return 'unknown';
}

/** The words for a cause, as they appear in the retried error's message. */
export function causeWords(cause: ConnectionCause): string {
  return cause === 'refused'
    ? 'connection refused'
    : cause === 'dns'
      ? 'the host name does not resolve (DNS)'
      : cause === 'dropped'
        ? 'connection dropped'
        : 'connection failed';
}

export interface DoctorOptions {
  apiKey: string;
  baseURL: string;
  /** The page's origin (the one a CORS setting must allow); absent outside a browser, where CORS does not apply. */
  origin?: string;
  fetch?: typeof fetch;
  /** For the check's requests. @default 5000 */
  probeTimeoutMs?: number;
  /** Failed attempts in a row of one call, with nothing answering, before the run stops (about 4–8 s of backoff). @default 5 */
  giveUpAfter?: number;
}

const RESUME = 'then resume: press Resume in the app, or run the same command again (with --cache FILE no answer is paid twice); the completed rounds are kept';

/** The mid-run message for a problem the check found. */
export function midRunAdvice(problem: EndpointProblem, cause: ConnectionCause, baseURL: string, origin: string, failures: number): string {
  if (problem === 'cors') {
    return `${endpointAdvice('cors', baseURL, origin).replace('LLM endpoint: the browser blocked', 'LLM endpoint: in the middle of the run the browser started to block')} (A server restarted without that setting does this.)`;
  }
  const what =
    cause === 'dns'
      ? `the host name no longer resolves (DNS): check the address and the network`
      : cause === 'refused'
        ? `connection refused: nothing listens on that port any more (the server stopped or restarted elsewhere)`
        : `nothing answers there now (the server stopped, the address changed, or the network is down)`;
  return `LLM endpoint: ${baseURL} stopped answering in the middle of the run (${failures} failed attempts in a row; ${what}). Start the server again or fix the base URL, ${RESUME}.`;
}

/**
 * Consulted by the limiter (throughput.ts `onConnectionFailure`) after each failed connection: returns to let the call
 * be retried, or throws an 'EndpointProblem' that stops the run. One check at a time is shared by all the calls that
 * failed together (a dead server fails every call in flight at once).
 */
export class ConnectionDoctor {
  private pending: Promise<EndpointProblem | null> | null = null;
  private checkedAt = -Infinity;
  private last: EndpointProblem | null = null;

  constructor(private readonly opts: DoctorOptions) {}

  private check(): Promise<EndpointProblem | null> {
    if (this.pending) return this.pending;
    if (Date.now() - this.checkedAt < 250) return Promise.resolve(this.last);
    const timeoutMs = this.opts.probeTimeoutMs ?? 5000;
    this.pending = checkEndpoint({ apiKey: this.opts.apiKey, baseURL: this.opts.baseURL, fetch: this.opts.fetch, timeoutMs }).then((problem) => {
      this.pending = null;
      this.checkedAt = Date.now();
      this.last = problem;
      return problem;
    });
    return this.pending;
  }

  /**
   * `final`: the limiter will not retry this call again (its retries are spent); the error thrown then names what the
   * check found, or, when the server answers, that connections to it keep dropping.
   */
  async onFailure(err: TransportError, failures: number, final = false): Promise<void> {
    const cause = err.connection ?? 'unknown';
    // Node names a dropped socket; the server may be fine, so it is retried without a check until the last try.
    if (cause === 'dropped' && !final) return;
    const problem = await this.check();
    if (problem === null || (problem === 'cors' && this.opts.origin === undefined)) {
      if (!final) return;
      const text = `LLM endpoint: connections to ${this.opts.baseURL} failed ${failures} times in a row for one call although the server answers (last: ${err.message}); something between (a proxy, a VPN) or the server itself cuts requests: lower the concurrency or raise the timeout, ${RESUME}.`;
      throw new SpilloverError('LlmError', scrubKey(text, this.opts.apiKey));
    }
    // CORS cannot be fixed by retrying; a server that is gone gets a few tries (it may be restarting).
    if (problem === 'unreachable' && failures < (this.opts.giveUpAfter ?? 5) && !final) return;
    const text = midRunAdvice(problem, cause, this.opts.baseURL, this.opts.origin ?? '', failures);
    throw new SpilloverError('EndpointProblem', scrubKey(text, this.opts.apiKey));
  }
}
