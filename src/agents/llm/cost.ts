/**
 * What the LLM agents cost: tokens from each response's usage priced by an editable per-model table, running totals per
 * run and per arm, a budget cap the engine polls at round boundaries, and an estimate before the run from the
 * configuration and a measured representative prompt.
 */
import type { SimConfig } from '../../engine/config';
import type { AgentProfile } from '../../engine/protocol';
import type { CallMeta, LlmTotals, Tier } from '../../engine/types';
import { addMeta, emptyLlmTotals } from '../../engine/types';

/** USD per 1M tokens. */
export interface ModelPrice {
  input: number;
  cachedInput: number;
  output: number;
}

export type PriceTable = Record<string, ModelPrice>;

/**
 * OpenAI list prices (USD per 1M tokens) as published on openai.com/api/pricing at the gpt-4.1 launch, April 2025.
 * Prices change: edit this table (or pass `prices` to createLlmPort) rather than trusting it.
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4.1': { input: 2.0, cachedInput: 0.5, output: 8.0 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
};

/** The Batch API bills every token at half the synchronous price (openai.com/api/pricing, "Batch API"). */
export const BATCH_DISCOUNT = 0.5;

/** A price table at Batch API rates: each price times BATCH_DISCOUNT. */
export function batchPrices(prices: PriceTable): PriceTable {
  return Object.fromEntries(
    Object.entries(prices).map(([model, p]) => [model, { input: p.input * BATCH_DISCOUNT, cachedInput: p.cachedInput * BATCH_DISCOUNT, output: p.output * BATCH_DISCOUNT }]),
  );
}

export interface Usage {
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

/**
 * Cost of one call. Cached prompt tokens are part of prompt_tokens, billed at the cached rate. A model missing from
 * the table costs 0 (a local server is free); `priceOf` lets callers tell "free" from "unknown".
 */
export function costOf(model: string, usage: Usage, prices: PriceTable): number {
  const p = priceOf(model, prices);
  if (!p) return 0;
  const uncached = Math.max(0, usage.promptTokens - usage.cachedPromptTokens);
  return (uncached * p.input + usage.cachedPromptTokens * p.cachedInput + usage.completionTokens * p.output) / 1e6;
}

/** Exact name first, then the longest table entry the model name starts with ("gpt-4.1-mini-2025-04-14" → gpt-4.1-mini). */
export function priceOf(model: string, prices: PriceTable): ModelPrice | undefined {
  if (prices[model]) return prices[model];
  let best: string | undefined;
  for (const name of Object.keys(prices)) if (model.startsWith(name) && (!best || name.length > best.length)) best = name;
  return best ? prices[best] : undefined;
}

/** The models of a run with no price in the table (exact or prefix match): their spend cannot be metered. */
export function unpricedModels(models: Record<Tier, string>, prices: PriceTable): string[] {
  return [...new Set(Object.values(models))].filter((m) => !priceOf(m, prices));
}

/**
 * Prices entered by a user as "$/1M tokens" (input, output; cached input defaults to input, the conservative side),
 * checked: each must be a finite number ≥ 0.
 */
export function userPrices(entries: Record<string, { input: number; output: number; cachedInput?: number }>): PriceTable {
  const out: PriceTable = {};
  for (const [model, p] of Object.entries(entries)) {
    const input = Number(p.input);
    const output = Number(p.output);
    const cachedInput = p.cachedInput === undefined ? input : Number(p.cachedInput);
    if (![input, output, cachedInput].every((x) => Number.isFinite(x) && x >= 0)) continue;
    out[model] = { input, cachedInput, output };
  }
  return out;
}

/** Running totals per run and per arm, and the budget cap. */
export class CostMeter {
  private run: LlmTotals = emptyLlmTotals();
  private arms: Record<string, LlmTotals> = {};

  constructor(public budgetUsd: number | null = null) {}

  add(arm: string, meta: CallMeta | undefined, invalid: boolean): void {
    const arms = (this.arms[arm] ??= emptyLlmTotals());
    for (const t of [this.run, arms]) {
      addMeta(t, meta);
      if (invalid) t.invalid += 1;
    }
  }

  totals(): LlmTotals {
    return { ...this.run };
  }

  perArm(): Record<string, LlmTotals> {
    return Object.fromEntries(Object.entries(this.arms).map(([k, v]) => [k, { ...v }]));
  }

