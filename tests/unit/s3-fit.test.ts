/**
 * Fitted S3 agents (issue 12): each estimator on hand-computed cases, then recovery of known parameters — simulate
 * with the offline agent or the fitted agent at set parameters (seeded), fit from the records, and check every estimate
 * lies within four standard errors of the truth (the standard errors themselves bounded by the sample size) — plus the
 * replay's self-check, reproducibility, and the curve fit.
 */
import { describe, expect, it } from 'vitest';
import { generateTwitterNetwork } from '../../src/engine/network-generator';
import { loadCensus } from '../../src/cli/load-data';
import { runS3Seed, s3Population } from '../../src/protocols/s3/assemble';
import { makeS3Config, type S3Config } from '../../src/protocols/s3/config';
import { transitionMatrix } from '../../src/protocols/s3/emotion';
import { emotionMatrices, fitAttitude, fitCascade, fitEmotion, share, type Estimate } from '../../src/protocols/s3/fit/estimate';
import { fitS3Agents, goodnessOfFit } from '../../src/protocols/s3/fit/fit';
import { checkS3Fitted, createS3FittedPort, S3_FITTED_FORMAT, type S3FittedAgents, type S3FittedParams } from '../../src/protocols/s3/fit/fitted-port';
import type { S3RecordedSeed } from '../../src/protocols/s3/fit/replay';
import type { S3Port } from '../../src/protocols/s3/types';
import { following } from '../../src/engine/network';
import { runExperiment } from '../../src/engine/simulation';
import type { RoundRecord } from '../../src/engine/types';
import { s3Protocol, s3SimConfig } from '../../src/protocols/s3/protocol';
import { fitS3Run, s3FitSource } from '../../src/protocols/s3/fit/from-record';
import { BUNDLE_FORMAT, BUNDLE_VERSION, decodeBundle, encodeBundle, type RunBundle } from '../../src/storage/bundle';

const times = <T,>(k: number, c: T): T[] => Array.from({ length: k }, () => c);

