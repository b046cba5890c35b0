// `npm run replicate -- --llm --batch` end to end: the real CLI and SDK against the local server's Batch API.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplicate as replicate, type CliResult } from './cli-run';
import { startFakeOpenAI, type FakeServer } from './fake-openai-server';

const KEY = 'fake.key-batch-cli-Zx9c8v7b6n5m4';


function csvFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...csvFiles(p));
    else out.push(p);
  }
  return out.sort();
}

function expectSameFiles(a: string, b: string): void {
  const files = csvFiles(a);
  expect(files.length).toBeGreaterThan(5);
  for (const f of files) expect(readFileSync(f.replace(a, b), 'utf8'), f).toBe(readFileSync(f, 'utf8'));
}

describe('npm run replicate -- --llm --batch', () => {
  let server: FakeServer;
  const work = mkdtempSync(join(tmpdir(), 'spillover-batch-cli-'));
  const common = ['--llm', '--agents', '40', '--seeds', '1', '--conditions', 'control', '--timeout', '3000'];
  let env: Record<string, string>;
  let sync: CliResult;

  beforeAll(async () => {
    server = await startFakeOpenAI({ batchFailRate: 0.05 });
    env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: KEY };
    sync = await replicate([...common, '--quiet', '--out', join(work, 'sync'), '--json', join(work, 'sync.json')], env).done;
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('should write the outputs of a synchronous run at half its price, from one job per round', async () => {
    expect(sync.status, sync.stderr).toBe(0);
    const created = server.batch.batchesCreated;
    const run = await replicate([...common, '--quiet', '--batch', '--batch-poll', '10', '--cache', join(work, 'a.jsonl'), '--out', join(work, 'batch'), '--json', join(work, 'batch.json')], env).done;
    expect(run.status, run.stderr).toBe(0);
    expectSameFiles(join(work, 'sync'), join(work, 'batch'));
    const a = JSON.parse(readFileSync(join(work, 'sync.json'), 'utf8')).llm;
    const b = JSON.parse(readFileSync(join(work, 'batch.json'), 'utf8')).llm;
    expect(b.promptTokens).toBe(a.promptTokens);
    expect(b.costUsd / a.costUsd).toBeCloseTo(0.5, 2);
    // 16 warm-up rounds, 30 rounds and election day, plus jobs for repair turns and failed lines.
    expect(server.batch.batchesCreated - created).toBeGreaterThanOrEqual(47);
    expect(b.batch.jobs).toBe(server.batch.batchesCreated - created);
    expect(run.stdout).toMatch(/at Batch API prices \(50 % of list/);
    expect(readFileSync(join(work, 'a.jsonl'), 'utf8')).not.toContain(KEY);
  }, 120_000);

  it('should resume an interrupted run from the job ids it stored, without submitting them again', async () => {
    const cache = join(work, 'b.jsonl');
    const args = [...common, '--batch', '--batch-poll', '10', '--cache', cache, '--out', join(work, 'resumed')];
    const sent = server.batch.customIds.length;
    const failed = server.batch.failedIds.length;
    server.options.batchDelayMs = 3000;
    const first = replicate(args, env);
    while (!existsSync(`${cache}.batches.json`)) await new Promise((r) => setTimeout(r, 20));
    const [open] = JSON.parse(readFileSync(`${cache}.batches.json`, 'utf8')).jobs as Array<{ id: string; customIds: string[] }>;
    first.child.kill('SIGTERM');
    await first.done;
    const polled = server.batch.retrieved[open.id] ?? 0;
    server.options.batchDelayMs = 0;
    const second = await replicate(args, env).done;
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain(`batch ${open.id} (resumed)`);
    expect(server.batch.retrieved[open.id]).toBeGreaterThan(polled);
    // The stored job's lines were sent once, plus once more for each time one failed.
    const count = (list: string[], id: string) => list.filter((x) => x === id).length;
    const ids = server.batch.customIds.slice(sent);
    const failures = server.batch.failedIds.slice(failed);
    for (const id of open.customIds) expect(count(ids, id) - count(failures, id)).toBe(1);
    expectSameFiles(join(work, 'sync'), join(work, 'resumed'));
  }, 120_000);

  it('should refuse --batch without --cache, naming the fix', async () => {
    const r = await replicate(['--llm', '--batch', '--agents', '20', '--quiet'], env).done;
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--batch.*needs --cache FILE/);
  });
});
