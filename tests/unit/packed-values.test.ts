// Rounds' lists of small objects are packed into typed arrays for IndexedDB (src/storage/packed-values.ts): they must
// come back strictly equal (key order, undefined, −0, NaN), for the engine's real records of both protocols, and rows
// written before packing (plain arrays) must still read back.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { withOverrides } from '../../src/engine/config';
import { runExperiment } from '../../src/engine/simulation';
import { emptyLlmTotals, type RoundRecord } from '../../src/engine/types';
import { offlinePort } from '../../src/protocols/assemble';
import { s3Protocol } from '../../src/protocols/s3/protocol';
import { sociopol } from '../../src/protocols/sociopol';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import { createDb, createRun, loadConditionRows, loadEvents, loadRoundRecords, writeRound, type SpilloverDb } from '../../src/storage/db';
import { packValues, unpackValues } from '../../src/storage/packed-values';
import { tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

/** Strict equality that also sees key order (toStrictEqual does not). */
function expectSame(back: unknown, original: unknown): void {
  expect(back).toStrictEqual(original);
  const keys = (v: unknown): unknown => (Array.isArray(v) ? v.map(keys) : v && typeof v === 'object' && !ArrayBuffer.isView(v) ? Object.entries(v).map(([k, x]) => [k, keys(x)]) : null);
  expect(keys(back)).toEqual(keys(original));
}

async function records(protocol: 'sociopol' | 's3'): Promise<RoundRecord[]> {
  const n = 200;
  const out: RoundRecord[] = [];
  const network = tinyNetwork(n, 4, 6);
  const personas = tinyPersonas(n, 4, protocol === 's3' ? 0 : 0.2);
  const p = protocol === 's3' ? s3Protocol : sociopol;
  const config = protocol === 's3' ? withOverrides(s3Protocol.defaults(), { agents: n, lastRound: 6, periodEnds: [6] }) : makeConfig({ agents: n });
  if (protocol === 's3') (config.params as { rounds: number }).rounds = 6;
  await runExperiment({ protocol: p as never, config, seed: 5, agents: personas, network, port: offlinePort(p as never) }, { onRound: (r) => void out.push(r) });
  return out;
}

describe('packed values', () => {
  it('should give back plain data strictly equal, with undefined, −0, NaN, nesting and key order kept', () => {
    const values = [
      { ok: true, decision: { actions: [{ postId: 1, engagement: 'reply', replyText: 'hi', follow: 'none' }], newPost: null, nextDelay: 3, likelihood: 2 } },
      { ok: false, error: 'invalid JSON', meta: { calls: 2, costUsd: 0.00012, model: undefined } },
      { b: 1, a: -0, c: NaN, d: Infinity, e: 2 ** 40, f: -7, g: [[], [1, 'x', [true, false]]], h: '' },
      null,
      'text',
      4.5,
    ];
    expectSame(unpackValues(packValues(values)), values);
  });

  it('should keep values that are not plain data as they are', () => {
    const typed = new Float32Array([1.5, 2]);
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const proto = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as object;
    const back = unpackValues<Record<string, unknown>>(packValues([{ typed, sparse, map: new Map([[1, 2]]), proto }]))[0];
    expect(back.typed).toBe(typed);
    expect(back.sparse).toBe(sparse);
    expect(back.map).toBeInstanceOf(Map);
    expect(Object.getPrototypeOf(back.proto)).toBe(Object.prototype);
    expect(Object.keys(back.proto as object)).toEqual(['__proto__', 'y']);
  });

  for (const protocol of ['sociopol', 's3'] as const) {
    it(`should give back ${protocol}'s decisions, engagements and replies of every round strictly equal`, async () => {
      const rounds = await records(protocol);
      let decisions = 0;
      for (const r of rounds) {
        decisions += r.decisions.length;
        expectSame(unpackValues(packValues(r.decisions)), r.decisions);
        expectSame(unpackValues(packValues(r.engagements)), r.engagements);
        expectSame(unpackValues(packValues(r.replies)), r.replies);
      }
      expect(decisions).toBeGreaterThan(100);
    });
  }
});

describe('rounds in IndexedDB', () => {
  let db: SpilloverDb;
  afterEach(async () => {
    db.close();
    await Dexie.delete(db.name);
  });

  async function run(): Promise<number> {
    db = createDb(`packed-values-${process.pid}-${Math.random()}`);
    const config = makeConfig({ agents: 200 });
    return createRun(db, {
      name: 'r', status: 'running', config, seeds: [5], agentsKind: 'offline', network: { kind: 'generated', label: 'g', nodes: 200, edges: 1 },
      createdAt: 1, updatedAt: 1, progress: { roundsDone: 0, roundsTotal: 1, seedIndex: 0, condition: 'warmup', round: 0 }, totals: emptyLlmTotals(),
    });
  }

  it('should read back written rounds equal to the records, through every load function', async () => {
    const runId = await run();
    const rounds = (await records('sociopol')).slice(0, 30);
    for (const r of rounds) await writeRound(db, runId, 5, r);
    const back = await loadRoundRecords(db, runId, 5, ['control']);
    expect(back.length).toBe(rounds.length);
    for (const r of rounds) {
      const b = back.find((x) => x.condition === r.condition && x.round === r.round)!;
      expectSame(b.decisions, r.decisions);
      expectSame(b.engagements, r.engagements);
      expectSame(b.replies, r.replies);
    }
    const rows = await loadConditionRows(db, runId, 5, 'warmup');
    expectSame(rows[3].decisions, rounds.find((r) => r.condition === 'warmup' && r.round === rows[3].round)!.decisions);
    const events = (await loadEvents(db, runId, 5))[2];
    expectSame(events.engagements, rounds.find((r) => r.condition === events.condition && r.round === events.round)!.engagements);
  });

  it('should read rows stored before packing (plain arrays) as they were written', async () => {
    const runId = await run();
    const r = (await records('sociopol'))[5];
    const key = { runId, seed: 5, condition: r.condition, round: r.round };
    const { engagements, replies, posts: _p, ...row } = r;
    // As writeRound stored them until 2026-11: the lists as plain arrays.
    await db.rounds.put({ ...key, ...row });
    await db.events.put({ ...key, engagements, replies });
    const [back] = await loadRoundRecords(db, runId, 5);
    expectSame(back.decisions, r.decisions);
    expectSame(back.engagements, r.engagements);
    expectSame(back.replies, r.replies);
  });
});
