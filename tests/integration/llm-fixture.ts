/**
 * What the LLM-port integration tests share: local OpenAI-compatible test servers closed after each test, and
 * SocioPol's LLM port for the decision-port contract's 48 personas against one of them (short timeouts and backoff).
 */
import { afterEach } from 'vitest';
import { createLlmPort, type LlmOptions } from '../../src/agents/llm/index';
import type { PortContext } from '../../src/engine/ports';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import { socioPolPrompts } from '../../src/protocols/sociopol/llm';
import { contractPersonas } from '../unit/decision-port-contract';
import { startFakeOpenAI, type FakeServer, type FakeServerOptions } from './fake-openai-server';

/** A key that looks real enough to be searched for in everything that must never hold it. */
export const CONTRACT_KEY = 'fake.key-Zq7u1Vb9Kx3mN5pR8sT2wY4a';
const config = makeConfig({ agents: 48 });
const personas = contractPersonas(48);
/** The contract's configuration, personas and port context (seed 11). */
export const contract: { config: typeof config; personas: typeof personas; ctx: PortContext } = { config, personas, ctx: { seed: 11, config, agents: personas } };

/** `server(opts)` starts a test server that is closed after the test that started it. Call once, at file level. */
export function serversPerTest(): (opts?: FakeServerOptions) => Promise<FakeServer> {
  const open: FakeServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return async (opts = {}) => {
    const s = await startFakeOpenAI(opts);
    open.push(s);
    return s;
  };
}

/** SocioPol's LLM port against `s`, initialised for the contract's context. */
export function contractPort(s: FakeServer, extra: Partial<LlmOptions> = {}) {
  const p = createLlmPort({ prompts: socioPolPrompts, apiKey: CONTRACT_KEY, baseURL: s.url, timeoutMs: 1500, baseBackoffMs: 10, maxConcurrency: 16, ...extra });
  p.init(contract.ctx);
  return p;
}
