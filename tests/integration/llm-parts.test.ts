// The LLM agents' pure parts (validator, JSON extraction, header parsing, key scrubbing, CLI options, cache file).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import { extractJson } from '../../src/agents/llm/answers';
import { validateActivation, activationSchema } from '../../src/protocols/sociopol/schema';
import { parseDurationMs, retryAfterMs } from '../../src/agents/llm/throughput';
import { scrubKey } from '../../src/agents/llm/client';
import { cacheKey } from '../../src/agents/llm/cache';
import { activationMessages } from '../../src/protocols/sociopol/prompts';
import { llmOptionsFromEnv } from '../../src/cli/llm-options';
import { FileCacheStore } from '../../src/cli/llm-cache-file';
import { contractPersonas, contractRequests } from '../unit/decision-port-contract';

const config = makeConfig({ agents: 12 });
const personas = contractPersonas();
const req = contractRequests(personas)[4]; // agent 4: adult, four posts

describe('answer validation', () => {
  it('should map post numbers to post ids and a reply to the stronger engagement', () => {
    const v = validateActivation(
      { posts: [{ p: 1, like: true, reply: '', author: 'keep' }, { p: 2, like: true, reply: 'Fair point.', author: 'follow' }], vote: 3, delay: 2 },
      req,
      personas[4],
      config,
    );
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.value.actions[0]).toEqual({ postId: req.feed[0].postId, engagement: 'like', follow: 'none' });
    expect(v.value.actions[1].engagement).toBe('reply');
    expect(v.value.actions[1].replyText).toBe('Fair point.');
    expect(v.value.likelihood).toBe(3);
    expect(v.value.nextDelay).toBe(2);
  });

  it('should refuse post numbers outside the feed, out-of-range likelihoods and delays, and long replies', () => {
    const bad = [
      { posts: [{ p: 9, like: true, reply: '', author: 'keep' }], vote: 3, delay: 2 },
      { posts: [], vote: 5, delay: 2 },
      { posts: [], vote: 3, delay: 0 },
      { posts: [{ p: 1, like: false, reply: 'x'.repeat(141), author: 'keep' }], vote: 3, delay: 2 },
      { posts: [{ p: 1, like: 'yes', reply: '', author: 'keep' }], vote: 3, delay: 2 },
    ];
    for (const raw of bad) expect(validateActivation(raw, req, personas[4], config).ok).toBe(false);
  });

  it('should find the JSON in fenced or prose-wrapped answers', () => {
    expect(extractJson('```json\n{"a":1}\n```')).toEqual({ ok: true, value: { a: 1 } });
    expect(extractJson('Sure! {"a":2} hope that helps')).toEqual({ ok: true, value: { a: 2 } });
    expect(extractJson('no json here').ok).toBe(false);
  });

  it('should keep minors out of the vote field and offer the topic enum only to invited agents', () => {
    expect(Object.keys((activationSchema(false, false, []).schema as { properties: object }).properties)).toEqual(['posts', 'delay']);
    const invited = activationSchema(true, true, ['economy', 'health']).schema as { properties: Record<string, { enum?: string[] }> };
    expect(invited.properties.topic.enum).toEqual(['economy', 'health']);
  });
});

describe('prompts and cache keys', () => {
  it('should share the system message across agents and put the persona before the variable part', async () => {
    const reqs = contractRequests(personas);
    const a = activationMessages(reqs[1], personas[1], config);
    const b = activationMessages(reqs[2], personas[2], config);
    expect(a[0]).toEqual(b[0]);
    expect(a[1].content.startsWith('You are @1:')).toBe(true);
    const k1 = await cacheKey({ endpoint: 'https://api.openai.com/v1', model: 'm', messages: a, schema: { x: 1 }, temperature: 0.5, seed: 1 });
    const k2 = await cacheKey({ endpoint: 'https://api.openai.com/v1', model: 'm', messages: a, schema: { x: 1 }, temperature: 0.5, seed: 2 });
    expect(k1).toMatch(/^[0-9a-f]{64}$/);
    expect(k1).not.toBe(k2);
  });
});

