/**
 * Lazy loaders for the heavier modules a worker needs only sometimes: the LLM agents (and with them the openai SDK)
 * only for LLM runs, the population generator with its census. Dynamic imports keep them out of the first download.
 */
import { SpilloverError } from '../engine/errors';

export interface PopulationModule {
  /** The one function the CLI and the worker assemble a run with (protocol, checked config, personas). */
  assembleRun: typeof import('../protocols/assemble').assembleRun;
  /** Fetched JSON; generatePopulation validates it and names any malformed field. */
  census: import('../population').PopulationOptions['census'];
}

/** The LLM agents and the openai SDK, fetched only when an LLM run starts or is estimated. */
export function loadLlmModule(): Promise<typeof import('../agents/llm/index')> {
  return import('../agents/llm/index');
}

/** The census of a data folder, fetched once: a run's start asks for it early, the personas wait for the same fetch. */
let censusCache: { url: string; census: Promise<unknown> } | null = null;

async function fetchCensus(dataUrl: string): Promise<unknown> {
  const url = new URL('census.json', dataUrl).href;
  const res = await fetch(url).catch((err: Error) => {
    throw new SpilloverError('DataError', `census: could not fetch ${url} (${err.message}); check that the data folder is deployed next to index.html`);
  });
  if (!res.ok) throw new SpilloverError('DataError', `census: ${url} answered HTTP ${res.status}; check that the data folder is deployed next to index.html`);
  return res.json();
}

export async function loadPopulationModule(dataUrl: string): Promise<PopulationModule> {
  const mod = import('../protocols/assemble');
  if (!censusCache || censusCache.url !== dataUrl) {
    const census = fetchCensus(dataUrl);
    censusCache = { url: dataUrl, census };
    // A failed fetch is not kept: the next run fetches again.
    census.catch(() => {
      if (censusCache?.census === census) censusCache = null;
    });
  }
  return { assembleRun: (await mod).assembleRun, census: (await censusCache.census) as PopulationModule['census'] };
}
