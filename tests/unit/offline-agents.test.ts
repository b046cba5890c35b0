/**
 * The hand-set offline SocioPol agents: the decision-port contract, and their calibration to the published runs (first
 * values, activation gaps, stickiness, the social message's pull, spillover only with peer influence).
 */
import { describe, expect, it } from 'vitest';
import { RankedFeed } from '../../src/engine/feed';
import { OfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { OFFLINE_PARAMETERS } from '../../src/protocols/sociopol/offline/parameters';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import type { ActivationRequest } from '../../src/protocols/sociopol/types';
import { runPortContract } from './decision-port-contract';
import { runRecorded, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

describe('offline agents: the decision port contract', () => {
  runPortContract(() => new OfflinePort());
});

/** Per-activation behaviour of the offline agents over a 1,500-agent run, measured from the wide tables. */
async function measure(params = OFFLINE_PARAMETERS) {
  const n = 1500;
  const personas = tinyPersonas(n, 3, 0);
  const network = tinyNetwork(n, 3);
  const { views } = await runRecorded({ config: makeConfig({ agents: n }), seed: 5, agents: personas, network, port: new OfflinePort(params) });
  // The wide tables of each condition (the stated likelihood, treatment and activity per agent and round).
  const conditions = views.map((v) => ({ name: v.name, rounds: v.rounds, stated: v.column('stated'), treated: v.treated, active: v.active }));
  const result = { conditions };
  const R = conditions[0].rounds.length;
  const control = conditions.find((c) => c.name === 'control')!;
  const social = conditions.find((c) => c.name === 'treatment_soc_message')!;
  const first = [0, 0, 0, 0, 0];
  const gaps = new Map<number, number>();
  const stay = (t: typeof control) => {
    const moves = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
    for (let a = 0; a < n; a++) {
      let prev = -1;
      for (let k = 0; k < R; k++) {
        const v = t.stated[a * R + k];
        if (v < 0) continue;
        if (prev >= 0 && k >= 16) moves[prev][v]++;
        prev = v;
      }
    }
    return moves;
  };
  const activeAt: Record<number, number[]> = { 1: [], 3: [] };
  for (let a = 0; a < n; a++) {
    let prevK = -1;
    let firstSeen = false;
    let atZero = -1;
    let mainActs = 0;
    for (let k = 0; k < R; k++) {
      const v = control.stated[a * R + k];
      if (control.active[a * R + k]) {
        if (prevK >= 0) gaps.set(k - prevK, (gaps.get(k - prevK) ?? 0) + 1);
        prevK = k;
        if (k >= 16) mainActs++;
      }
      if (v >= 0 && !firstSeen) {
        first[v]++;
        firstSeen = true;
      }
      if (v >= 0 && k <= 15) atZero = v;
    }
    if (atZero === 1 || atZero === 3) activeAt[atZero].push(mainActs);
  }
  return { n, R, first, gaps, control: stay(control), social: stay(social), activeAt, result };
}

const share = (row: number[], k: number) => row[k] / row.reduce((s, x) => s + x, 0);

describe('offline agents: calibration to the published runs (protocols §C)', () => {
  it('should state first values near 1: 22 %, 2: 14 %, 3: 61 %, 4: 2.5 % and never 0', async () => {
    const { first } = await measure();
    expect(first[0]).toBe(0);
    // The tiny-world personas draw habits 62/16/22 at random, so allow a few points.
    expect(share(first, 1)).toBeGreaterThan(0.17);
    expect(share(first, 1)).toBeLessThan(0.27);
    expect(share(first, 3)).toBeGreaterThan(0.55);
    expect(share(first, 3)).toBeLessThan(0.67);
    expect(share(first, 4)).toBeLessThan(0.05);
  });

  it('should space activations by 2–9 rounds with 4 and 5 the most common gaps and about a fifth active per round', async () => {
    const { gaps, result, n, R } = await measure();
    const total = [...gaps.values()].reduce((s, x) => s + x, 0);
    const g = (k: number) => (gaps.get(k) ?? 0) / total;
    expect(g(1)).toBeLessThan(0.01);
    expect(g(4) + g(5)).toBeGreaterThan(0.35);
    expect(g(10) + g(11) + g(12)).toBeLessThan(0.01);
    const active = result.conditions[0].active;
    let count = 0;
    for (let a = 0; a < n; a++) for (let k = 16; k < R; k++) count += active[a * R + k];
    const perRound = count / n / (R - 16);
    expect(perRound).toBeGreaterThan(0.18);
    expect(perRound).toBeLessThan(0.24);
  });

  it('should keep likelihoods sticky in control and move 2 → 3 more often under the social message', async () => {
    const { control, social } = await measure();
    expect(share(control[1], 1)).toBeGreaterThan(0.95);
    expect(share(control[3], 3)).toBeGreaterThan(0.97);
    expect(share(control[4], 4)).toBeGreaterThan(0.97);
    expect(share(control[2], 2)).toBeGreaterThan(0.8);
    expect(share(social[2], 3)).toBeGreaterThan(share(control[2], 3));
  });

  it('should make less likely voters act more often', async () => {
    const { activeAt } = await measure();
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(activeAt[1])).toBeGreaterThan(mean(activeAt[3]) + 1);
  });

  it('should produce no spillover without peer influence and some with it', async () => {
    const spill = async (peerInfluence: number) => {
      const { result, n, R } = await measure({ ...OFFLINE_PARAMETERS, peerInfluence });
      const control = result.conditions.find((c) => c.name === 'control')!;
      const exp = result.conditions.find((c) => c.name === 'experiment_soc_message')!;
      let diff = 0;
      let k = 0;
      for (let a = 0; a < n; a++) {
        if (exp.treated[a * R + R - 1]) continue;
        const last = (t: typeof control) => {
          for (let c = R - 1; c >= 0; c--) if (t.stated[a * R + c] >= 0) return t.stated[a * R + c];
          return -1;
        };
        diff += last(exp) - last(control);
        k++;
      }
      return diff / k;
    };
    // Common random numbers: with no peer channel, untreated agents behave exactly as in control.
    expect(await spill(0)).toBe(0);
    expect(await spill(2)).toBeGreaterThan(0);
  });

  it('should vote more often at higher stated likelihood', async () => {
    const port = new OfflinePort();
    port.init({ seed: 1, config: makeConfig(), agents: tinyPersonas(10, 1, 0) });
    const votes = async (l: 1 | 3) => {
      const reqs = Array.from({ length: 2000 }, (_, i) => ({ agentId: i, condition: 'control', lastLikelihood: l, treatedEver: false }));
      const out = await port.decideFinal({ condition: 'control', requests: reqs });
      return out.filter((o) => o.ok && o.voted === 1).length / reqs.length;
    };
    expect(await votes(3)).toBeGreaterThan((await votes(1)) + 0.4);
  });

  it('should give the same answer to the same request in any condition (common random numbers)', () => {
    const port = new OfflinePort();
    const personas = tinyPersonas(10, 1, 0);
    port.init({ seed: 9, config: makeConfig(), agents: personas });
    const req: ActivationRequest = {
      agentId: 4,
      round: 7,
      condition: 'control',
      memory: null,
      feed: [],
      ranked: RankedFeed.of([]),
      invitedToPost: false,
      vote: { roundsToElection: 23, previousLikelihood: 2, treatment: null, followedCount: 10, followedLikelyShare: 0.5 },
    };
    expect(port.decide({ ...req, condition: 'treatment_soc_message' })).toEqual(port.decide(req));
  });
});
