// Each TTE estimator on a case small enough to compute by hand (DM, HT, basic CMP, CFE-CMP, the regressions under
// them), plus the causalmp panel reader's shape checks.
import { describe, expect, it } from 'vitest';
import { basicCmp, differenceInMeans, horvitzThompson } from '../../src/analysis/tte/classic';
import { cmpEstimate } from '../../src/analysis/tte/cmp';
import { blocksFromStages, defaultCmpOptions, enumerateConfigs, NOTEBOOK_GRID, type CmpOptions } from '../../src/analysis/tte/cmp-config';
import { parsePanelCsv, readCausalmpFiles } from '../../src/analysis/tte/causalmp-files';
import { normalEquations, olsMinNorm, solveRidge } from '../../src/analysis/tte/linalg';
import { stageProbabilities, type Panel } from '../../src/analysis/tte/panel';
import { Rng } from '../../src/engine/rng';
import { exposureEstimates } from '../../src/analysis/tte/exposure';
import { tteContrasts } from '../../src/analysis/tte/contrasts';
import { publishedConfig } from '../../src/analysis/design';
import { designFromSchedule } from '../../src/analysis/tte/from-seeds';
import { type SimConfig } from '../../src/engine/config';
import { DEFAULT_CONFIG } from '../../src/protocols/sociopol/defaults';
import { PROTOCOLS } from '../../src/protocols/registry';

function panel(y: number[][], w: number[][]): Panel {
  return { n: y.length, t: y[0].length, y: Float64Array.from(y.flat()), w: Uint8Array.from(w.flat()) };
}

describe('difference in means and Horvitz–Thompson', () => {
  const p = panel([[1, 2], [3, 4], [5, 6]], [[0, 1], [0, 0], [1, 1]]);

  it('should compare treated and untreated means per time step, undefined when one side is empty', () => {
    // t0: treated {5}, untreated {1, 3} → 5 − 2 = 3; t1: treated {2, 6}, untreated {4} → 4 − 4 = 0.
    expect(Array.from(differenceInMeans(p))).toEqual([3, 0]);
    expect(Number.isNaN(differenceInMeans(panel([[1], [2]], [[1], [1]]))[0])).toBe(true);
  });

  it('should weight by the design probability, not the realised share, and be undefined where p is 0 or 1', () => {
    // t1 with p = 0.5: mean(YW) = 8/3 → /0.5 = 16/3; mean(Y(1 − W)) = 4/3 → /0.5 = 8/3; difference 8/3.
    const ht = horvitzThompson(p, { probabilities: [0, 0.5], stages: [1, 2] });
    expect(Number.isNaN(ht[0])).toBe(true);
    expect(ht[1]).toBeCloseTo(8 / 3, 12);
  });

  it('should walk stages as the package does (one step per time step)', () => {
    expect(Array.from(stageProbabilities({ probabilities: [0, 0.1, 0.2, 0.5], stages: [1, 3, 5, 7] }, 7))).toEqual([0, 0.1, 0.1, 0.2, 0.2, 0.5, 0.5]);
  });
});

describe('regressions', () => {
  it('should give the minimum-norm least-squares solution when two columns are equal', () => {
    // y = 1 + 2x with x duplicated: the minimum-norm split is 1 and 1.
    const x = [0, 1, 2, 3];
    const X = Float64Array.from(x.flatMap((v) => [v, v]));
    const fit = olsMinNorm(X, Float64Array.from(x, (v) => 1 + 2 * v), 4, 2);
    expect(fit.coef[0]).toBeCloseTo(1, 12);
    expect(fit.coef[1]).toBeCloseTo(1, 12);
    expect(fit.intercept[0]).toBeCloseTo(1, 12);
  });

  it('should shrink a ridge slope to Sxy / (Sxx + α) with the intercept unpenalised', () => {
    // x = 0…3 (Sxx = 5), y = 2x (Sxy = 10): α = 5 → slope 1, intercept ȳ − x̄ = 3 − 1.5.
    const fit = solveRidge(normalEquations(Float64Array.of(0, 1, 2, 3), Float64Array.of(0, 2, 4, 6), 4, 1, 1), 5);
    expect(fit.coef[0]).toBeCloseTo(1, 12);
    expect(fit.intercept[0]).toBeCloseTo(1.5, 12);
  });
});

