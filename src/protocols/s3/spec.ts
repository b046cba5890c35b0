/**
 * What the app asks for when it runs S3: the configuration, the network size, the seeds and who decides, as plain
 * data that is stored with the run (never an API key) and that a bundle carries so a replay rebuilds the same world.
 */
import { configError } from '../../engine/errors';
import { validateS3Config, type S3Config } from './config';
import { checkS3Fitted, type S3FittedAgents } from './fit/fitted-port';

export interface S3RunSpec {
  name: string;
  /** Users on a generated Twitter-like network (seeded by the first seed). */
  users: number;
  seeds: number[];
  config: S3Config;
  agents: 'offline' | 'llm';
  /** Offline agents fitted to a run ("Fit agents from this run"), labelled with it; absent: the classical models. */
  fitted?: { label: string; agents: S3FittedAgents };
  /** LLM settings kept with the run so it can resume; the key is deliberately not a field. */
  llm?: { baseUrl: string; model: string; budgetUsd: number | null; concurrency: number };
}

export const S3_MAX_USERS = 50_000;

export function validateS3Spec(spec: S3RunSpec): void {
  if (!Number.isInteger(spec.users) || spec.users < 10 || spec.users > S3_MAX_USERS) {
    throw configError('users', `is ${spec.users}`, `use a whole number of users between 10 and ${S3_MAX_USERS.toLocaleString('en-US')}`);
  }
  if (!Array.isArray(spec.seeds) || spec.seeds.length === 0 || spec.seeds.length > 20 || spec.seeds.some((s) => !Number.isInteger(s) || s < 0)) {
    throw configError('seeds', `is '${String(spec.seeds)}'`, 'give 1 to 20 whole numbers ≥ 0, e.g. 1,2,3');
  }
  if (new Set(spec.seeds).size !== spec.seeds.length) throw configError('seeds', 'repeats a seed', 'give each seed once');
  if (spec.agents === 'llm') {
    if (!spec.llm || !/^https?:\/\//.test(spec.llm.baseUrl)) throw configError('llm.baseUrl', `is '${spec.llm?.baseUrl ?? ''}'`, 'use an http(s) URL such as https://api.openai.com/v1');
    if (!spec.llm.model.trim()) throw configError('llm.model', 'is empty', 'name a chat model, e.g. gpt-4.1-nano');
  }
  if (spec.fitted) {
    if (spec.agents !== 'offline') throw configError('fitted', 'applies only to offline agents', 'choose offline agents, or drop the fitted agents');
    checkS3Fitted(spec.fitted.agents, spec.fitted.label);
  }
  validateS3Config(spec.config);
}
