/**
 * Before an LLM run in the browser spends a minute retrying, try the endpoint once and name what is wrong. The openai
 * SDK reports a refused CORS preflight and a server that is not running alike ("Connection error."); a second request
 * in `no-cors` mode tells them apart: it gets an (opaque) answer from a running server whatever its CORS headers, and
 * fails only when nothing answers. The advice says how to allow this page's origin on Ollama, LM Studio and vLLM.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { SpilloverError } from '../../engine/errors';
import { scrubKey } from './client';

export type EndpointProblem = 'cors' | 'unreachable';

export interface EndpointCheckOptions {
  apiKey: string;
  baseURL: string;
  /** For the check request and for the no-cors probe. @default 15000 */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * One GET /models through the SDK. Any HTTP answer (even 401 or 404) means the browser may talk to the server: null.
 * A connection-level failure is then classified by the no-cors probe. A check that times out is inconclusive (null):
 * a slow server is shown as such during the run, not refused here.
 */
export async function checkEndpoint(opts: EndpointCheckOptions): Promise<EndpointProblem | null> {
  const timeout = opts.timeoutMs ?? 15_000;
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, dangerouslyAllowBrowser: true, maxRetries: 0, timeout, fetch: doFetch });
  try {
    await client.models.list();
    return null;
  } catch (err) {
    if (err instanceof APIConnectionTimeoutError) return null;
    if (err instanceof APIError && !(err instanceof APIConnectionError)) return null;
    if (!(err instanceof APIConnectionError)) return null;
  }
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeout);
  try {
    await doFetch(`${opts.baseURL.replace(/\/+$/, '')}/models`, { mode: 'no-cors', signal: ctrl.signal, credentials: 'omit' });
    return 'cors';
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

/** What to do about a problem, for this page's origin (the one the server must allow). */
export function endpointAdvice(problem: EndpointProblem, baseURL: string, origin: string): string {
  if (problem === 'cors') {
    return (
      `LLM endpoint: the browser blocked the requests to ${baseURL}: the server answers, but not with permission for ` +
      `this page (${origin}) to read its answers, so this is probably CORS. Allow the origin on the server and press ` +
      `Resume: Ollama — restart it with OLLAMA_ORIGINS=${origin} (e.g. OLLAMA_ORIGINS=${origin} ollama serve); ` +
      `LM Studio — Developer → Server settings → turn on "Enable CORS" (or lms server start --cors); ` +
      `vLLM — start it with --allowed-origins '["${origin}"]'. Hosted APIs (OpenAI, OpenRouter) allow browsers ` +
      `already; there, a proxy or firewall in between can cause this.`
    );
  }
  return (
    `LLM endpoint: nothing answers at ${baseURL} (connection refused, wrong address or port, or no network). Check ` +
    `that the server is running and the base URL is right (Ollama: http://localhost:11434/v1; LM Studio: ` +
    `http://localhost:1234/v1; vLLM: http://localhost:8000/v1), then press Resume.`
  );
}

/** Check the endpoint and throw the named problem with its advice ('EndpointProblem'), or return when it answers. */
export async function assertEndpointReachable(opts: EndpointCheckOptions & { origin: string }): Promise<void> {
  const problem = await checkEndpoint(opts);
  if (problem) throw new SpilloverError('EndpointProblem', scrubKey(endpointAdvice(problem, opts.baseURL, opts.origin), opts.apiKey));
}
