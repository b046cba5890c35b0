/**
 * A Web Worker of the browser's condition pool (condition-pool-web.ts): its first message is its share of the
 * conditions (condition-split.ts `runShard`), its second the page's warm-up when the page plays it; it answers with
 * the records and the result.
 */
import { runShard, type ShardData, type WarmMessage } from './condition-split';

const scope = self as unknown as Worker;
let receiveWarm: (m: WarmMessage) => void = () => {};
const warm = new Promise<WarmMessage>((resolve) => (receiveWarm = resolve));
let started = false;
scope.addEventListener('message', (e: MessageEvent<ShardData | WarmMessage>) => {
  if (started) return receiveWarm(e.data as WarmMessage);
  started = true;
  void runShard(e.data as ShardData, (message, transfer) => scope.postMessage(message, transfer), warm);
});
