// The JSON run bundle: typed arrays survive the trip, a key-like field never appears in the text, damaged files are
// refused with a named error, and the Dexie response cache lists its entries for the bundle.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/protocols/sociopol/defaults';
import { emptyLlmTotals } from '../../src/engine/types';
import type { FinalOutcome } from '../../src/engine/protocol';
import { BUNDLE_FORMAT, decodeBundle, encodeBundle, type RunBundle } from '../../src/storage/bundle';
import { createDb, createRun, DexieResponseCache } from '../../src/storage/db';

function bundle(): RunBundle {
  return {
    format: BUNDLE_FORMAT,
    version: 2,
    exportedAt: '2025-06-01T00:00:00Z',
    run: {
      name: 'r',
      config: structuredClone(DEFAULT_CONFIG),
      seeds: [1],
      agentsKind: 'llm',
      llm: { baseUrl: 'http://127.0.0.1:1/v1', models: { full: 'a', mini: 'b', nano: 'c' }, budgetUsd: 1, concurrency: 2 },
      network: { kind: 'generated', label: 'g', nodes: 3, edges: 2 },
    },
    network: { n: 3, src: Int32Array.from([0, 1]), dst: Int32Array.from([1, 2]) },
    seeds: [
      {
        seed: 1,
        personas: [],
        rounds: [
          {
            condition: 'control', round: 1, active: Int32Array.from([0, 2]), columns: { stated: Int8Array.from([3, -1, 2]), likelihood: Int8Array.from([3, -1, 2]) },
            treated: Uint8Array.from([0, 0, 1]), activity: new Uint16Array(15).fill(7), engagements: [], posts: [], replies: [], scalars: { likelyCount: 1 },
            invalidAgents: [], decisions: [{ ok: false, error: 'bad', exchange: { prompt: 'You are @0: …', answer: '{"likelihood":9}' } }], llm: emptyLlmTotals(),
          },
        ],
        finals: [{ condition: 'control', values: Int8Array.from([1, -1, 0]), invalidAgents: [], outcomes: [{ ok: true, voted: 1, exchange: { prompt: 'Did you vote?', answer: '{"voted":1}' } } as FinalOutcome], llm: emptyLlmTotals() }],
      },
    ],
    llmCache: [['k', { text: '{"likelihood":3}', model: 'c', usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 } }]],
  };
}

describe('run bundle', () => {
  it('should round-trip typed arrays and records exactly', () => {
    const back = decodeBundle(encodeBundle(bundle()));
    const r = back.seeds[0].rounds[0];
    expect(r.columns.stated).toBeInstanceOf(Int8Array);
    expect(Array.from(r.columns.stated)).toEqual([3, -1, 2]);
    expect(Array.from(r.activity)).toEqual(new Array(15).fill(7));
    expect(Array.from(back.network.dst)).toEqual([1, 2]);
    expect(Array.from(back.seeds[0].finals[0].values)).toEqual([1, -1, 0]);
    expect(back.llmCache[0][0]).toBe('k');
    // LLM prompts and answers travel with their outcomes, so an imported run's agent cards show them.
    expect(r.decisions[0].exchange).toEqual({ prompt: 'You are @0: …', answer: '{"likelihood":9}' });
    expect(back.seeds[0].finals[0].outcomes[0].exchange?.answer).toBe('{"voted":1}');
  });

  it('should never write an apiKey field, even if one sneaks onto the settings', () => {
    const b = bundle();
    (b.run.llm as unknown as Record<string, string>).apiKey = 'sk-secret-123';
    const text = encodeBundle(b);
    expect(text).not.toContain('sk-secret-123');
    expect(text).not.toContain('apiKey');
  });

  it('should refuse a file that is not a bundle with a BundleError saying what to do', () => {
    expect(() => decodeBundle('{"hello":1}', 'x.json')).toThrow(/not a Spillover run bundle/);
    try {
      decodeBundle('not json', 'x.json');
    } catch (err) {
      expect((err as Error).name).toBe('BundleError');
    }
  });

  it('should list the response cache entries a run stored', async () => {
    const db = createDb(`bundle-cache-${process.pid}`);
    const runId = await createRun(db, {
      name: 'r', status: 'complete', config: structuredClone(DEFAULT_CONFIG), seeds: [1], agentsKind: 'llm',
      network: { kind: 'generated', label: 'g', nodes: 3, edges: 2 }, createdAt: 1, updatedAt: 1,
      progress: { roundsDone: 0, roundsTotal: 1, seedIndex: 0, condition: 'warmup', round: -15 }, totals: emptyLlmTotals(),
    });
    const cache = new DexieResponseCache(db, runId);
    expect(await cache.list()).toEqual([]);
    await cache.put('a', { text: 't', model: 'm', usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 } });
    expect((await cache.list()).map(([k]) => k)).toEqual(['a']);
    db.close();
    await Dexie.delete(db.name);
  });

  it('should keep imported answers in the importing run’s namespace and never overwrite a stored answer', async () => {
    const db = createDb(`bundle-cache-scope-${process.pid}`);
    const row = (): Parameters<typeof createRun>[1] => ({
      name: 'r', status: 'complete', config: structuredClone(DEFAULT_CONFIG), seeds: [1], agentsKind: 'llm',
      network: { kind: 'generated', label: 'g', nodes: 3, edges: 2 }, createdAt: 1, updatedAt: 1,
      progress: { roundsDone: 0, roundsTotal: 1, seedIndex: 0, condition: 'warmup', round: -15 }, totals: emptyLlmTotals(),
    });
    const usage = { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 };
    const own = await createRun(db, row());
    await new DexieResponseCache(db, own).put('shared', { text: 'honest', model: 'm', usage });
    const imported = await createRun(db, row());
    const cache = new DexieResponseCache(db, imported);
    await db.llmCalls.bulkPut(cache.importRows([['shared', { text: 'hostile', model: 'm', usage }], ['fresh', { text: 'hostile', model: 'm', usage }]]));
    // The imported run replays its own answers; every other run (and a new one) sees only what this browser received.
    expect(await cache.get('fresh')).toMatchObject({ text: 'hostile' });
    expect(await new DexieResponseCache(db, own).get('shared')).toMatchObject({ text: 'honest' });
    expect(await new DexieResponseCache(db, own).get('fresh')).toBeUndefined();
    expect(await new DexieResponseCache(db, null).get('fresh')).toBeUndefined();
    // The bundle of the imported run carries its answers under their request keys.
    expect((await cache.list()).map(([k]) => k).sort()).toEqual(['fresh', 'shared']);
    // A later put under a stored key keeps the first answer.
    await new DexieResponseCache(db, imported).put('shared', { text: 'other', model: 'm', usage });
    expect(await new DexieResponseCache(db, own).get('shared')).toMatchObject({ text: 'honest' });
    db.close();
    await Dexie.delete(db.name);
  });
});
