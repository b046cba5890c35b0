/**
 * Bench of the estimator testbed: the full cross-validated CMP (the notebook's 120-model grid, detrending, three
 * validation blocks) on a synthetic roll-out of 20,000 units × 31 rounds, plus DM, HT and basic CMP, timed in Node.
 */
import { basicCmp, differenceInMeans, horvitzThompson } from '../analysis/tte/classic';
import { cmpEstimate } from '../analysis/tte/cmp';
import { defaultCmpOptions } from '../analysis/tte/cmp-config';
import { stageProbabilities } from '../analysis/tte/panel';
import { Rng } from '../engine/rng';

export interface TteBench {
  units: number;
  rounds: number;
  configs: number;
  cmpMs: number;
  /** CPU time of the CMP part (user + system): less sensitive than wall time to other work on a shared machine. */
  cmpCpuMs: number;
  classicMs: number;
  chosen: string;
}

export function benchTte(n = 20000, t = 31): TteBench {
  const rng = new Rng(20240611);
  const design = { probabilities: [0, 0.2, 0.5, 0.8], stages: [1, 11, 21, 31] };
  const probs = stageProbabilities(design, t);
  const y = new Float64Array(n * t);
  const w = new Uint8Array(n * t);
  // Outcomes on 0–4 that drift up with the unit's own treatment and the treated share (a spillover term).
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    let v = 1 + 3 * rng.next();
    for (let s = 0; s < t; s++) {
      const treated = u < probs[s] ? 1 : 0;
      w[i * t + s] = treated;
      v = Math.min(4, Math.max(0, 0.92 * v + 0.08 * 2.5 + 0.06 * treated + 0.04 * probs[s] + 0.2 * (rng.next() - 0.5)));
      y[i * t + s] = v;
    }
  }
  const panel = { n, t, y, w };
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const res = cmpEstimate(panel, { treated: Float64Array.from({ length: t }, (_, s) => (s ? 1 : 0)), control: new Float64Array(t) }, design.stages, defaultCmpOptions(1));
  const cmpMs = Math.round(performance.now() - start);
  const cpu = process.cpuUsage(cpu0);
  const cmpCpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const c0 = performance.now();
  differenceInMeans(panel);
  horvitzThompson(panel, design);
  basicCmp(panel);
  return { units: n, rounds: t, configs: res.configsTried, cmpMs, cmpCpuMs, classicMs: Math.round(performance.now() - c0), chosen: res.description };
}
