/**
 * App timings for `npm run bench`, measured in real Chromium: JS shipped (gzip), time to interactive, time to the
 * first graph render at 2,000 and 20,000 agents, and IndexedDB write time per round at 20,000 agents. The last two
 * use a benchmark page (tests/e2e/bench) built into a temporary folder, so nothing of it ships. Figures only; the
 * targets (≤ 350 KB gzip, ≤ 200 ms per round) are for the reader, never asserted.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, serveDirectory } from './browser';
import { pidWithArgument, treeCpuMs } from './process-cpu';

const DIST = resolve(process.env.SPILLOVER_DIST ?? 'dist');
const SUB_PATH = '/course/spillover/';

const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;
const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}
const median = (v: number[]) => quantile(v, 0.5);
const round1 = (x: number) => Math.round(x * 10) / 10;

/** Newest modification time of any file under `dir` (0 for none). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** The app as the sources are now: dist/ is built when missing or older than src/ or public/ (SPILLOVER_DIST is used as given). */
function ensureDist(): void {
  const index = join(DIST, 'index.html');
  if (existsSync(index) && (process.env.SPILLOVER_DIST || statSync(index).mtimeMs >= Math.max(newest(resolve('src')), newest(resolve('public'))))) return;
  console.warn(`bench-app: dist/ is ${existsSync(index) ? 'older than the sources' : 'missing'}; building it with \`npx vite build\``);
  execSync('npx vite build', { stdio: 'inherit' });
}

/** gzip -9 size of every .js file in dist/assets (dist/data, the census and the network, is not code). */
function shippedJs(): { totalBytes: number; byFile: Map<string, number> } {
  const dir = join(DIST, 'assets');
  const byFile = new Map<string, number>();
  let totalBytes = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
    const size = gz(readFileSync(join(dir, f)));
    byFile.set(f, size);
    totalBytes += size;
  }
  return { totalBytes, byFile };
}

/**
 * Load the app in a fresh context and time navigation start → the Run button enabled (performance.now() in the page
 * is measured from navigation start). Also sums the gzip size of every .js the page and its workers fetched by then
 * plus a second of quiet: the first-load JS.
 */
async function loadOnce(browser: Browser, url: string, byFile: Map<string, number>): Promise<{ ttiMs: number; firstLoadBytes: number; files: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
  const files = new Set<string>();
  context.on('request', (req) => {
    const name = new URL(req.url()).pathname.split('/').pop() ?? '';
    if (name.endsWith('.js')) files.add(name);
  });
  const page = await context.newPage();
  // A string, not a function: tsx wraps named functions in a helper that does not exist in the page.
  await page.addInitScript(`(function check() {
    const button = Array.from(document.querySelectorAll('button')).find((b) => b.textContent.trim() === '▶ Run');
    if (button && !button.disabled) globalThis.__spilloverTti = performance.now();
    else setTimeout(check, 1);
  })();`);
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as unknown as { __spilloverTti?: number }).__spilloverTti !== undefined, null, { timeout: 60_000 });
  const ttiMs = await page.evaluate(() => (globalThis as unknown as { __spilloverTti: number }).__spilloverTti);
  await page.waitForTimeout(1000);
  await context.close();
  let firstLoadBytes = 0;
  for (const f of files) firstLoadBytes += byFile.get(f) ?? 0;
  return { ttiMs, firstLoadBytes, files: [...files] };
}

async function buildBenchPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'spillover-bench-page-'));
  const { build } = await import('vite');
  const { svelte } = await import('@sveltejs/vite-plugin-svelte');
  await build({
    configFile: false,
    root: resolve('tests/e2e/bench'),
    base: './',
    logLevel: 'warn',
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false },
  });
  return outDir;
}

interface Prepared {
  runId: number;
  nodes: number;
  edges: number;
  writeMs: number[];
  perRound: { active: number; engagements: number; replies: number; posts: number };
}

