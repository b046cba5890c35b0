// A write to a run deleted meanwhile stops with a clear error and leaves no orphan rows (issue 14, finding 7).
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { expect, it } from 'vitest';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import { emptyLlmTotals, type RoundRecord } from '../../src/engine/types';
import { createDb, createRun, deleteRun, writeFinal, writeRound } from '../../src/storage/db';

const record = (round: number): RoundRecord => ({
  condition: 'control', round, active: Int32Array.from([0]), columns: { stated: Int8Array.from([3, -1]), likelihood: Int8Array.from([3, -1]) },
  treated: Uint8Array.from([0, 0]), activity: new Uint16Array(2), engagements: [{ round, agent: 0, kind: 'like', postId: 1, target: 1 }],
  posts: [{ id: 7, author: 0, round, topic: 'economy', text: 'x', seedPost: false } as never], replies: [], scalars: { likelyCount: 1 }, invalidAgents: [],
  decisions: [], llm: emptyLlmTotals(),
});

it('should stop a writer whose run was deleted, writing nothing more of it', async () => {
  const db = createDb(`deleted-run-${process.pid}`);
  const runId = await createRun(db, {
    name: 'r', status: 'running', config: makeConfig({ agents: 2 }), seeds: [1], agentsKind: 'offline', network: { kind: 'generated', label: 'g', nodes: 2, edges: 1 },
    createdAt: 1, updatedAt: 1, progress: { roundsDone: 0, roundsTotal: 1, seedIndex: 0, condition: 'warmup', round: -15 }, totals: emptyLlmTotals(),
  });
  await writeRound(db, runId, 1, record(1), { progress: { roundsDone: 1, roundsTotal: 2, seedIndex: 0, condition: 'control', round: 1 } });
  expect(await db.rounds.where('runId').equals(runId).count()).toBe(1);
  await deleteRun(db, runId);
  await expect(writeRound(db, runId, 1, record(2), { progress: { roundsDone: 2, roundsTotal: 2, seedIndex: 0, condition: 'control', round: 2 } })).rejects.toThrow(
    `storage: run ${runId} was deleted while it was running, so nothing more of it is written; start a new run`,
  );
  await expect(writeFinal(db, runId, 1, { condition: 'control', values: Int8Array.from([1, -1]), invalidAgents: [], outcomes: [], llm: emptyLlmTotals() })).rejects.toMatchObject({ name: 'StorageError' });
  for (const table of [db.rounds, db.events, db.posts, db.finals]) expect(await (table as Dexie.Table).where('runId').equals(runId).count()).toBe(0);
  expect(await db.runs.count()).toBe(0);
  db.close();
  await Dexie.delete(db.name);
});
