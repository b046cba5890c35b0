/**
 * Fitted SocioPol agents: the decision-port contract, the ridge multinomial logit and the delay evidence they are fitted
 * with, the fit of a stored run and its report, and the checks on a fitted-agents file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { OFFLINE_PARAMETERS } from '../../src/protocols/sociopol/offline/parameters';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import { Rng } from '../../src/engine/rng';
import { sociopol } from '../../src/protocols/sociopol';
import { runExperiment } from '../../src/engine/simulation';
import type { RoundRecord } from '../../src/engine/types';
import type { ElectionRecord } from '../../src/protocols/sociopol/types';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type RunBundle } from '../../src/storage/bundle';
import { fromBundle } from '../../src/protocols/sociopol/fitted/features';
import { fitAgents } from '../../src/protocols/sociopol/fitted/fit';
import { fitRun } from '../../src/protocols/sociopol/fitted/fit-run';
import { checkFitted, FittedPort } from '../../src/protocols/sociopol/fitted/fitted-port';
import { fitMlogit } from '../../src/protocols/sociopol/fitted/mlogit';
import { choiceProbs, FIRST_FEATURES, gapGivenDelay, TRANSITION_FEATURES, type FittedAgents } from '../../src/protocols/sociopol/fitted/model';
import { runPortContract } from './decision-port-contract';
import { runRecorded, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

const BUNDLED = JSON.parse(readFileSync('public/data/fitted-sociopol.json', 'utf8')) as FittedAgents;

describe('fitted agents: the decision port contract', () => {
  runPortContract(() => new FittedPort(BUNDLED));
});

describe('ridge multinomial logit', () => {
  it('should recover known coefficients of a three-class logit from simulated choices', () => {
    const rng = new Rng(11);
    const n = 20000;
    const truth = [0, 0, -1, 1.5, 0.5, -0.8];
    const x = new Float64Array(n * 2);
    const y = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      const z = rng.next() * 2 - 1;
      x[i * 2] = 1;
      x[i * 2 + 1] = z;
      const e = [1, Math.exp(truth[2] + truth[3] * z), Math.exp(truth[4] + truth[5] * z)];
      const t = e[0] + e[1] + e[2];
      const u = rng.next() * t;
      y[i * 3 + (u < e[0] ? 0 : u < e[0] + e[1] ? 1 : 2)] = 1;
    }
    const fit = fitMlogit({ n, p: 2, K: 3, x, y }, { ridge: 0.01 });
    for (let k = 2; k < 6; k++) expect(Math.abs(fit.beta[k] - truth[k]), `coefficient ${k}`).toBeLessThan(0.1);
  });

  it('should give classes never observed probability zero instead of inventing them', () => {
    const x = Float64Array.from([1, 1, 1]);
    const y = Float64Array.from([3, 1, 0, 5, 0, 0, 2, 2, 0]);
    const fit = fitMlogit({ n: 3, p: 1, K: 3, x, y }, { excluded: [false, false, true] });
    expect(fit.beta.slice(2)).toEqual([0]);
    expect(fit.excluded).toEqual([false, false, true]);
  });
});

describe('gap evidence of the delay choice', () => {
  it('should spread a chosen delay n over gaps n…2n+1 and account for a run that ends before the next activation', () => {
    for (let n = 1; n <= 5; n++) {
      let total = 0;
      for (let g = 1; g <= 12; g++) total += gapGivenDelay(n, g);
      expect(total).toBeCloseTo(1, 12);
      expect(gapGivenDelay(n, 0, 0)).toBeCloseTo(1, 12);
      expect(gapGivenDelay(n, 0, 2 * n + 1)).toBe(0);
    }
  });
});

/** A stored run of rule agents on a small world, as a bundle (what the app exports); peers weigh ten times the default. */
let bundled: Promise<RunBundle> | null = null;
function ruleRunBundle(): Promise<RunBundle> {
  return (bundled ??= makeRuleRunBundle());
}

