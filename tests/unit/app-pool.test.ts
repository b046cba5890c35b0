// Which seeds of an app run go to the Web Worker pool, and on how many workers.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appPoolSize } from '../../src/workers/app-pool';
import { POOL_MIN_AGENTS } from '../../src/workers/condition-split';
import { tinyConfig } from '../fixtures/tiny-world';

describe('the app run on the pool', () => {
  afterEach(() => vi.unstubAllGlobals());
  const offline = { offline: true, importing: false };

  it('should give an offline seed (fresh or resumed) one worker per core, at most one per condition, from POOL_MIN_AGENTS agents on', () => {
    vi.stubGlobal('Worker', class {});
    vi.stubGlobal('navigator', { hardwareConcurrency: 4 });
    const big = tinyConfig(POOL_MIN_AGENTS);
    expect(big.conditions.length).toBe(5);
    expect(appPoolSize(big, offline)).toBe(4);
    vi.stubGlobal('navigator', { hardwareConcurrency: 8 });
    expect(appPoolSize(big, offline)).toBe(5);
    expect(appPoolSize(tinyConfig(POOL_MIN_AGENTS - 1), offline)).toBe(0);
  });

  it('should follow ?workers=N at any size, and keep LLM runs and imports in the simulation worker', () => {
    vi.stubGlobal('Worker', class {});
    vi.stubGlobal('navigator', { hardwareConcurrency: 2 });
    const small = tinyConfig(2000);
    expect(appPoolSize(small, { ...offline, workers: 3 })).toBe(3);
    expect(appPoolSize(small, { ...offline, workers: 1 })).toBe(0);
    expect(appPoolSize(small, { ...offline, workers: 3, offline: false })).toBe(0);
    expect(appPoolSize(small, { ...offline, workers: 3, importing: true })).toBe(0);
  });
});
