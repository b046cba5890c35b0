/**
 * Node-side loaders for the bundled data files: the engine stays free of fs, so the CLI reads files here and hands
 * the engine validated plain data (the browser fetches the same files and calls the same validators).
 */
import { readFileSync } from 'node:fs';
import { dataError } from '../engine/errors';
import { validateCensus, type CensusData } from '../population';
import { checkFitted } from '../protocols/sociopol/fitted/fitted-port';
import type { FittedAgents } from '../protocols/sociopol/fitted/model';

/** Read and validate a census file; a missing, unparsable or malformed file throws a DataError naming the fix. */
export function loadCensus(path = 'public/data/census.json'): CensusData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw dataError(path, 'the file', `cannot be read (${(err as Error).message})`, 'check the path, or omit it to use public/data/census.json');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw dataError(path, 'the file', `is not valid JSON (${(err as Error).message})`, 'fix the JSON syntax');
  }
  return validateCensus(raw, path);
}

/** The bundled fitted agents (made by `npm run fit:bundled`), or a file written by `npm run fit -- --out`. */
export function loadFittedAgents(path = 'public/data/fitted-sociopol.json'): FittedAgents {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw dataError(path, 'the file', `cannot be read as JSON (${(err as Error).message})`, 'pass a file written by `npm run fit -- --out FILE`, or omit --agents-file for the bundled fit');
  }
  return checkFitted(raw, path);
}
