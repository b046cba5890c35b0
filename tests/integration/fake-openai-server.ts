/**
 * A local OpenAI-compatible server for the LLM tests and the benchmark: POST /v1/chat/completions on 127.0.0.1 with
 * answers that follow the request's schema, usage figures, latency, a requests-per-minute limiter, and injected faults
 * (429, 500, truncated bodies, invalid answers, stalled and dropped connections). Answers and faults are a function of
 * the request body (and how often that body was seen), so a run against a fresh server is reproducible.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Rng, hashSeed } from '../../src/engine/rng';
import { createFakeBatchApi, type FakeBatchCounters, type FakeBatchOptions } from './fake-batch-api';

export type FaultKind = 'rate-limit' | 'server-error' | 'truncated' | 'invalid-content' | 'stall' | 'drop' | 'truncated-content' | 'slow';
export type RequestKind = 'activation' | 'vote' | 'repair';

export interface FakeServerOptions extends FakeBatchOptions {
  /** Delay before answering, ms. @default 0 */
  latencyMs?: number;
  /** Share of requests that get a fault. @default 0 */
  faultRate?: number;
  /** Relative weights of the faults. @default all equal */
  faults?: Partial<Record<FaultKind, number>>;
  /** Token-bucket limit (one second of burst); 429 with retry-after and x-ratelimit headers beyond it. */
  requestsPerMinute?: number;
  /** Answer 400 to `response_format` json_schema (or any response_format with 'all'), as servers without structured outputs do. */
  refuseResponseFormat?: false | 'json_schema' | 'all';
  /** Requests for which every answer is invalid (e.g. a given agent), to exercise the invalid path. */
  alwaysInvalid?: (prompt: string) => boolean;
  /** Answer 401 with an error that echoes the Authorization header, as real servers echo part of a bad key. */
  rejectKey?: boolean;
  /** Answer 429 with OpenAI's `insufficient_quota` error, as an account without credit does (waiting never helps). */
  outOfCredit?: boolean;
  /**
   * When set, an injected 429 says `retry-after: <this many seconds>` (fractions allowed, so tests can scale time
   * down) and `x-ratelimit-remaining-requests: 0`, as in issue 8; otherwise it says retry-after 1 s, retry-after-ms 100.
   */
  retryAfterSeconds?: number;
  /** How long a 'slow' fault holds the answer back, ms. @default 2000 */
  slowMs?: number;
  /** Mixed into the fault draws: two servers with different fault seeds fault different requests. @default 0 */
  faultSeed?: number;
  /**
   * Answer a repair turn with what the original question would have got, so faults that cause repairs (invalid or
   * truncated content) leave the records of a run unchanged. @default false
   */
  stableAnswers?: boolean;
  /**
   * false: send no CORS headers at all, as Ollama does for an origin missing from OLLAMA_ORIGINS (and LM Studio with its
   * CORS toggle off): a browser page's preflight fails and the SDK sees only a connection error. @default true
   */
  cors?: boolean;
  /** The first this-many chat requests are never answered (a stalled server), later ones normally. @default 0 */
  stallFirst?: number;
}

/**
 * The fault mix of issue 8: 10 % 429 (`retry-after: 1`, `x-ratelimit-remaining-requests: 0`), 5 % 500, 3 % truncated
 * JSON (half of them a response body cut short, which the transport retries; half an answer whose content is cut short,
 * which takes a repair turn), 1 % answered after a 2-second stall. `timeScale` shrinks the waits (0.05: 50 ms
 * retry-after, 100 ms stall) so a test of thousands of requests fits in CI. Answers stay those of a fault-free server,
 * and faults are drawn from the request and how often it was seen, so a run against a fresh server is reproducible; a
 * decision whose every attempt met a content fault is recorded invalid, as it should be, and then its records differ.
 */
export function issue8Faults(timeScale = 1): FakeServerOptions {
  return {
    faultRate: 0.19,
    faults: { 'rate-limit': 10, 'server-error': 5, truncated: 1.5, 'truncated-content': 1.5, slow: 1 },
    retryAfterSeconds: timeScale,
    slowMs: 2000 * timeScale,
    stableAnswers: true,
  };
}

export interface FakeServerCounters {
  received: number;
  answered: number;
  byKind: Record<RequestKind, number>;
  faults: Record<FaultKind, number>;
  rateLimited: number;
  refusedFormat: number;
  /** Requests held unanswered by `stallFirst`. */
  stalled: number;
  /** GET /models requests answered (the app's endpoint check). */
  modelLists: number;
  /** Every distinct Authorization header seen. */
  authorization: Set<string>;
  /** Request bodies' response_format types, counted. */
  formats: Record<string, number>;
  /** Usage reported in delivered answers, per model. */
  usage: Record<string, { prompt: number; cached: number; completion: number }>;
}

