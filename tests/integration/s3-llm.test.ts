/**
 * S3's LLM agents over real HTTP: the generic LLM port with S3's prompts (the openai SDK against the local
 * OpenAI-compatible server), run by the generic engine. A run records valid decisions with their exchanges, an answer
 * that never validates is retried and then counted invalid (the user keeps its state), the budget pauses a run at a
 * round boundary, and a replay of the stored decisions makes no call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmPort } from '../../src/agents/llm/index';
import { ReplayPort } from '../../src/agents/replay';
import type { DecisionPort } from '../../src/engine/ports';
import type { DecisionOutcome } from '../../src/engine/protocol';
import { runExperiment } from '../../src/engine/simulation';
import { runS3Seed } from '../../src/protocols/s3/assemble';
import { makeS3Config } from '../../src/protocols/s3/config';
import type { S3RoundRecord } from '../../src/protocols/s3/outcomes';
import { s3Protocol, s3SimConfig } from '../../src/protocols/s3/protocol';
import { tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';
import { startFakeOpenAI, type FakeServer } from './fake-openai-server';

const KEY = 'fake.key-s3port-SECRET-77aa66bb55cc44dd';
let server: FakeServer;

beforeAll(async () => {
  // Users whose profile says "68-year-old" never get a valid answer.
  server = await startFakeOpenAI({ alwaysInvalid: (prompt) => /You are a 6\d-year-old/.test(prompt) });
});
afterAll(async () => {
  await server?.close();
});

const network = tinyNetwork(80, 3, 5);
const personas = tinyPersonas(80, 3, 0);
const config = makeS3Config({ rounds: 4, conditions: [{ name: 'baseline' }] });
config.seedUsers = { kind: 'influential', k: 4 };

const llmPort = (over: { budgetUsd?: number; maxAttempts?: number } = {}) => createLlmPort({ prompts: s3Protocol.llm!, apiKey: KEY, baseURL: server.url, ...over });

async function collect(port: DecisionPort): Promise<S3RoundRecord[]> {
  const out: S3RoundRecord[] = [];
  await runS3Seed({ config, seed: 5, network, population: { personas }, port }, { onRound: (r) => void out.push(r) });
  return out;
}

describe('S3 LLM agents through the openai SDK', () => {
  let records: S3RoundRecord[] = [];

  it('should record valid decisions and count never-valid answers as invalid, keeping the user unchanged', async () => {
    const port = llmPort({ maxAttempts: 2 });
    records = await collect(port);
    const decided = records.flatMap((r) => r.decisions);
    expect(decided.length).toBeGreaterThan(10);
    expect(decided.some((d) => d.ok && (d.decision.action === 'repost' || d.decision.action === 'post'))).toBe(true);
    const invalid = records.flatMap((r) => r.invalidAgents);
    expect(invalid.every((a) => personas[a].age >= 60 && personas[a].age < 70)).toBe(true);
    expect(invalid.length).toBeGreaterThan(0);
    for (const r of records) {
      r.decisions.forEach((d, i) => {
        if (!d.ok) {
          expect(d.error).toMatch(/^invalid answer after 2 attempts/);
          expect(r.action[r.active[i]]).toBe(0);
        }
      });
    }
    expect(port.totals().invalid).toBe(invalid.length);
    expect(JSON.stringify(decided)).not.toContain('SECRET');
    expect(decided[0].exchange?.prompt).toMatch(/^You are a /);
  });

  it('should replay the stored decisions with no call and the same records', async () => {
    const before = (await (await fetch(server.url.replace(/\/v1$/, '/stats'))).json()) as { received: number };
    // Round 0 is the shared round of the seed users (no decisions): the engine records it once, as 'warmup'.
    const stored = records.map((r) => ({ condition: r.round === 0 ? 'warmup' : r.condition, round: r.round, active: r.active, decisions: r.decisions as DecisionOutcome[] }));
    const replay = new ReplayPort(stored, [], null);
    const again = await collect(replay);
    const after = (await (await fetch(server.url.replace(/\/v1$/, '/stats'))).json()) as { received: number };
    expect(before.received).toBeGreaterThan(10);
    expect(after.received).toBe(before.received);
    expect(again.map((r) => [r.emotion, r.attitude, r.action])).toEqual(records.map((r) => [r.emotion, r.attitude, r.action]));
    expect(replay.replayed).toBe(records.length);
  });

  it('should pause at a round boundary once the budget is spent', async () => {
    const port = llmPort({ budgetUsd: 1e-9 });
    const result = await runExperiment(
      { protocol: s3Protocol, config: s3SimConfig(config, network.n), seed: 6, agents: personas, network, port },
      { shouldPause: () => port.budgetReached() },
    );
    expect(result.status).toBe('paused');
    expect(result.roundsDone).toBeLessThan(result.roundsTotal);
    expect(port.totals().calls).toBeGreaterThan(0);
  });
});