describe('rate-limit headers and key scrubbing', () => {
  it('should read OpenAI reset durations and retry-after in its three forms', () => {
    expect(parseDurationMs('6m0s')).toBe(360_000);
    expect(parseDurationMs('20ms')).toBe(20);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '3' }), 0)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), 0)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000)).toBe(6000);
  });

  it('should scrub the key and long fragments of it from messages', () => {
    const key = 'fake.proj-abcdEFGH12345678ijkl';
    expect(scrubKey(`bad key ${key} given`, key)).toBe('bad key [key] given');
    expect(scrubKey('Incorrect API key provided: fake.proj-abcdEFGH1234****', key)).not.toContain('abcdEFGH1234');
  });
});

describe('CLI options and cache file', () => {
  it('should name OPENAI_API_KEY when the key is missing', async () => {
    await expect(llmOptionsFromEnv({}, {})).rejects.toThrow(/OPENAI_API_KEY/);
  });

  it('should read the key, base URL, models, concurrency and budget', async () => {
    const o = await llmOptionsFromEnv({ 'model-nano': 'llama3', concurrency: '8', budget: '2.5' }, { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(o).toMatchObject({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', models: { nano: 'llama3' }, maxConcurrency: 8, budgetUsd: 2.5 });
    await expect(llmOptionsFromEnv({ concurrency: 'many' }, { OPENAI_API_KEY: 'k' })).rejects.toThrow(/--concurrency/);
  });

  it('should append answers to the cache file and read them back, dropping a partial last line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'llm-cache-')), 'cache.jsonl');
    const a = FileCacheStore.open(file);
    await a.put('k1', { text: '{"voted":1}', model: 'm', usage: { promptTokens: 10, cachedPromptTokens: 0, completionTokens: 3 } });
    writeFileSync(file, readFileSync(file, 'utf8') + '["k2", {"text": "cut');
    const b = FileCacheStore.open(file);
    expect(await b.get('k1')).toEqual({ text: '{"voted":1}', model: 'm', usage: { promptTokens: 10, cachedPromptTokens: 0, completionTokens: 3 } });
    expect(await b.get('k2')).toBeUndefined();
    await b.put('k3', { text: '{"voted":0}', model: 'm', usage: { promptTokens: 1, cachedPromptTokens: 0, completionTokens: 1 } });
    const c = FileCacheStore.open(file);
    expect((await c.get('k3'))?.text).toBe('{"voted":0}');
  });
});

describe('--cache FILE is checked before any write (issue 14 finding 6)', () => {
  it('should refuse a file that is not a cache and leave it byte for byte unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-cache-not-'));
    const files = {
      'summary.json': JSON.stringify({ seeds: 1, effects: [{ contrast: 'x', estimate: 0.1 }] }, null, 2),
      'one-line.json': JSON.stringify({ seeds: 1 }),
      'voting.csv': ',-15,-14\n0,1,2\n1,3,',
      'notes.txt': 'x',
    };
    for (const [name, text] of Object.entries(files)) {
      const file = join(dir, name);
      writeFileSync(file, text);
      await expect(llmOptionsFromEnv({ cache: file }, { OPENAI_API_KEY: 'k' })).rejects.toThrow(/left unchanged; pass --cache a new file name/);
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });
});

describe('CLI budget and prices (issue 14 finding 3)', () => {
  it('should take --budget 0 as a cap that spends nothing, no --budget as no cap, and --prices for unpriced models', async () => {
    expect((await llmOptionsFromEnv({ budget: '0' }, { OPENAI_API_KEY: 'k' })).budgetUsd).toBe(0);
    expect((await llmOptionsFromEnv({}, { OPENAI_API_KEY: 'k' })).budgetUsd).toBeNull();
    await expect(llmOptionsFromEnv({ budget: '-1' }, { OPENAI_API_KEY: 'k' })).rejects.toThrow(/--budget.*≥ 0/);
    const o = await llmOptionsFromEnv({ prices: 'gpt-5=1.25,10; o4-mini=1.1,4.4' }, { OPENAI_API_KEY: 'k' });
    expect(o.prices).toEqual({ 'gpt-5': { input: 1.25, cachedInput: 1.25, output: 10 }, 'o4-mini': { input: 1.1, cachedInput: 1.1, output: 4.4 } });
    await expect(llmOptionsFromEnv({ prices: 'gpt-5=cheap' }, { OPENAI_API_KEY: 'k' })).rejects.toThrow(/--prices.*MODEL=INPUT,OUTPUT/);
  });
});
