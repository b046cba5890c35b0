// The condition pool (Node worker_threads) against the sequential run: the same records in the same order.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { runConditionPool } from '../../src/cli/condition-pool';
import { runExperiment, type ExperimentResult } from '../../src/engine/simulation';
import type { RoundRecord } from '../../src/engine/types';
import type { FinalRecord } from '../../src/engine/types';
import { sociopol } from '../../src/protocols/sociopol';
import { OrderedMerge, planPieces, planShards } from '../../src/workers/condition-split';
import { tinyConfig, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';
import { withOverrides } from '../../src/engine/config';
import { offlinePort } from '../../src/protocols/assemble';
import { getProtocol } from '../../src/protocols/registry';

const n = 150;
const inputs = { config: tinyConfig(n), seed: 4, personas: tinyPersonas(n, 4), network: tinyNetwork(n, 4) };

const plain = (v: unknown) => JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Int8Array) : x));

/** A digest of every record in the order the hooks saw them, with the progress they were given, and of the result. */
function recorder() {
  const hash = createHash('sha256');
  const log: string[] = [];
  return {
    hooks: {
      onRound: (r: RoundRecord, p: unknown) => {
        hash.update(plain(r) + plain(p));
        log.push(`${r.condition}@${r.round}`);
      },
      onFinal: (r: FinalRecord, p: unknown) => {
        hash.update(plain(r) + plain(p));
        log.push(`${r.condition}@election`);
      },
    },
    digest: (result: ExperimentResult) => hash.update(plain(result)).digest('hex'),
    log,
  };
}

describe('conditions on a pool of workers', () => {
  it('should give the sequential run’s records, progress and result, in its order', async () => {
    const seq = recorder();
    const expected = seq.digest(await runExperiment({ protocol: sociopol, config: inputs.config, seed: inputs.seed, agents: inputs.personas, network: inputs.network, port: createOfflinePort() }, seq.hooks));
    // The default: the warm-up and the first share played here, the rounds dealt out evenly (a condition cut between
    // two threads: with 3, two conditions are cut, one of them handed from worker to worker); then whole conditions,
    // every share on a worker, and the warm-up replayed in every worker.
    const variants = [
      { workers: 2 },
      { workers: 3 },
      { workers: 2, local: false },
      { workers: 3, local: false },
      { workers: 2, balance: false },
      { workers: 2, shipWarmup: false },
      { workers: 3, shipWarmup: false, local: false },
    ];
    for (const options of variants) {
      const pool = recorder();
      const got = pool.digest(await runConditionPool(inputs, pool.hooks, options));
      expect(pool.log).toEqual(seq.log);
      expect(got, JSON.stringify(options)).toBe(expected);
    }
  }, 60_000);

  it('should give the sequential run’s records for S3 too, its state shipped after round 0 and cut between threads', async () => {
    const config = withOverrides(getProtocol('s3').defaults(), { agents: n, lastRound: 8, periodEnds: [8] });
    (config.params as { rounds: number }).rounds = 8;
    const s3 = { ...inputs, config };
    const seq = recorder();
    const protocol = getProtocol('s3');
    const expected = seq.digest(await runExperiment({ protocol, config, seed: s3.seed, agents: s3.personas, network: s3.network, port: offlinePort(protocol) }, seq.hooks));
    for (const workers of [2, 3]) {
      const pool = recorder();
      const got = pool.digest(await runConditionPool(s3, pool.hooks, { workers }));
      expect(pool.log).toEqual(seq.log);
      expect(got, `${workers} threads`).toBe(expected);
    }
  }, 60_000);

  it('should stop at a record boundary when asked to pause, in the warm-up or in the conditions', async () => {
    const seq = recorder();
    await runExperiment({ protocol: sociopol, config: inputs.config, seed: inputs.seed, agents: inputs.personas, network: inputs.network, port: createOfflinePort() }, seq.hooks);
    const warmup = 1 - inputs.config.firstRound;
    for (const stopAfter of [3, warmup + 7]) {
      const pool = recorder();
      const hooks = { ...pool.hooks, shouldPause: () => pool.log.length >= stopAfter };
      const result = await runConditionPool(inputs, hooks, { workers: 2 });
      expect(result.status).toBe('paused');
      expect(result.roundsDone).toBe(stopAfter);
      expect(pool.log).toEqual(seq.log.slice(0, stopAfter));
    }
  }, 60_000);

  it('should share conditions round-robin with at most one worker per condition', () => {
    expect(planShards(5, 2)).toEqual([[0, 2, 4], [1, 3]]);
    expect(planShards(2, 8)).toEqual([[0], [1]]);
    expect(planShards(3, 1)).toEqual([[0, 1, 2]]);
  });

  it('should deal the rounds out evenly, the start of a cut condition first and its rest last on the next thread', () => {
    const p = (condition: number, from: number, to: number) => ({ condition, from, to });
    expect(planPieces(5, 2, 30)).toEqual([
      [p(2, 1, 15), p(0, 1, 30), p(1, 1, 30)],
      [p(3, 1, 30), p(4, 1, 30), p(2, 16, 30)],
    ]);
    expect(planPieces(5, 3, 30)).toEqual([
      [p(1, 1, 20), p(0, 1, 30)],
      [p(3, 1, 10), p(2, 1, 30), p(1, 21, 30)],
      [p(4, 1, 30), p(3, 11, 30)],
    ]);
    // The first thread weighing 1.2: 5 × 30 rounds split 81.8 : 68.2.
    expect(planPieces(5, 2, 30, 1.2)).toEqual([
      [p(2, 1, 21), p(0, 1, 30), p(1, 1, 30)],
      [p(3, 1, 30), p(4, 1, 30), p(2, 22, 30)],
    ]);
    expect(planPieces(2, 8, 30)).toEqual([[p(0, 1, 30)], [p(1, 1, 30)]]);
    expect(planPieces(3, 1, 30)).toEqual([[p(0, 1, 30), p(1, 1, 30), p(2, 1, 30)]]);
  });

  it('should hold a record back until every record before it in the sequential order has been handed on', async () => {
    const config = tinyConfig(4, { firstRound: -1, lastRound: 1, conditions: inputs.config.conditions.slice(0, 2) });
    const seen: string[] = [];
    const merge = new OrderedMerge(config, { onRound: (r) => void seen.push(`${r.condition}@${r.round}`), onFinal: (r) => void seen.push(`${r.condition}@e`) });
    const round = (condition: string, r: number) => ({ kind: 'round' as const, record: { condition, round: r } as RoundRecord });
    const [a, b] = config.conditions.map((c) => c.name);
    await merge.push(round(b, 1));
    await merge.push(round(a, 1));
    expect(seen).toEqual([]);
    await merge.push(round('warmup', -1));
    expect(seen).toEqual(['warmup@-1']);
    await merge.push(round('warmup', 0));
    expect(seen).toEqual(['warmup@-1', 'warmup@0', `${a}@1`, `${b}@1`]);
    await merge.push({ kind: 'final', record: { condition: b } as FinalRecord });
    await merge.push({ kind: 'final', record: { condition: a } as FinalRecord });
    expect(seen.slice(4)).toEqual([`${a}@e`, `${b}@e`]);
  });
});
