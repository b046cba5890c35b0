/**
 * The S3 LLM agent over real HTTP (the openai SDK against the local OpenAI-compatible server): a run records valid
 * decisions with their exchanges, an answer that never validates is retried and then counted invalid (the user keeps
 * its state), the budget stops a run at a round boundary, and a replay of the stored decisions makes no call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeS3Config } from '../../src/protocols/s3/config';
import { createS3LlmPort, replayS3Port } from '../../src/protocols/s3/llm';
import type { S3RoundRecord } from '../../src/protocols/s3/outcomes';
import { runS3 } from '../../src/protocols/s3/world';
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

async function collect(port: Parameters<typeof runS3>[0]['port']): Promise<S3RoundRecord[]> {
  const out: S3RoundRecord[] = [];
  await runS3({ config, seed: 5, personas, network, port }, { onRound: (r) => void out.push(r) });
  return out;
}

describe('S3 LLM agents through the openai SDK', () => {
  const profiles = personas.map((p) => `${p.age}-year-old ${p.sex === 'female' ? 'woman' : 'man'}`);
  let records: S3RoundRecord[] = [];

  it('should record valid decisions and count never-valid answers as invalid, keeping the user unchanged', async () => {
    const port = createS3LlmPort({ apiKey: KEY, baseURL: server.url, maxAttempts: 2 }, config, 5, profiles);
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
    const stored = new Map(records.map((r) => [`${r.condition}:${r.round}`, { active: r.active, decisions: r.decisions }]));
    const replay = replayS3Port(stored, null);
    const again = await collect(replay);
    const after = (await (await fetch(server.url.replace(/\/v1$/, '/stats'))).json()) as { received: number };
    expect(before.received).toBeGreaterThan(10);
    expect(after.received).toBe(before.received);
    expect(again.map((r) => [r.emotion, r.attitude, r.action])).toEqual(records.map((r) => [r.emotion, r.attitude, r.action]));
    expect(replay.replayed()).toBe(records.reduce((s, r) => s + r.decisions.length, 0));
  });

  it('should stop at a round boundary once the budget is spent, naming the fix', async () => {
    const port = createS3LlmPort({ apiKey: KEY, baseURL: server.url, budgetUsd: 1e-9 }, config, 6, profiles);
    await expect(collect(port)).rejects.toMatchObject({ name: 'BudgetExceeded', message: expect.stringMatching(/raise the budget and resume/) });
    expect(port.totals().calls).toBeGreaterThan(0);
  });
});
