// The LLM agents with the real openai SDK over real HTTP against a local OpenAI-compatible server (fake-openai-server.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import type { DecisionOutcome } from '../../src/protocols/sociopol/types';
import { createLlmPort, MemoryCacheStore, DEFAULT_PRICES } from '../../src/agents/llm/index';
import { socioPolPrompts } from '../../src/protocols/sociopol/llm';
import { costOf } from '../../src/agents/llm/cost';
import { isCompactActivation } from '../../src/protocols/sociopol/compact';
import { startFakeOpenAI, type FakeServer } from './fake-openai-server';
import { CONTRACT_KEY, contract, contractPort, serversPerTest } from './llm-fixture';
import { withOverrides } from '../../src/engine/config';
import { s3Protocol } from '../../src/protocols/s3/protocol';
import { S3_FIXTURE } from '../unit/s3-contract-fixture';
import { contractRequests, contractVotes, expectValidDecision, runPortContract } from '../unit/decision-port-contract';

const KEY = CONTRACT_KEY;
const { config, personas } = contract;
const server = serversPerTest();
const port = contractPort;

/** A fetch that records and refuses every request: a replay from the cache must make none. */
function noRequest(log: string[]): typeof fetch {
  return async (input) => {
    log.push(String(input));
    throw new Error('no request was expected: the answer should have come from the cache');
  };
}

const strip = (o: DecisionOutcome[]) => JSON.parse(JSON.stringify(o, (k, v) => (k === 'meta' ? undefined : v)));

describe('the LLM port keeps the decision-port contract', () => {
  let shared: FakeServer;
  beforeAll(async () => {
    shared = await startFakeOpenAI();
  });
  afterAll(async () => {
    await shared.close();
  });
  runPortContract(() => createLlmPort({ prompts: socioPolPrompts, apiKey: KEY, baseURL: shared.url, timeoutMs: 5000 }));
});

describe('the LLM port with S3 prompts keeps the decision-port contract', () => {
  let shared: FakeServer;
  beforeAll(async () => {
    shared = await startFakeOpenAI();
  });
  afterAll(async () => {
    await shared.close();
  });
  runPortContract(() => createLlmPort({ prompts: s3Protocol.llm!, apiKey: KEY, baseURL: shared.url, timeoutMs: 5000 }), {
    config: withOverrides(s3Protocol.defaults(), { agents: 12 }),
    fixture: S3_FIXTURE,
  });
});

