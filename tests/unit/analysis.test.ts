// Hand-computed expectations for the analysis module on tiny fixtures (tests/fixtures/analysis-small: 5 agents,
// rounds 0–2), the seed-2 header quirk, and refusal of malformed CSVs with the line number.
import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { compareWithBond } from '../../src/analysis/bond2012';
import {
  carryForward, conditionSummary, exposureShares, neyman, outcomeVector, paired, poolEffects, seedEffects,
} from '../../src/analysis/estimators';
import { analyseFiles, analyseSeeds } from '../../src/analysis/index';
import { loadPublished } from '../../src/analysis/load-published';
import { readdirSync, readFileSync } from 'node:fs';
import { readPublishedFromFiles, readPublishedZip } from '../../src/analysis/published-files';
import { formatTables, summarize } from '../../src/analysis/summary';
import type { ConditionData, Effect, SeedData } from '../../src/analysis/types';
import { parseWideCsv, writeWideCsv } from '../../src/analysis/wide-csv';
import { buildNetwork } from '../../src/engine/network';
import type { OutcomeDecl } from '../../src/engine/protocol';
import { designFor, publishedDesign, type DesignFor } from '../../src/analysis/design';
import { getProtocol } from '../../src/protocols/registry';
import { DEFAULT_CONDITIONS, makeConfig } from '../../src/protocols/sociopol/defaults';

const FIXTURE = 'tests/fixtures/analysis-small';

/** SocioPol's declared contrasts for the fixture's conditions, with its two periods ending at rounds 1 and 2. */
function fixtureDesign(seed: SeedData): DesignFor {
  const names = seed.conditions.map((c) => c.name);
  const config = makeConfig({ lastRound: 2, periodEnds: [1, 2], conditions: DEFAULT_CONDITIONS.filter((c) => names.includes(c.name)) });
  return designFor(getProtocol('sociopol'), config);
}

const LIKELIHOOD_R2: OutcomeDecl = { id: 'likelihood_r2', label: 'likelihood at round 2', column: 'likelihood', round: 'last' };

function cond(seed: SeedData, name: string): ConditionData {
  const c = seed.conditions.find((x) => x.name === name);
  if (!c) throw new Error(`fixture lacks ${name}`);
  return c;
}

function find(effects: Effect[], treatment: string, baseline: string, outcome: string, method: string): Effect {
  const e = effects.find((x) => x.treatment === treatment && x.baseline === baseline && x.outcome === outcome && x.method === method);
  if (!e) throw new Error(`no effect ${treatment} vs ${baseline} ${outcome} ${method}`);
  return e;
}

