// The endpoint check and the slow-request view of the transport, over real HTTP to the local OpenAI-compatible server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTransport, SLOW_FLOOR_MS } from '../../src/agents/llm/client';
import { checkEndpoint, endpointAdvice } from '../../src/agents/llm/endpoint-check';
import { requestNote } from '../../src/workers/request-watch';
import { activationSchema } from '../../src/protocols/sociopol/schema';
import { startFakeOpenAI, type FakeServer } from './fake-openai-server';

let server: FakeServer;
let stalling: FakeServer;
beforeAll(async () => {
  server = await startFakeOpenAI({});
  stalling = await startFakeOpenAI({ stallFirst: 1 });
});
afterAll(async () => {
  await server?.close();
  await stalling?.close();
});

describe('the endpoint check', () => {
  it('should pass an endpoint that answers GET /models, and call one where nothing listens unreachable', async () => {
    await expect(checkEndpoint({ apiKey: 'k', baseURL: server.url })).resolves.toBeNull();
    expect(server.counters.modelLists).toBe(1);
    const gone = await startFakeOpenAI({});
    const url = gone.url;
    await gone.close();
    await expect(checkEndpoint({ apiKey: 'k', baseURL: url, timeoutMs: 5000 })).resolves.toBe('unreachable');
  });

  it('should call it CORS when the SDK request fails but a no-cors request gets through, as a browser does for a server without CORS headers', async () => {
    // Node has no CORS: this fetch plays the browser's part (a cors-mode request refused, a no-cors one let through).
    const browserLike: typeof fetch = (input, init) => (init?.mode === 'no-cors' ? fetch(input, init) : Promise.reject(new TypeError('Failed to fetch')));
    await expect(checkEndpoint({ apiKey: 'k', baseURL: server.url, fetch: browserLike })).resolves.toBe('cors');
  });

  it('should say how to allow the page origin on Ollama, LM Studio and vLLM', () => {
    const text = endpointAdvice('cors', 'http://localhost:11434/v1', 'https://course.example');
    expect(text).toContain('probably CORS');
    expect(text).toContain('OLLAMA_ORIGINS=https://course.example');
    expect(text).toContain('"Enable CORS"');
    expect(text).toContain(`--allowed-origins '["https://course.example"]'`);
    expect(endpointAdvice('unreachable', 'http://localhost:1234/v1', 'https://x')).toMatch(/^LLM endpoint: nothing answers at http:\/\/localhost:1234\/v1/);
  });
});

describe('slow requests', () => {
  it('should count a stalled attempt as slow past the floor, and end it on "retry now" as a retryable timeout', async () => {
    const transport = new ChatTransport({ apiKey: 'k', baseURL: stalling.url, timeoutMs: 60_000 });
    const schema = activationSchema(true, false, []);
    const pending = transport.send({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hello' }], schema, temperature: 1, seed: 1 });
    const failed = pending.then(
      () => null,
      (err: Error & { kind?: string }) => err,
    );
    await expect.poll(() => stalling.counters.stalled).toBe(1);
    const now = Date.now();
    expect(transport.requests(now)).toMatchObject({ inFlight: 1, slow: 0, answered: 0, timeoutMs: 60_000 });
    expect(transport.requests(now + SLOW_FLOOR_MS + 10).slow).toBe(1);
    const note = requestNote(transport.requests(now + SLOW_FLOOR_MS + 10), stalling.url);
    expect(note).toEqual({ message: 'waiting on 1 slow request (timeout 60 s)', slow: { count: 1, timeoutS: 60 } });
    expect(transport.retrySlow(now + SLOW_FLOOR_MS + 10)).toBe(1);
    const err = await failed;
    expect(err).toMatchObject({ name: 'TransportError', kind: 'timeout' });
    expect(err?.message).toMatch(/^retried on request after \d+ s without an answer$/);
    expect(transport.requests().inFlight).toBe(0);
  });

  it('should say the first answers are awaited while none has arrived, and nothing once answers flow', () => {
    const base = { slow: 0, slowAfterMs: SLOW_FLOOR_MS, timeoutMs: 60_000 };
    expect(requestNote({ ...base, inFlight: 3, answered: 0 }, 'http://h/v1')?.message).toBe('asking the LLM at http://h/v1: 3 requests in flight, waiting for the first answers…');
    expect(requestNote({ ...base, inFlight: 3, answered: 5 }, 'http://h/v1')).toBeNull();
  });
});