async function makeRuleRunBundle(): Promise<RunBundle> {
  const n = 600;
  const personas = tinyPersonas(n, 4);
  const network = tinyNetwork(n, 4);
  const config = makeConfig({ agents: n });
  const rounds: RoundRecord[] = [];
  const elections: ElectionRecord[] = [];
  await runExperiment({ protocol: sociopol, config, seed: 3, agents: personas, network, port: new OfflinePort({ ...OFFLINE_PARAMETERS, peerInfluence: 3 }) }, { onRound: (r) => void rounds.push(r), onFinal: (e) => void elections.push(e as ElectionRecord) });
  const src: number[] = [];
  const dst: number[] = [];
  for (let a = 0; a < n; a++) for (let k = network.outOffsets[a]; k < network.outOffsets[a + 1]; k++) { src.push(a); dst.push(network.outTargets[k]); }
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    exportedAt: 'now',
    run: { name: 'rule pilot', config, seeds: [3], agentsKind: 'offline', network: { kind: 'generated' } as RunBundle['run']['network'] },
    network: { n, src: Int32Array.from(src), dst: Int32Array.from(dst) },
    seeds: [{ seed: 3, personas, rounds, finals: elections }],
    llmCache: [],
  };
}

describe('fitting a stored run', () => {
  it('should use the covariates a run has (personas, peers, chosen delays, votes) and fix none of them at zero', async () => {
    const { seeds } = fromBundle(await ruleRunBundle());
    const fit = fitAgents(seeds, { kind: 'run', label: 'rule pilot' });
    expect(fit.absent).toEqual([]);
    expect(fit.vote.fitted).toBe(true);
    // The rules state 1 on the first activation of every low-turnout persona (the ridge keeps the fit a little below 1).
    const x = new Float64Array(FIRST_FEATURES.length);
    x[0] = 1;
    x[2] = 1;
    expect(choiceProbs(fit.first, x)[1]).toBeGreaterThan(0.9);
    // These rules move 2 → 3 more when the followed likely share rises (peer influence): a positive coefficient.
    const change = TRANSITION_FEATURES.indexOf('change in followed likely share');
    const from2 = fit.transition[2]!;
    expect(from2.beta[3 * TRANSITION_FEATURES.length + change]).toBeGreaterThan(0);
  });

  it('should report a fit of a stored run, naming the run and what its data cannot support', async () => {
    const fit = fitRun(await ruleRunBundle());
    expect(fit.agents.source).toMatchObject({ kind: 'run', label: 'run “rule pilot”' });
    expect(fit.text).toContain('Fitted SocioPol agents from run “rule pilot”');
    expect(fit.text).toContain('Held-out log-likelihood needs at least two seeds');
    expect(fit.text).toContain('not LLM agents');
    expect(fit.report.data.transitions.control[3][3]).toBeGreaterThan(0);
  });

  it('should fix covariates absent from the published layout at zero and say so', () => {
    expect(BUNDLED.absent).toContain('transition: change in followed likely share');
    const change = TRANSITION_FEATURES.indexOf('change in followed likely share');
    for (const m of BUNDLED.transition) if (m) for (let c = 0; c < 5; c++) expect(m.beta[c * TRANSITION_FEATURES.length + change]).toBe(0);
    expect(BUNDLED.vote.fitted).toBe(false);
  });
});

describe('fitted-agents files', () => {
  it('should refuse a file that is not a fit, naming the fix', () => {
    expect(() => checkFitted({ format: 'x' }, 'agents.json')).toThrow(/agents.json: is not a fitted-agents file.*npm run fit/);
    const broken = structuredClone(BUNDLED);
    broken.delay.beta = [1, 2];
    expect(() => checkFitted(broken, 'agents.json')).toThrow(/delay has no 5 × 9 finite coefficients/);
  });

  it('should answer from the request alone, so a resumed run replays identically', async () => {
    const n = 300;
    const personas = tinyPersonas(n, 9);
    const network = tinyNetwork(n, 9);
    const config = makeConfig({ agents: n });
    const run = async () => (await runRecorded({ config, seed: 2, agents: personas, network, port: new FittedPort(BUNDLED) })).views.map((v) => Array.from(v.column('stated')));
    expect(await run()).toEqual(await run());
  });
});