describe('wide CSV reader and writer', () => {
  it('should read voting cells written as 3.0, 3 or empty, and treatment cells 0/1', () => {
    const t = parseWideCsv(',-1,0,1\r\n7,3.0,,4\r\n2,,1,\r\n', 'v.csv', 'voting');
    // Rows come back sorted by agent id.
    expect(Array.from(t.agentIds)).toEqual([2, 7]);
    expect(t.rounds).toEqual([-1, 0, 1]);
    expect(Array.from(t.values)).toEqual([-1, 1, -1, 3, -1, 4]);
    const tr = parseWideCsv(',1,2\n0,0,1\n', 't.csv', 'treatment');
    expect(Array.from(tr.values)).toEqual([0, 1]);
  });

  it("should map seed 2's 'round_-14' header to rounds and note the relabelling", () => {
    const t = parseWideCsv(',round_-14,round_-13,round_0\n0,3.0,,2.0\n', 'seed_2/x.csv', 'voting');
    expect(t.rounds).toEqual([-14, -13, 0]);
    expect(t.notes.join(' ')).toMatch(/round_<r>/);
    expect(t.notes.join(' ')).toMatch(/no column for rounds -12…-1/);
  });

  it('should refuse a row with the wrong number of fields, naming the file and line', () => {
    expect(() => parseWideCsv(',0,1\n0,3.0,\n1,3.0\n', 'bad.csv', 'voting')).toThrowError(/bad\.csv: line 3 has 2 fields; expected 3/);
    try {
      parseWideCsv(',0,1\n0,3.0,\n1,3.0\n', 'bad.csv', 'voting');
    } catch (err) {
      expect((err as Error).name).toBe('DataError');
    }
  });

  it('should refuse non-numeric, fractional and out-of-range cells with the line number', () => {
    expect(() => parseWideCsv(',0,1\n0,x,\n', 'a.csv', 'voting')).toThrowError(/a\.csv: line 2 column '0' holds 'x' \(not a number\)/);
    expect(() => parseWideCsv(',0,1\n0,2.5,\n', 'a.csv', 'voting')).toThrowError(/line 2 .*not a whole number/);
    expect(() => parseWideCsv(',0,1\n0,1,\n1,5.0,\n', 'a.csv', 'voting')).toThrowError(/line 3 column '0' holds '5\.0' \(outside 0–4\)/);
    expect(() => parseWideCsv(',0,1\n0,,-1\n', 'a.csv', 'voting')).toThrowError(/line 2 .*outside 0–4/);
    expect(() => parseWideCsv(',0,1\n0,0,2\n', 't.csv', 'treatment')).toThrowError(/t\.csv: line 2 column '1' holds '2'/);
    expect(() => parseWideCsv(',0,1\n0,0,\n', 't.csv', 'treatment')).toThrowError(/empty/);
    expect(() => parseWideCsv(',0,1\n0,1,\n0,2,\n', 'd.csv', 'voting')).toThrowError(/d\.csv: line 3 repeats agent id 0/);
    expect(() => parseWideCsv(',0,1\n1,1,\n0,2,\n1,3,\n', 'd.csv', 'voting')).toThrowError(/repeats agent id 1/);
    expect(() => parseWideCsv(',a,b\n0,1,\n', 'h.csv', 'voting')).toThrowError(/h\.csv: line 1 column 2 is labelled 'a'/);
  });

  it('should write the exact published layout and read it back unchanged', () => {
    const voting = writeWideCsv([0, 1], [-1, 0], [3, -1, -1, 1], 'voting');
    expect(voting).toBe(',-1,0\n0,3.0,\n1,,1.0\n');
    expect(writeWideCsv([0], [1, 2], [0, 1], 'treatment')).toBe(',1,2\n0,0,1\n');
    const back = parseWideCsv(voting, 'w.csv', 'voting');
    expect(Array.from(back.values)).toEqual([3, -1, -1, 1]);
  });
});

