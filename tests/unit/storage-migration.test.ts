// Storage schema version 2 (issue 9): a database written by the version-1 code, with a run in it, opens with the
// current code, is upgraded in place and reads back as today's records — the same records the current engine makes
// for that run; and a version-1 run bundle still imports. The version-1 records were written by the version-1 engine
// (tests/fixtures/run-bundle-v1.json).
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplayPort } from '../../src/agents/replay';
import { buildNetwork } from '../../src/engine/network';
import { OfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { decodeBundle } from '../../src/storage/bundle';
import { createDb, DB_VERSION, getRun, loadFinals, loadPersonas, loadRoundRecords, type SpilloverDb } from '../../src/storage/db';
import { loadRunRecord } from '../../src/storage/run-record';
import { sociopol } from '../../src/protocols/sociopol';
import { readV1Bundle, writeV1Database } from '../fixtures/storage-v1';
import { runRecorded } from '../fixtures/tiny-world';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Persona } from '../../src/population/types';

const opened: SpilloverDb[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

/** The run the version-1 code stored, run again by the current engine (same personas, network, config, seed). */
async function currentRun(v1: ReturnType<typeof readV1Bundle>) {
  const run = decodeBundle(readFileSync(join(__dirname, '..', 'fixtures', 'run-bundle-v1.json'), 'utf8'));
  const network = buildNetwork(v1.network.n, v1.network.src, v1.network.dst);
  const out = await runRecorded({ config: run.run.config, seed: 3, agents: v1.seeds[0].personas as Persona[], network, port: new OfflinePort() });
  return { ...out, config: run.run.config };
}

describe('storage schema version 2', () => {
  it('should upgrade a version-1 database with a run in it and read the run back as the current code records it', async () => {
    const v1 = readV1Bundle();
    const name = `spillover-v1-${process.pid}`;
    const runId = await writeV1Database(name, v1);
    const db = createDb(name);
    opened.push(db);

    const run = await getRun(db, runId);
    expect(run?.config.protocol).toBe('sociopol');
    expect(run?.config.params).toEqual({ messages: v1.run.config.messages, maxFollowedLikelyShown: 6, friendsChannel: 'followed' });
    expect(run?.config).not.toHaveProperty('messages');
    expect(db.verno).toBe(DB_VERSION);
    expect(db.tables.map((t) => t.name)).not.toContain('elections');

    const stored = await loadRoundRecords(db, runId, 3, ['control', 'treatment_soc_message', 'experiment_soc_message']);
    expect(stored).toHaveLength(v1.seeds[0].rounds.length);
    for (const [i, r] of stored.entries()) {
      const old = v1.seeds[0].rounds[i];
      expect(r).not.toHaveProperty('stated');
      expect(Array.from(r.columns.stated)).toEqual(Array.from(old.stated));
      expect(Array.from(r.columns.likelihood)).toEqual(Array.from(old.current));
      expect(r.scalars.likelyCount).toBe(old.likelyCount);
    }
    const finals = await loadFinals(db, runId, 3);
    expect(finals.map((f) => f.condition).sort()).toEqual(v1.seeds[0].elections.map((e: { condition: string }) => e.condition).sort());
    for (const e of v1.seeds[0].elections) expect(Array.from(finals.find((f) => f.condition === e.condition)!.values)).toEqual(Array.from(e.votes));

    // The upgraded run is the run the current engine makes: every column, treatment, activity and vote agrees.
    const now = await currentRun(v1);
    const record = await loadRunRecord(db, run!, 3, sociopol.columns, true);
    const personas = (await loadPersonas<Persona>(db, runId, 3))!;
    for (const view of now.views) {
      const back = record.view(view.name, personas);
      expect(Array.from(back.column('stated'))).toEqual(Array.from(view.column('stated')));
      expect(Array.from(back.column('likelihood'))).toEqual(Array.from(view.column('likelihood')));
      expect(Array.from(back.treated)).toEqual(Array.from(view.treated));
      expect(Array.from(back.active)).toEqual(Array.from(view.active));
      expect(Array.from(back.final ?? [])).toEqual(Array.from(view.final ?? []));
      expect(back.events).toEqual(view.events);
      expect(back.posts).toEqual(view.posts);
    }
  });

  it('should resume an upgraded version-1 run by replaying its stored decisions with zero live calls', async () => {
    const v1 = readV1Bundle();
    const name = `spillover-v1-replay-${process.pid}`;
    const runId = await writeV1Database(name, v1);
    const db = createDb(name);
    opened.push(db);
    const run = (await getRun(db, runId))!;
    const rounds = await loadRoundRecords(db, runId, 3);
    const finals = await loadFinals(db, runId, 3);
    let live = 0;
    const port = new ReplayPort(rounds, finals, {
      kind: 'live',
      init: () => undefined,
      decideRound: async () => (live++, []),
      decideFinal: async () => (live++, []),
    });
    const network = buildNetwork(v1.network.n, v1.network.src, v1.network.dst);
    const again = await runRecorded({ config: run.config, seed: 3, agents: (await loadPersonas<Persona>(db, runId, 3))!, network, port });
    expect(live).toBe(0);
    expect(port.replayed).toBe(rounds.length + finals.length);
    const now = await currentRun(v1);
    expect(Array.from(again.views[1].column('likelihood'))).toEqual(Array.from(now.views[1].column('likelihood')));
  });

  it('should import a version-1 run bundle as version 2, with the same records the current engine makes', async () => {
    const v1 = readV1Bundle();
    const bundle = decodeBundle(readFileSync(join(__dirname, '..', 'fixtures', 'run-bundle-v1.json'), 'utf8'), 'run-bundle-v1.json');
    expect(bundle.version).toBe(2);
    expect(bundle.run.config.protocol).toBe('sociopol');
    const seed = bundle.seeds[0];
    expect(seed).not.toHaveProperty('elections');
    expect(Array.from(seed.finals[0].values)).toEqual(Array.from(v1.seeds[0].elections[0].votes));
    // Posts carried the seed-post flag as `seed` (which read like the RNG seed): they read as `seedPost`.
    const posts = seed.rounds.flatMap((r) => r.posts);
    expect(posts.every((p) => typeof p.seedPost === 'boolean' && !('seed' in p))).toBe(true);
    expect(posts.filter((p) => p.seedPost).length).toBe(v1.seeds[0].rounds.flatMap((r: { posts: Array<{ seed: boolean }> }) => r.posts).filter((p: { seed: boolean }) => p.seed).length);
    expect(posts.some((p) => p.seedPost)).toBe(true);
    const now = await currentRun(v1);
    const control = seed.rounds.filter((r) => r.condition === 'control' || r.condition === 'warmup');
    const R = now.views[0].rounds.length;
    for (const r of control) {
      const c = r.round - now.config.firstRound;
      for (let a = 0; a < 40; a++) expect(r.columns.stated[a]).toBe(now.views[0].column('stated')[a * R + c]);
    }
  });
});
