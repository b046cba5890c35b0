/**
 * `npm run replicate` as a user runs it: reproducible CSVs in the published wide layout, the published ordering of
 * effects at 2,000 agents, and clear refusals (malformed edge list, existing results) that write nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { readTree, ROOT } from './cli-run';


function replicate(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/replicate.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
}


describe('npm run replicate', () => {
  const work = mkdtempSync(join(tmpdir(), 'spillover-replicate-'));

  it('should write byte-identical CSVs for the same seed and different ones for another seed', () => {
    for (const [name, seed] of [['a', '7'], ['b', '7'], ['c', '8']]) {
      const r = replicate(['--agents', '400', '--seeds', '1', '--seed', seed, '--out', join(work, name), '--quiet']);
      expect(r.status, r.stderr).toBe(0);
    }
    const a = readTree(join(work, 'a'));
    const b = readTree(join(work, 'b'));
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(Object.keys(a)).toContain('seed_7/treatment_soc_message/treatment_soc_message_voting_data.csv');
    for (const k of Object.keys(a)) expect(b[k], k).toBe(a[k]);
    const c = readTree(join(work, 'c'));
    expect(c['seed_8/control/control_voting_data.csv']).not.toBe(a['seed_7/control/control_voting_data.csv']);
  });

  it('should write the published wide layout with one row per adult and rounds −15…30', () => {
    const text = readFileSync(join(work, 'a', 'seed_7', 'control', 'control_voting_data.csv'), 'utf8').trimEnd().split('\n');
    const header = text[0].split(',');
    expect(header[0]).toBe('');
    expect(header.slice(1)).toEqual(Array.from({ length: 46 }, (_, i) => String(i - 15)));
    const personas = readFileSync(join(work, 'a', 'seed_7', 'control', 'control_personas.csv'), 'utf8').trimEnd().split('\n');
    const adults = personas.slice(1).filter((l) => l.split(',')[1] === '1').length;
    expect(text.length - 1).toBe(adults);
    for (const line of text.slice(1, 50)) for (const cell of line.split(',').slice(1)) expect(['', '0.0', '1.0', '2.0', '3.0', '4.0']).toContain(cell);
    const treatment = readFileSync(join(work, 'a', 'seed_7', 'treatment_soc_message', 'treatment_soc_message_treatment_data.csv'), 'utf8').split('\n')[1].split(',');
    expect(treatment.slice(1, 17).every((x) => x === '0')).toBe(true);
    expect(treatment.slice(17).every((x) => x === '1')).toBe(true);
  });

  it('should show the social message above the informational one, above control, at 2,000 agents and 3 seeds', () => {
    const json = join(work, 'summary.json');
    const r = replicate(['--agents', '2000', '--seeds', '3', '--json', json, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('treatment_soc_message');
    const summary = JSON.parse(readFileSync(json, 'utf8'));
    const at30 = (c: string) => summary.conditions[c].meanLikelihoodByRound['30'];
    expect(at30('treatment_soc_message')).toBeGreaterThan(at30('treatment_info_message'));
    expect(at30('treatment_info_message')).toBeGreaterThan(at30('control'));
    expect(summary.conditions.control.adults).toBeGreaterThan(1950);
    expect(summary.conditions.control.turnout).toBeGreaterThan(0);
    const soc = summary.effects.find((e: { treatment: string; baseline: string; outcome: string; seed: string; method: string }) =>
      e.treatment === 'treatment_soc_message' && e.baseline === 'control' && e.outcome === 'likelihood_r30' && e.seed === 'pooled' && e.method === 'neyman');
    expect(soc.estimate).toBeGreaterThan(0);
    expect(soc.se).toBeGreaterThan(0);
  });

  it.each([
    [['--agents', '0'], /--agents/],
    [['--agents', '-5'], /--agents/],
    [['--conditions', 'control,placebo'], /unknown condition 'placebo'/],
    [['--schedule', 'experiment_soc_message=0.1,0.2,0.5'], /schedule has 3 entries/],
    [['--schedule', 'experiment_soc_message=0.1,0.2,1.5,1.5'], /outside \[0, 1\]/],
    [['--feed', 'chronological'], /--feed/],
    [['--seeds', 'two'], /--seeds/],
  ])('should refuse %j with one line naming the field and write nothing', (args, pattern) => {
    const out = join(work, `bad-${args.join('_').replace(/[^a-z0-9]/gi, '')}`);
    const r = replicate([...args, '--out', out, '--json', `${out}.json`]);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.json`)).toBe(false);
  });

  it('should refuse a malformed edge list with its line number and write nothing', () => {
    const file = join(work, 'bad.edges');
    writeFileSync(file, '# a follows b\n0 1\n1 2\n2 0 7\n');
    const out = join(work, 'bad-network');
    const r = replicate(['--network', file, '--out', out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/line 4 has 3 fields/);
    expect(existsSync(out)).toBe(false);
  });

  it('should refuse to overwrite an existing result', () => {
    const r = replicate(['--agents', '400', '--seed', '7', '--out', join(work, 'a')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/already holds/);
  });

  it('should run the Bond 2012 preset: one election day, arms within one population, arm effects in the summary', () => {
    const json = join(work, 'bond.json');
    const r = replicate(['--preset', 'bond2012', '--arms', 'social=0.5,info=0.25,control=0.25', '--agents', '600', '--json', json, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(json, 'utf8'));
    expect(Object.keys(summary.conditions)).toEqual(['bond2012']);
    expect(summary.config.lastRound).toBe(1);
    const arms = summary.effects.filter((e: { treatment: string; baseline: string }) => e.baseline.startsWith('bond2012:control'));
    expect(arms.map((e: { treatment: string }) => e.treatment)).toEqual(expect.arrayContaining(['bond2012:social', 'bond2012:info', 'bond2012:social:friends']));
    const bad = replicate(['--preset', 'bond2012', '--arms', 'social=0.9,control=0.2']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/shares sum to/);
  });

  it('should run on an imported edge list, using its accounts as agents', () => {
    const file = join(work, 'ring.edges');
    const lines: string[] = [];
    for (let i = 0; i < 150; i++) lines.push(`u${i}\tu${(i + 1) % 150}`, `u${(i + 1) % 150} u${i}`, `u${i} u${(i + 7) % 150}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const json = join(work, 'ring.json');
    const r = replicate(['--network', file, '--json', json, '--quiet', '--conditions', 'control,treatment_soc_message']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(json, 'utf8'));
    expect(summary.agents).toBe(150);
    expect(Object.keys(summary.conditions).sort()).toEqual(['control', 'treatment_soc_message']);
  });
});

