/**
 * S3 offline throughput for `npm run bench`: 20,000 users × 50 rounds on the generated network, one baseline
 * condition, the default classical models (independent cascade, voter, emotion chain), run by the generic engine
 * (`runExperiment`) as every protocol is. Setup (network, census users) is timed apart from the rounds.
 */
import { cpuUsage, memoryUsage } from 'node:process';
import { generateTwitterNetwork } from '../engine/network-generator';
import { runExperiment } from '../engine/simulation';
import { assembleRun, offlinePort } from '../protocols/assemble';
import { makeS3Config } from '../protocols/s3/config';
import { s3SimConfig } from '../protocols/s3/protocol';
import { loadCensus } from './load-data';

export interface S3Bench {
  users: number;
  rounds: number;
  setupMs: number;
  runMs: number;
  runCpuMs: number;
  decisions: number;
  decisionsPerSecond: number;
  userRoundsPerSecond: number;
  finalAware: number;
  peakRssMb: number;
}

export async function benchS3(users = 20_000, rounds = 50): Promise<S3Bench> {
  let peak = memoryUsage().rss;
  const t0 = performance.now();
  const network = generateTwitterNetwork({ n: users, seed: 1 });
  const config = s3SimConfig(makeS3Config({ rounds, conditions: [{ name: 'baseline' }] }), users);
  const { protocol, agents } = assembleRun({ config, network, census: loadCensus(), seeds: [1] });
  const setupMs = performance.now() - t0;
  let decisions = 0;
  let finalAware = 0;
  const c0 = cpuUsage();
  const t1 = performance.now();
  await runExperiment({ protocol, config, seed: 1, agents, network, port: offlinePort(protocol) }, {
    onRound(rec) {
      decisions += rec.active.length;
      finalAware = rec.scalars.aware;
      if (rec.round % 10 === 0) peak = Math.max(peak, memoryUsage().rss);
    },
  });
  const runMs = performance.now() - t1;
  const cpu = cpuUsage(c0);
  return {
    users,
    rounds,
    setupMs: Math.round(setupMs),
    runMs: Math.round(runMs),
    runCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    decisions,
    decisionsPerSecond: Math.round(decisions / (runMs / 1000)),
    userRoundsPerSecond: Math.round((users * rounds) / (runMs / 1000)),
    finalAware: Number(finalAware.toFixed(4)),
    peakRssMb: Math.round(Math.max(peak, memoryUsage().rss) / 2 ** 20),
  };
}
