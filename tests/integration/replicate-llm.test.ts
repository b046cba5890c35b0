/**
 * `npm run replicate -- --llm` through the real openai SDK against the local OpenAI-compatible test server: the outputs
 * of an offline run plus call and cost counts, the key written nowhere, a replay from the cache with zero requests.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicate } from './cli-run';
import { startFakeOpenAI, type FakeServer } from './fake-openai-server';

const KEY = 'fake.key-cli-SECRET-9f8e7d6c5b4a39281706';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

describe('npm run replicate -- --llm against an OpenAI-compatible server', () => {
  let server: FakeServer;
  const work = mkdtempSync(join(tmpdir(), 'spillover-llm-cli-'));
  const common = ['--llm', '--agents', '60', '--seeds', '1', '--conditions', 'control,treatment_soc_message', '--timeout', '3000', '--quiet'];
  let first: Awaited<ReturnType<typeof replicate>>;

  beforeAll(async () => {
    server = await startFakeOpenAI({ latencyMs: 2, faultRate: 0.05, faults: { 'rate-limit': 1, 'server-error': 1, truncated: 1, 'invalid-content': 1, drop: 1 } });
    first = await replicate([...common, '--out', join(work, 'out1'), '--json', join(work, 'one.json'), '--cache', join(work, 'cache.jsonl')], {
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: KEY,
    });
  }, 600_000);

  afterAll(async () => {
    await server?.close();
  });

  it('should complete and write the outputs an offline run writes, plus call, token, cost and invalid counts', () => {
    expect(first.status, first.stderr).toBe(0);
    for (const c of ['control', 'treatment_soc_message']) {
      for (const f of ['voting_data', 'treatment_data', 'activity_data', 'engagement_data', 'posts', 'personas']) {
        expect(existsSync(join(work, 'out1', 'seed_1', c, `${c}_${f}.csv`)), `${c}_${f}`).toBe(true);
      }
    }
    const summary = JSON.parse(readFileSync(join(work, 'one.json'), 'utf8'));
    expect(summary.agentsKind).toBe('llm');
    expect(summary.llm.calls).toBeGreaterThan(100);
    expect(summary.llm.promptTokens).toBeGreaterThan(0);
    expect(summary.llm.completionTokens).toBeGreaterThan(0);
    expect(summary.llm.costUsd).toBeGreaterThan(0);
    expect(typeof summary.llm.invalid).toBe('number');
    expect(summary.llm.invalidByCondition).toHaveProperty('control');
    expect(summary.conditions.treatment_soc_message.adults).toBeGreaterThan(50);
    expect(first.stdout).toMatch(/LLM: \d+ calls/);
    expect(server.counters.received).toBeGreaterThanOrEqual(summary.llm.calls);
  });

  it('should never write the key into outputs, the cache, the summary or the logs', () => {
    expect(first.stdout).not.toContain(KEY);
    expect(first.stderr).not.toContain(KEY);
    for (const f of [...filesUnder(join(work, 'out1')), join(work, 'one.json'), join(work, 'cache.jsonl')]) {
      expect(readFileSync(f, 'utf8').includes(KEY), f).toBe(false);
    }
    expect([...server.counters.authorization].every((h) => h === `Bearer ${KEY}`)).toBe(true);
  });

  it('should replay from its cache with zero requests and identical records', async () => {
    const before = server.counters.received;
    const again = await replicate([...common, '--out', join(work, 'out2'), '--cache', join(work, 'cache.jsonl')], {
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: KEY,
    });
    expect(again.status, again.stderr).toBe(0);
    expect(server.counters.received).toBe(before);
    for (const f of filesUnder(join(work, 'out1'))) {
      const twin = f.replace(join(work, 'out1'), join(work, 'out2'));
      expect(readFileSync(twin, 'utf8'), twin).toBe(readFileSync(f, 'utf8'));
    }
    expect(statSync(join(work, 'cache.jsonl')).size).toBeGreaterThan(0);
  }, 600_000);

  it('should refuse to start without a key, naming OPENAI_API_KEY', async () => {
    const r = await replicate(['--llm', '--agents', '20', '--quiet'], { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: '' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/OPENAI_API_KEY/);
  });
});