describe('LLM agents over HTTP', () => {
  it('should complete every decision under 10 % injected faults, losing none', async () => {
    const s = await server({ faultRate: 0.1 });
    const p = port(s);
    // Several rounds, so that about a tenth of some 60 requests meet a fault.
    const requests = [5, 6, 7, 8, 9].flatMap((round) => contractRequests(personas, round, 'treatment_soc_message'));
    const outcomes: Awaited<ReturnType<typeof p.decideRound>> = [];
    for (const round of [5, 6, 7, 8, 9]) {
      const batch = requests.filter((r) => r.round === round);
      const out = await p.decideRound({ condition: 'treatment_soc_message', round, requests: batch });
      expect(out).toHaveLength(batch.length);
      outcomes.push(...out);
    }
    outcomes.forEach((o, i) => {
      if (o.ok) expectValidDecision(o.decision, requests[i], personas[requests[i].agentId], config);
      else expect(o.error).toMatch(/invalid answer/);
    });
    const invalid = outcomes.filter((o) => !o.ok).length;
    expect(p.totals().invalid).toBe(invalid);
    // The faults really happened, and were absorbed by retries rather than by giving up.
    const injected = Object.values(s.counters.faults).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThan(0);
    expect(p.totals().retries).toBeGreaterThanOrEqual(injected - s.counters.faults['invalid-content']);
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThanOrEqual(requests.length - 2);
    const votes = await p.decideFinal({ condition: 'treatment_soc_message', requests: contractVotes(personas) });
    expect(votes).toHaveLength(contractVotes(personas).length);
  });

  it('should record an answer that stays invalid as invalid, counted per run and per arm, never replaced', async () => {
    const s = await server({ alwaysInvalid: (prompt) => prompt.startsWith('You are @5:') });
    const p = port(s, { maxAttempts: 3 });
    const requests = contractRequests(personas, 5, 'experiment_info_message');
    const outcomes = await p.decideRound({ condition: 'experiment_info_message', round: 5, requests });
    const idx = requests.findIndex((r) => r.agentId === 5);
    const bad = outcomes[idx];
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/invalid answer after 3 attempts/);
    expect(outcomes.filter((o) => !o.ok)).toHaveLength(1);
    expect(p.totals().invalid).toBe(1);
    expect(p.perArm()['experiment_info_message'].invalid).toBe(1);
    // Two repair turns, each resending the whole context with the invalid answer.
    expect(s.counters.byKind.repair).toBe(2);
  });

  it('should fall back to JSON extraction and repair when the server refuses response_format', async () => {
    const s = await server({ refuseResponseFormat: 'all', faultRate: 0.3, faults: { 'invalid-content': 1 } });
    const p = port(s, { maxAttempts: 4 });
    const requests = contractRequests(personas, 7, 'control');
    const outcomes = await p.decideRound({ condition: 'control', round: 7, requests });
    expect(s.counters.refusedFormat).toBeGreaterThanOrEqual(2);
    expect(s.counters.formats.none).toBeGreaterThan(0);
    expect(s.counters.byKind.repair).toBeGreaterThan(0);
    outcomes.forEach((o, i) => {
      if (o.ok) expectValidDecision(o.decision, requests[i], personas[requests[i].agentId], config);
      else expect(o.error).toMatch(/invalid answer after 4 attempts/);
    });
    // Four answers in a row invalid at a 30 % rate is rare: nearly every decision is recovered by repair.
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThanOrEqual(requests.length - 2);
    expect(p.totals().invalid).toBe(outcomes.filter((o) => !o.ok).length);
  });

  it('should total tokens and cost as the sum of each response usage times the price table', async () => {
    const s = await server({ faultRate: 0.05, faults: { 'server-error': 1, 'invalid-content': 1 } });
    const p = port(s);
    await p.decideRound({ condition: 'control', round: 3, requests: contractRequests(personas, 3, 'control') });
    await p.decideFinal({ condition: 'control', requests: contractVotes(personas, 'control') });
    const t = p.totals();
    let prompt = 0;
    let cached = 0;
    let completion = 0;
    let cost = 0;
    for (const [model, u] of Object.entries(s.counters.usage)) {
      prompt += u.prompt;
      cached += u.cached;
      completion += u.completion;
      cost += costOf(model, { promptTokens: u.prompt, cachedPromptTokens: u.cached, completionTokens: u.completion }, DEFAULT_PRICES);
    }
    expect(t.calls).toBe(s.counters.answered);
    expect(t.promptTokens).toBe(prompt);
    expect(t.cachedPromptTokens).toBe(cached);
    expect(cached).toBeGreaterThan(0);
    expect(t.completionTokens).toBe(completion);
    expect(t.costUsd).toBeCloseTo(cost, 12);
    expect(t.costUsd).toBeGreaterThan(0);
  });

  it('should replay from a filled cache with identical decisions and no request', async () => {
    const cache = new MemoryCacheStore();
    const first = await server({ faultRate: 0.1, faults: { 'invalid-content': 1, 'server-error': 1 } });
    const requests = contractRequests(personas, 9, 'treatment_info_message');
    const a = await port(first, { cache }).decideRound({ condition: 'treatment_info_message', round: 9, requests });
    const av = await port(first, { cache }).decideFinal({ condition: 'treatment_info_message', requests: contractVotes(personas) });
    expect(cache.size).toBeGreaterThan(0);

    // The cache key names the endpoint, so the replay asks the same one; a request would be recorded and refused.
    const requested: string[] = [];
    const replay = port(first, { cache, fetch: noRequest(requested) });
    const b = await replay.decideRound({ condition: 'treatment_info_message', round: 9, requests });
    const bv = await replay.decideFinal({ condition: 'treatment_info_message', requests: contractVotes(personas) });
    expect(strip(b)).toEqual(strip(a));
    expect(strip(bv as never)).toEqual(strip(av as never));
    expect(requested).toEqual([]);
    expect(replay.totals().calls).toBe(0);
    expect(replay.totals().cacheHits).toBeGreaterThanOrEqual(requests.length);
    for await (const [key, entry] of cache.entries()) {
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(entry).sort()).toEqual(['model', 'text', 'usage']);
      expect(JSON.stringify(entry)).not.toContain(KEY);
    }
  });

  it('should stop promptly on cancel and send nothing after settling', async () => {
    const s = await server({ faultRate: 1, faults: { stall: 1 } });
    const p = port(s, { timeoutMs: 60_000 });
    const ctrl = new AbortController();
    const running = p.decideRound({ condition: 'control', round: 2, requests: contractRequests(personas, 2, 'control') }, ctrl.signal);
    while (s.counters.received === 0) await new Promise((r) => setTimeout(r, 10));
    const abortedAt = Date.now();
    ctrl.abort();
    const err = await running.then(
      () => null,
      (e: unknown) => e as { name: string },
    );
    const settledMs = Date.now() - abortedAt;
    expect(err?.name).toBe('Cancelled');
    // Settles long before the stalled calls' own 60 s timeout would have ended them.
    expect(settledMs).toBeLessThan(30_000);
    // Requests already on the wire when the run was cancelled may still be counted during a short grace.
    await new Promise((r) => setTimeout(r, 100));
    const after = s.counters.received;
    await new Promise((r) => setTimeout(r, 300));
    expect(s.counters.received).toBe(after);
  });

  it('should keep the API key out of outcomes, totals, cache entries and error messages', async () => {
    const s = await server({ faultRate: 0.1 });
    const cache = new MemoryCacheStore();
    const p = port(s, { cache });
    const outcomes = await p.decideRound({ condition: 'control', round: 4, requests: contractRequests(personas, 4, 'control') });
    expect(s.counters.authorization).toEqual(new Set([`Bearer ${KEY}`]));
    expect(JSON.stringify(outcomes)).not.toContain(KEY);
    expect(JSON.stringify(p.totals())).not.toContain(KEY);
    expect(JSON.stringify(p.perArm())).not.toContain(KEY);
    for await (const [k, v] of cache.entries()) expect(k + JSON.stringify(v)).not.toContain(KEY);

    const refusing = await server({ rejectKey: true });
    const err = await port(refusing)
      .decideRound({ condition: 'control', round: 4, requests: contractRequests(personas, 4, 'control') })
      .then(() => null, (e: unknown) => e as Error);
    expect(err?.name).toBe('LlmError');
    expect(err?.message).toMatch(/refused the API key/);
    expect(err?.message).not.toContain(KEY);
    expect(err?.message).not.toContain(KEY.slice(0, 16));
    expect(String(err?.stack)).not.toContain(KEY);
  });

  it('should stop at once, saying so, when the account has no credit (a 429 insufficient_quota is not a rate limit)', async () => {
    const broke = await server({ outOfCredit: true });
    const err = await port(broke)
      .decideRound({ condition: 'control', round: 4, requests: contractRequests(personas, 4, 'control') })
      .then(() => null, (e: unknown) => e as Error);
    expect(err?.name).toBe('LlmError');
    expect(err?.message).toMatch(/no credit left.*insufficient_quota/);
    // Each call in flight sees the refusal once; none waits and asks again.
    expect(broke.counters.received).toBeLessThanOrEqual(32);
  });

  it('should return with every outcome, valid or invalid, fresh or cached, the agent prompt and raw answer without the key', async () => {
    const cache = new MemoryCacheStore();
    const s = await server({ alwaysInvalid: (prompt) => prompt.startsWith('You are @5:') });
    const requests = contractRequests(personas, 6, 'control');
    const fresh = await port(s, { cache, maxAttempts: 2 }).decideRound({ condition: 'control', round: 6, requests });
    const votes = await port(s, { cache }).decideFinal({ condition: 'control', requests: contractVotes(personas) });
    fresh.forEach((o, i) => {
      const id = requests[i].agentId;
      // Only the variable part, as numbers (compact.ts): the system prompt, persona and post texts are stored once.
      const c = o.exchange?.compact;
      expect(o.exchange?.prompt).toBe('');
      expect(isCompactActivation(c) && c[1] === 6 && c[3].map((f) => f[0])).toEqual(requests[i].feed.map((f) => f.postId));
      expect(JSON.stringify(o.exchange)).not.toContain(`You are @${id}`);
      expect(o.exchange?.answer.length).toBeGreaterThan(0);
    });
    const bad = fresh[requests.findIndex((r) => r.agentId === 5)];
    expect(bad.ok).toBe(false);
    // The invalid answer is the text the model gave, not a placeholder.
    expect(bad.exchange?.answer).toBeTruthy();
    expect(fresh.filter((o) => o.ok).every((o) => o.ok && JSON.parse(o.exchange!.answer) !== null)).toBe(true);
    votes.forEach((v) => expect(v.exchange?.prompt).toMatch(/Did you vote\?$/));

    const requested: string[] = [];
    const cached = await port(s, { cache, maxAttempts: 2, fetch: noRequest(requested) }).decideRound({ condition: 'control', round: 6, requests });
    expect(requested).toEqual([]);
    expect(cached.map((o) => o.exchange)).toEqual(fresh.map((o) => o.exchange));
    expect(JSON.stringify([fresh, votes, cached])).not.toContain(KEY);
  });

  it('should report the budget as reached once the spend passes the cap, and clear it when the cap is raised', async () => {
    const s = await server();
    const p = port(s, { budgetUsd: 0.000001 });
    expect(p.budgetReached()).toBe(false);
    await p.decideRound({ condition: 'control', round: 1, requests: contractRequests(personas, 1, 'control') });
    expect(p.budgetReached()).toBe(true);
    p.setBudget(100);
    expect(p.budgetReached()).toBe(false);
  });

  it('should estimate a run from the configuration with the tier mix of the personas', () => {
    const p = createLlmPort({ prompts: socioPolPrompts, apiKey: 'estimate-only' });
    const e = p.estimate(makeConfig({ agents: 2000 }));
    // 2000 × 0.21 × (16 warm-up + 30 × 5) activations; one vote per adult per condition.
    expect(e.activations).toBeCloseTo(2000 * 0.21 * (16 + 150), 6);
    expect(e.voteCalls).toBeCloseTo(2000 * (1 - 0.01075) * 5, 6);
    expect(e.costUsd).toBeGreaterThan(0);
    const allFull = p.estimate(makeConfig({ agents: 48 }), personas.map((x) => ({ ...x, tier: 'full' as const })));
    const allNano = p.estimate(makeConfig({ agents: 48 }), personas.map((x) => ({ ...x, tier: 'nano' as const })));
    expect(allFull.costUsd).toBeGreaterThan(allNano.costUsd * 10);
  });
});
