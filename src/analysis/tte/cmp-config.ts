/**
 * Configurations of causal message passing with counterfactual evolution (CFE): the model's features (lags, moment
 * orders, interaction terms), its batches and ridge penalty, the optional detrending model, and the grid that
 * cross-validation searches, enumerated in the CausalMP package's order so ties are broken the same way.
 */
import { configError } from '../../engine/errors';

/** One CFE model. Moment order m uses the first m of mean, variance, skewness, kurtosis. */
export interface CmpConfig {
  nLagsY: number;
  nLagsW: number;
  orderPY: number;
  orderUY: number;
  orderPW: number;
  orderUW: number;
  /** Population-level ν × p interaction up to this moment order; null for none. */
  interactionP: number | null;
  /** Batch-level ν^S × p^S interaction up to this moment order; null for none. */
  interactionU: number | null;
  nBatch: number;
  batchSize: number;
  ridgeAlpha: number;
}

/** The semi-recursive detrending model (fitted to "none treated"; its path is removed before the main fit). */
export interface DetrendConfig {
  nLagsY: number;
  interactionP: number | null;
  interactionU: number | null;
  nBatch: number;
  batchSize: number;
  ridgeAlpha: number;
}

/** Value lists to search; batch sizes are shares of N (floored, as the package's notebook does). */
export interface CmpGrid {
  nLagsY: number[];
  nLagsW: number[];
  orderPY: number[];
  orderUY: number[];
  orderPW: number[];
  orderUW: number[];
  interactionP: Array<number | null>;
  interactionU: Array<number | null>;
  nBatch: number[];
  batchShare: number[];
  ridgeAlpha: number[];
}

export interface DetrendGrid {
  nLagsY: number[];
  interactionP: Array<number | null>;
  interactionU: Array<number | null>;
  nBatch: number[];
  batchShare: number[];
  ridgeAlpha: number[];
}

export interface CmpOptions {
  grid: CmpGrid;
  /** Detrending off and/or on, as searched. */
  detrending: boolean[];
  detrendGrid: DetrendGrid;
  /** Validation time blocks [start, end); null → the design's stages with the first merged into the pre-period. */
  timeBlocks: Array<[number, number]> | null;
  /** Validation batches: the units sorted by exposure, cut into this many contiguous groups. */
  validationBatches: number;
  /** Seed of the random batches (one stream per batch count and size). */
  seed: number;
}

/** The grid of the package's example notebook (belief adoption, Krupina). */
export const NOTEBOOK_GRID: CmpGrid = {
  nLagsY: [1],
  nLagsW: [1],
  orderPY: [1],
  orderUY: [1],
  orderPW: [1],
  orderUW: [1],
  interactionP: [null],
  interactionU: [null, 1],
  nBatch: [100, 500, 1000],
  batchShare: [0.05, 0.1, 0.2, 0.3, 0.5],
  ridgeAlpha: [1e-4, 1e-2, 1, 100],
};

export const NOTEBOOK_DETREND: DetrendGrid = {
  nLagsY: [1],
  interactionP: [null],
  interactionU: [1],
  nBatch: [1],
  batchShare: [1],
  ridgeAlpha: [1e-4],
};

export function defaultCmpOptions(seed = 0): CmpOptions {
  return { grid: NOTEBOOK_GRID, detrending: [true], detrendGrid: NOTEBOOK_DETREND, timeBlocks: null, validationBatches: 2, seed };
}

export function batchSizeOf(share: number, n: number): number {
  return Math.max(1, Math.min(n, Math.floor(share * n)));
}

/** A group of configurations sharing one detrending model (null: no detrending). */
export interface ConfigGroup {
  detrend: DetrendConfig | null;
  configs: CmpConfig[];
}

function product<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((head) => list.map((x) => [...head, x])), [[]]);
}

function checkOrders(cfg: CmpConfig): void {
  if (cfg.interactionP !== null && cfg.interactionP > 0 && cfg.orderPW < 1) {
    throw configError('cmp.grid.interactionP', 'needs a population treatment moment', 'set orderPW ≥ 1 or interactionP to null');
  }
  if (cfg.interactionU !== null && cfg.interactionU > 0 && cfg.orderUW < 1) {
    throw configError('cmp.grid.interactionU', 'needs a batch treatment moment', 'set orderUW ≥ 1 or interactionU to null');
  }
}

