/**
 * Starts the local OpenAI-compatible test server on its own, for trying the CLI by hand under faults (issue 8):
 *
 *     node --import tsx tests/integration/serve-fake-openai.ts --port 8787 --faults issue-8 [--time-scale 1]
 *     OPENAI_BASE_URL=http://127.0.0.1:8787/v1 OPENAI_API_KEY=any npm run replicate -- --llm --agents 40 --seeds 1
 *
 * GET /stats returns the counters (requests, faults by kind). Stops on SIGINT/SIGTERM, printing the counters.
 */
import { parseArgs } from 'node:util';
import { issue8Faults, startFakeOpenAI, type FakeServerOptions } from './fake-openai-server';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    faults: { type: 'string' },
    'time-scale': { type: 'string' },
    'latency-ms': { type: 'string' },
    'fault-seed': { type: 'string' },
  },
});
const scale = Number(values['time-scale'] ?? 1);
if (!(scale > 0)) throw new Error(`--time-scale is '${values['time-scale']}'; use a positive number (1 = the issue's 1 s retry-after and 2 s stall)`);
if (values.faults !== undefined && values.faults !== 'issue-8' && values.faults !== 'none') {
  throw new Error(`--faults is '${values.faults}'; use 'issue-8' (10 % 429, 5 % 500, 3 % truncated content, 1 % 2-s stall) or 'none'`);
}
const options: FakeServerOptions = {
  ...(values.faults === 'issue-8' ? issue8Faults(scale) : {}),
  latencyMs: Number(values['latency-ms'] ?? 0),
  faultSeed: Number(values['fault-seed'] ?? 0),
};
const server = await startFakeOpenAI(options, Number(values.port ?? 0));
process.stdout.write(`${server.url}\n`);
const stop = async () => {
  const { authorization: _seen, ...counters } = server.counters;
  process.stderr.write(`${JSON.stringify(counters)}\n`);
  await server.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