async function benchPage(page: Page, n: number, rounds: number, renders: number): Promise<{ prepared: Prepared; renderMs: number[]; meta: string }> {
  const prepared = (await page.evaluate(
    ([n, rounds]) => (globalThis as never as { spilloverBench: { prepare(n: number, s: number, r: number): Promise<unknown> } }).spilloverBench.prepare(n, 1, rounds),
    [n, rounds],
  )) as Prepared;
  const renderMs: number[] = [];
  let meta = '';
  for (let i = 0; i < renders; i++) {
    const r = (await page.evaluate(
      (id) => (globalThis as never as { spilloverBench: { graph(id: number): Promise<unknown> } }).spilloverBench.graph(id),
      prepared.runId,
    )) as { ms: number; readyMs: number; meta: string };
    renderMs.push(r.ms);
    meta = r.meta;
  }
  return { prepared, renderMs, meta };
}

/**
 * The 20,000-agent offline protocol on the bench page's Web Worker pool in headless Chromium, `repeat` times: the
 * browser side of `browserOverNode`.
 */
export async function benchBrowserEngine(agents: number, workers: number, repeat: number): Promise<{ runMs: number[]; runCpuMs: number[] | null; activations: number }> {
  const marker = `--spillover-bench-engine=${process.pid}`;
  const browser = await launchChromium([marker]);
  const browserPid = pidWithArgument(marker);
  const benchDir = await buildBenchPage();
  const server = await serveDirectory(benchDir, '/bench/');
  try {
    const runMs: number[] = [];
    const runCpuMs: number[] = [];
    let activations = 0;
    type Bench = { spilloverBench: { engineInputs(n: number, s: number): void; enginePool(w: number): Promise<{ runMs: number; activations: number }> } };
    for (let i = 0; i < repeat; i++) {
      // A fresh page each time: one run's garbage does not slow the next.
      const page = await browser.newPage();
      page.setDefaultTimeout(600_000);
      await page.goto(server.url);
      await page.waitForFunction(() => document.title === 'bench ready');
      await page.evaluate((n) => (globalThis as never as Bench).spilloverBench.engineInputs(n, 1), agents);
      // Chromium's CPU time over the run (page, pool workers and all), as Node's figure counts its worker threads.
      const cpu0 = browserPid === null ? null : treeCpuMs(browserPid);
      const r = await page.evaluate((w) => (globalThis as never as Bench).spilloverBench.enginePool(w), workers);
      const cpu1 = browserPid === null ? null : treeCpuMs(browserPid);
      if (cpu0 !== null && cpu1 !== null) runCpuMs.push(Math.round(cpu1 - cpu0));
      runMs.push(Math.round(r.runMs));
      activations = r.activations;
      await page.close();
    }
    return { runMs, runCpuMs: runCpuMs.length === runMs.length ? runCpuMs : null, activations };
  } finally {
    await browser.close();
    await server.close();
    rmSync(benchDir, { recursive: true, force: true });
  }
}

/**
 * The shipped app end to end at its default 2,000 agents: click "▶ Run" → the election-day turnout chart is drawn,
 * timed inside the page (a click listener and a MutationObserver), in a fresh context each time; with the CPU time
 * Chromium's processes spent meanwhile (`browserPid`; null where /proc is not there).
 */
