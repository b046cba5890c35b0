/**
 * The seeds of a run: each one is an independent replicate, pooled as such by the analysis, so a repeated seed would
 * count one run twice and shrink the standard errors. Seeds must be distinct whole numbers ≥ 0, at most MAX_SEEDS.
 */
import { configError } from './errors';

/** Seeds per run: each seed is a full run of every condition (100 × 2,000 agents is already hours offline). */
export const MAX_SEEDS = 100;

/** Throws a ConfigError naming the first problem; returns the seeds unchanged when they are valid. */
export function validateSeeds(seeds: readonly number[]): readonly number[] {
  if (seeds.length === 0) throw configError('seeds', 'is empty', 'give at least one seed, e.g. 1');
  if (seeds.length > MAX_SEEDS) throw configError('seeds', `has ${seeds.length} entries`, `use at most ${MAX_SEEDS} seeds per run`);
  const seen = new Set<number>();
  for (const s of seeds) {
    if (!Number.isSafeInteger(s) || s < 0) throw configError('seeds', `has ${s}`, 'use whole numbers ≥ 0, e.g. 1, 2, 3');
    if (seen.has(s)) {
      throw configError('seeds', `repeats ${s}`, 'each seed is one independent run and a repeat would be counted twice (halving nothing but the error bars); use distinct seeds, e.g. 1, 2, 3');
    }
    seen.add(s);
  }
  return seeds;
}
