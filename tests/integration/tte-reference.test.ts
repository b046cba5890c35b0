// Our TTE estimators against the CausalMP authors' own output on their belief-adoption example runs
// (../shared/data/causalmp/belief-adoption-krupina, read in place): the truth, DM, HT and basic CMP to 1e-9 at every
// time step of all 10 runs, and CFE-CMP (random batches, our Rng) no worse than 1.25× their mean RMSE.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCausalmp } from '../../src/analysis/tte/load-causalmp';
import type { TteRun } from '../../src/analysis/tte/run';
import { runTestbed, type TestbedResult } from '../../src/analysis/tte/testbed';

const DIR = '../shared/data/causalmp/belief-adoption-krupina';
interface RefRun { run: number; GT: Array<number | null>; DM: Array<number | null>; HT: Array<number | null>; bCMP: Array<number | null>; CMP: number[]; rmse_DM: number; rmse_HT: number; rmse_bCMP: number; rmse_CMP: number }
let ref: { N: number; T: number; design: number[]; stages: number[]; runs: RefRun[] };
let runs: TteRun[];
let res: TestbedResult;

beforeAll(() => {
  // Python's json writes NaN for undefined estimates; JSON.parse needs null.
  ref = JSON.parse(readFileSync(`${DIR}/reference-estimates.json`, 'utf8').replace(/\bNaN\b/g, 'null'));
  runs = loadCausalmp(DIR);
  res = runTestbed(runs, DIR, { design: { probabilities: ref.design, stages: ref.stages } });
}, 120_000);

describe('estimator testbed against the CausalMP reference', () => {
  it('should read 10 runs of 3,366 units × 7 time steps', () => {
    expect(runs.map((r) => r.run)).toEqual(ref.runs.map((r) => r.run));
    for (const r of runs) expect([r.panel.n, r.panel.t]).toEqual([ref.N, ref.T]);
  });

  it('should match the truth, DM, HT and basic CMP to 1e-9 at every time step, undefined exactly where theirs is', () => {
    for (const r of ref.runs) {
      const ours = res.runs.find((x) => x.run === r.run)!;
      const pairs: Array<[Array<number | null>, Array<number | null>]> = [[ours.truth!, r.GT], [ours.estimates.DM, r.DM], [ours.estimates.HT, r.HT], [ours.estimates.bCMP, r.bCMP]];
      for (const [a, b] of pairs) {
        expect(a.map((v) => v === null)).toEqual(b.map((v) => v === null));
        a.forEach((v, i) => { if (v !== null) expect(Math.abs(v - (b[i] as number))).toBeLessThan(1e-9); });
      }
      for (const k of ['DM', 'HT', 'bCMP'] as const) expect(Math.abs((ours.rmse[k] as number) - r[`rmse_${k}`])).toBeLessThan(1e-9);
    }
  });

  it('should estimate TTE by CMP with a mean RMSE at most 1.25× the package\'s', () => {
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const theirs = mean(ref.runs.map((r) => r.rmse_CMP));
    const ours = mean(res.runs.map((r) => r.rmse.CMP as number));
    expect(ours).toBeLessThanOrEqual(1.25 * theirs);
    expect(res.summary.CMP.rmse).toBeCloseTo(ours, 12);
    // CMP starts from the observed time 0 in both arms.
    for (const r of res.runs) expect(r.estimates.CMP[0]).toBe(0);
  });
});