export interface FakeServer {
  /** Base URL for the SDK, ending in /v1. */
  url: string;
  counters: FakeServerCounters;
  /** Files and Batch API routes (fake-batch-api.ts). */
  batch: FakeBatchCounters;
  options: FakeServerOptions;
  close(): Promise<void>;
}

interface Body {
  model?: string;
  messages?: Array<{ role: string; content: string }>;
  response_format?: { type: string; json_schema?: { name: string; schema: { properties?: Record<string, unknown> } } };
  seed?: number;
}

/** Browsers (the app's worker) may call from any origin and read the rate-limit headers. */
const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' };

const FAULTS: FaultKind[] = ['rate-limit', 'server-error', 'truncated', 'invalid-content', 'stall', 'drop', 'truncated-content', 'slow'];

function emptyCounters(): FakeServerCounters {
  return {
    received: 0,
    answered: 0,
    byKind: { activation: 0, vote: 0, repair: 0 },
    faults: { 'rate-limit': 0, 'server-error': 0, truncated: 0, 'invalid-content': 0, stall: 0, drop: 0, 'truncated-content': 0, slow: 0 },
    rateLimited: 0,
    refusedFormat: 0,
    stalled: 0,
    modelLists: 0,
    authorization: new Set(),
    formats: {},
    usage: {},
  };
}

function kindOf(body: Body): RequestKind {
  const msgs = body.messages ?? [];
  if (msgs.some((m) => m.role === 'assistant')) return 'repair';
  const all = msgs.map((m) => m.content).join('\n');
  return /"voted"/.test(all) ? 'vote' : 'activation';
}

/** The original user prompt (the repair turn resends it first). */
function promptOf(body: Body): string {
  return (body.messages ?? []).filter((m) => m.role === 'user').map((m) => m.content)[0] ?? '';
}

/**
 * An S3 answer (emotion, attitude, action, repost id or post text), deterministic in `rng`: reposts one of the feed's
 * messages ("#id (…" lines after "New in your feed:") about a third of the time, posts now and then.
 */
