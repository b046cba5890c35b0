/**
 * CPU time of a process and all its descendants (Linux /proc), for the benchmark's Chromium figures: on a shared
 * machine wall time says little, while the CPU time Chromium spent on a step (its page, its workers, its storage and
 * GPU processes) hardly depends on what else runs. Elsewhere the figures are simply left out (null).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS = 100;

function statOf(pid: number): { ppid: number; ticks: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

/** CPU milliseconds used so far by `root` and every process below it, or null without /proc. */
export function treeCpuMs(root: number): number | null {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return null;
  }
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const pid of pids) {
    const s = statOf(pid);
    if (s) stats.set(pid, s);
  }
  if (!stats.has(root)) return null;
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  let ticks = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    ticks += stats.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / TICKS;
}

/** The pid of the process whose command line holds `marker` (a switch given only to the browser started by us). */
export function pidWithArgument(marker: string): number | null {
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        if (readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').includes(marker)) return Number(d);
      } catch {
        // A process that ended meanwhile.
      }
    }
  } catch {
    return null;
  }
  return null;
}