describe('estimators on the 5-agent fixture', () => {
  const seed = loadPublished(FIXTURE)[0];
  const control = cond(seed, 'control');
  const soc = cond(seed, 'treatment_soc_message');
  const ex = cond(seed, 'experiment_soc_message');

  it('should carry each agent’s last statement forward and summarise per round', () => {
    // control agent 2 states 1 at round 0 and 2 at round 2; agent 3 first speaks in round 1.
    const c = carryForward(control);
    expect(Array.from(c.subarray(6, 9))).toEqual([1, 1, 2]);
    expect(Array.from(c.subarray(9, 12))).toEqual([-1, 3, 3]);
    const s = conditionSummary(control, 3);
    expect(s.adults).toBe(5);
    // Round 0: agents 0,1,2,4 have spoken: (2+3+1+2)/4 = 2.0; share ≥ 3 = 1/4.
    expect(s.meanLikelihoodByRound['0']).toBeCloseTo(2.0, 12);
    expect(s.shareLikelyByRound['0']).toBeCloseTo(0.25, 12);
    // Round 2: [2,3,2,3,2] → mean 2.4, share 0.4.
    expect(s.meanLikelihoodByRound['2']).toBeCloseTo(2.4, 12);
    expect(s.shareLikelyByRound['2']).toBeCloseTo(0.4, 12);
    expect(s.turnout).toBeNull();
  });

  it('should give the Neyman difference in means and its SE as computed by hand', () => {
    // soc r2 = [3,3,3,4,2]: mean 3, s² = 2/4 = 0.5; control r2 = [2,3,2,3,2]: mean 2.4, s² = 1.2/4 = 0.3.
    // estimate 0.6, se = sqrt(0.5/5 + 0.3/5) = sqrt(0.16) = 0.4.
    const e = neyman(outcomeVector(soc, LIKELIHOOD_R2, 2), outcomeVector(control, LIKELIHOOD_R2, 2));
    expect(e.estimate).toBeCloseTo(0.6, 12);
    expect(e.se).toBeCloseTo(0.4, 12);
    expect([e.n1, e.n0]).toEqual([5, 5]);
  });

  it('should give the paired estimate over the same agents as computed by hand', () => {
    // d = [1,0,1,1,0]: mean 0.6, s² = 1.2/4 = 0.3, se = sqrt(0.3/5) = sqrt(0.06).
    const e = paired(soc, outcomeVector(soc, LIKELIHOOD_R2, 2), control, outcomeVector(control, LIKELIHOOD_R2, 2));
    expect(e.estimate).toBeCloseTo(0.6, 12);
    expect(e.se).toBeCloseTo(Math.sqrt(0.06), 12);
  });

  it('should estimate direct, cohort and spillover effects inside the roll-out as computed by hand', () => {
    const { effects } = seedEffects(seed, fixtureDesign(seed)(2));
    // Treated at the end {0,1,2}: [3,3,3] (s² 0); untreated {3,4}: [3,1] (mean 2, s² 2). 1 ± sqrt(0/3 + 2/2) = 1.
    const direct = find(effects, 'experiment_soc_message:treated', 'experiment_soc_message:untreated', 'likelihood_r2', 'neyman');
    expect(direct.estimate).toBeCloseTo(1, 12);
    expect(direct.se).toBeCloseTo(1, 12);
    expect(direct.ci95[0]).toBeCloseTo(1 - 1.959963984540054, 9);
    // Spillover, Neyman: [3,1] vs all control [2,3,2,3,2]: 2 − 2.4 = −0.4, se = sqrt(2/2 + 0.3/5) = sqrt(1.06).
    const spill = find(effects, 'experiment_soc_message:untreated', 'control', 'likelihood_r2', 'neyman');
    expect(spill.estimate).toBeCloseTo(-0.4, 12);
    expect(spill.se).toBeCloseTo(Math.sqrt(1.06), 12);
    // Spillover, paired on agents 3 and 4: d = [3−3, 1−2] = [0, −1]: mean −0.5, s² 0.5, se sqrt(0.5/2) = 0.5.
    const sp = find(effects, 'experiment_soc_message:untreated', 'control', 'likelihood_r2', 'paired');
    expect(sp.estimate).toBeCloseTo(-0.5, 12);
    expect(sp.se).toBeCloseTo(0.5, 12);
    // Cohort p1 (treated from round 1) = agents 0 and 2: [3,3] vs untreated [3,1]: 1 ± sqrt(0 + 1) = 1.
    const c1 = find(effects, 'experiment_soc_message:cohort_p1', 'experiment_soc_message:untreated', 'likelihood_r2', 'neyman');
    expect(c1.estimate).toBeCloseTo(1, 12);
    expect(c1.se).toBeCloseTo(1, 12);
    // Cohort p2 is the single agent 1: no SE, so no row rather than a made-up one.
    expect(effects.some((e) => e.treatment === 'experiment_soc_message:cohort_p2')).toBe(false);
    // Full treatment vs control, share ≥ 3: 0.8 − 0.4 = 0.4.
    expect(find(effects, 'treatment_soc_message', 'control', 'share_likely_r2', 'paired').estimate).toBeCloseTo(0.4, 12);
  });

  it('should bin untreated agents by the share of followed accounts treated when a network is given', () => {
    // 3 and 4 follow each other (both untreated → exposure 0); 2 follows 0 (treated) and 3 (untreated) → 0.5.
    const withNet: SeedData = { ...seed, network: buildNetwork(5, [3, 4, 2, 2], [4, 3, 0, 3]) };
    const x = exposureShares(ex, withNet)!;
    expect(Number.isNaN(x[0])).toBe(true);
    expect(x[2]).toBeCloseTo(0.5, 12);
    expect([x[3], x[4]]).toEqual([0, 0]);
    const { effects } = seedEffects(withNet, fixtureDesign(seed)(2));
    // Bin 0 holds agents 3 and 4, so it equals the paired spillover: −0.5 ± 0.5.
    const bin0 = find(effects, 'experiment_soc_message:untreated:exposure_0', 'control', 'likelihood_r2', 'paired');
    expect(bin0.estimate).toBeCloseTo(-0.5, 12);
    expect(bin0.se).toBeCloseTo(0.5, 12);
  });

  it('should pool seeds with the mean, the seed SD and both standard errors', () => {
    const base = { treatment: 't', baseline: 'control', outcome: 'o', ci95: [0, 0] as [number, number], nTreatment: 10, nBaseline: 10, method: 'neyman' };
    const [p] = poolEffects([
      { ...base, estimate: 0.6, se: 0.4, seed: 's1' },
      { ...base, estimate: 0.2, se: 0.3, seed: 's2' },
    ]);
    // mean 0.4; within: sqrt((0.16 + 0.09)/2)/sqrt(2) = 0.25; SD = sqrt(0.08) ≈ 0.2828; between = SD/sqrt(2) = 0.2.
    expect(p.estimate).toBeCloseTo(0.4, 12);
    expect(p.se).toBeCloseTo(0.25, 12);
    expect(p.seedSd).toBeCloseTo(Math.sqrt(0.08), 12);
    expect(p.seBetweenSeeds).toBeCloseTo(0.2, 12);
    expect(p.seed).toBe('pooled');
  });

  it('should report turnout and a same-outcome Bond row when votes exist', () => {
    const voted: SeedData = {
      label: 's',
      conditions: [
        { ...control, votes: Int8Array.from([0, 1, 0, 1, 0]) },
        { ...soc, votes: Int8Array.from([1, 1, 0, 1, 1]) },
      ],
    };
    const summary = summarize([voted], 'fixture', fixtureDesign(voted));
    expect(summary.conditions.control.turnout).toBeCloseTo(0.4, 12);
    expect(summary.conditions.treatment_soc_message.turnout).toBeCloseTo(0.8, 12);
    const rows = compareWithBond(summary).rows;
    const row = rows.find((r) => r.comparability === 'same outcome' && r.label === 'Social message vs control');
    expect(row?.run).toMatch(/^\+40\.00 pp turnout/);
    expect(formatTables(summary)).toMatch(/treatment_soc_message +5 +2\.000 +3\.000 +0\.800 +0\.800/);
  });
});

