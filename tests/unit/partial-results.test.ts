// Results of a stopped run are computed at its last stored round (a view of its run record): nothing is carried past it, and the roll-out's
// untreated agents are those untreated as of that round (not every adult, as the empty later columns would say).
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { OfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { designFor } from '../../src/analysis/design';
import { summarize } from '../../src/analysis/summary';
import { sociopol } from '../../src/protocols/sociopol';
import { runExperiment } from '../../src/engine/simulation';
import { emptyLlmTotals } from '../../src/engine/types';
import { createDb, createRun, getRun, loadRoundRows, saveNetwork, savePersonas, writeRound, type SpilloverDb } from '../../src/storage/db';
import { seedDataAsOf } from '../../src/analysis/from-run';
import { RunRecord } from '../../src/engine/record';
import { loadRunRecord } from '../../src/storage/run-record';
import { loadFollowNetwork, loadPersonas, networkRow } from '../../src/storage/db';
import { tinyConfig, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

const open: SpilloverDb[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) {
    db.close();
    await Dexie.delete(db.name);
  }
});

/** A 400-agent run stored in fake IndexedDB and paused once `stopAt` has been written for `conditionsAt` conditions. */
async function stoppedRun(stopAt: number, conditionsAt: number) {
  const db = createDb(`partial-${process.pid}-${open.length}`);
  open.push(db);
  const n = 400;
  const config = tinyConfig(n);
  const network = tinyNetwork(n, 5);
  const personas = tinyPersonas(n, 5);
  const seed = 3;
  const runId = await createRun(db, {
    name: 'partial', status: 'paused', config, seeds: [seed], agentsKind: 'offline',
    network: { kind: 'generated', label: 'tiny', nodes: n, edges: network.outTargets.length }, createdAt: 1, updatedAt: 1,
    progress: { roundsDone: 0, roundsTotal: 1, seedIndex: 0, condition: 'warmup', round: 0 }, totals: emptyLlmTotals(),
  });
  await savePersonas(db, runId, seed, personas);
  await saveNetwork(db, networkRow(runId, network));
  let written = 0;
  await runExperiment(
    { protocol: sociopol, config, seed, agents: personas, network, port: new OfflinePort() },
    {
      onRound: async (r) => {
        await writeRound(db, runId, seed, r);
        if (r.round === stopAt) written++;
      },
      shouldPause: () => written >= conditionsAt,
    },
  );
  return { db, run: (await getRun(db, runId))!, runId, seed, config, network };
}

describe('partial results', () => {
  it('should find the last round every stored condition reached', () => {
    const through = (rounds: number[][]) => {
      const record = new RunRecord(2, -2, 30, rounds.map((_, k) => `c${k}`), sociopol.columns);
      const row = (condition: string, round: number) => ({ condition, round, active: new Int32Array(0), treated: new Uint8Array(2), columns: {} });
      record.addRound(row('warmup', 0));
      rounds.forEach((rs, k) => rs.forEach((r) => record.addRound(row(`c${k}`, r))));
      return record.storedThrough();
    };
    expect(through([[1, 12], [11], []])).toBe(11);
    expect(through([[], []])).toBe(0);
    expect(through([[30]])).toBe(30);
  });

  it('should cut a run stopped mid-round at the round all conditions share and split the roll-out as of that round', async () => {
    // Round 14 written for two of five conditions: the common round is 13.
    const { db, run, runId, seed, network } = await stoppedRun(14, 2);
    // The app's path (analysis worker): the seed's run record as stored, viewed as of its last stored round.
    const stored = (await loadFollowNetwork(db, runId))!;
    // The stored network reads back as the engine built it (one representation; edge arrays only on disk).
    expect(stored.network).toEqual(network);
    const record = await loadRunRecord(db, run, seed, sociopol.columns);
    const data = seedDataAsOf('seed_1', record, run.config, (await loadPersonas(db, runId, seed))!, seed, stored.network);
    for (const cd of data.conditions) expect(cd.rounds[cd.rounds.length - 1]).toBe(13);
    expect(data.notes?.join(' ')).toMatch(/stored up to round 13 of 30/);

    const summary = summarize([data], 'test', designFor(sociopol, run.config));
    expect(Math.max(...Object.keys(summary.conditions.control.meanLikelihoodByRound).map(Number))).toBe(13);
    const spill = summary.effects.find((x) => x.treatment === 'experiment_soc_message:untreated' && x.baseline === 'control' && x.method === 'paired' && x.outcome === 'share_likely_r13');
    expect(spill).toBeDefined();

    // Independent computation from the stored rows: the engine's own `likelihood` column (last stated likelihood) and `treated`
    // flags at round 13, same agents in both conditions.
    const rows = await loadRoundRows(db, runId, seed);
    const at = (c: string) => rows.find((r) => r.condition === c && r.round === 13)!;
    const ex = at('experiment_soc_message');
    const ctl = at('control');
    let sum = 0;
    let k = 0;
    let treated = 0;
    for (let a = 0; a < ex.columns.likelihood.length; a++) {
      if (ex.columns.likelihood[a] < 0) continue;
      if (ex.treated[a]) {
        treated++;
        continue;
      }
      if (ctl.columns.likelihood[a] < 0) continue;
      sum += (ex.columns.likelihood[a] >= 3 ? 1 : 0) - (ctl.columns.likelihood[a] >= 3 ? 1 : 0);
      k++;
    }
    // Period 2 of the roll-out (rounds 11–20) treats about 40 % of adults: the untreated are the rest, not everyone.
    expect(treated).toBeGreaterThan(100);
    expect(spill!.nTreatment).toBe(k);
    expect(spill!.estimate).toBeCloseTo(sum / k, 12);
  });
});
