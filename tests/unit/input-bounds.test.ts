// Hardening of inputs (issue 14): seeds, command-line bounds, configuration bounds.
import { describe, expect, it } from 'vitest';
import { MAX_SEEDS, validateSeeds } from '../../src/engine/seeds';
import { parseReplicateArgs } from '../../src/cli/replicate';

describe('seeds (finding 4)', () => {
  it('should refuse a repeated seed, naming it, and more than MAX_SEEDS seeds', () => {
    expect(() => validateSeeds([1, 1, 1, 1])).toThrow(/seeds repeats 1; each seed is one independent run/);
    expect(() => validateSeeds([3, 1, 3])).toThrow(/repeats 3/);
    expect(() => validateSeeds(Array.from({ length: MAX_SEEDS + 1 }, (_, i) => i))).toThrow(new RegExp(`at most ${MAX_SEEDS} seeds`));
    expect(() => validateSeeds([])).toThrow(/at least one seed/);
    expect(() => validateSeeds([1.5])).toThrow(/whole numbers/);
    expect(validateSeeds([1, 2, 3])).toEqual([1, 2, 3]);
  });
});

describe('command-line bounds (finding 16)', () => {
  it('should refuse --seeds 1e9 and accept the cap', () => {
    expect(() => parseReplicateArgs(['--seeds', '1e9'])).toThrow(/--seeds is 1e9; use at most 100 seeds/);
    expect(parseReplicateArgs(['--seeds', String(MAX_SEEDS)]).seeds).toBe(MAX_SEEDS);
  });
});