describe('estimators on hand-computed cases', () => {
  it('should give the share and its binomial error', () => {
    expect(share(3, 10)).toEqual({ estimate: 0.3, se: Math.sqrt(0.021), n: 10 });
    expect(share(0, 0).se).toBeNull();
  });

  it('should estimate the cascade chance as the activation share when each user hears one message', () => {
    const f = fitCascade([...times(3, { k: 1, y: true }), ...times(7, { k: 1, y: false })]);
    expect(f.estimate).toBeCloseTo(0.3, 9);
    expect(f.se!).toBeCloseTo(Math.sqrt(0.3 * 0.7 / 10), 6);
  });

  it('should solve the cascade likelihood with several exposures (one activation after 2, none after 1: p = 1 − 1/√3)', () => {
    // log(1 − q²) + log q is maximal at 1 − q² = 2q², q = 1/√3.
    expect(fitCascade([{ k: 2, y: true }, { k: 1, y: false }]).estimate).toBeCloseTo(1 - 1 / Math.sqrt(3), 9);
  });

  it('should estimate arousal from rises after intense messages and decay from falls without arousal', () => {
    const f = fitEmotion([
      ...times(4, { from: 0, to: 1, m: 1 }),
      ...times(6, { from: 0, to: 0, m: 1 }),
      ...times(3, { from: 1, to: 0, m: 0 }),
      ...times(7, { from: 1, to: 1, m: 0 }),
    ]);
    expect(f.arousal.estimate).toBeCloseTo(0.4, 6);
    expect(f.decay.estimate).toBeCloseTo(0.3, 6);
    expect(f.arousal.se!).toBeCloseTo(Math.sqrt(0.4 * 0.6 / 10), 3);
    expect(f.decay.se!).toBeCloseTo(Math.sqrt(0.3 * 0.7 / 10), 3);
    expect(f.transitions).toEqual([[6, 4, 0], [3, 7, 0], [0, 0, 0]]);
  });

  it('should count two-level jumps as one-level moves and leave out rises with nothing arousing heard', () => {
    const f = fitEmotion([{ from: 0, to: 2, m: 1 }, { from: 0, to: 0, m: 1 }, { from: 0, to: 1, m: 0 }]);
    expect(f.jumps).toBe(1);
    expect(f.excluded).toBe(1);
    expect(f.arousal.estimate).toBeCloseTo(0.5, 6);
  });

  it('should estimate the noisy lazy voter: noise from switches with nothing of the other side heard, consulting from the rest', () => {
    // o = 0: switches only by noise, 1 of 10 → flip 0.1; o = 1: flip + consult = 6 of 10 → consult 0.5.
    const f = fitAttitude([...times(1, { from: 0, to: 1, s: 0 }), ...times(9, { from: 0, to: 0, s: 0 }), ...times(6, { from: 1, to: 0, s: 0 }), ...times(4, { from: 1, to: 1, s: 0 })]);
    expect(f.flip.estimate).toBeCloseTo(0.1, 5);
    expect(f.consult.estimate).toBeCloseTo(0.5, 5);
    expect(f.flip.se!).toBeCloseTo(Math.sqrt(0.1 * 0.9 / 10), 3);
    // The voter model's data: half switch after hearing half of each side, nobody without hearing the other side.
    const v = fitAttitude([...times(5, { from: 0, to: 1, s: 0.5 }), ...times(5, { from: 0, to: 0, s: 0.5 }), ...times(10, { from: 1, to: 1, s: 1 })]);
    expect(v.flip.estimate).toBeCloseTo(0, 5);
    expect(v.consult.estimate).toBeCloseTo(1, 5);
    expect(v.consult.se).toBeNull();
    expect(v.table[2]).toEqual({ otherShare: '0.4–0.6', n: 10, switches: 5, predicted: expect.closeTo(0.5, 5) });
  });

  it('should give the emotion transition matrices as row shares per intensity heard', () => {
    const m = emotionMatrices([{ from: 0, to: 2, m: 1 }, { from: 0, to: 0, m: 1 }, { from: 0, to: 0, m: 0.5 }, { from: 1, to: 0, m: 0 }]);
    expect(m.shares[2][0]).toEqual([2 / 3, 0, 1 / 3]);
    expect(m.shares[0][1]).toEqual([1, 0, 0]);
    expect(m.shares[1][0]).toBeNull();
    expect(m.counts[2][0]).toEqual([2, 0, 1]);
  });
});

const census = loadCensus();
const network = generateTwitterNetwork({ n: 1000, seed: 11 });

function setup(over: Partial<S3Config['offline']> = {}) {
  const config = makeS3Config({ rounds: 12, conditions: [{ name: 'baseline' }] });
  config.offline = { ...config.offline, ...over };
  const pop = s3Population(network, census, config, 11);
  return { config, pop, inputs: { config, network, personas: pop.personas, source: 'test run' } };
}

async function record(s: ReturnType<typeof setup>, seeds: number[], port?: (seed: number) => S3Port): Promise<S3RecordedSeed[]> {
  const out: S3RecordedSeed[] = [];
  for (const seed of seeds) {
    const run = await runS3Seed({ config: s.config, seed, network, population: s.pop, port: port?.(seed) });
    out.push({ seed, tables: [...run.record.conditions.values()] });
  }
  return out;
}

/** The birth–death chain's matrices at each bin's middle intensity. */
function chainMatrices(arousal: number, decay: number): number[][][] {
  return [0, 0.25, 0.75].map((m) => transitionMatrix(arousal * m, decay));
}

function fittedFile(params: S3FittedParams): S3FittedAgents {
  return { format: S3_FITTED_FORMAT, version: 1, protocol: 's3', source: { label: 'set', seeds: [], conditions: [], users: 0, rounds: 0, decisions: 0 }, params, uncertainty: {}, details: {}, goodness: null };
}

