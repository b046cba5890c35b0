// The analysis on the authors' published runs (../shared/data/llm-sociopol), checked against invariants computed
// another way: raw line counts, treated shares against the schedule, a naive recomputation of control means, the
// calibration figures of protocols.md §C, and the CLI's --json shape.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { conditionSummary } from '../../src/analysis/estimators';
import { loadPublished } from '../../src/analysis/load-published';
import { publishedDesign } from '../../src/analysis/design';
import { summarize } from '../../src/analysis/summary';
import type { Effect, SeedData, Summary } from '../../src/analysis/types';

const DIR = '../shared/data/llm-sociopol';
const CONDITIONS = ['control', 'treatment_info_message', 'treatment_soc_message', 'experiment_info_message', 'experiment_soc_message'];
const SCHEDULE: Record<string, number[]> = {
  control: [0, 0, 0, 0],
  treatment_info_message: [1, 1, 1, 1],
  treatment_soc_message: [1, 1, 1, 1],
  experiment_info_message: [0.2, 0.4, 0.8, 0.8],
  experiment_soc_message: [0.2, 0.4, 0.8, 0.8],
};
const PERIOD_ENDS = [10, 20, 29, 30];

let seeds: SeedData[];
let summary: Summary;

function pooled(treatment: string, baseline: string, outcome: string, method = 'paired'): Effect {
  const e = summary.effects.find((x) => x.seed === 'pooled' && x.treatment === treatment && x.baseline === baseline && x.outcome === outcome && x.method === method);
  if (!e) throw new Error(`no pooled ${treatment} vs ${baseline} ${outcome} ${method}`);
  return e;
}

beforeAll(() => {
  seeds = loadPublished(DIR);
  summary = summarize(seeds, DIR, publishedDesign(seeds));
}, 120_000);

