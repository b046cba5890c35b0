/**
 * The page `npm run bench` drives in Chromium to time what the shipped app cannot be timed through quickly: the real
 * engine runs an offline 20,000-agent experiment and each round is written with the storage module's writeRound into
 * the app's Dexie schema, then the app's GraphView component is mounted on that stored run. Built into a temporary
 * folder by src/cli/bench-app.ts; never part of dist/.
 */
import { mount, unmount } from 'svelte';
import Graph from 'graphology';
import Sigma from 'sigma';
import { createOfflinePort } from '../../../src/protocols/sociopol/offline/rules-port';
import { DEFAULT_CONFIG, makeConfig } from '../../../src/protocols/sociopol/defaults';
import { sociopol } from '../../../src/protocols/sociopol';
import { edgeCount } from '../../../src/engine/network';
import { generateTwitterNetwork } from '../../../src/engine/network-generator';
import { generatePopulation, type PopulationOptions } from '../../../src/population';
import { roundsTotal, runExperiment } from '../../../src/engine/simulation';
import { emptyLlmTotals } from '../../../src/engine/types';
import { createDb, createRun, getRun, networkRow, saveNetwork, savePersonas, writeRound, type SpilloverDb } from '../../../src/storage/db';
import GraphView from '../../../src/ui/components/GraphView.svelte';
import { communityLayout } from '../../../src/workers/layout';
import { runConditionPoolWeb } from '../../../src/workers/condition-pool-web';
import census from '../../../public/data/census.json';

export interface Prepared {
  runId: number;
  nodes: number;
  edges: number;
  /** Wall time of each writeRound call, ms, in round order. */
  writeMs: number[];
  /** Mean size of the rounds written: active agents, engagement events, replies, posts. */
  perRound: { active: number; engagements: number; replies: number; posts: number };
}

let engineInputs: Parameters<typeof runConditionPoolWeb>[0] | null = null;

const nextFrame = () => new Promise<void>((ok) => requestAnimationFrame(() => ok()));

let benchDb: SpilloverDb | null = null;
/** The bench's own connection to the database the app's graph reads. */
function pageDb(): SpilloverDb {
  benchDb ??= createDb();
  return benchDb;
}

const bench = {
  /** Generate, simulate and store `rounds` rounds of an offline run of `n` agents, timing each round's write. */
  async prepare(n: number, seed: number, rounds: number): Promise<Prepared> {
    const db = pageDb();
    const network = generateTwitterNetwork({ n, seed });
    const personas = generatePopulation({ n, minorShare: DEFAULT_CONFIG.minorShare, census: census as unknown as PopulationOptions['census'], network, seed });
    const config = makeConfig({ agents: n });
    const now = Date.now();
    const runId = await createRun(db, {
      name: `bench ${n}`,
      status: 'complete',
      config,
      seeds: [seed],
      agentsKind: 'offline',
      network: { kind: 'generated', label: `generated (seed ${seed})`, nodes: n, edges: edgeCount(network) },
      createdAt: now,
      updatedAt: now,
      progress: { roundsDone: 0, roundsTotal: roundsTotal(config), seedIndex: 0, condition: 'warmup', round: config.firstRound },
      totals: emptyLlmTotals(),
    });
    await saveNetwork(db, networkRow(runId, network, communityLayout(network, seed)));
    await savePersonas(db, runId, seed, personas);
    const writeMs: number[] = [];
    const sum = { active: 0, engagements: 0, replies: 0, posts: 0 };
    await runExperiment(
      { protocol: sociopol, config, seed, agents: personas, network, port: createOfflinePort() },
      {
        onRound: async (record, p) => {
          const t0 = performance.now();
          await writeRound(db, runId, seed, record, {
            progress: { roundsDone: p.roundsDone, roundsTotal: roundsTotal(config), seedIndex: 0, condition: record.condition, round: record.round },
            totals: emptyLlmTotals(),
          });
          writeMs.push(performance.now() - t0);
          sum.active += record.active.length;
          sum.engagements += record.engagements.length;
          sum.replies += record.replies.length;
          sum.posts += record.posts.length;
        },
        shouldPause: () => writeMs.length >= rounds,
      },
    );
    const k = Math.max(1, writeMs.length);
    return {
      runId,
      nodes: n,
      edges: edgeCount(network),
      writeMs,
      perRound: { active: sum.active / k, engagements: sum.engagements / k, replies: sum.replies / k, posts: sum.posts / k },
    };
  },

  /** Population and network for `enginePool` (not timed, as `npm run bench` leaves them out in Node). */
  engineInputs(n: number, seed: number): void {
    const network = generateTwitterNetwork({ n, seed });
    const personas = generatePopulation({ n, minorShare: DEFAULT_CONFIG.minorShare, census: census as unknown as PopulationOptions['census'], network, seed });
    engineInputs = { config: makeConfig({ agents: n }), seed, personas, network };
  },

  /**
   * The full protocol with offline agents on the Web Worker condition pool, as `npm run bench` times it in Node:
   * warm-up, conditions and election day on `workers` workers, from the inputs `engineInputs` made.
   */
  async enginePool(workers: number): Promise<{ runMs: number; activations: number }> {
    if (!engineInputs) throw new Error('bench: call engineInputs first');
    let activations = 0;
    const t0 = performance.now();
    await runConditionPoolWeb(engineInputs, { onRound: (r) => void (activations += r.active.length) }, { workers, withDecisions: false });
    return { runMs: performance.now() - t0, activations };
  },

  /**
   * sigma on a one-node graph, to its first frame: the fixed cost of creating the WebGL programs (large on a machine
   * without a GPU, where Chromium compiles the shaders in software), to read the graph timings against.
   */
  async emptySigma(): Promise<number> {
    const target = document.getElementById('graph')!;
    const box = document.createElement('div');
    box.style.height = '560px';
    target.append(box);
    const t0 = performance.now();
    const graph = new Graph();
    graph.addNode('0', { x: 0, y: 0, size: 3, color: '#111827' });
    const sigma = new Sigma(graph, box);
    await nextFrame();
    await nextFrame();
    const ms = performance.now() - t0;
    sigma.kill();
    target.replaceChildren();
    return ms;
  },

  /**
   * Mount the app's GraphView on a stored run and time it until sigma has drawn its first frame: reading the network,
   * personas and rounds from IndexedDB, building the graphology graph, colouring, and the first WebGL render.
   */
  async graph(runId: number): Promise<{ ms: number; readyMs: number; meta: string }> {
    const run = await getRun(pageDb(), runId);
    if (!run) throw new Error(`bench: run ${runId} is not stored`);
    const target = document.getElementById('graph')!;
    const t0 = performance.now();
    const component = mount(GraphView, { target, props: { run } });
    for (;;) {
      if (target.querySelector('.overlay.error')) throw new Error(`bench: ${target.querySelector('.overlay')?.textContent}`);
      if (target.querySelector('.sigma canvas') && !target.querySelector('.overlay')) break;
      await new Promise((ok) => setTimeout(ok, 2));
    }
    const readyMs = performance.now() - t0;
    // sigma draws on the next animation frame; the second frame starts after that draw has finished.
    await nextFrame();
    await nextFrame();
    const ms = performance.now() - t0;
    const meta = target.querySelector('.meta')?.textContent ?? '';
    await unmount(component);
    target.replaceChildren();
    return { ms, readyMs, meta };
  },
};

(globalThis as unknown as { spilloverBench: typeof bench }).spilloverBench = bench;
document.title = 'bench ready';
