// `replicate --preset s3 --llm` stopped before its last round keeps what is complete, as the voting presets do: the
// server killed mid-run (the run names it) or Ctrl-C (SIGINT) leaves the results folder with PARTIAL.txt, the wide CSVs
// of the complete rounds equal to those of an uninterrupted run, and the --json summary marked "partial": true; the same
// command, rerun, replaces them without --force and asks only what --cache does not hold.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTree, replicate as replicateCli } from './cli-run';
import { startFakeOpenAI, type FakeServer } from './fake-openai-server';

const KEY = 'fake.key-s3stops-zq9x-00000000000';
const replicate = (args: string[], url: string, onStderr?: (text: string, child: ChildProcess) => void) =>
  replicateCli(['--preset', 's3', ...args], { OPENAI_BASE_URL: url, OPENAI_API_KEY: KEY }, onStderr);



/** The columns of rounds ≤ `last` of a wide CSV (user_id, then round_0, round_1, …). */
function through(csv: string, last: number): string[] {
  const head = csv.split('\n')[0].split(',');
  const keep = head.map((h, i) => i === 0 || Number(/^round_(\d+)$/.exec(h)?.[1] ?? Infinity) <= last);
  return csv.trim().split('\n').map((line) => line.split(',').filter((_, i) => keep[i]).join(','));
}

describe('replicate --preset s3 stopped mid-way', () => {
  const work = mkdtempSync(join(tmpdir(), 'spillover-s3-stops-'));
  const common = ['--llm', '--agents', '80', '--rounds', '6', '--conditions', 'baseline,correction@2', '--timeout', '3000', '--retries', '2', '--backoff', '20'];
  const servers: FakeServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('should keep the complete rounds when the server is killed, name the problem, and resume to the uninterrupted results', async () => {
    const clean = await startFakeOpenAI({ stableAnswers: true });
    servers.push(clean);
    const ref = await replicate([...common, '--quiet', '--out', join(work, 'ref'), '--json', join(work, 'ref.json')], clean.url);
    expect(ref.status, ref.stderr).toBe(0);
    const reference = readTree(join(work, 'ref'));
    const requests = clean.counters.received;
    expect(requests).toBeGreaterThan(20);

    const dying = await startFakeOpenAI({ stableAnswers: true, latencyMs: 5 });
    servers.push(dying);
    const out = join(work, 'out');
    const json = join(work, 'stopped.json');
    const args = [...common, '--quiet', '--out', out, '--json', json, '--cache', join(work, 'cache.jsonl')];
    const watch = setInterval(() => {
      if (dying.counters.received > requests / 2) {
        clearInterval(watch);
        void dying.close();
      }
    }, 5);
    const stopped = await replicate(args, dying.url);
    clearInterval(watch);
    expect(stopped.status).toBe(1);
    expect(stopped.stderr).toMatch(/stopped before its last round: LLM endpoint: http:\/\/127\.0\.0\.1:\d+\/v1 stopped answering in the middle of the run \(\d failed attempts in a row; connection refused/);
    expect(stopped.stderr).toMatch(/stopped at: seed_1, condition \w+, round \d of 6/);
    expect(stopped.stderr).toMatch(/kept: .*PARTIAL\.txt in it and in each seed folder.*"partial": true/);
    expect(stopped.stderr).not.toContain(KEY);

    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc).toMatchObject({ protocol: 's3', partial: true, completeSeeds: [], agentsKind: 'llm' });
    const last = doc.lastCompleteRound.seed_1.baseline as number;
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThan(6);
    expect(doc.curves.length).toBeGreaterThan(0);
    const partial = readTree(out);
    expect(partial['PARTIAL.txt']).toMatch(/^Written by a replicate run that stopped before its last round/);
    expect(partial['seed_1/PARTIAL.txt']).toContain('This seed is incomplete');
    // The complete rounds are those of the uninterrupted run; nothing past them is written.
    const wide = 'seed_1/baseline_aware_wide.csv';
    expect(through(partial[wide], last)).toEqual(through(reference[wide], last));
    expect(through(partial[wide], last)[0].split(',')).toHaveLength(last + 2);
    expect(partial[wide].split('\n')[0]).toBe(through(reference[wide], last)[0]);

    const back = await startFakeOpenAI({ stableAnswers: true }, Number(new URL(dying.url).port));
    servers.push(back);
    const resumed = await replicate(args, back.url);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(back.counters.received).toBeLessThan(requests);
    const done = readTree(out);
    expect(Object.keys(done).sort()).toEqual(Object.keys(reference).sort());
    for (const k of Object.keys(reference)) expect(done[k], k).toBe(reference[k]);
    expect(JSON.parse(readFileSync(json, 'utf8')).partial).toBeUndefined();

    // A complete result is never replaced without --force.
    const again = await replicate(args, back.url);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/--force/);
  }, 120_000);

  it('should write the partial folder and summary on Ctrl-C (SIGINT) and exit 130', async () => {
    const slow = await startFakeOpenAI({ stableAnswers: true, latencyMs: 20 });
    servers.push(slow);
    const out = join(work, 'sigint');
    const json = join(work, 'sigint.json');
    let sent = false;
    const r = await replicate([...common, '--out', out, '--json', json], slow.url, (text, child) => {
      // Interrupt once two rounds of the baseline are complete (the progress lines say so).
      if (!sent && /round 2\/6/.test(text)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(r.status).toBe(130);
    expect(r.stderr).toMatch(/stopped before its last round: interrupted \(SIGINT\)/);
    expect(existsSync(join(out, 'PARTIAL.txt'))).toBe(true);
    expect(existsSync(join(out, 'seed_1', 'PARTIAL.txt'))).toBe(true);
    expect(existsSync(join(out, 'users.csv'))).toBe(true);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.partial).toBe(true);
    expect(doc.reason).toBe('interrupted (SIGINT)');
    expect(doc.lastCompleteRound.seed_1.baseline).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