async function clickToResults(browser: Browser, url: string, browserPid: number | null): Promise<{ ms: number; cpuMs: number | null }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.addInitScript(`(function () {
    document.addEventListener('click', (e) => {
      if (e.target instanceof Element && e.target.closest('button') && e.target.closest('button').textContent.trim() === '▶ Run') globalThis.__spilloverClick = performance.now();
    }, true);
    new MutationObserver(() => {
      if (globalThis.__spilloverDrawn === undefined && document.querySelector('#results svg[aria-label="Turnout on election day, per arm"]')) globalThis.__spilloverDrawn = performance.now();
    }).observe(document, { childList: true, subtree: true });
  })();`);
  await page.goto(url);
  const run = page.getByRole('button', { name: '▶ Run', exact: true });
  await run.waitFor({ state: 'visible' });
  await page.waitForFunction(() => Array.from(document.querySelectorAll('button')).some((b) => b.textContent?.trim() === '▶ Run' && !b.disabled));
  // The page's start-up work (the estimate, the run list) settles before the clock starts.
  await page.waitForTimeout(300);
  const cpu0 = browserPid === null ? null : treeCpuMs(browserPid);
  await run.click();
  await page.waitForFunction(() => (globalThis as unknown as { __spilloverDrawn?: number }).__spilloverDrawn !== undefined, null, { timeout: 600_000 });
  const cpu1 = browserPid === null ? null : treeCpuMs(browserPid);
  const ms = await page.evaluate(() => {
    const g = globalThis as unknown as { __spilloverDrawn: number; __spilloverClick: number };
    return g.__spilloverDrawn - g.__spilloverClick;
  });
  await context.close();
  return { ms, cpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

export async function benchApp(): Promise<Record<string, number>> {
  ensureDist();
  const out: Record<string, number> = {};
  const js = shippedJs();
  out.jsGzipTotalKB = kb(js.totalBytes);

  // A switch only this browser has, to find its processes for their CPU time.
  const marker = `--spillover-bench=${process.pid}`;
  const browser = await launchChromium([marker]);
  const browserPid = pidWithArgument(marker);
  const app = await serveDirectory(DIST, SUB_PATH);
  const benchDir = await buildBenchPage();
  const benchServer = await serveDirectory(benchDir, '/bench/');
  try {
    const loads = [];
    for (let i = 0; i < 5; i++) loads.push(await loadOnce(browser, app.url, js.byFile));
    out.jsGzipFirstLoadKB = kb(Math.max(...loads.map((l) => l.firstLoadBytes)));
    out.timeToInteractiveMedianMs = Math.round(median(loads.map((l) => l.ttiMs)));
    out.timeToInteractiveMaxMs = Math.round(Math.max(...loads.map((l) => l.ttiMs)));
    const e2e: Array<{ ms: number; cpuMs: number | null }> = [];
    for (let i = 0; i < 3; i++) e2e.push(await clickToResults(browser, app.url, browserPid));
    out.clickToResults2kMedianMs = Math.round(median(e2e.map((r) => r.ms)));
    out.clickToResults2kMaxMs = Math.round(Math.max(...e2e.map((r) => r.ms)));
    // Chromium's CPU time over the same span (page, workers, storage, GPU): far less noisy than wall time when shared.
    if (e2e.every((r) => r.cpuMs !== null)) out.clickToResults2kCpuMedianMs = Math.round(median(e2e.map((r) => r.cpuMs as number)));
    out.clickToResults2kLoadAverage = Math.round(loadavg()[0] * 10) / 10;

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(600_000);
    await page.goto(benchServer.url);
    await page.waitForFunction(() => document.title === 'bench ready');
    const empty: number[] = [];
    for (let i = 0; i < 3; i++) {
      empty.push(await page.evaluate(() => (globalThis as never as { spilloverBench: { emptySigma(): Promise<number> } }).spilloverBench.emptySigma()));
    }
    out.sigmaOneNodeFirstFrameMedianMs = Math.round(median(empty));
    const small = await benchPage(page, 2000, 20, 3);
    out.graphFirstRender2kColdMs = Math.round(small.renderMs[0]);
    out.graphFirstRender2kMedianMs = Math.round(median(small.renderMs));
    const large = await benchPage(page, 20_000, 40, 3);
    out.graphFirstRender20kColdMs = Math.round(large.renderMs[0]);
    out.graphFirstRender20kMedianMs = Math.round(median(large.renderMs));
    out.graph20kEdges = large.prepared.edges;
    // The 20,000-agent run's rounds: the first written round opens the database, so it is left out of the figures.
    const writes = large.prepared.writeMs.slice(1);
    out.idbWriteRound20kMedianMs = round1(median(writes));
    out.idbWriteRound20kP95Ms = round1(quantile(writes, 0.95));
    out.idbWriteRound20kMaxMs = round1(Math.max(...writes));
    out.idbWriteRound20kRounds = writes.length;
    out.idbWriteRound20kActiveAgents = Math.round(large.prepared.perRound.active);
    out.idbWriteRound20kEngagements = Math.round(large.prepared.perRound.engagements);
    out.idbWriteRound20kReplies = Math.round(large.prepared.perRound.replies);
    await context.close();
  } finally {
    await browser.close();
    await app.close();
    await benchServer.close();
    rmSync(benchDir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchApp().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err: Error) => {
      console.error(`bench-app: ${err.message}`);
      process.exit(1);
    },
  );
}