describe('published layout reader', () => {
  // 100 adults, rounds −1…21 (periods end at 10, 20, 29, 30 with shares 0.2/0.4/0.8): ids 0–19 treated from round 1,
  // 20–39 from round 11, 40–79 from round 21, 80–99 never.
  const rounds = Array.from({ length: 23 }, (_, k) => k - 1);
  const ids = Array.from({ length: 100 }, (_, i) => i);
  const start = (i: number) => (i < 20 ? 1 : i < 40 ? 11 : i < 80 ? 21 : 99);
  const nested = ids.flatMap((i) => rounds.map((r) => (r >= start(i) ? 1 : 0)));
  const quirky = ids.flatMap((i) => rounds.map((r) => (r >= 1 && i < 80 ? 1 : 0)));
  const votes = ids.flatMap((i) => rounds.map((r) => ((i + r) % 5 === 0 ? (i % 4) + 1 : -1)));
  const relabel = (csv: string) => csv.replace(/^,-1,(.*)$/m, (_, rest: string) => ',' + rest.split(',').map((r) => `round_${r}`).join(','))
    .replace(/^(\d+),[^,\n]*,/gm, '$1,');
  const files = (withSibling: boolean) => {
    const m = new Map<string, string>();
    m.set('seed_2/control/control_voting_data.csv', writeWideCsv(ids, rounds, votes, 'voting'));
    if (withSibling) {
      m.set('seed_2/experiment_info_message/experiment_info_message_voting_data.csv', writeWideCsv(ids, rounds, votes, 'voting'));
      m.set('seed_2/experiment_info_message/experiment_info_message_treatment_data.csv', writeWideCsv(ids, rounds, nested, 'treatment'));
    }
    m.set('seed_2/experiment_soc_message/experiment_soc_message_voting_data.csv', relabel(writeWideCsv(ids, rounds, votes, 'voting')));
    m.set('seed_2/experiment_soc_message/experiment_soc_message_treatment_data.csv', relabel(writeWideCsv(ids, rounds, quirky, 'treatment')));
    return m;
  };

  it("should detect seed 2's inconsistent roll-out and rebuild it from the sibling experiment with the same final column", () => {
    const [seed] = readPublishedFromFiles(files(true));
    const soc = cond(seed, 'experiment_soc_message');
    expect(soc.rounds[0]).toBe(0);
    const notes = soc.notes.join('\n');
    expect(notes).toMatch(/round_<r>/);
    expect(notes).toMatch(/no column for round -1/);
    expect(notes).toMatch(/round 1 marks 80\.0 % as treated where the schedule gives 20 %/);
    expect(notes).toMatch(/rebuilt from experiment_info_message/);
    expect(soc.treatmentFinalOnly).toBeFalsy();
    const R = soc.rounds.length;
    const at = (r: number) => ids.reduce((a, i) => a + soc.treatment![i * R + soc.rounds.indexOf(r)], 0);
    expect([at(1), at(11), at(21)]).toEqual([20, 40, 80]);
    expect(seed.notes!.join(' ')).toMatch(/no treatment_soc_message files/);
  });

  it('should fall back to the final column only, and skip cohorts, when no sibling can vouch for the roll-out', () => {
    const [seed] = readPublishedFromFiles(files(false));
    const soc = cond(seed, 'experiment_soc_message');
    expect(soc.treatmentFinalOnly).toBe(true);
    expect(soc.notes.join(' ')).toMatch(/only the final-round treatment column is used/);
    const { effects, notes } = seedEffects(seed, publishedDesign([seed])(21));
    expect(notes.join(' ')).toMatch(/cohort estimates are skipped/);
    expect(effects.some((e) => e.treatment.includes(':cohort_'))).toBe(false);
    expect(effects.some((e) => e.treatment === 'experiment_soc_message:untreated')).toBe(true);
  });

  it('should read the same seeds from a zip as from the files', () => {
    const m = files(true);
    const zip = zipSync(Object.fromEntries([...m].map(([p, t]) => [`llm-sociopol/${p}`, strToU8(t)])));
    const zipped = readPublishedZip(zip);
    const fromZip = summarize(zipped, 'x', publishedDesign(zipped));
    const fromFiles = summarize(readPublishedFromFiles(m), 'x', publishedDesign(zipped));
    // Notes name the archive's paths; the numbers must be identical.
    expect(fromZip.effects).toEqual(fromFiles.effects);
    expect(fromZip.perSeed).toEqual(fromFiles.perSeed);
    expect(fromZip.seeds).toEqual(['seed_2']);
  });

  it('should refuse an upload that is not a zip, naming the file and the fix', () => {
    const refuse = (bytes: Uint8Array) => {
      try {
        readPublishedZip(bytes, 'results', 'results.zip');
      } catch (err) {
        return err as Error;
      }
      throw new Error('expected a refusal');
    };
    const text = refuse(strToU8('seed,round\n1,2\n'));
    expect(text.name).toBe('DataError');
    expect(text.message).toMatch(/^published results 'results\.zip': the file is not a zip archive/);
    expect(text.message).toMatch(/choose a \.zip of the seed folders .* "Folder" instead$/);
    expect(refuse(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0]))?.message).toMatch(/is a gzip file/);
    expect(refuse(new Uint8Array(0))?.message).toMatch(/'results\.zip': the file is empty/);
    // A zip cut short keeps its signature but cannot be opened: the advice is to download it again.
    const zip = zipSync({ 'seed_1/control/control_voting_data.csv': strToU8('agent,round_1\n0,3\n'.repeat(50)) });
    expect(refuse(zip.subarray(0, 40))?.message).toMatch(/^published results 'results\.zip': the zip could not be opened .*; download it again/);
  });

  it('should refuse a folder without any voting file', () => {
    expect(() => readPublishedFromFiles(new Map([['notes.txt', 'x']]))).toThrowError(/holds no <condition>_voting_data\.csv/);
  });
});

describe('one analysis for the CLI and the app', () => {
  it('should give identical text from the Node folder reader and the browser file-map reader', () => {
    const files = new Map<string, string>();
    for (const c of readdirSync(FIXTURE)) {
      for (const f of readdirSync(`${FIXTURE}/${c}`)) files.set(`${c}/${f}`, readFileSync(`${FIXTURE}/${c}/${f}`, 'utf8'));
    }
    const seeds = loadPublished(FIXTURE);
    const cli = analyseSeeds(seeds, 'fixture', publishedDesign(seeds));
    const app = analyseFiles(files, 'analysis-small');
    expect(app.text.replace('analysis-small', 'fixture')).toBe(cli.text);
    expect(app.summary.effects).toEqual(cli.summary.effects);
  });
});
