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

describe('upload size caps (finding 9)', () => {
  it('should refuse a file over its cap with its size, the cap and the fix, and let smaller files through', async () => {
    const { uploadTooLarge, UPLOAD_LIMITS } = await import('../../src/ui/upload-limits');
    expect(uploadTooLarge('edges', 'ego.edges', 31 * 2 ** 20)).toBeNull();
    expect(uploadTooLarge('edges', 'huge.edges', UPLOAD_LIMITS.edges.bytes + 1)).toBe('huge.edges is 100 MB, more than the 100 MB this page reads; use a sample of the graph (one ego network, or --network with the CLI)');
    expect(uploadTooLarge('bundle', 'b.json', 2 ** 31)).toMatch(/b.json is 2048 MB, more than the 500 MB/);
    expect(uploadTooLarge('published', 'p.zip', 2 ** 30)).toMatch(/npm run analyze/);
  });
});
