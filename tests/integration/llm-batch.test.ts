// Batch API mode with the real openai SDK over real HTTP against the local server's /v1/files and /v1/batches.
import { describe, expect, it } from 'vitest';
import { createLlmPort, MemoryCacheStore, type LlmOptions } from '../../src/agents/llm/index';
import { socioPolPrompts } from '../../src/protocols/sociopol/llm';
import { sociopol } from '../../src/protocols/sociopol';
import type { BatchJobRecord, BatchStateStore } from '../../src/agents/llm/batch';
import { DEFAULT_CONDITIONS } from '../../src/protocols/sociopol/defaults';
import { runExperiment } from '../../src/engine/simulation';
import type { RoundRecord } from '../../src/engine/types';
import { tinyConfig, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';
import { contractPersonas, contractRequests } from '../unit/decision-port-contract';
import type { FakeServer } from './fake-openai-server';
import { serversPerTest } from './llm-fixture';

const KEY = 'fake.key-batch-Qw8e7r6t5y4u3i2o1p';
const server = serversPerTest();

class MemoryState implements BatchStateStore {
  jobs: BatchJobRecord[] = [];
  load() {
    return structuredClone(this.jobs);
  }
  save(jobs: BatchJobRecord[]) {
    this.jobs = structuredClone(jobs);
  }
}

function options(s: FakeServer, extra: Partial<LlmOptions> = {}): LlmOptions & { prompts: typeof socioPolPrompts } {
  return { prompts: socioPolPrompts, apiKey: KEY, baseURL: s.url, timeoutMs: 3000, baseBackoffMs: 10, ...extra };
}

/** Every record of a run without its accounting (a batch is billed differently, the decisions are what must match). */
async function records(opts: LlmOptions & { prompts: typeof socioPolPrompts }): Promise<string> {
  const n = 24;
  const config = tinyConfig(n, { conditions: DEFAULT_CONDITIONS.filter((c) => c.name === 'control' || c.name === 'treatment_soc_message') });
  const port = createLlmPort(opts);
  const out: unknown[] = [];
  const result = await runExperiment(
    { protocol: sociopol, config, seed: 5, agents: tinyPersonas(n, 5), network: tinyNetwork(n, 5), port },
    { onRound: (r: RoundRecord) => void out.push({ ...r, llm: undefined, decisions: r.decisions.map((d) => ({ ...d, meta: undefined })) }) },
  );
  out.push(result.conditions.map((c) => ({ ...c, llm: undefined })));
  return JSON.stringify(out, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int8Array) : v));
}

describe('Batch API mode', () => {
  it('should give the records of a synchronous run, retrying failed lines in the next job', async () => {
    const s = await server({ batchFailRate: 0.08 });
    const sync = await records(options(s));
    const batched = await records(options(s, { batch: { pollMs: 5 } }));
    expect(batched).toBe(sync);
    expect(s.batch.batchesCreated).toBeGreaterThan(40);
    expect(s.batch.failedLines).toBeGreaterThan(0);
    // Every failed line came back in a later job (an id sent more often than it failed).
    const count = (list: string[], id: string) => list.filter((x) => x === id).length;
    for (const id of new Set(s.batch.failedIds)) expect(count(s.batch.customIds, id)).toBeGreaterThan(count(s.batch.failedIds, id));
  }, 60_000);

  it('should send one job per round and bill it at half the synchronous price', async () => {
    const personas = contractPersonas(16);
    const ctx = { seed: 3, config: tinyConfig(16), agents: personas };
    const requests = contractRequests(personas, 5, 'control');
    const s1 = await server();
    const sync = createLlmPort(options(s1));
    sync.init(ctx);
    const a = await sync.decideRound({ condition: 'control', round: 5, requests });
    const s2 = await server();
    const batch = createLlmPort(options(s2, { batch: { pollMs: 5 } }));
    batch.init(ctx);
    const b = await batch.decideRound({ condition: 'control', round: 5, requests });
    expect(s2.batch.batchesCreated).toBe(1);
    expect(s2.batch.lines).toBe(requests.length);
    expect(s2.counters.received).toBe(0);
    expect(b.map((o) => ({ ...o, meta: undefined }))).toEqual(a.map((o) => ({ ...o, meta: undefined })));
    expect(batch.totals().promptTokens).toBe(sync.totals().promptTokens);
    expect(sync.totals().costUsd).toBeGreaterThan(0);
    expect(batch.totals().costUsd).toBeCloseTo(sync.totals().costUsd / 2, 10);
    expect(batch.batchStats()).toMatchObject({ jobs: 1, resumedJobs: 0, lines: requests.length });
  });

  it('should resume an interrupted round from the stored job id without submitting it again', async () => {
    const s = await server({ batchDelayMs: 400 });
    const personas = contractPersonas(12);
    const ctx = { seed: 9, config: tinyConfig(12), agents: personas };
    const requests = contractRequests(personas, 7, 'control');
    const state = new MemoryState();
    const first = createLlmPort(options(s, { batch: { state, pollMs: 20 } }));
    first.init(ctx);
    const stop = new AbortController();
    const running = first.decideRound({ condition: 'control', round: 7, requests }, stop.signal);
    while (state.jobs.length === 0) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await expect(running).rejects.toMatchObject({ name: 'Cancelled' });
    const jobId = state.jobs[0].id;
    expect(s.batch.batchesCreated).toBe(1);

    const again = createLlmPort(options(s, { batch: { state, pollMs: 20 }, cache: new MemoryCacheStore() }));
    again.init(ctx);
    const outcomes = await again.decideRound({ condition: 'control', round: 7, requests });
    expect(s.batch.batchesCreated).toBe(1);
    expect(s.batch.retrieved[jobId]).toBeGreaterThan(1);
    expect(again.batchStats()).toMatchObject({ jobs: 0, resumedJobs: 1 });
    const direct = createLlmPort(options(s));
    direct.init(ctx);
    const expected = await direct.decideRound({ condition: 'control', round: 7, requests });
    expect(outcomes.map((o) => ({ ...o, meta: undefined }))).toEqual(expected.map((o) => ({ ...o, meta: undefined })));
  });
});
