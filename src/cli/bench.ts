/**
 * `npm run bench`: every speed and memory figure the project reports, measured here and never asserted in tests —
 * the engine (offline agents, full protocol at 2,000 and 20,000 agents, on the condition pool and in one thread), the
 * same 20,000-agent run on Chromium's Web Worker pool (`browserOverNode`), S3 offline (20,000 users × 50 rounds),
 * network import and generation, the LLM path against the local OpenAI-compatible server (throughput, bytes stored
 * per activation), and the app in real Chromium. Timings are medians of `--repeat` runs (default 3), printed with the
 * machine's core count and load: on a shared machine they are noisy. `--only engine,browser,s3,tte,network,llm,app`
 * picks parts; `--json FILE` saves them.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { benchEngine, type EngineBench } from './bench-engine';

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The run with the median wall time, with every run's wall and CPU time alongside. */
function medianRun(runs: EngineBench[]): EngineBench & { runMsAll: number[]; runCpuMsAll: number[] } {
  const sorted = [...runs].sort((a, b) => a.runMs - b.runMs);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)], runMs: median(runs.map((r) => r.runMs)), runMsAll: runs.map((r) => r.runMs), runCpuMsAll: runs.map((r) => r.runCpuMs) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, json: { type: 'string' }, repeat: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(
      [
        'npm run bench -- [--only PARTS] [--repeat N] [--json FILE]',
        '  --only     comma-separated parts, default all: engine,browser,s3,tte,network,llm,app',
        '             (browser needs engine in the same invocation for browserOverNode; browser and app need Chromium)',
        '  --repeat   runs per engine and browser figure, the median is reported (default 3)',
        '  --json     also write every figure to FILE (keys as printed, e.g. engine20000.runMs, browserOverNode)',
        'Wall times are noisy on a shared machine: each line carries the 1-minute load, and CPU times are given beside.',
        '',
      ].join('\n'),
    );
    return;
  }
  const parts = (values.only ?? 'engine,browser,s3,tte,network,llm,app').split(',');
  const repeat = Math.max(1, Number(values.repeat ?? 3) || 3);
  const cores = availableParallelism();
  const load = loadavg().map((x) => Math.round(x * 10) / 10);
  const results: Record<string, unknown> = { machine: { cpus: cpus().length, cores, node: process.version, loadAverage: load }, repeat, at: new Date().toISOString() };
  const say = (line: string) => process.stdout.write(line + '\n');
  const loadNow = () => Math.round(loadavg()[0] * 10) / 10;
  say(`machine: ${cores} cores, Node ${process.version}, load average ${load.join(' / ')} at start; timings are medians of ${repeat} runs (wall time is noisy when the machine is shared)`);
  if (parts.includes('engine')) {
    for (const agents of [2000, 20000]) {
      const pool = medianRun(Array.from({ length: repeat }, () => benchEngine(agents, cores)));
      const seq = medianRun(Array.from({ length: repeat }, () => benchEngine(agents, 1)));
      results[`engine${agents}`] = { ...pool, cores, sequentialRunMs: seq.runMs, sequentialRunCpuMs: seq.runCpuMs, sequentialRunMsAll: seq.runMsAll, sequentialPeakRssMb: seq.peakRssMb, loadAverage1m: loadNow() };
      say(
        `engine, ${agents} agents, 5 conditions × 46 rounds (offline), ${cores} cores: ${pool.runMs} ms wall on ${pool.workers} threads (${pool.runCpuMs} ms CPU, ${pool.mainThreadCpuMs ?? '–'} ms of it in the main thread; runs ${pool.runMsAll.join(', ')}), ` +
          `${seq.runMs} ms wall in one thread (${seq.runCpuMs} ms CPU; runs ${seq.runMsAll.join(', ')}), ${pool.activations} activations, ${pool.activationsPerSecond}/s, setup ${pool.setupMs} ms, peak RSS ${pool.peakRssMb} MB pool / ${seq.peakRssMb} MB one thread; load ${loadNow()}`,
      );
    }
  }
  if (parts.includes('browser')) {
    try {
      const { benchBrowserEngine } = await import('./bench-app');
      const b = await benchBrowserEngine(20_000, cores, repeat);
      const runMs = median(b.runMs);
      const runCpuMs = b.runCpuMs ? median(b.runCpuMs) : undefined;
      results.browserEngine20000 = { runMs, runMsAll: b.runMs, runCpuMs, runCpuMsAll: b.runCpuMs ?? undefined, workers: Math.min(cores, 5), activations: b.activations, loadAverage1m: loadNow() };
      const node = results.engine20000 as { runMs?: number; runCpuMs?: number } | undefined;
      if (node?.runMs) results.browserOverNode = Math.round((runMs / node.runMs) * 100) / 100;
      if (node?.runCpuMs && runCpuMs) results.browserOverNodeCpu = Math.round((runCpuMs / node.runCpuMs) * 100) / 100;
      const cpu = runCpuMs ? ` (${runCpuMs} ms CPU in Chromium's processes; runs ${b.runCpuMs?.join(', ')})` : '';
      const ratio = node?.runMs ? `; browserOverNode ${results.browserOverNode} (Chromium ÷ Node wall on the pool, same invocation${results.browserOverNodeCpu ? `; CPU ratio ${results.browserOverNodeCpu}` : ''})` : ' (add engine to --only for the ratio)';
      say(`browser, 20,000 agents, headless Chromium, ${cores} cores: ${runMs} ms wall on the Web Worker pool (runs ${b.runMs.join(', ')})${cpu}${ratio}; load ${loadNow()}`);
    } catch (err) {
      say(`browser: not measured (${(err as Error).message.split('\n')[0]})`);
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
    const { benchLlm, benchLlmRecords } = await import('./bench-llm');
    const b = await benchLlm();
    results.llm = b;
    say(`llm: ${Object.entries(b).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const rec = await benchLlmRecords(200);
    results.llmRecords = rec;
    results.llmBytesPerActivation = rec.bytesPerActivation;
    say(`llm records, 200 agents against the local server: ${rec.bytesPerActivation} bytes of prompt and answer stored per activation (${rec.activations} activations, ${rec.calls} calls)`);
  }
  if (parts.includes('app')) {
    try {
      const { benchApp } = await import('./bench-app');
      const b = await benchApp();
      results.app = b;
      say(`app (${cores} cores): ${Object.entries(b).map(([k, v]) => `${k} ${v}`).join(', ')}; load ${loadNow()}`);
    } catch (err) {
      say(`app: not measured (${(err as Error).message.split('\n')[0]})`);
    }
  }
  results.loadAverageAtEnd = loadavg().map((x) => Math.round(x * 10) / 10);
  summary(results, cores).forEach(say);
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2) + '\n');
}

/** Issue 15's figures against its targets, in one block (only those measured in this invocation). */
function summary(results: Record<string, unknown>, cores: number): string[] {
  const get = (path: string): number | undefined => {
    let v: unknown = results;
    for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    return typeof v === 'number' ? v : undefined;
  };
  const rows: Array<[string, string, number | undefined, string]> = [
    ['20,000 agents, full protocol, offline, Node, wall on the pool', 'engine20000.runMs', get('engine20000.runMs'), '≤ 4000 ms'],
    ['… CPU time, pool / one thread', 'engine20000.runCpuMs', get('engine20000.runCpuMs'), `one thread ${get('engine20000.sequentialRunCpuMs') ?? '–'} ms`],
    ['20,000 agents on Chromium\'s Web Worker pool, wall', 'browserEngine20000.runMs', get('browserEngine20000.runMs'), ''],
    ['… CPU time of Chromium\'s processes meanwhile', 'browserEngine20000.runCpuMs', get('browserEngine20000.runCpuMs'), `Node pool ${get('engine20000.runCpuMs') ?? '–'} ms`],
    ['Chromium ÷ Node at 20,000 agents, wall, this invocation', 'browserOverNode', get('browserOverNode'), '≤ 2'],
    ['… the same ratio of CPU times', 'browserOverNodeCpu', get('browserOverNodeCpu'), ''],
    ['2,000 agents in the app, click "▶ Run" → turnout chart drawn', 'app.clickToResults2kMedianMs', get('app.clickToResults2kMedianMs'), '≤ 2500 ms'],
    ['… CPU time of Chromium\'s processes meanwhile (both cores)', 'app.clickToResults2kCpuMedianMs', get('app.clickToResults2kCpuMedianMs'), ''],
    ['LLM prompt and answer stored per activation (200 agents)', 'llmBytesPerActivation', get('llmBytesPerActivation'), '≤ 400 bytes'],
  ];
  const measured = rows.filter((r) => r[2] !== undefined);
  if (!measured.length) return [];
  const load = (results.loadAverageAtEnd as number[] | undefined)?.join(' / ') ?? '–';
  return [
    `issue 15 figures (${cores} cores, this invocation):`,
    ...measured.map(([label, key, v, target]) => `  ${label}: ${v} (${key}${target ? `; ${target}` : ''})`),
    `  load average ${load} (1 / 5 / 15 min) at the end: wall times grow with it when the machine is shared, CPU times much less`,
  ];
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
