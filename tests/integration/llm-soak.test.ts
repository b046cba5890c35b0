// Thousands of requests through the real openai SDK and the limiter under issue 8's fault mix (429 with retry-after
// and an exhausted request budget, 500, truncated JSON content, stalls), time scaled down so it fits in CI. Every run
// must complete, and its records must equal those of a fault-free run: the server's answers are a function of the
// question, so faults may cost retries but never change an outcome. The issue's runs stopped silently at this length.
import { describe, expect, it } from 'vitest';
import { createLlmPort, type LimiterStats } from '../../src/agents/llm/index';
import { socioPolPrompts } from '../../src/protocols/sociopol/llm';
import { sociopol } from '../../src/protocols/sociopol';
import { makeConfig, DEFAULT_CONDITIONS } from '../../src/protocols/sociopol/defaults';
import { runExperiment } from '../../src/engine/simulation';
import { tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';
import { issue8Faults, type FakeServer, type FakeServerOptions } from './fake-openai-server';
import { serversPerTest } from './llm-fixture';

const KEY = 'fake.key-soak-000000000000000000';
const N = 60;
const config = makeConfig({ agents: N, conditions: DEFAULT_CONDITIONS.filter((c) => c.name === 'control' || c.name === 'treatment_soc_message') });
const network = tinyNetwork(N, 21);
const personas = tinyPersonas(N, 21);

const startServer = serversPerTest();

/** The run's records without the call accounting (which faults change by design). */
async function runOnce(opts: FakeServerOptions): Promise<{ records: string[]; server: FakeServer; limiter: LimiterStats }> {
  const server = await startServer(opts);
  const port = createLlmPort({ prompts: socioPolPrompts, apiKey: KEY, baseURL: server.url, timeoutMs: 5000, baseBackoffMs: 5, maxConcurrency: 16 });
  const records: string[] = [];
  const result = await runExperiment(
    { protocol: sociopol, config, seed: 21, agents: personas, network, port },
    {
      onRound: (r) => {
        records.push(JSON.stringify([r.condition, r.round, [...r.active], [...r.columns.stated], [...r.columns.likelihood], [...r.treated], [...r.activity], r.engagements, r.posts, r.invalidAgents]));
      },
      onFinal: (e) => {
        records.push(JSON.stringify([e.condition, 'election', [...e.values], e.invalidAgents]));
      },
    },
  );
  expect(result.status).toBe('complete');
  return { records, server, limiter: port.limiter() };
}

describe('LLM runs under issue 8 fault mix', () => {
  it('should complete every run with the records of a fault-free run, over thousands of requests', async () => {
    const clean = await runOnce({ stableAnswers: true });
    expect(clean.server.counters.received).toBeGreaterThan(800);
    let requests = clean.server.counters.received;
    for (const faultSeed of [1, 2, 3]) {
      const faulty = await runOnce({ ...issue8Faults(0.02), faultSeed });
      const f = faulty.server.counters.faults;
      expect(f['rate-limit'] > 0 && f['server-error'] > 0 && f.truncated > 0 && f['truncated-content'] > 0 && f.slow > 0, JSON.stringify(f)).toBe(true);
      expect(faulty.records.length).toBe(clean.records.length);
      for (let i = 0; i < clean.records.length; i++) expect(faulty.records[i], `run ${faultSeed}, record ${i}`).toBe(clean.records[i]);
      expect(faulty.limiter).toMatchObject({ repairs: 0, waiting: 0, inFlight: 0 });
      expect(faulty.limiter.rateLimited).toBe(f['rate-limit']);
      requests += faulty.server.counters.received;
    }
    expect(requests).toBeGreaterThan(3000);
  }, 180_000);
});