describe('the published LLM-SocioPol runs', () => {
  it('should read five seeds of five conditions with 19,785 rows each, as the raw line counts say', () => {
    expect(seeds.map((s) => s.label)).toEqual(['seed_1', 'seed_2', 'seed_3', 'seed_4', 'seed_5']);
    for (const s of seeds) {
      expect(s.conditions.map((c) => c.name)).toEqual(CONDITIONS);
      for (const c of s.conditions) {
        for (const kind of ['voting', 'treatment']) {
          const raw = readFileSync(join(DIR, s.label, c.name, `${c.name}_${kind}_data.csv`), 'utf8');
          expect(raw.split('\n').filter((l) => l.trim() !== '').length - 1).toBe(19785);
        }
        expect(c.agentIds.length).toBe(19785);
        expect(summary.perSeed[s.label][c.name].adults).toBe(19785);
      }
    }
  });

  it('should find treated shares per round that follow each condition’s schedule', () => {
    for (const s of seeds) {
      for (const c of s.conditions) {
        const R = c.rounds.length;
        for (const r of [1, 5, 10, 11, 20, 21, 29, 30]) {
          const j = c.rounds.indexOf(r);
          let t = 0;
          for (let i = 0; i < c.agentIds.length; i++) t += c.treatment![i * R + j];
          const k = PERIOD_ENDS.findIndex((e) => r <= e);
          expect(Math.abs(t / c.agentIds.length - SCHEDULE[c.name][k]), `${s.label}/${c.name} round ${r}`).toBeLessThan(0.01);
        }
      }
    }
  });

  it("should report seed 2's experiment_soc_message quirks and rebuild its roll-out", () => {
    const notes = summary.notes.join('\n');
    expect(notes).toMatch(/seed_2\/experiment_soc_message: no column for round -15/);
    expect(notes).toMatch(/seed_2\/experiment_soc_message: treatment file contradicts its schedule/);
    expect(notes).toMatch(/seed_2\/experiment_soc_message: per-round assignment rebuilt from experiment_info_message/);
    // The raw file itself marks 80 % as treated from round 1.
    const raw = readFileSync(join(DIR, 'seed_2/experiment_soc_message/experiment_soc_message_treatment_data.csv'), 'utf8').trim().split('\n');
    const col = raw[0].split(',').indexOf('round_1');
    const share = raw.slice(1).filter((l) => l.split(',')[col] === '1').length / (raw.length - 1);
    expect(share).toBeGreaterThan(0.79);
  });

  it('should match a naive recomputation of the control means', () => {
    const lines = readFileSync(join(DIR, 'seed_3/control/control_voting_data.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const c0 = header.indexOf('0');
    const c30 = header.indexOf('30');
    let s0 = 0, n0 = 0, s30 = 0, n30 = 0, likely30 = 0;
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      let last: number | null = null;
      for (let j = 1; j < cells.length; j++) {
        if (cells[j] !== '') last = parseFloat(cells[j]);
        if (j === c0 && last !== null) { s0 += last; n0++; }
        if (j === c30 && last !== null) { s30 += last; n30++; if (last >= 3) likely30++; }
      }
    }
    const mine = conditionSummary(seeds[2].conditions[0], 3);
    expect(mine.meanLikelihoodByRound['0']).toBeCloseTo(s0 / n0, 12);
    expect(mine.meanLikelihoodByRound['30']).toBeCloseTo(s30 / n30, 12);
    expect(mine.shareLikelyByRound['30']).toBeCloseTo(likely30 / n30, 12);
  });

  it('should reproduce the calibration figures of protocols §C', () => {
    // Mean likelihood 2.44 at the end of warm-up, drifting to about 2.52 in control by round 30.
    expect(summary.conditions.control.meanLikelihoodByRound['0']).toBeCloseTo(2.44, 2);
    expect(Math.abs(summary.conditions.control.meanLikelihoodByRound['30'] - 2.52)).toBeLessThan(0.01);
    // First treated answer among agents active in round 1: ≈ +0.12 social, ≈ +0.035 informational.
    expect(Math.abs(pooled('treatment_soc_message', 'control', 'first_treated_answer').estimate - 0.12)).toBeLessThan(0.01);
    expect(Math.abs(pooled('treatment_info_message', 'control', 'first_treated_answer').estimate - 0.035)).toBeLessThan(0.005);
  });

  it('should order the effects on likelihood at round 30 social > informational > control', () => {
    const soc = pooled('treatment_soc_message', 'control', 'likelihood_r30');
    const info = pooled('treatment_info_message', 'control', 'likelihood_r30');
    expect(soc.estimate).toBeGreaterThan(info.estimate);
    expect(info.estimate).toBeGreaterThan(0);
    expect(info.ci95[0]).toBeGreaterThan(0);
    expect(pooled('treatment_soc_message', 'treatment_info_message', 'likelihood_r30').ci95[0]).toBeGreaterThan(0);
    // The paired SE is smaller than the Neyman SE because the conditions share agents.
    expect(soc.se).toBeLessThan(pooled('treatment_soc_message', 'control', 'likelihood_r30', 'neyman').se);
  });
});

describe('npm run analyze', () => {
  const tsx = join('node_modules', '.bin', 'tsx');

  it('should print per-seed and pooled tables and write the Summary with --json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'analyze-'));
    try {
      const out = join(dir, 'out.json');
      const stdout = execFileSync(tsx, ['src/cli/analyze.ts', '--sociopol', DIR, '--json', out], { encoding: 'utf8' });
      for (const s of ['seed_1', 'seed_5', 'pooled over 5 seed(s)', 'Bond et al. 2012']) expect(stdout).toContain(s);
      const json = JSON.parse(readFileSync(out, 'utf8')) as Summary;
      expect(json.seeds).toHaveLength(5);
      expect(Object.keys(json.conditions)).toEqual(CONDITIONS);
      for (const name of CONDITIONS) {
        const c = json.conditions[name];
        expect(c.adults).toBe(19785);
        expect(typeof c.meanLikelihoodByRound['30']).toBe('number');
        expect(typeof c.shareLikelyByRound['30']).toBe('number');
        expect(c.turnout).toBeNull();
      }
      expect(json.effects.length).toBeGreaterThan(50);
      for (const e of json.effects) {
        expect(typeof e.treatment).toBe('string');
        expect(typeof e.baseline).toBe('string');
        expect(typeof e.outcome).toBe('string');
        expect(Number.isFinite(e.estimate)).toBe(true);
        expect(Number.isFinite(e.se)).toBe(true);
      }
      // Same numbers as the in-process summary (the app calls the same functions).
      expect(json.effects.find((e) => e.seed === 'pooled' && e.treatment === 'treatment_soc_message' && e.outcome === 'likelihood_r30' && e.method === 'paired')!.estimate)
        .toBeCloseTo(pooled('treatment_soc_message', 'control', 'likelihood_r30').estimate, 12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('should refuse a missing folder with one line on stderr, exit 1 and write nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'analyze-'));
    try {
      const out = join(dir, 'out.json');
      const r = spawnSync(tsx, ['src/cli/analyze.ts', '--sociopol', join(dir, 'nope'), '--json', out], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/does not exist; pass --sociopol/);
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
