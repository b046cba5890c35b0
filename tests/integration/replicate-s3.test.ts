/**
 * `npm run replicate -- --preset s3` end to end: offline (deterministic, the wide and long CSVs, pooled curves and
 * intervention effects, a comparison with an observed curve) and with `--llm` against the local OpenAI-compatible
 * server through the real openai SDK, including a rerun that answers every call from the response cache.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicate as replicateCli, ROOT } from './cli-run';
import { startFakeOpenAI, type FakeServer } from './fake-openai-server';

const replicate = (args: string[], env: Record<string, string> = {}) => replicateCli(['--preset', 's3', ...args], env);

const KEY = 'fake.key-s3-SECRET-0a1b2c3d4e5f60718293';


const work = mkdtempSync(join(tmpdir(), 'spillover-s3-cli-'));

describe('npm run replicate -- --preset s3 (offline)', () => {
  const common = ['--agents', '300', '--rounds', '8', '--seeds', '2', '--conditions', 'baseline,correction@3,remove@2:5', '--quiet'];
  let a: Awaited<ReturnType<typeof replicate>>;
  let b: Awaited<ReturnType<typeof replicate>>;

  beforeAll(async () => {
    writeFileSync(join(work, 'observed.csv'), 'round,value\n0,0.01\n2,0.3\n4,0.6\n6,0.8\n8,0.85\n');
    [a, b] = await Promise.all([
      replicate([...common, '--out', join(work, 'a'), '--json', join(work, 'a.json'), '--observed', join(work, 'observed.csv')]),
      replicate([...common, '--out', join(work, 'b'), '--json', join(work, 'b.json')]),
    ]);
  }, 120_000);

  it('should write per-state wide CSVs per condition and seed, users and a tidy long CSV', () => {
    expect(a.status, a.stderr).toBe(0);
    expect(readdirSync(join(work, 'a')).sort()).toEqual(['outcomes_long.csv', 'seed_1', 'seed_2', 'users.csv']);
    const files = readdirSync(join(work, 'a', 'seed_1'));
    for (const c of ['baseline', 'correction_r3', 'remove5_r2']) {
      for (const s of ['aware', 'emotion', 'attitude', 'action']) expect(files).toContain(`${c}_${s}_wide.csv`);
      expect(files).toContain(`${c}_messages.csv`);
    }
    const wide = readFileSync(join(work, 'a', 'seed_1', 'baseline_aware_wide.csv'), 'utf8').trim().split('\n');
    expect(wide[0]).toBe(['user_id', ...Array.from({ length: 9 }, (_, r) => `round_${r}`)].join(','));
    expect(wide).toHaveLength(301);
    const long = readFileSync(join(work, 'a', 'outcomes_long.csv'), 'utf8').trim().split('\n');
    expect(long[0]).toBe('seed,condition,round,measure,value');
    // 2 seeds × 3 conditions × 9 rounds × 8 measures
    expect(long).toHaveLength(1 + 2 * 3 * 9 * 8);
    const users = readFileSync(join(work, 'a', 'users.csv'), 'utf8').split('\n');
    expect(users[0]).toBe('user_id,age,gender,occupation,occupation_group,ideology,role,followers,followees');
  });

  it('should be deterministic: the same command writes the same files', () => {
    expect(b.status, b.stderr).toBe(0);
    for (const f of ['outcomes_long.csv', 'users.csv', 'seed_2/correction_r3_emotion_wide.csv', 'seed_1/remove5_r2_messages.csv']) {
      expect(readFileSync(join(work, 'b', f), 'utf8')).toBe(readFileSync(join(work, 'a', f), 'utf8'));
    }
  });

  it('should pool curves over seeds, compare interventions with the baseline, and score an observed curve', () => {
    const doc = JSON.parse(readFileSync(join(work, 'a.json'), 'utf8'));
    const aware = doc.curves.find((c: { condition: string; measure: string }) => c.condition === 'baseline' && c.measure === 'aware');
    expect(aware.seeds).toBe(2);
    expect(aware.rounds).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    for (let i = 1; i < aware.mean.length; i++) expect(aware.mean[i]).toBeGreaterThanOrEqual(aware.mean[i - 1]);
    const pooled = doc.effects.filter((e: { seed: string }) => e.seed === 'pooled');
    expect(pooled.map((e: { treatment: string; outcome: string }) => `${e.treatment}:${e.outcome}`).sort()).toEqual([
      'correction_r3:aware_r8', 'correction_r3:intensity_r8', 'correction_r3:positive_r8',
      'remove5_r2:aware_r8', 'remove5_r2:intensity_r8', 'remove5_r2:positive_r8',
    ]);
    expect(doc.comparison.rounds).toEqual([0, 2, 4, 6, 8]);
    const sq = doc.comparison.rounds.map((r: number, i: number) => (aware.mean[r] - [0.01, 0.3, 0.6, 0.8, 0.85][i]) ** 2);
    expect(doc.comparison.msed).toBeCloseTo(sq.reduce((x: number, y: number) => x + y, 0) / 5, 12);
    expect(a.stdout).toMatch(/MSED \d\.\d{5}, Cor -?\d\.\d{4}/);
  });

  it('should refuse bad flags naming the flag and the fix, before running', async () => {
    const bad = await replicate(['--spread', 'ic:x']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("config: --spread is 'ic:x'; write ic:P (independent cascade, e.g. ic:0.05) or lt (linear threshold)");
    const cond = await replicate(['--conditions', 'baseline,correction@99', '--rounds', '10']);
    expect(cond.status).toBe(2);
    expect(cond.stderr).toContain('conditions[1].correction.round is 99; use a whole round between 1 and 10');
    const other = await replicate(['--model-full', 'gpt-x']);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('--model-full does not apply to --preset s3');
  }, 60_000);

  it('should refuse S3 flags under another preset', async () => {
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/replicate.ts', '--preset', 'bond2012', '--spread', 'lt'], { cwd: ROOT });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stderr }));
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--spread applies only to --preset s3; add --preset s3, or drop --spread');
  }, 60_000);
});

describe('npm run replicate -- --preset s3 --llm against an OpenAI-compatible server', () => {
  let server: FakeServer;
  const common = ['--llm', '--agents', '120', '--rounds', '4', '--conditions', 'baseline,correction@2', '--timeout', '3000', '--quiet', '--cache', join(work, 'cache.jsonl')];
  let first: Awaited<ReturnType<typeof replicate>>;
  let second: Awaited<ReturnType<typeof replicate>>;

  beforeAll(async () => {
    server = await startFakeOpenAI({ latencyMs: 2, faultRate: 0.05, faults: { 'rate-limit': 1, 'server-error': 1, 'invalid-content': 1 } });
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: KEY };
    first = await replicate([...common, '--out', join(work, 'llm1'), '--json', join(work, 'llm1.json')], env);
    second = await replicate([...common, '--out', join(work, 'llm2'), '--json', join(work, 'llm2.json')], env);
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  it('should run through the SDK, count calls and invalid answers, and never write the key', () => {
    expect(first.status, first.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(work, 'llm1.json'), 'utf8'));
    expect(doc.agentsKind).toBe('llm');
    expect(doc.llm.calls).toBeGreaterThan(20);
    expect(doc.llm.retries).toBeGreaterThan(0);
    const messages = readFileSync(join(work, 'llm1', 'seed_1', 'baseline_messages.csv'), 'utf8');
    expect(messages).toMatch(/,repost,|,post,/);
    for (const text of [first.stdout, first.stderr, JSON.stringify(doc), messages]) expect(text).not.toContain('SECRET');
  });

  it('should stop at a round boundary once the budget is spent, saying how to resume', async () => {
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: KEY };
    const r = await replicate(['--llm', '--agents', '120', '--rounds', '4', '--conditions', 'baseline', '--timeout', '3000', '--quiet', '--budget', '0.000000001', '--seed', '7'], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the budget of \$0\.000000001 is spent after round 1 of 'baseline'; raise the budget and resume/);
    expect(r.stderr).not.toContain('SECRET');
  }, 120_000);

  it('should answer every call of an identical rerun from the response cache, with the same outputs', () => {
    expect(second.status, second.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(work, 'llm2.json'), 'utf8'));
    expect(doc.llm.calls).toBe(0);
    expect(doc.llm.cacheHits).toBeGreaterThan(20);
    for (const f of ['outcomes_long.csv', 'seed_1/correction_r2_attitude_wide.csv', 'seed_1/baseline_messages.csv']) {
      expect(readFileSync(join(work, 'llm2', f), 'utf8')).toBe(readFileSync(join(work, 'llm1', f), 'utf8'));
    }
  });
});
