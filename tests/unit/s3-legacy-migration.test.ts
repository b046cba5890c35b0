/**
 * The S3 page's former database ('spillover-s3', one row per condition and round, round 0 in every condition) moved
 * into the one database: a finished run reads back with the same curves as the tables it was stored from, an
 * unfinished one resumes (its stored rounds replay against the rebuilt network and population) to the records of an
 * uninterrupted run, and the former database is gone afterwards.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { ReplayPort } from '../../src/agents/replay';
import { generateTwitterNetwork } from '../../src/engine/network-generator';
import { runExperiment } from '../../src/engine/simulation';
import { loadCensus } from '../../src/cli/load-data';
import { pooledCurves } from '../../src/protocols/s3/analysis';
import { runS3Seed, s3Population } from '../../src/protocols/s3/assemble';
import { makeS3Config } from '../../src/protocols/s3/config';
import type { S3RoundRecord } from '../../src/protocols/s3/outcomes';
import { s3Protocol } from '../../src/protocols/s3/protocol';
import { buildNetwork } from '../../src/engine/network';
import { createDb, getRun, listRuns, loadNetwork, loadPersonas, loadRoundRecords } from '../../src/storage/db';
import { s3CsvZip, s3Results } from '../../src/ui/state/s3-views';
import { messagesCsv, wideStateCsv } from '../../src/protocols/s3/csv';
import { strFromU8, unzipSync } from 'fflate';
import { migrateLegacyS3 } from '../../src/workers/s3-legacy';

const census = loadCensus();
const config = makeS3Config({ rounds: 4, conditions: [{ name: 'baseline' }, { name: 'correction', correction: { round: 2, text: 'Official: the claims are wrong.', attitude: 0 } }] });
const users = 150;

/** What the former page stored for one seed: its network and users came from the run's first seed. */
async function legacyRecords(seed: number, first: number): Promise<S3RoundRecord[]> {
  const network = generateTwitterNetwork({ n: users, seed: first });
  const out: S3RoundRecord[] = [];
  await runS3Seed({ config, seed, network, population: s3Population(network, census, config, first) }, { onRound: (r) => void out.push(r) });
  return out;
}

describe('the former S3 database moved into the one database', () => {
  it('should keep a finished run readable with the same curves, resume an unfinished one, and delete the former database', async () => {
    const name = 'spillover-s3-test';
    const legacy = new Dexie(name);
    legacy.version(1).stores({ runs: '++id, createdAt', rounds: '[runId+seed+condition+round], runId, [runId+seed]' });
    const spec = (seeds: number[]) => ({ name: 'S3 old', users, seeds, agents: 'offline' as const, config });
    const done = (await legacy.table('runs').add({ name: 'finished', spec: spec([1, 2]), status: 'complete', roundsDone: 20, roundsTotal: 20, createdAt: 1, updatedAt: 1 })) as number;
    const cut = (await legacy.table('runs').add({ name: 'cut short', spec: spec([3]), status: 'running', roundsDone: 6, roundsTotal: 10, createdAt: 2, updatedAt: 2 })) as number;
    const tables = [];
    for (const seed of [1, 2]) {
      const recs = await legacyRecords(seed, 1);
      for (const record of recs) await legacy.table('rounds').put({ runId: done, seed, condition: record.condition, round: record.round, record });
      const run = await runS3Seed({ config, seed, network: generateTwitterNetwork({ n: users, seed: 1 }), population: s3Population(generateTwitterNetwork({ n: users, seed: 1 }), census, config, 1) });
      tables.push(run.record.conditions);
    }
    // The cut-short run stored rounds 0…2 of each condition (the former page ran conditions one after another).
    const seed3 = (await legacyRecords(3, 3)).filter((r) => r.round <= 2);
    for (const record of seed3) await legacy.table('rounds').put({ runId: cut, seed: 3, condition: record.condition, round: record.round, record });
    legacy.close();

    const db = createDb('spillover-migration-target');
    const moved = await migrateLegacyS3(db, async () => census, name);
    expect(moved).toHaveLength(2);
    expect(await Dexie.exists(name)).toBe(false);
    expect((await listRuns(db)).map((r) => [r.name, r.status, r.config.protocol])).toEqual([
      ['cut short (from the former S3 list)', 'interrupted', 's3'],
      ['finished (from the former S3 list)', 'complete', 's3'],
    ]);

    const results = await s3Results(db, moved[0]);
    expect(results.seeds).toEqual([1, 2]);
    expect(results.curves).toEqual(pooledCurves(tables));
    expect(results.effects.length).toBeGreaterThan(0);
    const zip = unzipSync(await s3CsvZip(db, moved[0]));
    expect(strFromU8(zip['seed_2/correction_messages.csv'])).toBe(messagesCsv(tables[1].get('correction')!));
    expect(strFromU8(zip['seed_1/baseline_emotion_wide.csv'])).toBe(wideStateCsv(tables[0].get('baseline')!, 'emotion'));

    // Resume the unfinished run: its stored rounds replay, the classical models play the rest.
    const run = (await getRun(db, moved[1]))!;
    const net = (await loadNetwork(db, moved[1]))!;
    const network = buildNetwork(net.n, net.src, net.dst);
    const stored = await loadRoundRecords(db, moved[1], 3, ['baseline', 'correction']);
    expect(stored).toHaveLength(1 + 2 * 2);
    const agents = (await loadPersonas(db, moved[1], 3))!;
    const replay = new ReplayPort(stored, [], s3Protocol.offlineAgents.models());
    const resumed: Record<string, unknown>[] = [];
    await runExperiment({ protocol: s3Protocol, config: run.config, seed: 3, agents, network, port: replay }, { onRound: (r) => void resumed.push({ k: `${r.condition}:${r.round}`, e: r.columns.emotion, m: r.extra }) });
    expect(replay.replayed).toBe(stored.length);
    const fresh: Record<string, unknown>[] = [];
    await runExperiment({ protocol: s3Protocol, config: run.config, seed: 3, agents, network, port: s3Protocol.offlineAgents.models() }, { onRound: (r) => void fresh.push({ k: `${r.condition}:${r.round}`, e: r.columns.emotion, m: r.extra }) });
    expect(resumed).toEqual(fresh);
    db.close();
  });
});
