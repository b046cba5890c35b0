/**
 * The experiment's conditions on a pool of threads sized to the cores, for offline runs in the CLI and the benchmark
 * (condition-split.ts does the sharing and the ordered merge): this thread plays the warm-up and the first share of
 * the rounds, Node worker_threads the others, the rounds dealt out evenly; the records reach the hooks in the
 * sequential run's order and equal it. With one core or one condition it is the sequential run.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { SimConfig } from '../engine/config';
import { runExperiment, type ExperimentResult } from '../engine/simulation';
import { offlinePort } from '../protocols/assemble';
import { getProtocol } from '../protocols/registry';
import { workerBundle } from './worker-bundle';
import { planShards, runShards, type MergeHooks, type PoolInputs, type ShardData, type ShardWorker } from '../workers/condition-split';

/** What a thread is started with: its ShardData, the personas as `v8.serialize` bytes. */
export interface ThreadData extends ShardData {
  personaBytes: Uint8Array;
}

export interface PoolOptions {
  /** @default os.availableParallelism() */
  workers?: number;
  /** Pass each activation's decision outcome to the hooks. @default true */
  withDecisions?: boolean;
  /** Play the warm-up once here and ship it to the workers (false: every worker replays it). @default true */
  shipWarmup?: boolean;
  /** This thread plays a share too (false: it only plays the warm-up and merges). @default true */
  local?: boolean;
  /** Deal the rounds out evenly, cutting a condition between two threads where needed (false: whole conditions). @default true */
  balance?: boolean;
  signal?: AbortSignal;
}

/** Threads the pool would use for this configuration (this one included, with `local`). */
export function poolSize(config: SimConfig, workers = availableParallelism()): number {
  return planShards(config.conditions.length, workers).length;
}

/**
 * The personas serialised once per population (cloning 20,000 persona objects costs the main thread about 0.1 s per
 * worker, before the warm-up can start); the workers copy the bytes and deserialise them in parallel.
 */
const serialised = new WeakMap<object, Buffer>();

function spawnThread(data: ShardData): ShardWorker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(`./condition-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);
  let bytes = serialised.get(data.personas);
  if (!bytes) serialised.set(data.personas, (bytes = serialize(data.personas)));
  const workerData: ThreadData = { ...data, personas: [], personaBytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  const worker = fromSource ? new Worker(workerBundle(fileURLToPath(url)), { eval: true, workerData }) : new Worker(url, { workerData });
  return {
    send: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (handler) => worker.on('message', handler),
    onFailure: (handler) => {
      worker.on('error', handler);
      worker.on('exit', (code) => code !== 0 && handler(new Error(`condition pool: a worker thread stopped with code ${code}`)));
    },
    terminate: () => void worker.terminate(),
  };
}

/** Offline agents, conditions in parallel; same records, same result as runExperiment with the protocol's offline agents. */
export async function runConditionPool(inputs: PoolInputs, hooks: MergeHooks = {}, options: PoolOptions = {}): Promise<ExperimentResult> {
  const shards = planShards(inputs.config.conditions.length, options.workers ?? availableParallelism());
  if (shards.length < 2) {
    const protocol = getProtocol(inputs.config.protocol);
    return runExperiment({ protocol, config: inputs.config, seed: inputs.seed, agents: inputs.personas, network: inputs.network, port: offlinePort(protocol, inputs.fitted ? 'fitted' : inputs.agentsKind, inputs.fitted ?? undefined) }, hooks, options.signal);
  }
  return runShards(inputs, hooks, shards, spawnThread, { ...options, local: options.local ?? true, balance: options.balance ?? true });
}
