// Hardening of the LLM agents (issue 14): key scrubbing, the cache key, unknown prices, metering every attempt.
import { describe, expect, it } from 'vitest';
import { scrubKey } from '../../src/agents/llm/client';
import { contract, contractPort, serversPerTest } from './llm-fixture';
import { contractRequests, contractVotes } from '../unit/decision-port-contract';

const { personas } = contract;
const server = serversPerTest();
const port = contractPort;

describe('a short placeholder key (finding 12)', () => {
  it('should scrub a short key only where it stands as a whole token', () => {
    expect(scrubKey('for example, x marks the spot: key=x.', 'x')).toBe('for example, [key] marks the spot: key=[key].');
    expect(scrubKey('an ollama server named ollama-2', 'ollama')).toBe('an [key] server named ollama-2');
  });

  it('should store the prompts of a run with the key "x" unchanged', async () => {
    const s = await server();
    const p = port(s, { apiKey: 'x' });
    // Activations store their prompt compactly (numbers, no text); election-day questions keep theirs as text.
    const outcomes = await p.decideFinal({ condition: 'control', requests: contractVotes(personas) });
    const prompts = outcomes.map((o) => o.exchange?.prompt ?? '');
    expect(prompts.join('\n')).toMatch(/x/);
    expect(prompts.join('\n')).not.toContain('[key]');
  });
});

describe('metering every attempt (finding 13)', () => {
  it('should meter the answered first attempts of decisions whose repair turn was cancelled', async () => {
    const s = await server({ alwaysInvalid: (prompt) => prompt.startsWith('You are @5:') || prompt.startsWith('You are @7:') });
    let repairsWaiting = 0;
    // Repair turns (they carry the invalid answer as an assistant message) hang until the round is cancelled.
    const hangRepairs: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('"role":"assistant"')) {
        repairsWaiting++;
        return new Promise<Response>((_ok, ko) => init.signal?.addEventListener('abort', () => ko(init.signal?.reason ?? new Error('aborted'))));
      }
      return fetch(input, init);
    };
    const p = port(s, { fetch: hangRepairs, maxAttempts: 3, maxTransportRetries: 0 });
    const requests = contractRequests(personas, 5, 'control');
    const abort = new AbortController();
    const round = p.decideRound({ condition: 'control', round: 5, requests }, abort.signal);
    await expect.poll(() => repairsWaiting, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => s.counters.answered, { timeout: 10_000 }).toBe(requests.length);
    // The server counts an answer when it sends it; the client meters it once it has read the body. Cancel only after
    // every first attempt has arrived, or a slow machine cancels one still in transit (unread, so unpriced).
    await expect.poll(() => p.totals().calls, { timeout: 10_000 }).toBe(requests.length);
    abort.abort();
    await expect(round).rejects.toMatchObject({ name: 'Cancelled' });
    // Every answer the server delivered (the two invalid first attempts included) is on the meter, and priced.
    expect(p.totals().calls).toBe(s.counters.answered);
    const usage = Object.values(s.counters.usage).reduce((a, u) => a + u.prompt, 0);
    expect(p.totals().promptTokens).toBe(usage);
    expect(p.perArm().control.calls).toBe(requests.length);
    expect(p.totals().costUsd).toBeGreaterThan(0);
  });
});

describe('unknown model prices and the budget (finding 3)', () => {
  it('should refuse a budgeted run when a model has no known price, and accept it once a price is given or without a cap', async () => {
    const s = await server();
    const models = { nano: 'openai/gpt-4.1-nano', mini: 'gpt-5', full: 'gpt-4.1' };
    expect(() => port(s, { models, budgetUsd: 1 })).toThrow(/price of 'gpt-5', 'openai\/gpt-4.1-nano' is unknown.*\$\/1M tokens/);
    expect(() => port(s, { models, budgetUsd: null })).not.toThrow();
    const priced = port(s, { models, budgetUsd: 1, prices: { 'openai/gpt-4.1-nano': { input: 0.1, cachedInput: 0.1, output: 0.4 }, 'gpt-5': { input: 1.25, cachedInput: 1.25, output: 10 } } });
    await priced.decideRound({ condition: 'control', round: 5, requests: contractRequests(personas, 5, 'control') });
    expect(priced.totals().costUsd).toBeGreaterThan(0);
  });

  it('should spend nothing with a budget of 0: cached answers are used, the first call that would be sent pauses the run', async () => {
    const { MemoryCacheStore } = await import('../../src/agents/llm/cache');
    const s = await server();
    const cache = new MemoryCacheStore();
    const requests = contractRequests(personas, 5, 'control');
    await port(s, { cache }).decideRound({ condition: 'control', round: 5, requests });
    const sent = s.counters.received;
    const zero = port(s, { cache, budgetUsd: 0 });
    await zero.decideRound({ condition: 'control', round: 5, requests });
    expect(s.counters.received).toBe(sent);
    await expect(zero.decideRound({ condition: 'control', round: 6, requests: contractRequests(personas, 6, 'control') })).rejects.toMatchObject({ name: 'BudgetExceeded' });
    expect(s.counters.received).toBe(sent);
    expect(zero.totals().costUsd).toBe(0);
  });
});
