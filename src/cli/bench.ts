/**
 * `npm run bench`: every speed and memory figure the project reports, measured here and never asserted in tests —
 * the engine (offline agents, full protocol at 2,000 and 20,000 agents), S3 offline (20,000 users × 50 rounds),
 * network import and generation, the LLM path against the local OpenAI-compatible server, and the app in real
 * Chromium. `--only engine,s3,tte,network,llm,app` picks parts; `--json FILE` saves the figures.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchEngine } from './bench-engine';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, json: { type: 'string' } } });
  const parts = (values.only ?? 'engine,s3,tte,network,llm,app').split(',');
  const results: Record<string, unknown> = { machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, at: new Date().toISOString() };
  const say = (line: string) => process.stdout.write(line + '\n');
  if (parts.includes('engine')) {
    for (const agents of [2000, 20000]) {
      const b = benchEngine(agents);
      results[`engine${agents}`] = b;
      say(`engine, ${agents} agents, 5 conditions × 46 rounds (offline): ${b.runMs} ms wall (${b.runCpuMs} ms CPU), ${b.activations} activations, ${b.activationsPerSecond}/s, setup ${b.setupMs} ms, peak RSS ${b.peakRssMb} MB`);
    }
  }
  if (parts.includes('s3')) {
    const { benchS3 } = await import('./bench-s3');
    const b = await benchS3();
    results.s3 = b;
    say(`s3, ${b.users} users × ${b.rounds} rounds, one condition (offline: IC, voter, emotion chain): ${b.runMs} ms wall (${b.runCpuMs} ms CPU), ${b.decisions} decisions (${b.decisionsPerSecond}/s), ${b.userRoundsPerSecond} user-rounds/s, setup ${b.setupMs} ms, final aware ${b.finalAware}, peak RSS ${b.peakRssMb} MB`);
  }
  if (parts.includes('tte')) {
    const { benchTte } = await import('./bench-tte');
    const b = benchTte();
    results.tte = b;
    say(`tte: full CMP cross-validation (${b.configs} models), ${b.units.toLocaleString('en-US')} units × ${b.rounds} rounds: ${b.cmpMs} ms wall (${b.cmpCpuMs} ms CPU); DM + HT + basic CMP ${b.classicMs} ms; chosen ${b.chosen}`);
  }
  if (parts.includes('network')) {
    const { benchNetwork } = await import('./bench-network');
    const b = await benchNetwork();
    results.network = b;
    say(`network: ${Object.entries(b).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  if (parts.includes('llm')) {
    const { benchLlm } = await import('./bench-llm');
    const b = await benchLlm();
    results.llm = b;
    say(`llm: ${Object.entries(b).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  if (parts.includes('app')) {
    try {
      const { benchApp } = await import('./bench-app');
      const b = await benchApp();
      results.app = b;
      say(`app: ${Object.entries(b).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    } catch (err) {
      say(`app: not measured (${(err as Error).message.split('\n')[0]})`);
    }
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