/** Every configuration of the grid for a panel of n units, grouped by detrending model in the package's order. */
export function enumerateConfigs(opts: CmpOptions, n: number): ConfigGroup[] {
  const g = opts.grid;
  for (const [field, list] of Object.entries(g)) {
    if (!Array.isArray(list) || list.length === 0) throw configError(`cmp.grid.${field}`, 'is empty', 'give at least one value');
  }
  for (const o of [...g.orderPY, ...g.orderUY, ...g.orderPW, ...g.orderUW]) {
    if (!Number.isInteger(o) || o < 0 || o > 4) throw configError('cmp.grid.order', `holds ${o}`, 'moment orders must be whole numbers 0–4');
  }
  if (g.ridgeAlpha.some((a) => !(a > 0))) throw configError('cmp.grid.ridgeAlpha', 'holds a penalty ≤ 0', 'use penalties above 0 (e.g. 1e-4)');
  const groups = new Map<string, ConfigGroup>();
  const detrendConfigs = product<number | null>([opts.detrendGrid.nLagsY, opts.detrendGrid.interactionP, opts.detrendGrid.interactionU, opts.detrendGrid.nBatch, opts.detrendGrid.batchShare, opts.detrendGrid.ridgeAlpha])
    .map(([nLagsY, interactionP, interactionU, nBatch, share, ridgeAlpha]) => ({
      nLagsY: nLagsY as number, interactionP, interactionU, nBatch: nBatch as number, batchSize: batchSizeOf(share as number, n), ridgeAlpha: ridgeAlpha as number,
    }));
  for (const pY of g.orderPY) for (const uY of g.orderUY) for (const pW of g.orderPW) for (const uW of g.orderUW) {
    const ip = g.interactionP.filter((x) => x === null || x <= pY);
    const iu = g.interactionU.filter((x) => x === null || x <= uY);
    const main = product<number | null>([g.nLagsY, g.nLagsW, ip, iu, g.nBatch, g.batchShare, g.ridgeAlpha]).map(
      ([nLagsY, nLagsW, interactionP, interactionU, nBatch, share, ridgeAlpha]): CmpConfig => ({
        nLagsY: nLagsY as number, nLagsW: nLagsW as number, orderPY: pY, orderUY: uY, orderPW: pW, orderUW: uW, interactionP, interactionU,
        nBatch: nBatch as number, batchSize: batchSizeOf(share as number, n), ridgeAlpha: ridgeAlpha as number,
      }));
    main.forEach(checkOrders);
    for (const on of opts.detrending) {
      for (const d of on ? detrendConfigs : [null]) {
        const key = d ? JSON.stringify(d) : 'none';
        if (!groups.has(key)) groups.set(key, { detrend: d, configs: [] });
        groups.get(key)!.configs.push(...main);
      }
    }
  }
  return [...groups.values()];
}

/**
 * Validation blocks from a stage design: [0, s2), [s2, s3), …, [s_last, T) — the first stage joins the pre-period,
 * and a stage start that would leave a block or the rest of the panel shorter than `minLen` steps is dropped (e.g. a
 * one-round last period).
 */
export function blocksFromStages(stages: readonly number[], t: number, minLen = 2): Array<[number, number]> {
  const cuts = [0];
  for (const s of stages.slice(1)) if (s - cuts[cuts.length - 1] >= minLen && t - s >= minLen) cuts.push(s);
  cuts.push(t);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < cuts.length; i++) out.push([cuts[i], cuts[i + 1]]);
  return out;
}

/** Short text of a configuration for tables and JSON. */
export function describeConfig(cfg: CmpConfig, detrend: DetrendConfig | null): string {
  const inter = [cfg.interactionP ? `ν×p≤${cfg.interactionP}` : '', cfg.interactionU ? `ν^S×p^S≤${cfg.interactionU}` : ''].filter(Boolean).join(', ') || 'no interaction';
  return `lags Y ${cfg.nLagsY}/W ${cfg.nLagsW}, moments ${cfg.orderPY}/${cfg.orderUY}/${cfg.orderPW}/${cfg.orderUW}, ${inter}, ${cfg.nBatch} batches of ${cfg.batchSize}, ridge ${cfg.ridgeAlpha}${detrend ? ', detrended' : ''}`;
}
