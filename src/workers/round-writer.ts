/**
 * A run's rounds written while the next rounds run: each write is still one IndexedDB transaction, started in record
 * order once the one before it has committed, but the simulation only waits when `depth` writes are queued. In the
 * app a round's write took longer than the round itself (the storage backend answers between rounds), so waiting for
 * each commit left the worker idle for most of a 2,000-agent run. A failed write stops the later ones (what is stored
 * stays a prefix of the run) and is thrown by the next `write` or by `flush`.
 */

/** Let the event loop run (IndexedDB answers are tasks), without a timer's clamping. */
function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export class RoundWriter {
  #tail: Promise<void> = Promise.resolve();
  #queued: Promise<void>[] = [];
  #failed: { error: unknown } | null = null;

  constructor(private readonly depth = 4) {}

  /** Queue a write after those queued before; resolves once fewer than `depth` writes are waiting. */
  async write(task: () => Promise<void>): Promise<void> {
    this.#throwIfFailed();
    const done = this.#tail.then(async () => {
      if (this.#failed) return;
      try {
        await task();
      } catch (error) {
        this.#failed = { error };
      }
    });
    this.#tail = done;
    this.#queued.push(done);
    void done.then(() => this.#queued.shift());
    if (this.#queued.length > this.depth) await this.#queued[0];
    else await yieldToEventLoop();
    this.#throwIfFailed();
  }

  /** Wait for every queued write; throws the first failure. */
  async flush(): Promise<void> {
    await this.#tail;
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failed) throw this.#failed.error;
  }
}
