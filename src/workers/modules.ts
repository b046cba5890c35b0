/**
 * Lazy loaders for the heavier modules a worker needs only sometimes: the LLM agents (and with them the openai SDK)
 * only for LLM runs, the population generator with its census. Dynamic imports keep them out of the first download.
 */
import { SpilloverError } from '../engine/errors';
import type { FollowNetwork } from '../engine/network';
import type { Persona } from '../engine/types';

export interface PopulationModule {
  generatePopulation(opts: { n: number; minorShare: number; census: unknown; network: FollowNetwork; seed: number }): Persona[];
  census: unknown;
}

const populationModules = import.meta.glob('../engine/population.ts');

/** The LLM agents and the openai SDK, fetched only when an LLM run starts or is estimated. */
export function loadLlmModule(): Promise<typeof import('../agents/llm/index')> {
  return import('../agents/llm/index');
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
