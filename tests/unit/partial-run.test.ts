import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { runExperiment, roundsTotal, WARMUP } from '../../src/engine/simulation';
import { recordAt, RunTracker } from '../../src/cli/partial-run';
import { RunRecord } from '../../src/engine/record';
import { sociopol } from '../../src/protocols/sociopol';
import { tinyConfig, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

const ROOT = join(__dirname, '..', '..');

describe('RunTracker', () => {
  it('should follow the records as they arrive: last complete round per condition, records done, and their order', async () => {
    const n = 120;
    const config = tinyConfig(n);
    const network = tinyNetwork(n, 4);
    const personas = tinyPersonas(n, 4);
    const tracker = new RunTracker(config);
    const record = new RunRecord(n, config.firstRound, config.lastRound, config.conditions.map((c) => c.name), sociopol.columns);
    tracker.startSeed('seed_4', 4, record, roundsTotal(config));
    const seen: Array<{ condition: string; round: number }> = [];
    await runExperiment(
      { protocol: sociopol, config, seed: 4, agents: personas, network, port: createOfflinePort() },
      {
        onRound: (r, p) => {
          seen.push({ condition: r.condition, round: r.round });
          record.addRound(r);
          tracker.onRound(r, p.roundsDone);
        },
        onFinal: (e, p) => tracker.onFinal(e, p.roundsDone),
      },
    );
    const cur = tracker.current!;
    expect(cur.record).toBe(record);
    for (const c of config.conditions) expect(cur.lastComplete[c.name]).toBe(config.lastRound + 1);
    expect(cur.lastComplete[WARMUP]).toBe(0);
    expect(cur.roundsDone).toBe(roundsTotal(config));
    // recordAt names the records in the order the engine emits them.
    seen.forEach((s, i) => expect(recordAt(config, i)).toEqual({ ...s, election: false }));
    expect(recordAt(config, seen.length)).toEqual({ condition: config.conditions[0].name, round: config.lastRound, election: true });
  });

  it('should say where a seed stopped: the first record not complete', async () => {
    const config = tinyConfig(60);
    const tracker = new RunTracker(config);
    tracker.startSeed('seed_1', 1, new RunRecord(60, config.firstRound, config.lastRound, config.conditions.map((c) => c.name), sociopol.columns), roundsTotal(config));
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
