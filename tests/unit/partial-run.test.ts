import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOfflinePort } from '../../src/agents/offline/offline-port';
import { runExperiment, roundsTotal, WARMUP } from '../../src/engine/simulation';
import { recordAt, RunTracker } from '../../src/cli/partial-run';
import { tinyConfig, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

const ROOT = join(__dirname, '..', '..');

describe('RunTracker', () => {
  it('should rebuild from round records exactly the tables the engine returns', async () => {
    const n = 120;
    const config = tinyConfig(n);
    const network = tinyNetwork(n, 4);
    const personas = tinyPersonas(n, 4);
    const tracker = new RunTracker(config);
    tracker.startSeed('seed_4', 4, new Map(), new Map(), roundsTotal(config));
    const seen: Array<{ condition: string; round: number }> = [];
    const result = await runExperiment(
      { config, seed: 4, personas, network, port: createOfflinePort() },
      {
        onRound: (r, p) => {
          seen.push({ condition: r.condition, round: r.round });
          tracker.onRound(r, p.roundsDone);
        },
        onElection: (e, p) => tracker.onElection(e, p.roundsDone),
      },
    );
    const cur = tracker.current!;
    expect(cur.tables.map((t) => t.name)).toEqual(result.conditions.map((t) => t.name));
    for (let i = 0; i < result.conditions.length; i++) {
      const want = result.conditions[i];
      const got = cur.tables[i];
      expect(got.stated).toEqual(want.stated);
      expect(got.treated).toEqual(want.treated);
      expect(got.active).toEqual(want.active);
      expect(got.votes).toEqual(want.votes);
      expect(got.invalidDecisions).toBe(want.invalidDecisions);
    }
    expect(cur.roundsDone).toBe(roundsTotal(config));
    // recordAt names the records in the order the engine emits them.
    seen.forEach((s, i) => expect(recordAt(config, i)).toEqual({ ...s, election: false }));
    expect(recordAt(config, seen.length)).toEqual({ condition: config.conditions[0].name, round: config.lastRound, election: true });
  });

  it('should say where a seed stopped: the first record not complete', async () => {
    const config = tinyConfig(60);
    const tracker = new RunTracker(config);
    tracker.startSeed('seed_1', 1, new Map(), new Map(), roundsTotal(config));
    expect(tracker.stoppedAt()).toMatch(new RegExp(`^seed_1, warm-up round ${config.firstRound} \\(0 of`));
    const warm = 1 - config.firstRound;
    tracker.current!.roundsDone = warm + config.conditions.length + 1;
    expect(tracker.stoppedAt()).toMatch(new RegExp(`^seed_1, condition ${config.conditions[1].name}, round 2 of ${config.lastRound}`));
    expect(recordAt(config, warm - 1).condition).toBe(WARMUP);
  });
});

describe('guardRun', () => {
  const fixture = join(ROOT, 'tests', 'fixtures', 'stranded-run.ts');

  it('should turn an event loop that empties under an unsettled run into a stated, non-zero stop', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fixture], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/stopped \(drained\): the program ran out of work while the run was still waiting/);
  });

  it('should stand down once the run has settled', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fixture, 'settled'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/stopped/);
  });
});
