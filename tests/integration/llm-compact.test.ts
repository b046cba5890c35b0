// Compact LLM records: each activation stores numbers, and the prompt rebuilt from them and the run's stored posts,
// replies and personas is exactly the one the SDK sent (checked over a whole run against the local server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmPort } from '../../src/agents/llm/index';
import { expandActivation, isCompactActivation, runTexts } from '../../src/protocols/sociopol/compact';
import { activationMessages } from '../../src/protocols/sociopol/prompts';
import { socioPolPrompts } from '../../src/protocols/sociopol/llm';
import { sociopol } from '../../src/protocols/sociopol';
import { DEFAULT_CONDITIONS } from '../../src/protocols/sociopol/defaults';
import { runExperiment, WARMUP } from '../../src/engine/simulation';
import type { RoundRecord } from '../../src/engine/types';
import { tinyConfig, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';
import { startFakeOpenAI, type FakeServer } from './fake-openai-server';

const n = 40;
const config = tinyConfig(n, { conditions: DEFAULT_CONDITIONS.filter((c) => c.name === 'treatment_soc_message' || c.name === 'treatment_info_message') });
const personas = tinyPersonas(n, 8);

describe('compact LLM records', () => {
  let server: FakeServer;
  const sent = new Set<string>();
  const records: RoundRecord[] = [];
  beforeAll(async () => {
    server = await startFakeOpenAI();
    const recording: typeof fetch = async (url, init) => {
      const body = JSON.parse(String(init?.body ?? '{}')) as { messages?: Array<{ role: string; content: string }> };
      const user = body.messages?.find((m) => m.role === 'user')?.content;
      if (user && !/Did you vote\?/.test(user)) sent.add(user);
      return fetch(url, init);
    };
    const port = createLlmPort({ prompts: socioPolPrompts, apiKey: 'fake.key-compact-records', baseURL: server.url, fetch: recording, timeoutMs: 5000 });
    await runExperiment({ protocol: sociopol, config, seed: 8, agents: personas, network: tinyNetwork(n, 8), port }, { onRound: (r) => void records.push(r) });
  }, 120_000);
  afterAll(async () => {
    await server.close();
  });

  it('should rebuild, from the stored numbers and texts, exactly the prompt of every activation', () => {
    const rebuilt = new Set<string>();
    let count = 0;
    let withMemory = 0;
    let withReply = 0;
    let treated = 0;
    let stored = 0;
    let full = 0;
    for (const condition of config.conditions.map((c) => c.name)) {
      const lineage = records.filter((r) => r.condition === WARMUP || r.condition === condition);
      const texts = runTexts(lineage.flatMap((r) => r.posts), lineage.flatMap((r) => r.replies));
      for (const r of lineage) {
        r.decisions.forEach((d, i) => {
          const c = d.exchange?.compact;
          expect(isCompactActivation(c)).toBe(true);
          if (!isCompactActivation(c)) return;
          expect(d.exchange?.prompt).toBe('');
          const req = expandActivation(c, r.active[i], r.condition, texts, personas, config);
          const prompt = activationMessages(req, personas[r.active[i]], config)[1].content;
          expect(sent.has(prompt), prompt).toBe(true);
          rebuilt.add(prompt);
          stored += JSON.stringify(d.exchange).length;
          full += prompt.length + (d.exchange?.answer.length ?? 0);
          count++;
          if (req.memory?.engaged.some((e) => e.action === 'reply') || req.memory?.posted) withMemory++;
          if (req.feed.some((f) => f.latestReply)) withReply++;
          if (req.vote?.treatment) treated++;
        });
      }
    }
    // Every prompt sent was rebuilt, and the rebuilt ones covered replies, posts and both messages.
    expect(rebuilt).toEqual(sent);
    expect(count).toBeGreaterThan(300);
    expect(withMemory).toBeGreaterThan(0);
    expect(withReply).toBeGreaterThan(0);
    expect(treated).toBeGreaterThan(0);
    // What is stored (numbers + the raw answer) is a small part of the prompt and answer it stands for.
    expect(stored).toBeLessThan(full / 2);
  });
});
