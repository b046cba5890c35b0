/**
 * Lazy loaders for the heavier modules a worker needs only sometimes: the LLM agents (and with them the openai SDK)
 * only for LLM runs, the population generator with its census. Dynamic imports keep them out of the first download.
 */
import { SpilloverError } from '../engine/errors';
import type { SimConfig } from '../engine/config';
import type { FollowNetwork } from '../engine/network';
import type { DecisionPort } from '../engine/ports';
import type { LlmTotals, Persona, Tier } from '../engine/types';

export interface LlmModule {
  createLlmPort(opts: {
    apiKey: string;
    baseUrl: string;
    models: Record<Tier, string>;
    budgetUsd: number;
    concurrency: number;
    cache: { get(key: string): Promise<unknown>; put(key: string, value: unknown): Promise<void>; entries(): Promise<Array<[string, unknown]>> };
    temperature: number;
  }): DecisionPort & { totals(): LlmTotals };
  estimateRun?(opts: { config: SimConfig; seeds: number; models: Record<Tier, string> }): Promise<{ calls: number; promptTokens: number; completionTokens: number; costUsd: number; note: string }>;
}

export interface PopulationModule {
  generatePopulation(opts: { n: number; minorShare: number; census: unknown; network: FollowNetwork; seed: number }): Persona[];
  census: unknown;
}

const llmModules = import.meta.glob('../agents/llm/index.ts');
const populationModules = import.meta.glob('../engine/population.ts');

export async function loadLlmModule(): Promise<LlmModule> {
  const load = llmModules['../agents/llm/index.ts'];
  if (!load) throw new SpilloverError('LlmError', 'LLM agents are not part of this build; use offline agents');
  return (await load()) as LlmModule;
}

let censusCache: { url: string; census: unknown } | null = null;

export async function loadPopulationModule(dataUrl: string): Promise<PopulationModule> {
  const load = populationModules['../engine/population.ts'];
  if (!load) throw new SpilloverError('DataError', 'population generator is not part of this build');
  const mod = (await load()) as Pick<PopulationModule, 'generatePopulation'>;
  if (!censusCache || censusCache.url !== dataUrl) {
    const url = new URL('census.json', dataUrl).href;
    const res = await fetch(url).catch((err: Error) => {
      throw new SpilloverError('DataError', `census: could not fetch ${url} (${err.message}); check that the data folder is deployed next to index.html`);
    });
    if (!res.ok) throw new SpilloverError('DataError', `census: ${url} answered HTTP ${res.status}; check that the data folder is deployed next to index.html`);
    censusCache = { url: dataUrl, census: await res.json() };
  }
  return { generatePopulation: mod.generatePopulation, census: censusCache.census };
}
