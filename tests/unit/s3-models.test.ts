/**
 * The classical models behind the S3 offline agent, each against a closed form or a hand-computed case: independent
 * cascade on a path, linear threshold with known thresholds, DeGroot's consensus (the eigenvector-weighted average),
 * the voter model's martingale, and the emotion chain's decay and stationary shares.
 */
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../src/engine/network';
import { awareCurve, icActivates, ltActivates, ltThreshold, runCascade } from '../../src/protocols/s3/cascade';
import { emotionStep, intensityIndex, stationaryShares, transitionMatrix, arousalChance } from '../../src/protocols/s3/emotion';
import { deGrootStep, runDeGroot, runVoter, voterStep } from '../../src/protocols/s3/opinion';
import { Rng } from '../../src/engine/rng';
import type { EmotionLevel } from '../../src/protocols/s3/types';

/** A path 0 → 1 → … → n−1 along which news travels: user i+1 follows user i. */
function path(n: number) {
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i + 1 < n; i++) {
    src.push(i + 1);
    dst.push(i);
  }
  return buildNetwork(n, src, dst);
}

describe('independent cascade', () => {
  it('should reach everyone on a path with p = 1 in exactly n − 1 rounds, one user per round', () => {
    const n = 7;
    const res = runCascade(path(n), [0], { kind: 'ic', p: 1 }, 20, 42);
    expect(Array.from(res.awareRound)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(res.activeRound)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(awareCurve(res.awareRound, n - 1).map((x) => x * n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('should stop after the rounds allowed and never pass the event on with p = 0', () => {
    expect(Array.from(runCascade(path(7), [0], { kind: 'ic', p: 1 }, 3, 1).awareRound)).toEqual([0, 1, 2, 3, -1, -1, -1]);
    const none = runCascade(path(7), [0], { kind: 'ic', p: 0 }, 10, 1);
    expect(Array.from(none.awareRound)).toEqual([0, 1, -1, -1, -1, -1, -1]);
    expect(Array.from(none.activeRound)).toEqual([0, -1, -1, -1, -1, -1, -1]);
  });

  it('should activate with 1 − (1 − p)^k after k spreading followees', () => {
    expect(icActivates(0, 0.9, 0)).toBe(false);
    // 1 − 0.7² = 0.51
    expect(icActivates(2, 0.3, 0.509)).toBe(true);
    expect(icActivates(2, 0.3, 0.511)).toBe(false);
    // A star: 400 followers of one seed, p = 0.25: about a quarter activate in round 1.
    const src = Array.from({ length: 400 }, (_, i) => i + 1);
    const net = buildNetwork(401, src, src.map(() => 0));
    let active = 0;
    for (let s = 0; s < 20; s++) active += runCascade(net, [0], { kind: 'ic', p: 0.25 }, 1, s).activeRound.filter((r) => r === 1).length;
    const share = active / (400 * 20);
    expect(Math.abs(share - 0.25)).toBeLessThan(3 * Math.sqrt(0.25 * 0.75 / 8000));
  });
});

describe('linear threshold', () => {
  it('should activate a user exactly when the share of active followees reaches its threshold (hand case)', () => {
    // 3 follows 0, 1 and 2; 4 follows 3 and 5. Seeds 0 and 1: user 3 sees 2/3 of its followees active in round 1;
    // if it activates, user 4 sees 1/2 in round 2.
    const net = buildNetwork(6, [3, 3, 3, 4, 4], [0, 1, 2, 3, 5]);
    let checked = 0;
    for (let seed = 0; seed < 40; seed++) {
      const t3 = ltThreshold(seed, 3);
      const t4 = ltThreshold(seed, 4);
      const res = runCascade(net, [0, 1], { kind: 'lt' }, 5, seed);
      expect(res.activeRound[3]).toBe(t3 <= 2 / 3 ? 1 : -1);
      expect(res.activeRound[4]).toBe(t3 <= 2 / 3 && t4 <= 1 / 2 ? 2 : -1);
      expect(res.awareRound[3]).toBe(1);
      expect(res.activeRound[2]).toBe(-1);
      checked += t3 <= 2 / 3 ? 1 : 0;
    }
    // Both branches were exercised.
    expect(checked).toBeGreaterThan(5);
    expect(checked).toBeLessThan(40);
    expect(ltActivates(0, 0)).toBe(false);
    expect(ltActivates(0.5, 0.5)).toBe(true);
  });
});

/** Solve π W = π, Σπ = 1 by Gaussian elimination (independent of the model code). */
function stationary(W: number[][]): number[] {
  const n = W.length;
  // Rows: (Wᵀ − I) π = 0 with the last equation replaced by Σπ = 1.
  const A = Array.from({ length: n }, (_, i) => [...Array.from({ length: n }, (_, j) => W[j][i] - (i === j ? 1 : 0)), 0]);
  A[n - 1] = [...new Array(n).fill(1), 1];
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  return A.map((row, i) => row[n] / row[i]);
}

describe('DeGroot averaging', () => {
  it('should converge on a strongly connected aperiodic graph to the eigenvector-weighted average', () => {
    // 0 follows 1; 1 follows 0 and 2; 2 follows 0. Self weight 1/2: by hand π = (0.4, 0.4, 0.2).
    const net = buildNetwork(3, [0, 1, 1, 2], [1, 0, 2, 0]);
    const W = [
      [0.5, 0.5, 0],
      [0.25, 0.5, 0.25],
      [0.5, 0, 0.5],
    ];
    const pi = stationary(W);
    expect(pi[0]).toBeCloseTo(0.4, 12);
    expect(pi[2]).toBeCloseTo(0.2, 12);
    for (const x0 of [[1, 0, 0], [0, 0, 1], [0.3, 0.9, 0.1]]) {
      const target = x0.reduce((s, v, i) => s + v * pi[i], 0);
      const x = runDeGroot(net, Float64Array.from(x0), 200, 0.5);
      for (const v of x) expect(v).toBeCloseTo(target, 9);
    }
  });

  it('should average with its own weight and keep its opinion when nobody is heard', () => {
    expect(deGrootStep(1, [0, 0.5], 0.6)).toBeCloseTo(0.6 + 0.4 * 0.25, 12);
    expect(deGrootStep(0.3, [], 0.6)).toBe(0.3);
  });
});

describe('voter model', () => {
  it('should keep the expected positive share on a regular graph (a martingale over seeded runs)', () => {
    // Each of 20 users follows the next two on a ring: every user has 2 followees and 2 followers.
    const n = 20;
    const src: number[] = [];
    const dst: number[] = [];
    for (let i = 0; i < n; i++) {
      src.push(i, i);
      dst.push((i + 1) % n, (i + 2) % n);
    }
    const net = buildNetwork(n, src, dst);
    const x0 = new Uint8Array(n);
    for (let i = 0; i < 8; i++) x0[i] = 1;
    const runs = 600;
    const finals: number[] = [];
    let moved = 0;
    for (let s = 0; s < runs; s++) {
      const curve = runVoter(net, x0, 15, s);
      finals.push(curve[15]);
      if (curve[15] !== 0.4) moved++;
    }
    const mean = finals.reduce((a, b) => a + b, 0) / runs;
    const sd = Math.sqrt(finals.reduce((a, b) => a + (b - mean) ** 2, 0) / (runs - 1));
    expect(moved).toBeGreaterThan(runs / 2);
    expect(Math.abs(mean - 0.4)).toBeLessThan(3 * sd / Math.sqrt(runs));
  });

  it('should copy a uniformly chosen neighbour', () => {
    expect(voterStep(0, [], 0.9)).toBe(0);
    expect(voterStep(0, [1, 0, 0, 0], 0.1)).toBe(1);
    expect(voterStep(1, [1, 0, 0, 0], 0.3)).toBe(0);
    const rng = new Rng(5);
    let ones = 0;
    for (let i = 0; i < 4000; i++) ones += voterStep(0, [1, 0, 0, 0], rng.next());
    expect(Math.abs(ones / 4000 - 0.25)).toBeLessThan(3 * Math.sqrt(0.25 * 0.75 / 4000));
  });
});

describe('emotion chain with decay', () => {
  it('should decay from intense toward calm: P(still intense after t rounds) = (1 − decay)^t', () => {
    const decay = 0.3;
    const rng = new Rng(9);
    const runs = 5000;
    let intense3 = 0;
    let calm10 = 0;
    for (let i = 0; i < runs; i++) {
      let e: EmotionLevel = 2;
      for (let t = 1; t <= 10; t++) {
        e = emotionStep(e, 0, decay, rng.next());
        if (t === 3 && e === 2) intense3++;
      }
      if (e === 0) calm10++;
    }
    const p3 = 0.7 ** 3;
    expect(Math.abs(intense3 / runs - p3)).toBeLessThan(3 * Math.sqrt(p3 * (1 - p3) / runs));
    // Calm is absorbing without stimulus; after 10 rounds most have returned.
    expect(calm10 / runs).toBeGreaterThan(0.7);
  });

  it('should settle at the birth–death stationary shares under a constant stimulus', () => {
    const up = 0.2;
    const decay = 0.3;
    const pi = stationaryShares(up, decay);
    const T = transitionMatrix(up, decay);
    for (let j = 0; j < 3; j++) expect(pi.reduce((s, p, i) => s + p * T[i][j], 0)).toBeCloseTo(pi[j], 12);
    const rng = new Rng(3);
    let e: EmotionLevel = 0;
    const counts = [0, 0, 0];
    const steps = 60000;
    for (let t = 0; t < steps; t++) {
      e = emotionStep(e, up, decay, rng.next());
      counts[e]++;
    }
    for (let j = 0; j < 3; j++) expect(counts[j] / steps).toBeCloseTo(pi[j], 1);
  });

  it('should be aroused in proportion to the mean intensity heard and index intensity over the aware', () => {
    expect(arousalChance({ arousal: 0.5, decay: 0.3 }, [])).toBe(0);
    expect(arousalChance({ arousal: 0.5, decay: 0.3 }, [2, 2])).toBe(0.5);
    expect(arousalChance({ arousal: 0.5, decay: 0.3 }, [0, 1])).toBe(0.125);
    expect(intensityIndex([-1, 0, 2, 1, -1])).toBe(0.5);
  });
});
