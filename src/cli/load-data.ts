/**
 * Node-side loaders for the bundled data files: the engine stays free of fs, so the CLI reads files here and hands
 * the engine validated plain data (the browser fetches the same files and calls the same validators).
 */
import { readFileSync } from 'node:fs';
import { configError, dataError } from '../engine/errors';
import { validateCensus, type CensusData } from '../population';
import { checkS3Fitted, type S3FittedAgents } from '../protocols/s3/fit/fitted-port';
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

/** S3 agents fitted from a run (`npm run fit -- --preset s3 --from RUN_DIR --out FILE`); S3 has no bundled fit. */
export function loadS3Fitted(path?: string): S3FittedAgents {
  if (!path) throw configError('--agents-file', 'is missing', 'S3 has no bundled fit: fit agents from a run with `npm run fit -- --preset s3 --from RUN_DIR --out agents-s3.json`, then pass --agents-file agents-s3.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw dataError(path, 'the file', `cannot be read as JSON (${(err as Error).message})`, 'pass a file written by `npm run fit -- --preset s3 --from RUN_DIR --out FILE`');
  }
  return checkS3Fitted(raw, path);
}
