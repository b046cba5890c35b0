/**
 * One worker thread of the CLI's condition pool (condition-pool.ts): runs its share of the conditions
 * (condition-split.ts `runShard`), from the warm-up the main thread sends when it is played there, and posts each
 * record to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type ShardData, type WarmMessage } from '../workers/condition-split';

const warm = new Promise<WarmMessage>((resolve) => parentPort?.once('message', resolve));
void runShard(workerData as ShardData, (message, transfer) => parentPort?.postMessage(message, transfer), warm);
