// Imports are checked whole, then written in one transaction (issue 14, finding 8).
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import { emptyLlmTotals } from '../../src/engine/types';
import type { Persona } from '../../src/population/types';
import { BUNDLE_FORMAT, type RunBundle } from '../../src/storage/bundle';
import { createDb } from '../../src/storage/db';
import { checkBundle, writeImportedRun } from '../../src/storage/import-run';

const usage = { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 };

function bundle(): RunBundle {
  return {
    format: BUNDLE_FORMAT,
    version: 1,
    exportedAt: '2025-06-01T00:00:00Z',
    run: {
      name: 'r',
      config: makeConfig({ agents: 3 }),
      seeds: [1],
      agentsKind: 'llm',
      llm: { baseUrl: 'http://127.0.0.1:1/v1', models: { full: 'a', mini: 'b', nano: 'c' }, budgetUsd: 1, concurrency: 2 },
      network: { kind: 'generated', label: 'g', nodes: 3, edges: 2 },
    },
    network: { n: 3, src: Int32Array.from([0, 1]), dst: Int32Array.from([1, 2]) },
    seeds: [{ seed: 1, personas: [{}, {}, {}] as Persona[], rounds: [], finals: [] }],
    llmCache: [['k', { text: '{}', model: 'c', usage }]],
  } as unknown as RunBundle;
}

describe('bundle import', () => {
  it('should refuse, before writing anything, the damaged bundles that used to be half imported', () => {
    expect(checkBundle(bundle(), 'b.json')).toBeTruthy();
    const cases: Array<[string, (b: RunBundle) => void, RegExp]> = [
      ['llmCache: {}', (b) => ((b as { llmCache: unknown }).llmCache = {}), /b.json: the LLM cache is not a list of \[key, answer\] pairs/],
      ['a cache entry that is not an answer', (b) => b.llmCache.push(['x', { text: 1 }]), /LLM cache entry 1 is not a \[key, answer\] pair/],
      ['seeds: []', (b) => (b.run.seeds = []), /its seeds are refused \(config: seeds is empty/],
      ['repeated seeds', (b) => (b.run.seeds = [1, 1]), /seeds repeats 1/],
      ['seedPosts: 1e9', (b) => (b.run.config.seedPosts = 1e9), /its configuration is refused \(config: seedPosts is 1000000000/],
      ['a follow outside the network', (b) => (b.network.dst[1] = 9), /follow 1 \(1 → 9\)/],
      ['missing personas', (b) => (b.seeds[0].personas = []), /seed 1 lacks its personas/],
      ['LLM settings without models', (b) => ((b.run.llm as { models: unknown }).models = {}), /LLM settings lack/],
    ];
    for (const [label, damage, message] of cases) {
      const b = bundle();
      damage(b);
      expect(() => checkBundle(b, 'b.json'), label).toThrow(message);
    }
  });

  it('should write the run, its network and its answers together, or nothing at all', async () => {
    const db = createDb(`import-run-${process.pid}`);
    const b = bundle();
    const row = {
      name: 'r (imported)', status: 'running' as const, config: b.run.config, seeds: b.run.seeds, agentsKind: 'replay' as const, llm: b.run.llm,
      network: { ...b.run.network, kind: 'imported' as const }, createdAt: 1, updatedAt: 1,
      progress: { roundsDone: 0, roundsTotal: 1, seedIndex: 0, condition: 'warmup', round: -15 }, totals: emptyLlmTotals(),
    };
    const net = { n: 3, src: b.network.src, dst: b.network.dst };
    // An answer that cannot be stored (a function is not cloneable) fails the write midway: nothing may remain.
    await expect(writeImportedRun(db, row, net, [['k', { text: '{}', model: 'c', usage, bad: () => 1 }]])).rejects.toMatchObject({ name: 'StorageError' });
    expect(await db.runs.count()).toBe(0);
    expect(await db.networks.count()).toBe(0);
    expect(await db.llmCalls.count()).toBe(0);
    const id = await writeImportedRun(db, row, net, b.llmCache);
    expect(await db.runs.get(id)).toMatchObject({ name: 'r (imported)' });
    expect((await db.networks.get(id))?.n).toBe(3);
    expect(await db.llmCalls.where('runId').equals(id).count()).toBe(1);
    db.close();
    await Dexie.delete(db.name);
  });
});
