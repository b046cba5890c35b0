// A connection that fails in the middle of an LLM run, over real HTTP to the local OpenAI-compatible server through
// the real SDK: the limiter asks the ConnectionDoctor before each retry, so a server that went away stops the calls
// after a few tries with what to do, one that refuses the page's origin (CORS) stops at once, and a server that is
// back is used again.
import { afterAll, describe, expect, it } from 'vitest';
import { ChatTransport } from '../../src/agents/llm/client';
import { ConnectionDoctor, connectionCause } from '../../src/agents/llm/connection-doctor';
import { Throughput } from '../../src/agents/llm/throughput';
import { activationSchema } from '../../src/protocols/sociopol/schema';
import { startFakeOpenAI, type FakeServer } from './fake-openai-server';

const KEY = 'fake.key-zq9x-00000000000000000000';
const servers: FakeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const request = { model: 'gpt-4.1-nano', messages: [{ role: 'user' as const, content: 'hello' }], schema: activationSchema(true, false, []), temperature: 1, seed: 1 };

function caller(baseURL: string, fetchImpl?: typeof fetch, origin?: string, maxTransportRetries = 8) {
  const transport = new ChatTransport({ apiKey: KEY, baseURL, timeoutMs: 5000, fetch: fetchImpl });
  const doctor = new ConnectionDoctor({ apiKey: KEY, baseURL, origin, fetch: fetchImpl, probeTimeoutMs: 2000 });
  const attempts: string[] = [];
  const throughput = new Throughput({
    baseBackoffMs: 5,
    maxTransportRetries,
    onConnectionFailure: async (err, failures, final) => {
      attempts.push(err.message);
      await doctor.onFailure(err, failures, final);
    },
  });
  return { call: () => throughput.run((s) => transport.send(request, s)), attempts };
}

describe('a connection lost mid-run', () => {
  it('should stop after five refused attempts, naming the refused connection and the fix, then work again once the server is back', async () => {
    const server = await startFakeOpenAI({});
    servers.push(server);
    const { call, attempts } = caller(server.url);
    await expect(call()).resolves.toMatchObject({ retries: 0 });
    const port = Number(new URL(server.url).port);
    await server.close();

    const err = (await call().catch((e: Error) => e)) as Error;
    expect(err.name).toBe('EndpointProblem');
    expect(err.message).toMatch(new RegExp(`^LLM endpoint: ${server.url.replace(/[/.]/g, '\\$&')} stopped answering in the middle of the run \\(5 failed attempts in a row; connection refused: nothing listens on that port`));
    expect(err.message).toContain('Start the server again or fix the base URL, then resume');
    expect(err.message).not.toContain(KEY);
    // Stopped by the check after 5 attempts, not after the 8 retries the limiter allows a dropped connection.
    expect(attempts).toHaveLength(5);
    expect(attempts.every((a) => a.startsWith('connection refused:'))).toBe(true);

    const back = await startFakeOpenAI({}, port);
    servers.push(back);
    await expect(call()).resolves.toMatchObject({ retries: 0 });
    expect(back.counters.answered).toBe(1);
  });

  it('should stop at the first failure with the CORS fix when the server answers but refuses the page origin, as a browser reports it', async () => {
    const server = await startFakeOpenAI({});
    servers.push(server);
    // Node has no CORS: this fetch plays the browser's part once the server stopped allowing the origin (a cors-mode
    // request fails as "Failed to fetch", a no-cors one gets through).
    let refusing = false;
    const browserLike: typeof fetch = (input, init) => (refusing && init?.mode !== 'no-cors' ? Promise.reject(new TypeError('Failed to fetch')) : fetch(input, init));
    const { call, attempts } = caller(server.url, browserLike, 'https://course.example');
    await expect(call()).resolves.toMatchObject({ retries: 0 });
    refusing = true;
    const err = (await call().catch((e: Error) => e)) as Error;
    expect(err.name).toBe('EndpointProblem');
    expect(err.message).toContain('in the middle of the run the browser started to block the requests');
    expect(err.message).toContain('probably CORS');
    expect(err.message).toContain('OLLAMA_ORIGINS=https://course.example');
    expect(attempts).toHaveLength(1);
  });

  it('should name the problem when the retries run out first: the server gone, or connections dropped while it answers', async () => {
    const gone = await startFakeOpenAI({});
    const url = gone.url;
    await gone.close();
    const one = caller(url, undefined, undefined, 1);
    const err = (await one.call().catch((e: Error) => e)) as Error;
    expect(err.name).toBe('EndpointProblem');
    expect(err.message).toContain(`${url} stopped answering in the middle of the run (2 failed attempts in a row; connection refused`);

    // Every chat request has its socket cut; GET /models is answered, so the server is there.
    const dropping = await startFakeOpenAI({ faultRate: 1, faults: { drop: 1 } });
    servers.push(dropping);
    const two = caller(dropping.url, undefined, undefined, 2);
    const dropped = (await two.call().catch((e: Error) => e)) as Error;
    expect(dropped.name).toBe('LlmError');
    expect(dropped.message).toMatch(/failed 3 times in a row for one call although the server answers \(last: connection dropped: /);
    expect(dropped.message).toContain('lower the concurrency or raise the timeout');
    expect(two.attempts.every((a) => a.startsWith('connection dropped:'))).toBe(true);
    expect(dropping.counters.faults.drop).toBe(3);
  });

  it('should name what Node reports about a failed connection', () => {
    expect(connectionCause(Object.assign(new Error('Connection error.'), { cause: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }) }))).toBe('refused');
    expect(connectionCause({ cause: { cause: { code: 'ENOTFOUND' } } })).toBe('dns');
    expect(connectionCause({ cause: { code: 'UND_ERR_SOCKET' } })).toBe('dropped');
    expect(connectionCause(new TypeError('Failed to fetch'))).toBe('unknown');
  });
});
