// The Dexie storage layer on fake-indexeddb: rounds round-trip, runs delete cleanly, a full quota maps to a
// QuotaExceeded error with nothing half-written, and stored rows are independent copies.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG, makeConfig } from '../../src/protocols/sociopol/defaults';
import { OfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { contractPersonas, contractRequests, contractVotes } from './decision-port-contract';
import { emptyLlmTotals, type RoundRecord } from '../../src/engine/types';
import type { ElectionRecord, RoundBatch, VoteBatch } from '../../src/protocols/sociopol/types';
import {
  createDb,
  createRun,
  deleteRun,
  DexieResponseCache,
  getRun,
  listRuns,
  loadFinals,
  loadRoundRecords,
  markInterrupted,
  SCHEMA_V1,
  storedRoundKeys,
  writeFinal,
  writeRound,
  type RunRow,
  type SpilloverDb,
} from '../../src/storage/db';

let counter = 0;
const open: SpilloverDb[] = [];
function freshDb(): SpilloverDb {
  const db = createDb(`spillover-test-${process.pid}-${counter++}`);
  open.push(db);
  return db;
}

afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

function runRow(): Omit<RunRow, 'id'> {
  return {
    name: 'test run',
    status: 'running',
    config: structuredClone(DEFAULT_CONFIG),
    seeds: [1],
    agentsKind: 'offline',
    network: { kind: 'generated', label: 'generated', nodes: 4, edges: 3 },
    createdAt: 1,
    updatedAt: 1,
    progress: { roundsDone: 0, roundsTotal: 10, seedIndex: 0, condition: 'warmup', round: -15 },
    totals: emptyLlmTotals(),
  };
}

function roundRecord(condition: string, round: number, n = 4): RoundRecord<{ likelihood: number }> {
  const current = new Int8Array(n).fill(-1);
  current[0] = 3;
  return {
    condition,
    round,
    active: Int32Array.from([0, 2]),
    treated: new Uint8Array(n),
    activity: new Uint16Array(n * 5),
    columns: { stated: Int8Array.from([3, -1, 2, -1].slice(0, n)), likelihood: current },
    scalars: { likelyCount: 1 },
    engagements: [{ round, agent: 0, kind: 'like', postId: 1, target: 2 }],
    posts: [{ id: 100 + round, author: 2, round, topic: 'health', text: 'a post', seedPost: false }],
    replies: [{ postId: 1, author: 0, round, text: 'a reply' }],
    invalidAgents: [],
    decisions: [
      { ok: true, decision: { actions: [], newPost: null, likelihood: 3, nextDelay: 2 }, exchange: { prompt: 'You are @0: 34…', answer: '{"likelihood":3}' } },
      { ok: false, error: 'invalid JSON' },
    ],
    llm: emptyLlmTotals(),
  };
}

describe('storage', () => {
  it('should keep the schema version 1 tables that released builds rely on', () => {
    expect(Object.keys(SCHEMA_V1).sort()).toEqual(['elections', 'events', 'llmCalls', 'networks', 'personas', 'posts', 'rounds', 'runs']);
    expect(SCHEMA_V1.rounds.startsWith('[runId+seed+condition+round]')).toBe(true);
  });

  it('should read back a written round with its typed arrays, events, posts and decisions', async () => {
    const db = freshDb();
    const runId = await createRun(db, runRow());
    await writeRound(db, runId, 1, roundRecord('warmup', -15), { progress: { roundsDone: 1, roundsTotal: 10, seedIndex: 0, condition: 'warmup', round: -15 } });
    await writeRound(db, runId, 1, roundRecord('control', 1));
    const records = await loadRoundRecords(db, runId, 1, ['control']);
    expect(records.map((r) => `${r.condition}:${r.round}`)).toEqual(['warmup:-15', 'control:1']);
    const r = records[1];
    expect(r.columns.likelihood).toBeInstanceOf(Int8Array);
    expect(Array.from(r.columns.stated)).toEqual([3, -1, 2, -1]);
    expect(r.scalars).toEqual({ likelyCount: 1 });
    expect(r.posts).toEqual([{ id: 101, author: 2, round: 1, topic: 'health', text: 'a post', seedPost: false }]);
    expect(r.replies[0].text).toBe('a reply');
    expect(r.decisions[1]).toEqual({ ok: false, error: 'invalid JSON' });
    // An LLM decision keeps its prompt and raw answer, for the agent card.
    expect(r.decisions[0].exchange).toEqual({ prompt: 'You are @0: 34…', answer: '{"likelihood":3}' });
    expect((await getRun(db, runId))?.progress.roundsDone).toBe(1);
    expect([...(await storedRoundKeys(db, runId, 1))].sort()).toEqual(['control|1', 'warmup|-15']);
  });

  it('should leave the exchange out of offline outcomes, so offline runs store nothing more', async () => {
    const personas = contractPersonas(12);
    const port = new OfflinePort();
    await port.init({ seed: 3, config: makeConfig({ agents: 12 }), agents: personas });
    const requests = contractRequests(personas, 4, 'control');
    const decisions = await port.decideRound({ condition: 'control', round: 4, requests } as RoundBatch);
    const votes = await port.decideFinal({ condition: 'control', requests: contractVotes(personas, 'control') } as VoteBatch);
    expect(decisions).toHaveLength(requests.length);
    expect(JSON.stringify([decisions, votes])).not.toContain('exchange');
  });

  it('should store end-of-run records per condition', async () => {
    const db = freshDb();
    const runId = await createRun(db, runRow());
    const election: ElectionRecord = { condition: 'control', values: Int8Array.from([1, 0, -1, 1]), invalidAgents: [2], outcomes: [{ ok: true, voted: 1 }], llm: emptyLlmTotals() };
    await writeFinal(db, runId, 1, election);
    const back = await loadFinals(db, runId, 1);
    expect(back).toHaveLength(1);
    expect(Array.from(back[0].values)).toEqual([1, 0, -1, 1]);
    expect(back[0].outcomes).toEqual([{ ok: true, voted: 1 }]);
  });

  it('should delete a run and every row that belongs to it, leaving other runs alone', async () => {
    const db = freshDb();
    const a = await createRun(db, runRow());
    const b = await createRun(db, runRow());
    for (const id of [a, b]) {
      await writeRound(db, id, 1, roundRecord('control', 1));
      await new DexieResponseCache(db, id).put(`key-${id}`, { text: 'cached', model: 'm', usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 } });
    }
    await deleteRun(db, a);
    expect((await listRuns(db)).map((r) => r.id)).toEqual([b]);
    expect(await db.rounds.where('runId').equals(a).count()).toBe(0);
    expect(await db.posts.where('runId').equals(a).count()).toBe(0);
    expect(await db.events.where('runId').equals(a).count()).toBe(0);
    expect(await db.llmCalls.get(`key-${a}`)).toBeUndefined();
    expect(await db.rounds.where('runId').equals(b).count()).toBe(1);
    expect(await new DexieResponseCache(db, b).get(`key-${b}`)).toMatchObject({ text: 'cached' });
  });

  it('should map a full quota to QuotaExceeded with advice, and write nothing of that round', async () => {
    const db = freshDb();
    const runId = await createRun(db, runRow());
    const spy = vi.spyOn(db.posts, 'bulkPut').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const err = await writeRound(db, runId, 1, roundRecord('control', 1), { status: 'running' }).catch((e: unknown) => e);
    spy.mockRestore();
    expect((err as Error).name).toBe('QuotaExceeded');
    expect((err as Error).message).toMatch(/delet/i);
    expect(await db.rounds.count()).toBe(0);
    expect(await db.events.count()).toBe(0);
  });

  it('should map a BulkError whose failures are quota errors to QuotaExceeded', async () => {
    const db = freshDb();
    const runId = await createRun(db, runRow());
    const spy = vi.spyOn(db.rounds, 'bulkPut').mockImplementation(() => {
      throw new Dexie.BulkError('1 of 1 operations failed', [new DOMException('full', 'QuotaExceededError')]);
    });
    const err = await writeRound(db, runId, 1, roundRecord('control', 1)).catch((e: unknown) => e);
    spy.mockRestore();
    expect((err as Error).name).toBe('QuotaExceeded');
  });

  it('should store independent copies: changing a record after writing or after reading changes nothing stored', async () => {
    const db = freshDb();
    const runId = await createRun(db, runRow());
    const rec = roundRecord('control', 1);
    await writeRound(db, runId, 1, rec);
    rec.columns.likelihood[0] = 0;
    rec.posts[0].text = 'changed';
    const first = (await loadRoundRecords(db, runId, 1))[0];
    expect(first.columns.likelihood[0]).toBe(3);
    expect(first.posts[0].text).toBe('a post');
    first.columns.likelihood[0] = 1;
    const second = (await loadRoundRecords(db, runId, 1))[0];
    expect(second.columns.likelihood[0]).toBe(3);
  });

  it('should mark runs left running by a closed tab as interrupted, unless they are alive', async () => {
    const db = freshDb();
    const a = await createRun(db, runRow());
    const b = await createRun(db, runRow());
    expect(await markInterrupted(db, (id) => id === b)).toEqual([a]);
    expect((await getRun(db, a))?.status).toBe('interrupted');
    expect((await getRun(db, b))?.status).toBe('running');
  });
});
