// The analysis compares what the protocol declares (`Protocol.contrasts`), found from the conditions' messages and
// schedules, never from their names, and reads the column the protocol declares (`Protocol.answerColumn`): the same
// data under other condition names, or a run whose answer column has another name, gives the same effects table.
import { describe, expect, it } from 'vitest';
import { designFor, publishedDesign } from '../../src/analysis/design';
import { loadPublished } from '../../src/analysis/load-published';
import { summarize } from '../../src/analysis/summary';
import type { Effect, SeedData } from '../../src/analysis/types';
import { compareWithBond } from '../../src/analysis/bond2012';
import { getProtocol } from '../../src/protocols/registry';
import { DEFAULT_CONDITIONS, makeConfig } from '../../src/protocols/sociopol/defaults';
import { BOND_2012_CONFIG } from '../../src/protocols/bond2012/protocol';
import { findings } from '../../src/ui/findings';
import { seedDataFromViews, viewReading } from '../../src/analysis/from-run';
import { tteContrasts } from '../../src/analysis/tte/contrasts';
import type { AnyProtocol } from '../../src/engine/protocol';
import { OfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { runRecorded, tinyConfig, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

const FIXTURE = 'tests/fixtures/analysis-small';
/** Names with none of the published prefixes (control, treatment_, experiment_). */
const RENAMED: Record<string, string> = {
  control: 'baseline',
  treatment_soc_message: 'everyone_social',
  experiment_soc_message: 'staggered_social',
};
const rename = (label: string) => label.split(':').map((p) => RENAMED[p] ?? p).join(':');

function fixtureConfig(names: (name: string) => string) {
  const present = DEFAULT_CONDITIONS.filter((c) => c.name in RENAMED);
  return makeConfig({ lastRound: 2, periodEnds: [1, 2], conditions: present.map((c) => ({ ...c, name: names(c.name) })) });
}

const key = (e: Effect) => [e.treatment, e.baseline, e.outcome, e.method, e.seed].join('|');

describe('contrasts declared by the protocol', () => {
  const seeds = loadPublished(FIXTURE);
  const sociopol = getProtocol('sociopol');
  const original = summarize(seeds, 'x', designFor(sociopol, fixtureConfig((n) => n)));
  const renamedSeeds: SeedData[] = seeds.map((s) => ({ ...s, conditions: s.conditions.map((c) => ({ ...c, name: RENAMED[c.name] })) }));
  const renamed = summarize(renamedSeeds, 'x', designFor(sociopol, fixtureConfig((n) => RENAMED[n])));

  it('should give the same effects table when the conditions are renamed', () => {
    // Full, roll-out (direct, spillover, cohorts) and their pooled rows are all there under the new names.
    expect(original.effects.length).toBeGreaterThan(20);
    expect(renamed.effects.map(key)).toEqual(original.effects.map((e) => key({ ...e, treatment: rename(e.treatment), baseline: rename(e.baseline) })));
    expect(renamed.effects.map((e) => e.estimate)).toEqual(original.effects.map((e) => e.estimate));
    expect(renamed.effects.map((e) => e.se)).toEqual(original.effects.map((e) => e.se));
    expect(renamed.effects.some((e) => e.treatment === 'staggered_social:untreated' && e.baseline === 'baseline')).toBe(true);
    expect(renamed.effects.some((e) => e.treatment === 'staggered_social:cohort_p1')).toBe(true);
  });

  it('should say the findings of renamed conditions in the same words', () => {
    expect(findings(renamed).map((f) => f.sentence)).toEqual(findings(original).map((f) => f.sentence));
    expect(findings(renamed).length).toBeGreaterThan(0);
  });

  it('should compare nothing under names alone: published names without a declaration give no effect', () => {
    // A condition named like a full treatment but declared with no message is a second baseline, not a treatment.
    const config = fixtureConfig((n) => n);
    config.conditions = config.conditions.map((c) => (c.name === 'treatment_soc_message' ? { ...c, message: 'none', schedule: [0, 0] } : c));
    const s = summarize(seeds, 'x', designFor(sociopol, config));
    expect(s.effects.some((e) => e.treatment === 'treatment_soc_message')).toBe(false);
    expect(s.effects.some((e) => e.treatment === 'experiment_soc_message:untreated')).toBe(true);
  });

  it('should put the Bond 2012 comparison on the declared pairs, whatever they are called', () => {
    const rows = compareWithBond(renamed).rows.filter((r) => r.label.startsWith('Social message vs control'));
    expect(rows.map((r) => r.run)).toEqual(compareWithBond(original).rows.filter((r) => r.label.startsWith('Social message vs control')).map((r) => r.run));
    expect(rows.some((r) => r.run !== '—')).toBe(true);
  });

  it('should declare every arm against the arm without a message for the Bond design', () => {
    const config = structuredClone(BOND_2012_CONFIG);
    config.conditions[0].arms = config.conditions[0].arms!.map((a) => ({ ...a, name: `arm_${a.message}` }));
    const ids = getProtocol('bond2012').contrasts(config).map((c) => c.id);
    expect(ids).toContain('bond2012:arm_social');
    expect(ids).toContain('bond2012:arm_social:friends');
    expect(ids).not.toContain('bond2012:arm_none');
  });

  it('should restrict published files to the SocioPol conditions present', () => {
    const d = publishedDesign(seeds)(2);
    const named = new Set(d.contrasts.flatMap((c) => [c.treatment.condition, c.baseline.condition]));
    expect([...named].sort()).toEqual(['control', 'experiment_soc_message', 'treatment_soc_message']);
  });

  it('should read the answer column the protocol declares, whatever it is called', async () => {
    // SocioPol with its per-round column 'stated' renamed 'answer' (declarations, records and outcomes alike).
    const renamedColumn: AnyProtocol = {
      ...sociopol,
      columns: sociopol.columns.map((c) => (c.name === 'stated' ? { ...c, name: 'answer' } : c)),
      answerColumn: 'answer',
      outcomes: (config) => sociopol.outcomes(config).map((o) => ('column' in o && o.column === 'stated' ? { ...o, column: 'answer' } : o)),
      endRound(ctx, scratch) {
        const { columns, ...rest } = sociopol.endRound(ctx, scratch);
        const { stated, ...others } = columns;
        return { ...rest, columns: { ...others, answer: stated } };
      },
    };
    const config = tinyConfig(300, { lastRound: 6, periodEnds: [2, 4, 5, 6] });
    const agents = tinyPersonas(300, 9);
    const network = tinyNetwork(300, 9);
    const analyse = async (protocol: AnyProtocol) => {
      const { views } = await runRecorded({ config, seed: 9, agents, network, port: new OfflinePort(), protocol });
      return summarize([seedDataFromViews('seed_9', views, agents, network, viewReading(config, protocol))], 'x', designFor(protocol, config));
    };
    const original = await analyse(sociopol);
    const renamed = await analyse(renamedColumn);
    expect(original.effects.length).toBeGreaterThan(20);
    expect(original.effects.some((e) => e.outcome === 'first_treated_answer')).toBe(true);
    expect(renamed.effects).toEqual(original.effects);
    expect(renamed.conditions).toEqual(original.conditions);
    // Without the declaration the generic analysis refuses, rather than guess a column.
    expect(() => viewReading(config, { ...renamedColumn, answerColumn: undefined })).toThrow(/declares no answerColumn/);
  });

  it('should find the estimator testbed\'s roll-outs from the declared total effects, under any condition names', () => {
    const names = (n: string) => RENAMED[n] ?? n;
    const contrasts = tteContrasts(Object.values(RENAMED), fixtureConfig(names));
    expect(contrasts).toEqual([{ message: 'social', rollout: 'staggered_social', allTreated: 'everyone_social', noneTreated: 'baseline' }]);
  });
});
