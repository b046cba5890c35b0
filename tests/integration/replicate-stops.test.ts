// `replicate --llm` under issue 8's fault mix, and when the endpoint dies mid-run: the CLI either completes with the
// records a fault-free run gives, or stops loudly (non-zero exit, where it stopped, how to resume) keeping every complete
// round on disk, and a rerun with --cache repeats no call it already paid for.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTree, replicate } from './cli-run';
import { issue8Faults, startFakeOpenAI, type FakeServer } from './fake-openai-server';

const KEY = 'fake.key-stops-0000000000000000';
const run = (args: string[], url: string) => replicate(args, { OPENAI_BASE_URL: url, OPENAI_API_KEY: KEY });



const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

describe('replicate --llm under faults and when the endpoint dies', () => {
  const work = mkdtempSync(join(tmpdir(), 'spillover-stops-'));
  const common = ['--llm', '--agents', '30', '--seeds', '1', '--conditions', 'control,treatment_soc_message', '--timeout', '5000', '--quiet'];
  const servers: FakeServer[] = [];
  const start = async (opts: Parameters<typeof startFakeOpenAI>[0], port = 0) => {
    const s = await startFakeOpenAI(opts, port);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  let reference: Record<string, string>;
  let referenceRequests = 0;

  it('should complete under 429s, 500s, truncated content and stalls with the CSVs of a fault-free run', async () => {
    const clean = await start({ stableAnswers: true });
    // With a cache, as the resumed run below: a repair turn that repeats an earlier one is answered from it.
    const a = await run([...common, '--out', join(work, 'clean'), '--cache', join(work, 'clean.jsonl')], clean.url);
    expect(a.status, a.stderr).toBe(0);
    reference = readTree(join(work, 'clean'));
    referenceRequests = clean.counters.received;

    const faulty = await start({ ...issue8Faults(0.05), faultSeed: 11 });
    const b = await run([...common, '--backoff', '20', '--out', join(work, 'faulty'), '--json', join(work, 'faulty.json')], faulty.url);
    expect(b.status, b.stderr).toBe(0);
    const f = faulty.counters.faults;
    expect(f['rate-limit'] > 0 && f['server-error'] > 0 && f.truncated > 0 && f['truncated-content'] > 0, JSON.stringify(f)).toBe(true);
    expect(faulty.counters.received).toBeGreaterThan(referenceRequests);
    expect(JSON.parse(readFileSync(join(work, 'faulty.json'), 'utf8')).partial).toBeUndefined();
    const got = readTree(join(work, 'faulty'));
    expect(Object.keys(got).sort()).toEqual(Object.keys(reference).sort());
    for (const k of Object.keys(reference)) expect(got[k], k).toBe(reference[k]);
  }, 120_000);

  it('should stop loudly when the endpoint dies, keep the complete rounds, and resume from --cache without repeating a call', async () => {
    expect(referenceRequests, 'needs the fault-free run of the first test').toBeGreaterThan(0);
    const dying = await start({ stableAnswers: true, latencyMs: 2 });
    const out = join(work, 'out');
    const json = join(work, 'stopped.json');
    const cache = join(work, 'cache.jsonl');
    const args = [...common, '--retries', '1', '--backoff', '20', '--out', out, '--json', json, '--cache', cache];
    // Kill the endpoint once about half of the run's requests have been made.
    const watch = setInterval(() => {
      if (dying.counters.received > referenceRequests / 2) {
        clearInterval(watch);
        void dying.close();
      }
    }, 5);
    const stopped = await run(args, dying.url);
    clearInterval(watch);
    expect(stopped.status).not.toBe(0);
    expect(stopped.status).not.toBeNull();
    expect(stopped.stderr).toMatch(/stopped before its last round/);
    expect(stopped.stderr).toMatch(/stopped at: seed_1, (condition \w+, round \d+ of 30|election day)/);
    expect(stopped.stderr).toMatch(/to resume: rerun the same command/);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.partial).toBe(true);
    const last = doc.lastCompleteRound.seed_1 as Record<string, number>;
    expect(last.control).toBeGreaterThan(0);
    expect(last.control).toBeLessThan(30);
    expect(existsSync(join(out, 'seed_1', 'PARTIAL.txt'))).toBe(true);
    // The complete rounds' rows are on disk and equal those of the complete run; later rounds are empty.
    const partial = readTree(out);
    const file = 'seed_1/control/control_voting_data.csv';
    const col = (csv: string, round: number) => {
      const rows = csv.trim().split('\n').map((l) => l.split(','));
      const i = rows[0].indexOf(String(round));
      return rows.slice(1).map((r) => r[i]);
    };
    expect(col(partial[file], last.control)).toEqual(col(reference[file], last.control));
    expect(col(partial[file], 30).every((v) => v === '')).toBe(true);
    const cached = lines(cache);
    expect(cached).toBeGreaterThan(0);

    // The endpoint is back (same URL: cached answers serve only the endpoint that gave them). The rerun replaces the
    // partial outputs without --force and asks only what the cache does not hold.
    const fresh = await start({ stableAnswers: true }, Number(new URL(dying.url).port));
    const resumed = await run(args, fresh.url);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(fresh.counters.received).toBe(referenceRequests - cached);
    const done = readTree(out);
    for (const k of Object.keys(reference)) expect(done[k], k).toBe(reference[k]);
    expect(existsSync(join(out, 'seed_1', 'PARTIAL.txt'))).toBe(false);
    expect(JSON.parse(readFileSync(json, 'utf8')).partial).toBeUndefined();

    // A complete result is never replaced without --force.
    const again = await run(args, fresh.url);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/--force/);
  }, 120_000);
});
