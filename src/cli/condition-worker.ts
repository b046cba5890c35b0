/**
 * One worker thread of the CLI's condition pool (condition-pool.ts): runs its share of the conditions
 * (condition-split.ts `runShard`), from the warm-up the main thread sends when it is played there, and posts each
 * record to the main thread.
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type WarmMessage } from '../workers/condition-split';
import type { ThreadData } from './condition-pool';

const warm = new Promise<WarmMessage>((resolve) => parentPort?.once('message', resolve));
const { personaBytes, ...data } = workerData as ThreadData;
void runShard({ ...data, personas: deserialize(personaBytes) }, (message, transfer) => parentPort?.postMessage(message, transfer), warm);
