/**
 * Writes a bundled network: `npx tsx src/cli/make-network.ts --agents 2000 --seed 20101102 --out public/data/network-2000.edges`
 * generates a Twitter-like follower graph, writes it as an edge list whose header states generator, seed, parameters
 * and statistics, and writes a `.json` beside it with the same statistics next to the ego-Twitter reference figures.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { generateTwitterNetwork, resolveGeneratorParams, type GeneratorParams } from '../engine/network-generator';
import { networkToEdgeList } from '../engine/network-import';
import { networkStats, type NetworkStats } from '../engine/network-stats';
import { Rng } from '../engine/rng';

/** The forest-fire samples' and the full graph's figures, as computed in shared/data/README.md. */
export const EGO_TWITTER_REFERENCE = {
  source: 'SNAP "Social circles: Twitter" (ego-Twitter), https://snap.stanford.edu/data/ego-Twitter.html',
  citation: 'J. McAuley and J. Leskovec. Learning to Discover Social Circles in Ego Networks. NIPS 2012.',
  direction: 'a line "a b" means a follows b',
  samples: 'connected directed forest-fire samples (p_f = 0.7, r_b = 0.2, seed 20101102 + size), induced subgraphs',
  structure: 'assortativity, strong components, max k-core (undirected view) and mean directed shortest path computed here with src/engine/network-stats.ts (20k paths: 200 sampled sources)',
  graphs: {
    full: { nodes: 81306, edges: 1768135, reciprocity: 0.4817, inDegree: { mean: 21.747, median: 8, max: 3383 }, outDegree: { mean: 21.747, median: 9, max: 1205 }, clustering: 0.567, inDegreeAlphaKmin10: 1.922, weakComponents: 1 },
    'sample-2k': { nodes: 2000, edges: 49117, reciprocity: 0.5185, inDegree: { mean: 24.558, median: 15, max: 305 }, outDegree: { mean: 24.558, median: 16, max: 328 }, clustering: 0.5228, inDegreeAlphaKmin10: 1.924, weakComponents: 1, assortativity: 0.0352, strongComponents: 139, maxCore: 43, meanShortestPath: 3.361 },
    'sample-20k': { nodes: 20000, edges: 606390, reciprocity: 0.5006, inDegree: { mean: 30.32, median: 16, max: 1515 }, outDegree: { mean: 30.32, median: 19, max: 669 }, clustering: 0.5302, inDegreeAlphaKmin10: 1.884, weakComponents: 1, assortativity: 0.0017, strongComponents: 1090, maxCore: 68, meanShortestPath: 4.04 },
  },
} as const;

export interface MadeNetwork {
  edges: string;
  summary: {
    generator: string;
    agents: number;
    seed: number;
    params: GeneratorParams;
    stats: NetworkStats;
    reference: typeof EGO_TWITTER_REFERENCE;
    note: string;
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function rounded(stats: NetworkStats): NetworkStats {
  return JSON.parse(JSON.stringify(stats, (_k, v) => (typeof v === 'number' ? round(v) : v)));
}

export function makeNetwork(agents: number, seed: number): MadeNetwork {
  const params = resolveGeneratorParams(agents);
  const net = generateTwitterNetwork({ n: agents, seed });
  const stats = rounded(networkStats(net, { rng: new Rng(seed) }));
  const generator = 'generateTwitterNetwork (src/engine/network-generator.ts): directed S1 ring geometry, dense circles with a rich club, followed-only accounts, popularity-damped follow-backs';
  const header = [
    `Spillover generated follower network; a line "a b" means a follows b; accounts 0..${agents - 1}`,
    `generator: ${generator}`,
    `seed: ${seed}; agents: ${agents}`,
    `params: ${JSON.stringify(params, (_k, v) => (typeof v === 'number' ? round(v) : v))}`,
    `stats: edges ${stats.edges}, reciprocity ${stats.reciprocity}, clustering ${stats.clustering.mean}, ` +
      `in-degree mean/median/max ${stats.inDegree.mean}/${stats.inDegree.median}/${stats.inDegree.max}, ` +
      `out-degree median/max ${stats.outDegree.median}/${stats.outDegree.max}, weak components ${stats.weakComponents}, ` +
      `assortativity ${stats.assortativity}, strong components ${stats.strongComponents}, max k-core ${stats.maxCore}, ` +
      `mean shortest path ${stats.meanShortestPath}`,
    'calibrated to SNAP ego-Twitter (McAuley & Leskovec, NIPS 2012); no SNAP data is contained in this file',
  ];
  return {
    edges: networkToEdgeList(net, { header }),
    summary: {
      generator,
      agents,
      seed,
      params,
      stats,
      reference: EGO_TWITTER_REFERENCE,
      note:
        'Only this 2,000-account network is bundled. Larger networks (e.g. the paper\'s 20,000) are generated in the ' +
        'browser at run time by the same generator and seed, which gives the identical graph on every machine.',
    },
  };
}

function parseArgs(argv: string[]): { agents: number; seed: number; out: string } {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const agents = Number(get('agents') ?? 2000);
  const seed = Number(get('seed') ?? 20101102);
  const out = get('out') ?? `public/data/network-${agents}.edges`;
  if (!Number.isInteger(agents) || !Number.isInteger(seed)) {
    throw new Error('make-network: --agents and --seed must be whole numbers, e.g. --agents 2000 --seed 20101102');
  }
  return { agents, seed, out };
}

function main(): void {
  const { agents, seed, out } = parseArgs(process.argv.slice(2));
  const made = makeNetwork(agents, seed);
  writeFileSync(out, made.edges);
  const jsonPath = out.replace(/\.edges$/, '') + '.json';
  writeFileSync(jsonPath, JSON.stringify(made.summary, null, 2) + '\n');
  const s = made.summary.stats;
  console.log(`wrote ${out} (${s.nodes} accounts, ${s.edges} follows, reciprocity ${s.reciprocity}, clustering ${s.clustering.mean}) and ${jsonPath}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
