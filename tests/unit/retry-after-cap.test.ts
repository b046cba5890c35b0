// A server's retry-after is capped and the wait is told to the caller (issue 14, finding 11).
import { describe, expect, it } from 'vitest';
import { MAX_RATE_LIMIT_WAIT_MS, Throughput, TransportError, type Attempt, type Clock } from '../../src/agents/llm/throughput';

/** Time moves only when a timer is fired. */
class StillClock implements Clock {
  t = 5_000_000;
  timers: Array<{ due: number; fn: () => void }> = [];
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { due: this.t + ms, fn };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x !== handle);
  }
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('retry-after from the server', () => {
  for (const [label, header] of [
    ['a day', { 'retry-after': '86400' }],
    ['more than a timer can hold (2³¹ ms)', { 'retry-after-ms': String(2 ** 33) }],
  ] as const) {
    it(`should wait at most ${MAX_RATE_LIMIT_WAIT_MS / 1000} s when asked to wait ${label}, and say so`, async () => {
      const clock = new StillClock();
      const waits: Array<[number, number]> = [];
      const tp = new Throughput({ maxConcurrency: 1, initialConcurrency: 1, clock, seed: 1, onWait: (w, asked) => waits.push([w, asked]) });
      let calls = 0;
      const attempt = async (): Promise<Attempt<string>> => {
        calls++;
        if (calls === 1) throw new TransportError('rate-limit', '429 slow down', new Headers(header));
        return { value: 'ok' };
      };
      const run = tp.run(attempt);
      await flush();
      const asked = 'retry-after' in header ? 86_400_000 : 2 ** 33;
      expect(waits).toEqual([[MAX_RATE_LIMIT_WAIT_MS, asked]]);
      // One timer, due within the cap (plus at most 20 ms of jitter), not a day later and not at once.
      expect(clock.timers).toHaveLength(1);
      const due = clock.timers[0].due - clock.t;
      expect(due).toBeGreaterThanOrEqual(MAX_RATE_LIMIT_WAIT_MS);
      expect(due).toBeLessThanOrEqual(MAX_RATE_LIMIT_WAIT_MS + 20);
      clock.t += due;
      clock.timers.shift()!.fn();
      await expect(run).resolves.toMatchObject({ retries: 1 });
      expect(calls).toBe(2);
    });
  }
});
