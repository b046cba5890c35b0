/**
 * The default (fitted) agents against the published LLM-SocioPol runs in ../shared/data: the bundled parameters are
 * exactly what the fit makes from those files, and agents rolled out from them at 2,000 agents × 5 seeds meet every
 * target of issue 10 (means over seeds vs the published five seeds).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPublished } from '../../src/analysis/load-published';
import type { SeedData } from '../../src/analysis/types';
import { loadCensus, loadFittedAgents } from '../../src/cli/load-data';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import { generateTwitterNetwork } from '../../src/engine/network-generator';
import { generatePopulation } from '../../src/population';
import { fromSeedData } from '../../src/protocols/sociopol/fitted/features';
import { publishedConfig } from '../../src/analysis/design';
import { fitAgents } from '../../src/protocols/sociopol/fitted/fit';
import { FittedPort } from '../../src/protocols/sociopol/fitted/fitted-port';
import type { FittedAgents } from '../../src/protocols/sociopol/fitted/model';
import { targetRows } from '../../src/protocols/sociopol/fitted/report';
import { rollout } from '../../src/protocols/sociopol/fitted/simulate';
import { surrogateStats } from '../../src/protocols/sociopol/fitted/stats';

const DIR = '../shared/data/llm-sociopol';

describe('fitted agents vs the published runs', () => {
  let published: SeedData[] | null = null;
  const data = () => (published ??= loadPublished(DIR));

  it('should be the bundled parameters, exactly, when fitted to the published files', () => {
    expect(existsSync(DIR), `${DIR} is missing: the shared data folder must sit next to the project`).toBe(true);
    const fresh = fitAgents(fromSeedData(data(), publishedConfig()), { kind: 'published', label: 'llm-sociopol' });
    const bundled = JSON.parse(readFileSync('public/data/fitted-sociopol.json', 'utf8')) as FittedAgents;
    expect(fresh.source.activations).toBe(bundled.source.activations);
    const flat = (f: FittedAgents) => [...f.transition.flatMap((t) => t?.beta ?? []), ...f.delay.beta, ...f.first.beta];
    const a = flat(fresh);
    const b = flat(bundled);
    expect(a.length).toBe(b.length);
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k]), `coefficient ${k}`).toBeLessThan(1e-8);
  }, 120_000);

  it('should meet every target at 2,000 agents and 5 seeds (means over seeds vs the published 5 seeds)', async () => {
    const agents = 2000;
    const config = makeConfig({ agents });
    const network = generateTwitterNetwork({ n: agents, seed: 1 });
    const personas = generatePopulation({ n: agents, minorShare: config.minorShare, census: loadCensus(), network, seed: 1 });
    const runs = await rollout({ config, personas, network, seeds: [1, 2, 3, 4, 5], port: new FittedPort(loadFittedAgents()) });
    const rows = targetRows(surrogateStats(data()), surrogateStats(runs));
    expect(rows).toHaveLength(14);
    const failed = rows.filter((r) => !r.pass).map((r) => `${r.name}: ${r.measured?.toFixed(4)} vs ${r.target.toFixed(4)} ± ${r.tolerance}`);
    expect(failed).toEqual([]);
  }, 180_000);
});