describe('basic causal message passing', () => {
  it('should recover ν(t+1) = 0.5 + 0.2 p(t+1) + 0.5 ν(t) and roll it forward: TTE = 0.2, 0.3, 0.35, 0.375, 0.3875', () => {
    const shares = [0, 0.25, 0.5, 0.75, 1, 0.5];
    const nu = [1];
    for (let s = 1; s < 6; s++) nu.push(0.5 + 0.2 * shares[s] + 0.5 * nu[s - 1]);
    // Four identical-outcome units; the first k of them treated, k = 4·p(t).
    const y = Array.from({ length: 4 }, () => nu.slice());
    const w = Array.from({ length: 4 }, (_, i) => shares.map((p) => (i < 4 * p ? 1 : 0)));
    const tte = basicCmp(panel(y, w));
    [0, 0.2, 0.3, 0.35, 0.375, 0.3875].forEach((v, s) => expect(tte[s]).toBeCloseTo(v, 10));
  });
});

describe('causal message passing with counterfactual evolution', () => {
  it('should recover a linear unit-level evolution: TTE(t) = 0.3 · (1 + 0.5 + … + 0.5^(t−1))', () => {
    // y_i(t+1) = 0.1 + 0.5 y_i(t) + 0.3 w_i(t+1): every batch mean follows the same line, so the fit is exact.
    const n = 400;
    const t = 7;
    const rng = new Rng(5);
    const y = new Float64Array(n * t);
    const w = new Uint8Array(n * t);
    const probs = stageProbabilities({ probabilities: [0, 0.2, 0.5, 0.8], stages: [1, 3, 5, 7] }, t);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      y[i * t] = rng.next() * 2;
      for (let s = 1; s < t; s++) {
        w[i * t + s] = u < probs[s] ? 1 : 0;
        y[i * t + s] = 0.1 + 0.5 * y[i * t + s - 1] + 0.3 * w[i * t + s];
      }
    }
    const opts: CmpOptions = { ...defaultCmpOptions(3), detrending: [false], grid: { ...NOTEBOOK_GRID, interactionU: [null], nBatch: [50], batchShare: [0.1], ridgeAlpha: [1e-9] } };
    const res = cmpEstimate({ n, t, y, w }, { treated: Float64Array.from({ length: t }, (_, s) => (s ? 1 : 0)), control: new Float64Array(t) }, [1, 3, 5, 7], opts);
    const expected = [0, 0.3, 0.45, 0.525, 0.5625, 0.58125, 0.590625];
    expected.forEach((v, s) => expect(res.tte[s]).toBeCloseTo(v, 5));
    expect(res.score).toBeLessThan(1e-6);
  });

  it('should enumerate the notebook grid in the package order (120 configurations, one detrending group)', () => {
    const groups = enumerateConfigs(defaultCmpOptions(), 3366);
    expect(groups).toHaveLength(1);
    expect(groups[0].configs).toHaveLength(120);
    expect(groups[0].configs.slice(0, 5).map((c) => c.ridgeAlpha)).toEqual([1e-4, 1e-2, 1, 100, 1e-4]);
    expect(groups[0].configs.map((c) => c.batchSize).slice(0, 20).filter((_, i) => i % 4 === 0)).toEqual([168, 336, 673, 1009, 1683]);
    expect(blocksFromStages([1, 3, 5, 7], 7)).toEqual([[0, 3], [3, 5], [5, 7]]);
    // LLM-SocioPol's one-round last period (round 30) stays with the period before it.
    expect(blocksFromStages([1, 11, 21, 30, 31], 31)).toEqual([[0, 11], [11, 21], [21, 31]]);
  });
});

