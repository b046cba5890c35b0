// The limiter under a manual clock: exact interleavings at the millisecond boundary of the rate-limit gate (issue 8),
// replayed deterministically instead of hoping a long load test happens to hit them.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng';
import { Throughput, TransportError, type Attempt, type Clock } from '../../src/agents/llm/throughput';

/** A clock the test moves by hand. `tick` is how far time moves during one reading (reading the clock takes time). */
class ManualClock implements Clock {
  t = 1_000_000;
  tick = 0;
  reads = 0;
  private seq = 0;
  timers: Array<{ id: number; due: number; fn: () => void }> = [];

  now(): number {
    this.reads++;
    const v = this.t;
    this.t += this.tick;
    return v;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.push({ id, due: this.t + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  /** Runs the earliest timer with the clock reading `at` (a timer may fire a fraction before its due time). */
  fire(at?: number): void {
    this.timers.sort((a, b) => a.due - b.due);
    const next = this.timers.shift();
    if (!next) throw new Error('no timer to fire');
    this.t = at ?? Math.max(this.t, next.due);
    next.fn();
  }
}

interface Deferred {
  resolve(v: Attempt<string>): void;
  reject(e: unknown): void;
}

/** An attempt function whose calls the test answers one by one. */
function scriptedAttempts(): { attempt: () => Promise<Attempt<string>>; pending: Deferred[] } {
  const pending: Deferred[] = [];
  const attempt = () =>
    new Promise<Attempt<string>>((resolve, reject) => {
      pending.push({ resolve, reject });
    });
  return { attempt, pending };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

function rateLimited(ms: number): TransportError {
  return new TransportError('rate-limit', '429 slow down', new Headers({ 'retry-after-ms': String(ms) }));
}

/** Settled flags for a set of runs. */
function track<T>(runs: Promise<T>[]): boolean[] {
  const done = runs.map(() => false);
  runs.forEach((p, i) => p.then(() => (done[i] = true), () => (done[i] = true)));
  return done;
}

describe('Throughput at the rate-limit gate', () => {
  it('should dispatch queued calls when the gate passes between two clock readings of one pump', async () => {
    const clock = new ManualClock();
    const tp = new Throughput({ maxConcurrency: 1, initialConcurrency: 1, clock, seed: 3 });
    const { attempt, pending } = scriptedAttempts();
    const runs = ['a', 'b', 'c', 'd'].map(() => tp.run(attempt));
    const done = track(runs);
    await flush();
    expect(pending).toHaveLength(1);

    // A gets a 429: the gate closes for 100 ms plus jitter (a fractional time); B was already let through.
    pending[0].reject(rateLimited(100));
    await flush();
    pending[1].resolve({ value: 'b' });
    await flush();
    const before = tp.state;
    expect(before).toMatchObject({ waiting: 3, inFlight: 0, gateTimer: true });
    expect(Number.isInteger(before.gateUntil)).toBe(false);

    // The gate timer runs 0.3 ms before the gate opens, and time moves 0.6 ms per reading: the first reading says
    // "closed", a second one would say "already open".
    clock.tick = 0.6;
    clock.fire(before.gateUntil - 0.3);
    clock.tick = 0;
    const after = tp.state;
    expect(after.waiting > 0 && after.inFlight === 0 && !after.gateTimer, 'queued calls with nothing in flight and no timer').toBe(false);

    for (let step = 0; step < 50 && done.includes(false); step++) {
      const open = pending.findIndex((d, i) => i >= 2 && d !== null);
      if (open >= 0) {
        const d = pending[open];
        pending[open] = null as unknown as Deferred;
        d.resolve({ value: 'ok' });
      } else if (clock.timers.length) clock.fire();
      else break;
      await flush();
    }
    expect(done).toEqual([true, true, true, true]);
    expect(await Promise.all(runs)).toEqual([{ value: 'ok', retries: 1 }, { value: 'b', retries: 0 }, { value: 'ok', retries: 0 }, { value: 'ok', retries: 0 }]);
    expect(tp.stats.repairs).toBe(0);
    expect(tp.state).toMatchObject({ waiting: 0, inFlight: 0 });
  });

  it('should never leave queued calls without a call in flight or a timer, whatever the interleaving', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = new Rng(seed);
      const clock = new ManualClock();
      clock.t += rng.next();
      const tp = new Throughput({ maxConcurrency: 3, initialConcurrency: 2, clock, seed, baseBackoffMs: 5 });
      const { attempt, pending } = scriptedAttempts();
      const runs = Array.from({ length: 12 }, () => tp.run(attempt));
      const done = track(runs);
      await flush();
      let answered = 0;
      for (let step = 0; step < 2000 && done.includes(false); step++) {
        clock.tick = rng.bernoulli(0.5) ? rng.next() : 0;
        const open = pending.map((d, i) => (d ? i : -1)).filter((i) => i >= 0);
        if (open.length && (clock.timers.length === 0 || rng.bernoulli(0.6))) {
          const i = rng.pick(open);
          const d = pending[i];
          pending[i] = null as unknown as Deferred;
          const r = rng.next();
          if (r < 0.3) d.reject(rateLimited(1 + rng.int(30)));
          else if (r < 0.4) d.reject(new TransportError('server', '500'));
          else {
            answered++;
            d.resolve({ value: 'ok' });
          }
        } else if (clock.timers.length) {
          // Timers fire on time or up to a millisecond early, as integer-millisecond timers do against a fractional gate.
          clock.timers.sort((a, b) => a.due - b.due);
          clock.fire(Math.max(clock.t, clock.timers[0].due - rng.next()));
        } else break;
        await flush();
        const s = tp.state;
        expect(s.waiting > 0 && s.inFlight === 0 && !s.gateTimer, `seed ${seed} step ${step}: stranded ${JSON.stringify(s)}`).toBe(false);
      }
      expect(done.every(Boolean), `seed ${seed}: every call settles`).toBe(true);
      expect(answered).toBe(12);
      expect(tp.stats.repairs).toBe(0);
    }
  });
});
