/**
 * The Twitter-like network generator: the same seed gives the same graph, every size is one weakly connected component
 * with the requested mean degree and follow-back, and impossible parameters are refused naming the field.
 */
import { describe, expect, it } from 'vitest';
import { generateTwitterNetwork, resolveGeneratorParams } from '../../src/engine/network-generator';
import { networkStats, weakComponents } from '../../src/engine/network-stats';
import { following } from '../../src/engine/network';

describe('Twitter-like network generator', () => {
  it('should produce an identical graph for the same seed', () => {
    const a = generateTwitterNetwork({ n: 500, seed: 42 });
    const b = generateTwitterNetwork({ n: 500, seed: 42 });
    expect(Array.from(b.outOffsets)).toEqual(Array.from(a.outOffsets));
    expect(Array.from(b.outTargets)).toEqual(Array.from(a.outTargets));
  });

  it('should produce a different graph for a different seed', () => {
    const a = generateTwitterNetwork({ n: 500, seed: 42 });
    const b = generateTwitterNetwork({ n: 500, seed: 43 });
    expect(Array.from(b.outTargets)).not.toEqual(Array.from(a.outTargets));
  });

  it('should make one weakly connected component without self-loops at every size', () => {
    for (const n of [2, 3, 10, 57, 1000]) {
      const net = generateTwitterNetwork({ n, seed: 1 });
      expect(net.n).toBe(n);
      expect(weakComponents(net).count).toBe(1);
      for (let a = 0; a < n; a++) expect(Array.from(following(net, a))).not.toContain(a);
    }
  });

  it('should follow the requested mean degree and follow-back probability', () => {
    const sparse = networkStats(generateTwitterNetwork({ n: 2000, seed: 5, params: { meanDegree: 8, followBack: 0 } }));
    const dense = networkStats(generateTwitterNetwork({ n: 2000, seed: 5, params: { meanDegree: 40, followBack: 0.5 } }));
    expect(sparse.inDegree.mean).toBeGreaterThan(6);
    expect(sparse.inDegree.mean).toBeLessThan(10);
    expect(dense.inDegree.mean).toBeGreaterThan(34);
    expect(dense.reciprocity).toBeGreaterThan(sparse.reciprocity + 0.2);
  });

  it('should refuse impossible sizes and parameters with a message naming the field', () => {
    expect(() => generateTwitterNetwork({ n: 1, seed: 1 })).toThrowError(/network\.n is 1/);
    expect(() => generateTwitterNetwork({ n: 100, seed: 1, params: { beta: 1 } })).toThrowError(/network\.beta/);
    expect(() => generateTwitterNetwork({ n: 100, seed: 1, params: { followBack: 2 } })).toThrowError(/network\.followBack/);
  });

  it('should densify with size like the ego-Twitter samples', () => {
    expect(resolveGeneratorParams(2000).meanDegree).toBeCloseTo(24.6, 1);
    expect(resolveGeneratorParams(20000).meanDegree).toBeCloseTo(30.3, 1);
  });
});

describe('bundled network', () => {
  it('should be exactly what the generator makes for 2,000 accounts and seed 20101102 (regenerate it with make-network after any change)', async () => {
    const { readEdgeListFile } = await import('../../src/cli/read-network');
    const { network, stats } = readEdgeListFile('public/data/network-2000.edges');
    expect(stats.comments).toBeGreaterThan(0);
    const fresh = generateTwitterNetwork({ n: 2000, seed: 20101102 });
    expect(network.n).toBe(2000);
    expect(network.labels).toBeUndefined();
    expect(Array.from(network.outOffsets)).toEqual(Array.from(fresh.outOffsets));
    expect(Array.from(network.outTargets)).toEqual(Array.from(fresh.outTargets));
  });
});
