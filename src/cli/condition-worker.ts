/**
 * One worker thread of the CLI's condition pool (condition-pool.ts): runs its share of the conditions
 * (condition-split.ts `runShard`), from the warm-up the main thread sends when it is played there (and the state of a
 * condition whose first rounds another thread played), and posts each record to the main thread.
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type HandedMessage, type WarmMessage } from '../workers/condition-split';
import type { ThreadData } from './condition-pool';

// Messages in arrival order: the warm-up first (when awaited), then any condition handed over.
const inbox: unknown[] = [];
let waiting: ((m: unknown) => void) | null = null;
parentPort?.on('message', (m) => {
  if (waiting) {
    waiting(m);
    waiting = null;
  } else inbox.push(m);
});
const next = <T>() => (inbox.length ? Promise.resolve(inbox.shift() as T) : new Promise<T>((resolve) => (waiting = resolve as (m: unknown) => void)));

const { personaBytes, ...data } = workerData as ThreadData;
const warm = data.awaitWarm ? next<WarmMessage>() : Promise.resolve({ warm: null });
void runShard({ ...data, personas: deserialize(personaBytes) }, (message, transfer) => parentPort?.postMessage(message, transfer), warm, () => next<HandedMessage>());
