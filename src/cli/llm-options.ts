/**
 * LLM settings for the CLI from the environment and the command line: the SDK's usual OPENAI_API_KEY and
 * OPENAI_BASE_URL, plus flags for models per tier, concurrency, budget and the response-cache file. The key is read
 * here and handed to the port only; it is never printed.
 */
import { configError } from '../engine/errors';
import { userPrices, type LlmOptions, type PriceTable } from '../agents/llm/index';
import { BatchStateFile } from './batch-state-file';
import { FileCacheStore } from './llm-cache-file';

type Flags = Record<string, string | boolean | undefined>;

function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function positive(flags: Flags, name: string, fix: string, integer: boolean): number | undefined {
  const raw = str(flags, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw configError(`--${name}`, `is '${raw}'`, fix);
  return n;
}

/** `--budget USD`: a cap ≥ 0 (0 spends nothing: only cached answers); absent means no cap. */
function budget(flags: Flags): number | null {
  const raw = str(flags, 'budget');
  if (raw === undefined) return null;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw configError('--budget', `is '${raw}'`, 'use a spend cap in US dollars ≥ 0, e.g. 5 or 0.5 (0 spends nothing; leave it out for no cap)');
  return n;
}

/** `--prices 'gpt-5=1.25,10;o4-mini=1.1,4.4'`: $/1M input and output tokens for models the price table lacks. */
export function parsePrices(raw: string | undefined): PriceTable | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const entries: Record<string, { input: number; output: number }> = {};
  for (const item of raw.split(';').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([^=]+)=([^,]+),([^,]+)$/.exec(item);
    const input = Number(m?.[2]);
    const output = Number(m?.[3]);
    if (!m || !Number.isFinite(input) || input < 0 || !Number.isFinite(output) || output < 0) {
      throw configError('--prices', `has '${item}'`, "write MODEL=INPUT,OUTPUT in US dollars per 1M tokens, several separated by ';', e.g. 'gpt-5=1.25,10'");
    }
    entries[m[1].trim()] = { input, output };
  }
  return userPrices(entries);
}

/**
 * Flags: --model-full/--model-mini/--model-nano NAME, --concurrency N, --budget USD, --prices M=IN,OUT;…, --cache FILE,
 * --base-url URL (overrides OPENAI_BASE_URL), --timeout MS, --max-attempts N, --structured auto|on|off, --batch (one
 * Batch API job per round; needs --cache, whose answers and `<cache>.batches.json` job ids let an interrupted run
 * resume), --batch-poll MS, --retries N (attempts after a 5xx / timeout / dropped connection before the run
 * stops), --backoff MS (first wait after such a failure, doubling).
 */
export async function llmOptionsFromEnv(flags: Flags, env: Record<string, string | undefined> = process.env): Promise<Omit<LlmOptions, 'prompts'>> {
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (!apiKey) {
    throw configError(
      'OPENAI_API_KEY',
      'is not set',
      'export OPENAI_API_KEY=… before running with --llm (any text works for a local OpenAI-compatible server; set OPENAI_BASE_URL to its /v1 URL)',
    );
  }
  const baseURL = str(flags, 'base-url') ?? (env.OPENAI_BASE_URL?.trim() || undefined);
  if (baseURL !== undefined && !/^https?:\/\//i.test(baseURL)) {
    throw configError(flags['base-url'] ? '--base-url' : 'OPENAI_BASE_URL', `is '${baseURL}'`, 'use an http(s) URL such as http://127.0.0.1:8080/v1');
  }
  const models: NonNullable<LlmOptions['models']> = {};
  for (const tier of ['full', 'mini', 'nano'] as const) {
    const m = str(flags, `model-${tier}`);
    if (m) models[tier] = m;
  }
  const structured = str(flags, 'structured');
  if (structured !== undefined && !['auto', 'on', 'off'].includes(structured)) {
    throw configError('--structured', `is '${structured}'`, "use 'auto' (fall back when refused), 'on' or 'off'");
  }
  const cacheFile = str(flags, 'cache');
  const batch = flags.batch === true;
  if (batch && !cacheFile) {
    throw configError('--batch', 'needs --cache FILE', 'add --cache results/llm-cache.jsonl: it keeps the answers of finished jobs, and FILE.batches.json the ids of open ones, so an interrupted run resumes without paying twice');
  }
  if (!batch && flags['batch-poll'] !== undefined) throw configError('--batch-poll', 'applies only with --batch', 'add --batch, or drop --batch-poll');
  const pollMs = positive(flags, 'batch-poll', 'use milliseconds between polls of a job, e.g. 5000', true);
  return {
    apiKey,
    baseURL,
    models,
    maxConcurrency: positive(flags, 'concurrency', 'use a whole number of concurrent calls ≥ 1 (e.g. 16)', true),
    budgetUsd: budget(flags),
    prices: parsePrices(str(flags, 'prices')),
    timeoutMs: positive(flags, 'timeout', 'use milliseconds per call, e.g. 60000', true),
    maxAttempts: positive(flags, 'max-attempts', 'use a whole number of answers per decision ≥ 1 (e.g. 3)', true),
    structuredOutputs: (structured as LlmOptions['structuredOutputs']) ?? 'auto',
    maxTransportRetries: positive(flags, 'retries', 'use a whole number of retries ≥ 1 after a failed call (e.g. 8)', true),
    baseBackoffMs: positive(flags, 'backoff', 'use milliseconds to wait after the first failed call, e.g. 500', true),
    cache: cacheFile ? FileCacheStore.open(cacheFile) : undefined,
    batch: batch ? { state: new BatchStateFile(`${cacheFile}.batches.json`), pollMs } : undefined,
  };
}
