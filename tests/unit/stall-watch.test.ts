import { describe, expect, it } from 'vitest';
import { watchForStall, type WatchTimers } from '../../src/workers/stall-watch';

/** Timers the test moves by hand: `advance(ms)` runs the interval every period that passes. */
function manualTimers() {
  let t = 0;
  const intervals = new Map<number, { fn: () => void; ms: number; next: number }>();
  let seq = 0;
  const timers: WatchTimers = {
    now: () => t,
    setInterval: (fn, ms) => {
      intervals.set(++seq, { fn, ms, next: t + ms });
      return seq;
    },
    clearInterval: (h) => void intervals.delete(h as number),
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      const due = [...intervals.values()].filter((x) => x.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      t = due.next;
      due.next += due.ms;
      due.fn();
    }
    t = end;
  };
  return { timers, advance, active: () => intervals.size };
}

describe('watchForStall', () => {
  it('should call a run stalled once its progress has not moved for the limit, and only once', () => {
    const { timers, advance, active } = manualTimers();
    let progress = 0;
    const stalls: number[] = [];
    watchForStall(() => progress, 1000, (idle) => stalls.push(idle), timers);
    for (let i = 0; i < 10; i++) {
      advance(400);
      progress++;
    }
    expect(stalls).toEqual([]);
    advance(1600);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toBeGreaterThanOrEqual(1000);
    advance(10_000);
    expect(stalls).toHaveLength(1);
    expect(active()).toBe(0);
  });

  it('should stay quiet after it is stopped', () => {
    const { timers, advance, active } = manualTimers();
    const stalls: number[] = [];
    const stop = watchForStall(() => 0, 1000, (idle) => stalls.push(idle), timers);
    advance(500);
    stop();
    advance(5000);
    expect(stalls).toEqual([]);
    expect(active()).toBe(0);
  });
});