describe('causalmp panel reader', () => {
  const header = '0,1,2';
  const rows = (vals: string[]) => [header, ...vals].join('\n') + '\n';

  it('should read files with or without a leading index column', () => {
    expect(Array.from(parsePanelCsv(rows(['1,2,3', '4,5,6']), 'a.csv', 2, 3, false))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(parsePanelCsv(',0,1,2\n0,1,2,3\n1,4,5,6\n', 'b.csv', 2, 3, false))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('should name the file and line of a short row, a missing row and a non-binary treatment', () => {
    expect(() => parsePanelCsv(rows(['1,2,3', '4,5']), 'x_panel_data.csv', 2, 3, false)).toThrow(/x_panel_data\.csv: line 3 has 2 fields; expected 3/);
    expect(() => parsePanelCsv(rows(['1,2,3']), 'x.csv', 2, 3, false)).toThrow(/x\.csv: line 3 is missing: the file has 1 unit rows where the file name says n2/);
    expect(() => parsePanelCsv(rows(['0,1,0.5', '0,0,0']), 'w.csv', 2, 3, true)).toThrow(/w\.csv: line 2 time step 2 holds '0\.5'; treatment cells must be 0 or 1/);
  });

  it('should say which file of a seed is missing', () => {
    const files = new Map([['seed4/experiment_n2_t3_seed4_panel_data.csv', rows(['1,2,3', '4,5,6'])]]);
    expect(() => readCausalmpFiles(files, 'upload')).toThrow(/seed4 lacks experiment_n2_t3_seed4_treatment_data\.csv/);
  });
});

describe('exposure-mapping estimators', () => {
  // Two mutual pairs, 0 ↔ 1 and 2 ↔ 3, with one followed account each; q = 0.5.
  const graph = { offsets: Int32Array.of(0, 1, 2, 3, 4), followees: Int32Array.of(1, 0, 3, 2), outside: new Int32Array(4) };
  const p = panel([[0, 4], [0, 6], [0, 1], [0, 3]], [[0, 1], [0, 1], [0, 0], [0, 0]]);
  const res = exposureEstimates(p, graph, { probabilities: [0, 0.5], stages: [1, 2] }, { q: 0.5, draws: 4000, seed: 9, maxPairs: 100 });

  it('should put each pair in one exposure and compare them: Hájek = mean(4, 6) − mean(1, 3) = 3', () => {
    // Rows 0 and 1 are exposed to "all treated" in exactly the same draws, so their probabilities are equal and the
    // Hájek estimate is the plain difference of the two pairs' means.
    expect(res.exposed1[1]).toBe(2);
    expect(res.exposed0[1]).toBe(2);
    expect(res.hajek[1]).toBeCloseTo(3, 12);
    expect(Number.isNaN(res.ht[0])).toBe(true);
  });

  it('should weight by Monte-Carlo exposure probabilities near p² = (1 − p)² = 1/4: HT ≈ (10 − 4) / (4 · 1/4) = 6', () => {
    expect(res.ht[1]).toBeGreaterThan(5.5);
    expect(res.ht[1]).toBeLessThan(6.5);
    // Within a pair both rows are exposed together (π_ij = π_i), so the variance is positive and finite.
    expect(res.htSe[1]).toBeGreaterThan(0);
    expect(Number.isFinite(res.hajekSe[1])).toBe(true);
  });
});

describe('contrasts and designs of LLM-SocioPol', () => {
  it('should map the published conditions to roll-out, all-treated and none-treated', () => {
    const names = ['control', 'treatment_soc_message', 'experiment_soc_message'];
    expect(tteContrasts(names, publishedConfig())).toEqual([{ message: 'social', rollout: 'experiment_soc_message', allTreated: 'treatment_soc_message', noneTreated: 'control' }]);
  });

  it('should answer from a registered protocol\'s declared total effects instead of the name mapping', () => {
    const config = { ...DEFAULT_CONFIG, protocol: 'stub-tte', conditions: [
      { name: 'nobody', message: 'none', schedule: [0, 0, 0, 0] },
      { name: 'everybody', message: 'social', schedule: [1, 1, 1, 1] },
      { name: 'ramp', message: 'social', schedule: [0.1, 0.3, 0.6, 0.6] },
    ] } as SimConfig;
    const registry = PROTOCOLS as Record<string, unknown>;
    registry['stub-tte'] = { totalEffects: () => [{ message: 'social', allTreated: config.conditions[1], noneTreated: config.conditions[0], outcomes: [] }] };
    try {
      expect(tteContrasts(['nobody', 'everybody', 'ramp'], config)).toEqual([{ message: 'social', rollout: 'ramp', allTreated: 'everybody', noneTreated: 'nobody' }]);
    } finally {
      delete registry['stub-tte'];
    }
  });

  it('should turn a schedule with periods ending at rounds 10, 20, 29, 30 into stages on columns from round 0', () => {
    expect(designFromSchedule([0.2, 0.4, 0.8, 0.8], [10, 20, 29, 30], 0)).toEqual({ probabilities: [0, 0.2, 0.4, 0.8, 0.8], stages: [1, 11, 21, 30, 31] });
  });
});
