/**
 * The experiment's conditions on a pool of Web Workers sized to `navigator.hardwareConcurrency` (condition-split.ts
 * shares the conditions and merges the records in the sequential order). The browser counterpart of the CLI's
 * worker_threads pool, used by the benchmark page; same records as the sequential run.
 */
import { runExperiment, type ExperimentResult } from '../engine/simulation';
import { getProtocol } from '../protocols/registry';
import { planShards, poolPort, runShards, type MergeHooks, type PoolInputs, type ShardData, type ShardWorker } from './condition-split';

function spawnWebWorker(data: ShardData): ShardWorker {
  const worker = new Worker(new URL('./conditions.worker.ts', import.meta.url), { type: 'module' });
  worker.postMessage(data);
  return {
    send: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (handler) => worker.addEventListener('message', (e) => handler(e.data)),
    onFailure: (handler) => worker.addEventListener('error', (e) => handler(new Error(`condition pool: a worker failed (${e.message})`))),
    terminate: () => worker.terminate(),
  };
}

export async function runConditionPoolWeb(
  inputs: PoolInputs,
  hooks: MergeHooks = {},
  options: { workers?: number; withDecisions?: boolean; signal?: AbortSignal; shipWarmup?: boolean } = {},
): Promise<ExperimentResult> {
  const shards = planShards(inputs.config.conditions.length, options.workers ?? navigator.hardwareConcurrency ?? 1);
  if (shards.length < 2) {
    const protocol = getProtocol(inputs.config.protocol);
    return runExperiment({ protocol, config: inputs.config, seed: inputs.seed, agents: inputs.personas, network: inputs.network, port: poolPort(protocol, inputs.agentsKind, inputs.fitted, inputs.stored) }, hooks, options.signal);
  }
  return runShards(inputs, hooks, shards, spawnWebWorker, options);
}
