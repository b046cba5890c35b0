// The results in words: one sentence per message with the numbers of the table, cautions for partial runs, few seeds
// and small samples, small subgroups not estimated, zero-width intervals explained; the effects CSV, the setup link
// (never a key) and the provenance hash.
import { describe, expect, it } from 'vitest';
import type { Effect, Summary } from '../../src/analysis/types';
import { findings, formatValue, MIN_N, rowProblem, isDegenerate, warnings } from '../../src/ui/findings';
import { effectsCsv } from '../../src/ui/results-export';
import { payloadOf, readSetupParam, setupLink } from '../../src/ui/state/setup-link';
import { configHash, versionNote } from '../../src/storage/provenance';
import { DEFAULT_CONFIG } from '../../src/protocols/sociopol/defaults';
import { decodeBundle, type RunBundle } from '../../src/storage/bundle';
import { contrastLabels } from '../../src/analysis/estimators';
import { BOND_2012_CONFIG } from '../../src/protocols/bond2012/protocol';
import { getProtocol } from '../../src/protocols/registry';

function eff(treatment: string, baseline: string, estimate: number, lo: number, hi: number, n = 1000, method = 'paired', outcome = 'share_likely_r30'): Effect {
  return { treatment, baseline, outcome, estimate, se: (hi - lo) / 3.92, ci95: [lo, hi], nTreatment: n, nBaseline: n, seed: 'seed_1', method };
}

/** The contrasts the protocols declare for their default configurations: the findings pick effects through them. */
const SOCIOPOL_CONTRASTS = contrastLabels(getProtocol('sociopol').contrasts(DEFAULT_CONFIG));
const BOND_CONTRASTS = contrastLabels(getProtocol('bond2012').contrasts(BOND_2012_CONFIG));

function summary(effects: Effect[], seeds = ['seed_1'], contrasts = SOCIOPOL_CONTRASTS): Summary {
  return { source: 't', seeds, conditions: {}, perSeed: {}, effects, contrasts, notes: [] };
}