/** Within four standard errors, the error itself no larger than `maxSe` (what the sample size allows). */
function near(e: Estimate, truth: number, maxSe: number): void {
  expect(e.se).not.toBeNull();
  expect(e.se!).toBeLessThan(maxSe);
  expect(Math.abs(e.estimate - truth)).toBeLessThan(4 * e.se!);
}

describe('recovering known parameters', () => {
  it('should recover every parameter of fitted agents set by hand (repeat spreading, emotion jumps, noisy voter, priors)', async () => {
    const emotion = [
      [[0.9, 0.08, 0.02], [0.3, 0.6, 0.1], [0.1, 0.3, 0.6]],
      [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.05, 0.25, 0.7]],
      [[0.4, 0.35, 0.25], [0.1, 0.4, 0.5], [0.02, 0.18, 0.8]],
    ];
    const truth: S3FittedParams = { p: 0.1, postShare: 0.3, again: 0.2, emotion, flip: 0.1, consult: 0.4, initialPositive: { liberal: 0.8, moderate: 0.5, conservative: 0.2 } };
    const s = setup();
    const ideo = s.pop.personas.map((p) => p.ideology);
    const seeds = await record(s, [1, 2, 3], (seed) => createS3FittedPort(fittedFile(truth), seed, ideo));
    const f = fitS3Agents(s.inputs, seeds);
    const u = f.uncertainty;
    expect(f.source.decisions).toBeGreaterThan(3000);
    // Bounds from the counts: a binomial error with n observations is at most 0.5/√n; the MLEs' at most twice that.
    const bound = (n: number) => 1 / Math.sqrt(n);
    near(u.p, truth.p, 0.02);
    for (const k of ['postShare', 'again'] as const) near(u[k], truth[k], bound(u[k].n));
    near(u.flip, truth.flip, bound(u.flip.n) * 2);
    near(u.consult, truth.consult, bound(u.consult.n) * 2);
    for (const k of ['liberal', 'moderate', 'conservative'] as const) near(u[`initialPositive.${k}`], truth.initialPositive[k], bound(u[`initialPositive.${k}`].n));
    // Every matrix cell observed at least 100 times within four binomial errors of the truth.
    const counts = (f.details.emotion as { matrixCounts: number[][][] }).matrixCounts;
    let checked = 0;
    for (let b = 0; b < 3; b++) for (let from = 0; from < 3; from++) {
      const n = counts[b][from].reduce((x, y) => x + y, 0);
      if (n < 100) continue;
      for (let to = 0; to < 3; to++) {
        const t = emotion[b][from][to];
        expect(Math.abs(f.params.emotion[b][from][to] - t), `bin ${b} ${from}→${to} (n ${n})`).toBeLessThan(4 * Math.sqrt(t * (1 - t) / n) + 1e-9);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(18);
    expect(checkS3Fitted(JSON.parse(JSON.stringify(f)), 'fit')).toEqual(f);
    // A source the hand-set models cannot express: the fitted agents' curves are closer to it than theirs.
    const g = await goodnessOfFit(f, s.inputs, seeds, { handSet: true });
    for (const m of ['intensity', 'positive'] as const) {
      const c = g.curves.find((x) => x.measure === m)!;
      expect(c.fitted.msed, m).toBeLessThan(c.handSet!.msed);
    }
  }, 60_000);

  it('should recover the hand-set offline agent (voter model → consulting chance 1) and fit its curves closely', async () => {
    const s = setup({ spread: { kind: 'ic', p: 0.06 }, emotion: { arousal: 0.7, decay: 0.15 }, postShare: 0.5 });
    const seeds = await record(s, [4, 5, 6]);
    const f = fitS3Agents(s.inputs, seeds);
    const u = f.uncertainty;
    near(u.p, 0.06, 0.02);
    near(u.postShare, 0.5, 1 / Math.sqrt(u.postShare.n));
    near(u.arousal, 0.7, 2 / Math.sqrt(u.arousal.n));
    near(u.decay, 0.15, 2 / Math.sqrt(u.decay.n));
    expect(u.consult.estimate).toBeGreaterThan(0.99);
    expect(u.flip.estimate).toBeLessThan(0.01);
    expect(u.again).toMatchObject({ estimate: 0 });
    for (const k of ['liberal', 'moderate', 'conservative'] as const) near(u[`initialPositive.${k}`], s.config.event.priorPositive[k], 1 / Math.sqrt(u[`initialPositive.${k}`].n));
    const g = await goodnessOfFit(f, s.inputs, seeds, { handSet: true });
    const aware = g.curves.find((c) => c.measure === 'aware')!;
    expect(aware.fitted.msed).toBeLessThan(1e-3);
    expect(aware.fitted.cor!).toBeGreaterThan(0.99);
    // The hand-set agents are the source's own model and draws: their curves are the source's exactly.
    expect(aware.handSet!.msed).toBe(0);
  }, 60_000);
});

describe('replay and fitted runs', () => {
  it('should refuse a run that does not replay on the given network, naming the fix', async () => {
    const s = setup();
    const seeds = await record(s, [7]);
    const other = generateTwitterNetwork({ n: 1000, seed: 12 });
    const pop = s3Population(other, census, s.config, 12);
    expect(() => fitS3Agents({ ...s.inputs, network: other, personas: pop.personas }, seeds)).toThrow(/aware users where the run recorded .*--network/);
    expect(() => fitS3Agents({ ...s.inputs, config: makeS3Config({ rounds: 12, conditions: [{ name: 'other' }] }) }, seeds)).toThrow(/not a condition/);
  }, 30_000);

  it('should give the same records for the same seed with fitted agents, and different ones for another seed', async () => {
    const s = setup();
    const params: S3FittedParams = { p: 0.08, postShare: 0.4, again: 0.1, emotion: chainMatrices(0.6, 0.2), flip: 0.05, consult: 0.7, initialPositive: { liberal: 0.7, moderate: 0.5, conservative: 0.3 } };
    const ideo = s.pop.personas.map((p) => p.ideology);
    const run = async (seed: number) => (await record(s, [seed], (x) => createS3FittedPort(fittedFile(params), x, ideo)))[0].tables[0];
    const a = await run(9);
    const b = await run(9);
    const c = await run(10);
    expect(Array.from(a.emotion)).toEqual(Array.from(b.emotion));
    expect(Array.from(a.attitude)).toEqual(Array.from(b.attitude));
    expect(Array.from(a.action)).toEqual(Array.from(b.action));
    expect(Array.from(a.attitude)).not.toEqual(Array.from(c.attitude));
  }, 30_000);

  it('should reject a file that is not S3 fitted agents, saying which command writes one', () => {
    expect(() => checkS3Fitted({ format: 'x', transition: [] }, 'agents.json')).toThrow(/fitted SocioPol agents.*npm run fit -- --preset s3/);
    const good: S3FittedParams = { p: 0.5, postShare: 0.3, again: 0, emotion: chainMatrices(0.5, 0.2), flip: 0, consult: 1, initialPositive: { liberal: 0.5, moderate: 0.5, conservative: 0.5 } };
    expect(() => checkS3Fitted(fittedFile(good), 'agents.json')).not.toThrow();
    expect(() => checkS3Fitted(fittedFile({ ...good, p: 1.5 }), 'agents.json')).toThrow(/params\.p /);
    expect(() => checkS3Fitted(fittedFile({ ...good, flip: 0.5 }), 'agents.json')).toThrow(/flip \+ params\.consult/);
    const rows = structuredClone(good.emotion);
    rows[1][2] = [0.5, 0.2, 0.2];
    expect(() => checkS3Fitted(fittedFile({ ...good, emotion: rows }), 'agents.json')).toThrow(/params\.emotion\[1\]\[2\].*summing to 1/);
  });
});

describe('fitting from a run bundle', () => {
  async function bundleOf(s: ReturnType<typeof setup>, seeds: number[], protocolName = 's3'): Promise<RunBundle> {
    const config = s3SimConfig(s.config, network.n);
    const src: number[] = [];
    const dst: number[] = [];
    for (let a = 0; a < network.n; a++) for (const b of following(network, a)) {
      src.push(a);
      dst.push(b);
    }
    const out: RunBundle['seeds'] = [];
    for (const seed of seeds) {
      const rounds: RoundRecord[] = [];
      await runExperiment({ protocol: s3Protocol, config, seed, agents: s.pop.personas, network, port: s3Protocol.offlineAgents.models() }, { onRound: (r) => void rounds.push(r) });
      out.push({ seed, personas: s.pop.personas, rounds, finals: [] });
    }
    const bundle: RunBundle = {
      format: BUNDLE_FORMAT, version: BUNDLE_VERSION, exportedAt: '2026-11-27T00:00:00Z',
      run: { name: 'pilot', config: { ...config, protocol: protocolName }, seeds, agentsKind: 'offline', network: { kind: 'generated', label: 'generated (seed 11)', nodes: network.n, edges: src.length } },
      network: { n: network.n, src: Int32Array.from(src), dst: Int32Array.from(dst) },
      seeds: out,
      llmCache: [],
    };
    return decodeBundle(encodeBundle(bundle), 'pilot.json');
  }

  it('should read an S3 run bundle (settings, network, population, rounds) and fit exactly what its tables give', async () => {
    const s = setup();
    const bundle = await bundleOf(s, [21, 22]);
    const src = s3FitSource(bundle, 'pilot.json');
    expect(src.seeds.map((x) => x.seed)).toEqual([21, 22]);
    const fromBundle = fitS3Agents(src.inputs, src.seeds);
    const fromTables = fitS3Agents(s.inputs, await record(s, [21, 22]));
    expect(fromBundle.params).toEqual(fromTables.params);
    expect(fromBundle.uncertainty).toEqual(fromTables.uncertainty);
    expect(fromBundle.source.decisions).toBeGreaterThan(500);
    // The app's "Fit agents from this run" (the analysis worker) on the same bundle: same agents, with their curve fit.
    const app = await fitS3Run(bundle);
    expect(app.agents.params).toEqual(fromTables.params);
    expect(app.text).toMatch(/^S3 agents fitted from run “pilot”: \d+ decisions, 1000 users, rounds 0…12, seeds 21, 22/);
    expect(app.text).toMatch(/baseline\s+aware\s+\S+\s+0\.99|baseline\s+aware\s+\S+\s+1\.0000/);
    expect(checkS3Fitted(JSON.parse(JSON.stringify(app.agents)), 'download')).toEqual(app.agents);
  }, 30_000);

  it('should leave out answers the run marked invalid (they are not decisions) and say how many', async () => {
    const s = setup();
    const bundle = await bundleOf(s, [24]);
    const all = fitS3Agents(s3FitSource(bundle, 'pilot.json').inputs, s3FitSource(bundle, 'pilot.json').seeds);
    expect(all.details.invalidAnswers).toMatch(/^0 invalid/);
    // Mark one user who did nothing in a round as having answered invalidly there (the world kept it as it was).
    const rec = bundle.seeds[0].rounds.find((r) => r.round === 3 && r.condition === 'baseline')!;
    const quiet = Array.from(rec.active).find((a) => rec.columns.action[a] === 0)!;
    rec.invalidAgents = [quiet];
    const src = s3FitSource(bundle, 'pilot.json');
    const f = fitS3Agents(src.inputs, src.seeds);
    expect(f.source.decisions).toBe(all.source.decisions - 1);
    expect(f.details.invalidAnswers).toMatch(/^1 invalid answer\(s\) left out/);
    expect(fitS3Agents(s.inputs, await record(s, [24])).details.invalidAnswers).toMatch(/not marked in CSVs/);
  }, 30_000);

  it('should refuse the bundle of another protocol, naming the SocioPol fit', async () => {
    const bundle = await bundleOf(setup(), [23], 'sociopol');
    expect(() => s3FitSource(bundle, 'pilot.json')).toThrow(/is a sociopol run, not S3.*npm run fit -- --run BUNDLE\.json/);
  }, 30_000);
});
