/**
 * Network timings for `npm run bench`: importing the full SNAP ego-Twitter edge list (from ../shared/data, when it
 * is there) and generating 2,000- and 20,000-account networks. Timings live here, never in test assertions.
 */
import { existsSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { readEdgeListFile } from './read-network';
import { generateTwitterNetwork } from '../engine/network-generator';

const EGO_TWITTER = '../shared/data/ego-twitter-full.edges';

/** Wall time, and CPU time of this process (steadier than wall time on a shared machine). */
function timed<T>(fn: () => T): { value: T; ms: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

export async function benchNetwork(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (existsSync(EGO_TWITTER)) {
    const { value, ms, cpuMs } = timed(() => readEdgeListFile(EGO_TWITTER));
    out.egoTwitterImportMs = Math.round(ms);
    out.egoTwitterImportCpuMs = Math.round(cpuMs);
    out.egoTwitterImportEdgesPerSecond = Math.round(value.stats.edges / (ms / 1000));
    out.egoTwitterImportMegabytesPerSecond = Math.round((statSync(EGO_TWITTER).size / 1e6 / (ms / 1000)) * 10) / 10;
  } else {
    console.warn(`bench-network: ${EGO_TWITTER} not found; skipping the import timing`);
  }
  // One warm-up so the 2k figure measures the generator, not the JIT.
  generateTwitterNetwork({ n: 500, seed: 1 });
  for (const n of [2000, 20000]) {
    const { value, ms, cpuMs } = timed(() => generateTwitterNetwork({ n, seed: 20101102 }));
    out[`generate${n / 1000}kMs`] = Math.round(ms);
    out[`generate${n / 1000}kCpuMs`] = Math.round(cpuMs);
    out[`generate${n / 1000}kEdges`] = value.outTargets.length;
  }
  // maxRSS is in kilobytes.
  out.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchNetwork().then((r) => console.log(JSON.stringify(r, null, 2)));
}