  /** True once the spend reaches the cap: the engine pauses at the next round boundary; raise the cap to resume. */
  budgetReached(): boolean {
    return this.budgetUsd !== null && this.run.costUsd >= this.budgetUsd;
  }

  /** Restores totals from a resumed run so the cap counts what was already spent. */
  restore(run: LlmTotals, arms: Record<string, LlmTotals>): void {
    this.run = { ...run };
    this.arms = Object.fromEntries(Object.entries(arms).map(([k, v]) => [k, { ...v }]));
  }
}

export interface EstimateInput {
  config: SimConfig;
  models: Record<Tier, string>;
  prices: PriceTable;
  /** Personas of the run; without them the tiers are mixed by `tierShares`. */
  agents?: readonly AgentProfile[];
  /** Share of agents per tier when personas are not yet drawn. @default the protocol's base weights */
  tierShares?: Record<Tier, number>;
  /** Measured prompt tokens of a representative activation and vote call (see samples.ts). */
  activationPromptTokens: number;
  votePromptTokens: number;
  /** @default 40 (a short JSON answer) */
  activationCompletionTokens?: number;
  /** @default 6 */
  voteCompletionTokens?: number;
  /** Share of activations per agent per round. @default 0.21 (protocols §C) */
  activityRate?: number;
  /** False when the protocol asks no end-of-run question (no such calls). @default true */
  hasFinal?: boolean;
  /** Share of each prompt expected to hit the provider's prompt cache (the shared system prefix). @default 0 */
  cachedShare?: number;
}

export interface Estimate {
  activations: number;
  voteCalls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  perTier: Record<Tier, { model: string; calls: number; costUsd: number; priced: boolean }>;
}

/** Base tier weights of protocol A (before the education/occupation/age multipliers, which the personas carry). */
export const BASE_TIER_SHARES: Record<Tier, number> = { full: 0.004, mini: 0.016, nano: 0.98 };

/**
 * Expected calls and cost of a run: agents × ≈0.21 activations per agent per round × (warm-up rounds once + main
 * rounds × conditions), each at the measured prompt size plus a short completion, plus one election-day call per adult
 * per condition; split over tiers by the personas (or the expected shares).
 */
export function estimateCost(input: EstimateInput): Estimate {
  const { config } = input;
  const rate = input.activityRate ?? 0.21;
  const warmup = 1 - config.firstRound; // rounds firstRound…0
  const main = config.lastRound;
  const conditions = config.conditions.length;
  const shares: Record<Tier, number> = { full: 0, mini: 0, nano: 0 };
  let adultShare = 1 - config.minorShare;
  if (input.agents && input.agents.length) {
    for (const p of input.agents) shares[p.tier] += 1 / input.agents.length;
    adultShare = input.agents.filter((p) => p.adult).length / input.agents.length;
  } else {
    const s = input.tierShares ?? BASE_TIER_SHARES;
    const total = s.full + s.mini + s.nano;
    for (const t of ['full', 'mini', 'nano'] as Tier[]) shares[t] = s[t] / total;
  }
  const agents = config.agents;
  const activations = agents * rate * (warmup + main * conditions);
  const voteCalls = input.hasFinal === false ? 0 : agents * adultShare * conditions;
  const actOut = input.activationCompletionTokens ?? 40;
  const voteOut = input.voteCompletionTokens ?? 6;
  const cachedShare = input.cachedShare ?? 0;
  const perTier = {} as Estimate['perTier'];
  let costUsd = 0;
  for (const tier of ['full', 'mini', 'nano'] as Tier[]) {
    const model = input.models[tier];
    const a = activations * shares[tier];
    const v = voteCalls * shares[tier];
    const prompt = a * input.activationPromptTokens + v * input.votePromptTokens;
    const usage: Usage = { promptTokens: prompt, cachedPromptTokens: prompt * cachedShare, completionTokens: a * actOut + v * voteOut };
    const c = costOf(model, usage, input.prices);
    perTier[tier] = { model, calls: a + v, costUsd: c, priced: priceOf(model, input.prices) !== undefined };
    costUsd += c;
  }
  return {
    activations,
    voteCalls,
    promptTokens: activations * input.activationPromptTokens + voteCalls * input.votePromptTokens,
    completionTokens: activations * actOut + voteCalls * voteOut,
    costUsd,
    perTier,
  };
}
