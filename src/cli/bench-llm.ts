/**
 * The LLM agents' benchmark (called by `npm run bench`): the requests per minute the port sustains against the local
 * OpenAI-compatible server with a 600 requests/min limit and 300 ms latency, and the prompt size per activation in
 * o200k tokens (messages plus the JSON schema's text) for the issue's typical adult activation and the largest prompt.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import o200k_base from 'js-tiktoken/ranks/o200k_base';
import type { SimConfig } from '../engine/config';
import type { ChatMessage, JsonSchemaFormat } from '../engine/protocol';
import type { Persona } from '../population';
import { createLlmPort } from '../agents/llm/index';
import { makeConfig } from '../protocols/sociopol/defaults';
import { socioPolPrompts } from '../protocols/sociopol/llm';
import { assembleRun } from '../protocols/assemble';
import { activationMessages, voteMessages } from '../protocols/sociopol/prompts';
import { SAMPLE_PERSONA, largestActivation, typicalActivation } from '../protocols/sociopol/samples';
import { activationSchema, voteSchema } from '../protocols/sociopol/schema';
import type { ActivationRequest } from '../protocols/sociopol/types';
import { startFakeOpenAI } from '../../tests/integration/fake-openai-server';
import { generateTwitterNetwork } from '../engine/network-generator';
import { runExperiment } from '../engine/simulation';
import { loadCensus } from './load-data';

/**
 * Tokens as the provider counts a chat request: each message's content plus ~3 tokens of framing per message and 3
 * to prime the answer, plus the schema object's JSON text.
 */
export function promptTokens(enc: Tiktoken, messages: ChatMessage[], schema: JsonSchemaFormat): number {
  let n = 3;
  for (const m of messages) n += 3 + enc.encode(m.content).length;
  return n + enc.encode(JSON.stringify(schema.schema)).length;
}

function tokenFigures(config: SimConfig): Record<string, number> {
  const enc = new Tiktoken(o200k_base);
  const typical = typicalActivation(config);
  const largest = largestActivation(config);
  const vote = voteMessages({ agentId: SAMPLE_PERSONA.id, condition: 'control', lastLikelihood: 3, treatedEver: true }, SAMPLE_PERSONA);
  const sys = activationMessages(typical, SAMPLE_PERSONA, config)[0].content;
  return {
    'llm.promptTokens.typical': promptTokens(enc, activationMessages(typical, SAMPLE_PERSONA, config), activationSchema(true, false, SAMPLE_PERSONA.interests)),
    'llm.promptTokens.largest': promptTokens(enc, activationMessages(largest, SAMPLE_PERSONA, config), activationSchema(true, true, SAMPLE_PERSONA.interests)),
    'llm.promptTokens.vote': promptTokens(enc, vote, voteSchema()),
    'llm.promptTokens.sharedSystemPrefix': enc.encode(sys).length,
    'llm.promptTokens.schemaText': enc.encode(JSON.stringify(activationSchema(true, false, []).schema)).length,
  };
}

export interface BenchLlmOptions {
  /** Requests in the throughput batch: 360 at 600/min is about 36 s. @default 360 */
  requests?: number;
  requestsPerMinute?: number;
  latencyMs?: number;
}

export async function benchLlm(options: BenchLlmOptions = {}): Promise<Record<string, number>> {
  const n = options.requests ?? 360;
  const rpm = options.requestsPerMinute ?? 600;
  const config = makeConfig({ agents: n });
  const server = await startFakeOpenAI({ requestsPerMinute: rpm, latencyMs: options.latencyMs ?? 300 });
  try {
    const personas: Persona[] = Array.from({ length: n }, (_, id) => ({ ...SAMPLE_PERSONA, id }));
    const port = createLlmPort({ apiKey: 'bench', prompts: socioPolPrompts, baseURL: server.url, maxConcurrency: 32, timeoutMs: 10_000 });
    port.init({ seed: 1, config, agents: personas });
    const requests: ActivationRequest[] = personas.map((p) => ({ ...typicalActivation(config), agentId: p.id }));
    const started = performance.now();
    const outcomes = await port.decideRound({ condition: 'treatment_soc_message', round: 12, requests });
    const seconds = (performance.now() - started) / 1000;
    const achieved = (outcomes.length / seconds) * 60;
    return {
      ...tokenFigures(makeConfig()),
      'llm.throughput.limitPerMinute': rpm,
      'llm.throughput.requestsPerMinute': Math.round(achieved),
      'llm.throughput.shareOfLimit': Math.round((achieved / rpm) * 1000) / 1000,
      'llm.throughput.seconds': Math.round(seconds * 10) / 10,
      'llm.throughput.decisions': outcomes.length,
      'llm.throughput.invalid': outcomes.filter((o) => !o.ok).length,
      'llm.throughput.http429': server.counters.rateLimited,
    };
  } finally {
    await server.close();
  }
}

/**
 * What an LLM run stores of its prompts and answers: a full-protocol run of `agents` agents (generated network and
 * population, seed 1) against the local server, and the UTF-8 size of each activation's stored exchange (the JSON of
 * DecisionOutcome.exchange, as it goes into IndexedDB and bundles), averaged over the activations.
 */
export async function benchLlmRecords(agents: number): Promise<{ bytesPerActivation: number; activations: number; calls: number }> {
  const config = makeConfig({ agents });
  const network = generateTwitterNetwork({ n: agents, seed: 1 });
  const { protocol, agents: personas } = assembleRun({ config, network, census: loadCensus(), seeds: [1] });
  const server = await startFakeOpenAI();
  try {
    const port = createLlmPort({ apiKey: 'bench', prompts: socioPolPrompts, baseURL: server.url, maxConcurrency: 64, timeoutMs: 10_000 });
    let bytes = 0;
    let activations = 0;
    const encoder = new TextEncoder();
    const result = await runExperiment(
      { protocol, config, seed: 1, agents: personas, network, port },
      {
        onRound: (r) => {
          for (const d of r.decisions) {
            activations++;
            if (d.exchange) bytes += encoder.encode(JSON.stringify(d.exchange)).length;
          }
        },
      },
    );
    const calls = result.conditions.reduce((s, t) => s + t.llm.calls, result.warmupLlm.calls);
    return { bytesPerActivation: Math.round(bytes / Math.max(1, activations)), activations, calls };
  } finally {
    await server.close();
  }
}

// `tsx src/cli/bench-llm.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  benchLlm().then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'),
    (err: Error) => {
      process.stderr.write(`bench-llm: ${err.message}\n`);
      process.exit(1);
    },
  );
}