describe('findings', () => {
  it('should say the direct effect and the absence of spillover with the table numbers', () => {
    const s = summary([
      eff('treatment_soc_message', 'control', 0.061, 0.05, 0.072),
      eff('treatment_soc_message', 'control', 0.07, 0.05, 0.09, 1000, 'neyman'),
      eff('experiment_soc_message:untreated', 'control', 0.003, -0.002, 0.007, 600),
    ]);
    const [f] = findings(s);
    expect(f.sentence).toBe(
      'The social message (everyone treated) raised the share likely to vote by 6.1 pp (95 % CI 5.0 to 7.2) at round 30; no detectable spillover to untreated agents of the staggered roll-out (+0.3 pp, −0.2 to +0.7).',
    );
    expect(f.effects.map((e) => e.method)).toEqual(['paired', 'paired']);
  });

  it('should name spillover when the untreated rise and say when a group is too small', () => {
    const s = summary([eff('experiment_info_message:untreated', 'control', 0.02, 0.01, 0.03), eff('treatment_info_message', 'control', 0.1, 0.05, 0.15, 12)]);
    const [f] = findings(s);
    expect(f.sentence).toMatch(/too few agents to estimate its effect on the share likely to vote at round 30 \(n = 12\)/);
    expect(f.sentence).toMatch(/spillover: untreated agents of the staggered roll-out rose too, by \+2\.0 pp \(1\.0 to 3\.0\)/);
  });

  it('should speak of turnout and close friends for an arm design', () => {
    const s = summary([
      eff('bond2012:social', 'bond2012:control', 0.04, 0.01, 0.07, 900, 'neyman', 'turnout'),
      eff('bond2012:social', 'bond2012:info', 0.01, -0.02, 0.04, 900, 'neyman', 'turnout'),
      eff('bond2012:social:friends', 'bond2012:control:friends', 0.0, -0.01, 0.01, 900, 'neyman', 'turnout'),
      eff('bond2012:social', 'bond2012:control', 0.04, 0.01, 0.07, 900, 'neyman', 'share_likely_r1'),
    ], ['seed_1'], BOND_CONTRASTS);
    const f = findings(s);
    expect(f).toHaveLength(1);
    expect(f[0].sentence).toMatch(/^The social message raised turnout on election day by 4\.0 pp \(95 % CI 1\.0 to 7\.0\); no detectable spillover to close friends/);
  });

  it('should mark small subgroups and zero-width intervals instead of showing them as estimates', () => {
    expect(rowProblem(eff('x:untreated:exposure_0', 'control', 0.2, -0.1, 0.5, MIN_N - 25))).toMatch(/too few to estimate \(n = 5/);
    expect(rowProblem(eff('x', 'control', 0.2, 0.1, 0.3, MIN_N))).toBeNull();
    const flat = { ...eff('experiment_soc_message:untreated', 'control', 0, 0, 0), se: 0 };
    expect(isDegenerate(flat)).toBe(true);
    expect(findings(summary([flat]))[0].sentence).toMatch(/exactly where they would be without the message/);
    expect(effectsCsv([flat], 3, 30)).toMatch(/same for every agent as in the baseline/);
  });

  it('should warn about a partial run, few seeds and small samples', () => {
    const small = eff('treatment_soc_message', 'control', 0.1, 0.05, 0.15, 120);
    const w = warnings({ summary: summary([small]), round: 23, plannedRound: 30, seedsUsed: 1, seedsPlanned: 2, status: 'paused' }, [small]);
    expect(w.join('\n')).toMatch(/Partial results: as of round 23 of 30 \(the run is paused\)/);
    expect(w.join('\n')).toMatch(/Only 1 of 2 seeds have reached round 23/);
    expect(w.join('\n')).toMatch(/One seed/);
    expect(w.join('\n')).toMatch(/Small sample: 120 agents/);
    expect(warnings({ summary: summary([]), round: 30, plannedRound: 30, seedsUsed: 3, seedsPlanned: 3, status: 'complete' }, [])).toEqual([]);
  });

  it('should format shares in percentage points with a true minus sign', () => {
    expect(formatValue(-0.0123, 'share_likely_r30')).toBe('−1.2 pp');
    expect(formatValue(0.05, 'likelihood_r30')).toBe('+0.050');
  });
});

describe('exports and links', () => {
  const run: RunBundle['run'] = {
    name: 'r', config: structuredClone(DEFAULT_CONFIG), seeds: [4, 5], agentsKind: 'llm',
    llm: { baseUrl: 'http://127.0.0.1:1234/v1', models: { full: 'a', mini: 'b', nano: 'c' }, budgetUsd: 2, concurrency: 4 },
    network: { kind: 'uploaded', label: 'mine.edges', nodes: 6, edges: 9 },
  };

  it('should write one CSV row per effect with the round the results are as of', () => {
    const csv = effectsCsv([eff('a', 'control', 0.1, 0.05, 0.15)], 23, 30).trim().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[0]).toMatch(/^treatment,baseline,outcome,method,seed,estimate/);
    expect(csv[1]).toMatch(/^a,control,share_likely_r30,paired,seed_1,0\.1,.*,23,30,$/);
  });

  it('should carry a setup in a link without any key, and refuse a damaged link by name', () => {
    const withKey = { ...run, llm: { ...run.llm!, apiKey: 'sk-test-NOT-A-REAL-KEY' } } as RunBundle['run'];
    const { url, note } = setupLink(withKey, 'http://127.0.0.1/course/spillover/index.html?embed#x');
    expect(url).not.toMatch(/NOT-A-REAL-KEY/);
    expect(atob(new URL(url).searchParams.get('setup')!.replace(/-/g, '+').replace(/_/g, '/'))).not.toMatch(/NOT-A-REAL-KEY|apiKey/);
    expect(new URL(url).pathname).toBe('/course/spillover/index.html');
    expect(note).toMatch(/upload it again/);
    const back = readSetupParam(new URL(url).searchParams);
    expect(back).toEqual(payloadOf(run).payload);
    expect(readSetupParam(new URLSearchParams('setup=%%%'))).toEqual({ error: expect.stringMatching(/damaged/) });
  });

  it('should hash the defining settings, not the name, and name a bundle from another build', async () => {
    const a = await configHash(run);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(await configHash({ ...run, name: 'other' })).toBe(a);
    expect(await configHash({ ...run, seeds: [4] })).not.toBe(a);
    expect(versionNote({ version: '0.1.0', commit: 'abc' }, { version: '0.1.0', commit: 'abc' })).toBeNull();
    expect(versionNote({ version: '0.0.9', commit: 'abc' }, { version: '0.1.0', commit: 'def' })).toMatch(/made by Spillover 0\.0\.9 \(commit abc\); this is Spillover 0\.1\.0 \(commit def\)/);
    expect(versionNote(undefined)).toMatch(/does not say which version/);
  });

  it('should refuse a zip or a CSV offered as a bundle by what it is, naming the real button, without its bytes', () => {
    expect(() => decodeBundle('PK\u0003\u0004\u0014\u0000binary', 'run.zip')).toThrow(/run\.zip: is a zip file, not a run bundle .*"Bundle" button in "Your runs"/);
    expect(() => decodeBundle('PK\u0003\u0004\u0014\u0000binary', 'run.zip')).not.toThrow(/binary|\u0003/);
    expect(() => decodeBundle('agent,round\n1,2\n', 't.csv')).toThrow(/looks like a CSV table/);
  });
});
