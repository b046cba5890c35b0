/**
 * Engine timings for `npm run bench`: the full protocol (warm-up, five conditions × 30 rounds, election day) with
 * offline agents at a given size, on the condition pool as `npm run replicate` runs it (`workers` threads; 1 = in one
 * thread), in a process of its own so that its peak memory is its own. Run alone as
 * `npx tsx src/cli/bench-engine.ts --agents 20000 [--workers 2]` (prints one JSON line).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateTwitterNetwork } from '../engine/network-generator';
import { runExperiment } from '../engine/simulation';
import { poolSize, runConditionPool } from './condition-pool';
import { assembleRun, offlinePort } from '../protocols/assemble';
import { makeConfig } from '../protocols/sociopol/defaults';
import { loadCensus } from './load-data';

export interface EngineBench {
  agents: number;
  /** Threads the conditions ran on, this one included (1: the sequential run in this thread). */
  workers: number;
  setupMs: number;
  runMs: number;
  runCpuMs: number;
  /**
   * CPU time of this thread alone during the run (Linux; null elsewhere): it plays the warm-up and its share in turn,
   * so on a loaded machine it tells the run's own length better than the wall time. The whole process's is runCpuMs.
   */
  mainThreadCpuMs: number | null;
  activations: number;
  activationsPerSecond: number;
  peakRssMb: number;
}

/** CPU time of the calling thread in ms, where Linux tells it (/proc/thread-self/schedstat: ns on the CPU first). */
function threadCpuMs(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

export async function measureEngine(agents: number, workers: number, seed = 1): Promise<EngineBench> {
  const t0 = performance.now();
  const network = generateTwitterNetwork({ n: agents, seed });
  const { protocol, config, agents: personas } = assembleRun({ config: makeConfig({ agents }), network, census: loadCensus(), seeds: [seed] });
  const setupMs = performance.now() - t0;
  let activations = 0;
  const c0 = process.cpuUsage();
  const m0 = threadCpuMs();
  const t1 = performance.now();
  const hooks = { onRound: (r: { active: Int32Array }) => void (activations += r.active.length) };
  const used = poolSize(config, workers);
  if (used < 2) await runExperiment({ protocol, config, seed, agents: personas, network, port: offlinePort(protocol, 'rules') }, hooks);
  else await runConditionPool({ config, seed, personas, network }, hooks, { workers, withDecisions: false });
  const runMs = performance.now() - t1;
  const cpu = process.cpuUsage(c0);
  const m1 = threadCpuMs();
  return {
    agents,
    workers: used,
    setupMs: Math.round(setupMs),
    runMs: Math.round(runMs),
    runCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    mainThreadCpuMs: m0 !== null && m1 !== null ? Math.round(m1 - m0) : null,
    activations,
    activationsPerSecond: Math.round(activations / (runMs / 1000)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** Run `measureEngine` in a child process (fresh heap, its own peak memory). */
export function benchEngine(agents: number, workers: number): EngineBench {
  const self = fileURLToPath(import.meta.url);
  // The same young-generation size as `npm run replicate` (a round's feed items die young; a larger nursery halves GC).
  const r = spawnSync(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', self, '--agents', String(agents), '--workers', String(workers)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench-engine: the ${agents}-agent run failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as EngineBench;
}

if (process.argv[1] && /bench-engine\.ts$/.test(process.argv[1])) {
  const i = process.argv.indexOf('--agents');
  const agents = i > 0 ? Number(process.argv[i + 1]) : 2000;
  const w = process.argv.indexOf('--workers');
  measureEngine(agents, w > 0 ? Number(process.argv[w + 1]) : 1).then((b) => process.stdout.write(JSON.stringify(b) + '\n'));
}
