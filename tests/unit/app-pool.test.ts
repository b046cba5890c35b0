// Which seeds of an app run go to the Web Worker pool, and on how many workers.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appPoolSize } from '../../src/workers/app-pool';
import { POOL_MIN_AGENTS } from '../../src/workers/condition-split';
import { tinyConfig } from '../fixtures/tiny-world';

describe('the app run on the pool', () => {
  afterEach(() => vi.unstubAllGlobals());
  const fresh = { offline: true, fresh: true, importing: false };

  it('should give a fresh offline seed one worker per core, at most one per condition, from POOL_MIN_AGENTS agents on', () => {
    vi.stubGlobal('Worker', class {});
    vi.stubGlobal('navigator', { hardwareConcurrency: 4 });
    const big = tinyConfig(POOL_MIN_AGENTS);
    expect(big.conditions.length).toBe(5);
    expect(appPoolSize(big, fresh)).toBe(4);
    vi.stubGlobal('navigator', { hardwareConcurrency: 8 });
    expect(appPoolSize(big, fresh)).toBe(5);
    expect(appPoolSize(tinyConfig(POOL_MIN_AGENTS - 1), fresh)).toBe(0);
  });

  it('should follow ?workers=N at any size, and keep LLM runs, resumed seeds and imports in the simulation worker', () => {
    vi.stubGlobal('Worker', class {});
    vi.stubGlobal('navigator', { hardwareConcurrency: 2 });
    const small = tinyConfig(2000);
    expect(appPoolSize(small, { ...fresh, workers: 3 })).toBe(3);
    expect(appPoolSize(small, { ...fresh, workers: 1 })).toBe(0);
    expect(appPoolSize(small, { ...fresh, workers: 3, offline: false })).toBe(0);
    expect(appPoolSize(small, { ...fresh, workers: 3, fresh: false })).toBe(0);
    expect(appPoolSize(small, { ...fresh, workers: 3, importing: true })).toBe(0);
  });
});
