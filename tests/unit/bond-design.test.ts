/**
 * The Bond et al. 2012 design on the SocioPol machinery: adults randomised into arms within one condition, each arm's
 * message shown on election day only, and the analysis of each arm and of its close friends against the arm without.
 */
import { describe, expect, it } from 'vitest';
import { OfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { seedDataFromViews, viewReading } from '../../src/analysis/from-run';
import { summarize } from '../../src/analysis/summary';
import { compareWithBond } from '../../src/analysis/bond2012';
import { armsOf, assignmentUniforms } from '../../src/engine/assignment';
import { withOverrides } from '../../src/engine/config';
import type { DecisionPort } from '../../src/engine/ports';
import { BOND_2012_CONFIG } from '../../src/protocols/bond2012/protocol';
import { checkConfig, getProtocol } from '../../src/protocols/registry';
import { designFor } from '../../src/analysis/design';
import type { ActivationRequest, RoundBatch, VoteBatch } from '../../src/protocols/sociopol/types';
import { runRecorded, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

const N = 600;

function bondConfig(shares: [number, number, number] = [0.5, 0.25, 0.25]) {
  const base = structuredClone(BOND_2012_CONFIG);
  const spec = base.conditions[0];
  spec.arms = [
    { name: 'social', message: 'social', share: shares[0] },
    { name: 'info', message: 'info', share: shares[1] },
    { name: 'control', message: 'none', share: shares[2] },
  ];
  return withOverrides(base, { agents: N });
}

describe('the Bond et al. 2012 design', () => {
  it('should randomise adults into arms and show each arm its own message on election day only', async () => {
    const config = bondConfig();
    const personas = tinyPersonas(N, 2);
    // Close friends that are real mutual contacts in the tiny world: the next three ids.
    for (const p of personas) p.closeFriends = [1, 2, 3].map((k) => (p.id + k) % N);
    const network = tinyNetwork(N, 2);
    const seen: ActivationRequest[] = [];
    const inner = new OfflinePort();
    const spy: DecisionPort = {
      kind: 'spy',
      init: (ctx) => inner.init(ctx),
      decideRound: async (batch) => {
        seen.push(...(batch as RoundBatch).requests);
        return inner.decideRound(batch as RoundBatch);
      },
      decideFinal: (batch) => inner.decideFinal(batch as VoteBatch),
    };
    const { views } = await runRecorded({ config, seed: 4, agents: personas, network, port: spy });
    const arms = armsOf(config.conditions[0], assignmentUniforms(4, personas), personas);
    const adults = personas.filter((p) => p.adult);
    const share = (k: number) => adults.filter((p) => arms[p.id] === k).length / adults.length;
    expect(share(0)).toBeGreaterThan(0.42);
    expect(share(0)).toBeLessThan(0.58);
    expect(share(2)).toBeGreaterThan(0.18);
    expect(share(2)).toBeLessThan(0.32);
    const electionDay = seen.filter((r) => r.round === 1 && r.vote);
    expect(electionDay.length).toBeGreaterThan(50);
    for (const r of seen.filter((x) => x.round <= 0)) expect(r.vote?.treatment ?? null).toBeNull();
    for (const r of electionDay) {
      const arm = arms[r.agentId];
      const t = r.vote!.treatment;
      if (arm === 2) expect(t).toBeNull();
      if (arm === 1) expect(t?.kind).toBe('info');
      if (arm === 0) {
        expect(t?.kind).toBe('social');
        if (t?.kind === 'social') for (const f of t.followedLikely) expect(personas[r.agentId].closeFriends).toContain(f.id);
      }
    }
    const R = views[0].rounds.length;
    for (const p of adults) expect(views[0].treated[p.id * R + R - 1]).toBe(arms[p.id] === 2 ? 0 : 1);
    expect(views[0].final).not.toBeNull();
  });

  it('should estimate each arm against the arm without a message, and the friends of each arm, for the Bond panel', async () => {
    const config = bondConfig();
    const personas = tinyPersonas(N, 3);
    const network = tinyNetwork(N, 3);
    const { views } = await runRecorded({ config, seed: 6, agents: personas, network, port: new OfflinePort() });
    const summary = summarize([seedDataFromViews('seed_6', views, personas, network, viewReading(config))], 'test', designFor(getProtocol('bond2012'), config));
    const names = summary.effects.filter((e) => e.seed === 'seed_6').map((e) => `${e.treatment} vs ${e.baseline} ${e.outcome}`);
    expect(names).toContain('bond2012:social vs bond2012:control turnout');
    expect(names).toContain('bond2012:info vs bond2012:control turnout');
    expect(names).toContain('bond2012:social vs bond2012:info turnout');
    expect(names).toContain('bond2012:social:friends vs bond2012:control:friends turnout');
    expect(Object.keys(summary.conditions.bond2012.turnoutByArm ?? {})).toEqual(['social', 'info', 'control']);
    for (const t of Object.values(summary.conditions.bond2012.turnoutByArm ?? {})) expect(t).toBeGreaterThan(0);
    const bond = compareWithBond(summary);
    const social = bond.rows.find((r) => r.label === 'Social message vs control');
    expect(social?.comparability).toBe('same outcome');
    expect(bond.designDifferences[0]).toMatch(/Same design/);
  });

  it('should refuse arms whose shares do not sum to 1 and schedules other than 0 or 1', () => {
    const bad = bondConfig([0.5, 0.3, 0.3]);
    expect(() => checkConfig(bad)).toThrow(/arms shares sum to 1\.1/);
    const fractional = bondConfig();
    fractional.conditions[0].schedule = [0.5];
    expect(() => checkConfig(fractional)).toThrow(/0 or 1/);
  });
});
