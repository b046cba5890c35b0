/**
 * One worker thread of the CLI's condition pool (condition-pool.ts): runs its share of the conditions
 * (condition-split.ts `runShard`) and posts each record to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type ShardData } from '../workers/condition-split';

void runShard(workerData as ShardData, (message, transfer) => parentPort?.postMessage(message, transfer));
