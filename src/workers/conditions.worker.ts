/**
 * A Web Worker of the browser's condition pool (condition-pool-web.ts): its first message is its share of the
 * conditions (condition-split.ts `runShard`); it answers with the records and the result.
 */
import { runShard, type ShardData } from './condition-split';

self.addEventListener(
  'message',
  (e: MessageEvent<ShardData>) => void runShard(e.data, (message, transfer) => (self as unknown as Worker).postMessage(message, transfer)),
  { once: true },
);