function buildS3Answer(prompt: string, rng: Rng): string {
  const feedPart = prompt.split('New in your feed:')[1] ?? '';
  const feed = [...feedPart.matchAll(/^#(\d+) \(/gm)].map((m) => Number(m[1]));
  const emotion = rng.pick(['calm', 'calm', 'moderate', 'intense']);
  const attitude = rng.bernoulli(0.5) ? 'positive' : 'negative';
  const u = rng.next();
  if (feed.length && u < 0.3) return JSON.stringify({ emotion, attitude, action: 'repost', repost_id: rng.pick(feed), post_text: null });
  if (u < 0.4) return JSON.stringify({ emotion, attitude, action: 'post', repost_id: null, post_text: `Feeling ${emotion} about this; my view is ${attitude}.` });
  return JSON.stringify({ emotion, attitude, action: 'none', repost_id: null, post_text: null });
}

/** A schema-following answer built from the prompt, deterministic in `rng`. */
function buildAnswer(body: Body, rng: Rng): string {
  const kind = kindOf(body);
  const prompt = promptOf(body);
  const all = (body.messages ?? []).map((m) => m.content).join('\n');
  if (/"repost_id"/.test(all)) return buildS3Answer(prompt, rng);
  if (kind === 'vote' || (kind === 'repair' && /"voted"/.test(all))) return JSON.stringify({ voted: rng.bernoulli(0.6) ? 1 : 0 });
  const feed = [...prompt.matchAll(/^\[(\d+)\] /gm)].map((m) => Number(m[1]));
  const posts: Array<{ p: number; like: boolean; reply: string; author: string }> = [];
  for (const p of feed) {
    const like = rng.bernoulli(0.35);
    const reply = rng.bernoulli(0.06) ? `Point ${p} is fair, though I see it a bit differently.` : '';
    const author = rng.bernoulli(0.05) ? (/\(followed\)/.test(prompt.split('\n').find((l) => l.startsWith(`[${p}] `)) ?? '') ? 'unfollow' : 'follow') : 'keep';
    if (like || reply || author !== 'keep') posts.push({ p, like, reply, author });
  }
  const answer: Record<string, unknown> = { posts };
  if (/invited to write a post/.test(prompt)) {
    const interests = /Interests: ([^.]+)\./.exec(prompt)?.[1].split(', ') ?? [];
    answer.new_post = rng.bernoulli(0.7) ? 'Turnout matters more than polls. Check your registration this week.' : '';
    answer.topic = interests.length ? rng.pick(interests) : '';
  }
  if (!/under 18/.test(prompt)) answer.vote = rng.between(1, 4);
  answer.delay = rng.between(2, 4);
  return JSON.stringify(answer);
}

/** The hash of the question a conversation began with (a repair turn appends the answer and the error to it). */
function originalHash(body: Body): number {
  const msgs = body.messages ?? [];
  const first = msgs.findIndex((m) => m.role === 'assistant');
  const original = first < 0 ? msgs : msgs.slice(0, first);
  return createHash('sha256').update(JSON.stringify({ m: body.model, msg: original, s: body.seed })).digest().readUInt32BE(0);
}

export async function startFakeOpenAI(options: FakeServerOptions = {}, port = 0): Promise<FakeServer> {
  const counters = emptyCounters();
  const seen = new Map<string, number>();
  const systemsSeen = new Set<string>();
  const sockets = new Set<Socket>();
  const rpm = () => options.requestsPerMinute ?? 0;
  let tokens = rpm() > 0 ? Math.max(1, rpm() / 60) : 0;
  let lastRefill = Date.now();

  function takeToken(): { ok: true; remaining: number; resetMs: number } | { ok: false; waitMs: number } {
    const capacity = Math.max(1, rpm() / 60);
    const perMs = rpm() / 60_000;
    const now = Date.now();
    tokens = Math.min(capacity, tokens + (now - lastRefill) * perMs);
    lastRefill = now;
    if (tokens >= 1) {
      tokens -= 1;
      return { ok: true, remaining: Math.floor(tokens), resetMs: Math.ceil((capacity - tokens) / perMs) };
    }
    return { ok: false, waitMs: Math.ceil((1 - tokens) / perMs) };
  }

  // Read per answer: a test may turn CORS off in the middle of a run (a server restarted without its origin setting).
  const corsHeaders = (): Record<string, string> => (options.cors === false ? {} : CORS);

  function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...corsHeaders(), ...headers });
    res.end(text);
  }

  function hashOf(body: Body): Buffer {
    return createHash('sha256').update(JSON.stringify({ m: body.model, msg: body.messages, s: body.seed })).digest();
  }

  /** The chat.completion for a body that meets no fault (`invalid`: the answer breaks the schema). */
  function completion(body: Body, hash: Buffer, invalid: boolean, truncatedContent = false) {
    const prompt = promptOf(body);
    const rng = new Rng(options.stableAnswers ? originalHash(body) : hash.readUInt32BE(0));
    let content = buildAnswer(body, rng);
    if (truncatedContent) {
      content = content.slice(0, Math.max(1, Math.floor(content.length / 2)));
    } else if (invalid || (options.alwaysInvalid?.(prompt) ?? false)) {
      content = rng.bernoulli(0.5) ? '{"posts": [{"p": 99, "like": true' : JSON.stringify({ posts: [{ p: 99, like: true, reply: '', author: 'keep' }], vote: 7, delay: 9 });
    } else if (!body.response_format) {
      // Servers without structured outputs wrap answers in prose and fences.
      content = `Sure, here is my answer:\n\`\`\`json\n${content}\n\`\`\``;
    }
    const msgs = body.messages ?? [];
    const promptTokens = Math.ceil(msgs.reduce((s, m) => s + m.content.length, 0) / 4);
    const system = msgs.find((m) => m.role === 'system')?.content ?? '';
    const cached = systemsSeen.has(system) ? Math.floor(system.length / 4) : 0;
    systemsSeen.add(system);
    return {
      id: `chatcmpl-${hash.toString('hex').slice(0, 12)}`,
      object: 'chat.completion',
      created: 1_700_000_000,
      model: body.model ?? 'unknown',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: Math.ceil(content.length / 4),
        total_tokens: promptTokens + Math.ceil(content.length / 4),
        prompt_tokens_details: { cached_tokens: cached },
      },
    };
  }

  const batchApi = createFakeBatchApi(options, (body) => ({ status: 200, payload: completion(body as Body, hashOf(body as Body), false) }), (res, status, payload) => sendJson(res, status, payload));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method === 'OPTIONS') {
      // The app calls from a page on another origin: answer the CORS preflight (Authorization must be named, '*' omits it).
      res.writeHead(204, options.cors === false ? {} : { ...CORS, 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*', 'access-control-max-age': '600' });
      res.end();
      return;
    }
    if (req.method === 'GET' && req.url === '/stats') {
      // For scripts that drive the server from outside (the fault-mix measurement); the keys seen stay private.
      const { authorization: _seen, ...rest } = counters;
      sendJson(res, 200, rest);
      return;
    }
    if (req.method === 'GET' && req.url?.split('?')[0].endsWith('/models')) {
      // The app tries the endpoint with GET /models before a run, as Ollama, LM Studio, vLLM and OpenAI all serve it.
      counters.modelLists++;
      sendJson(res, 200, { object: 'list', data: ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano'].map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })) });
      return;
    }
    if (batchApi.handle(req, res, Buffer.concat(chunks))) return;
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
      return;
    }
    counters.received++;
    if (counters.received <= (options.stallFirst ?? 0)) {
      counters.stalled++;
      return; // never answered; the socket stays open until the client gives up or the server closes
    }
    const auth = req.headers.authorization ?? '';
    counters.authorization.add(auth);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Body;
    try {
      body = JSON.parse(raw) as Body;
    } catch {
      sendJson(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
      return;
    }
    const kind = kindOf(body);
    counters.byKind[kind]++;
    const fmt = body.response_format?.type ?? 'none';
    counters.formats[fmt] = (counters.formats[fmt] ?? 0) + 1;

    if (options.outOfCredit) {
      sendJson(res, 429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } });
      return;
    }
    if (options.rejectKey) {
      sendJson(res, 401, { error: { message: `Incorrect API key provided: ${auth.replace(/^Bearer /, '')}. Check your key.`, type: 'invalid_request_error', code: 'invalid_api_key' } });
      return;
    }
    const refuse = options.refuseResponseFormat;
    if (refuse && body.response_format && (refuse === 'all' || body.response_format.type === 'json_schema')) {
      counters.refusedFormat++;
      sendJson(res, 400, {
        error: { message: `Invalid parameter: 'response_format' of type '${body.response_format.type}' is not supported by this server.`, type: 'invalid_request_error', param: 'response_format', code: null },
      });
      return;
    }
    const rateHeaders: Record<string, string> = {};
    if (rpm() > 0) {
      const t = takeToken();
      rateHeaders['x-ratelimit-limit-requests'] = String(rpm());
      if (!t.ok) {
        counters.rateLimited++;
        sendJson(
          res,
          429,
          { error: { message: `Rate limit reached: ${rpm()} requests per minute. Please try again in ${t.waitMs}ms.`, type: 'requests', code: 'rate_limit_exceeded' } },
          { ...rateHeaders, 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': `${t.waitMs}ms`, 'retry-after': String(Math.ceil(t.waitMs / 1000)), 'retry-after-ms': String(t.waitMs) },
        );
        return;
      }
      rateHeaders['x-ratelimit-remaining-requests'] = String(t.remaining);
      rateHeaders['x-ratelimit-reset-requests'] = `${t.resetMs}ms`;
    }

    const hash = hashOf(body);
    const h = hash.readUInt32BE(0);
    const n = seen.get(raw) ?? 0;
    seen.set(raw, n + 1);
    const faultRng = new Rng(hashSeed(h, n, 'fault', options.faultSeed ?? 0));
    let fault: FaultKind | null = null;
    if ((options.faultRate ?? 0) > 0 && faultRng.next() < (options.faultRate ?? 0)) {
      const weights = FAULTS.map((f) => options.faults?.[f] ?? (options.faults ? 0 : 1));
      fault = FAULTS[faultRng.weighted(weights)];
      counters.faults[fault]++;
    }

    if (fault === 'stall') return; // never answer; the socket stays open until the client gives up or the server closes
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    if (fault === 'slow') await new Promise((r) => setTimeout(r, options.slowMs ?? 2000));
    if (res.destroyed) return;
    if (fault === 'rate-limit') {
      const ra = options.retryAfterSeconds;
      const headers: Record<string, string> = ra === undefined ? { 'retry-after': '1', 'retry-after-ms': '100' } : { 'retry-after': String(ra), 'x-ratelimit-remaining-requests': '0' };
      sendJson(res, 429, { error: { message: 'Rate limit reached (injected).', type: 'requests', code: 'rate_limit_exceeded' } }, headers);
      return;
    }
    if (fault === 'server-error') {
      sendJson(res, 500, { error: { message: 'The server had an error while processing your request (injected).', type: 'server_error' } });
      return;
    }

    const payload = completion(body, hash, fault === 'invalid-content', fault === 'truncated-content');
    if (fault === 'truncated') {
      const text = JSON.stringify(payload);
      res.writeHead(200, { 'content-type': 'application/json', ...corsHeaders(), ...rateHeaders });
      res.end(text.slice(0, Math.floor(text.length / 2)));
      return;
    }
    counters.answered++;
    const u = (counters.usage[payload.model] ??= { prompt: 0, cached: 0, completion: 0 });
    u.prompt += payload.usage.prompt_tokens;
    u.cached += payload.usage.prompt_tokens_details.cached_tokens;
    u.completion += payload.usage.completion_tokens;
    sendJson(res, 200, payload, rateHeaders);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake server bug: ${err.message}`, type: 'server_error' } });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/v1`,
    counters,
    batch: batchApi.counters,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
