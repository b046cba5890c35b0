/**
 * A watchdog for a run in the worker: a browser never exits, so a run whose awaited promise nothing will settle (the
 * stranded limiter of issue 8, a lost answer) would sit silent forever. The watch samples a progress counter (rounds
 * done plus LLM attempts begun and settled) and, once it has not moved for `stallMs`, calls `onStall` exactly once so
 * the run can end as paused with a stated reason.
 */

export interface WatchTimers {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const SYSTEM_TIMERS: WatchTimers = {
  now: () => Date.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/**
 * How long an LLM run may go without any progress before it is called stalled: one full attempt (`timeoutMs`), the
 * longest backoff (30 s) and the longest rate-limit wait the limiter accepts (120 s) all fit inside it.
 */
export function stallLimitMs(timeoutMs = 60_000): number {
  return timeoutMs + 180_000;
}

/** Starts watching; returns the function that stops the watch (call it when the run settles). */
export function watchForStall(progress: () => number, stallMs: number, onStall: (idleMs: number) => void, timers: WatchTimers = SYSTEM_TIMERS): () => void {
  let last = progress();
  let since = timers.now();
  let fired = false;
  const handle = timers.setInterval(() => {
    const now = timers.now();
    const p = progress();
    if (p !== last) {
      last = p;
      since = now;
      return;
    }
    if (!fired && now - since >= stallMs) {
      fired = true;
      timers.clearInterval(handle);
      onStall(now - since);
    }
  }, Math.max(10, Math.min(5000, Math.floor(stallMs / 4))));
  return () => timers.clearInterval(handle);
}
