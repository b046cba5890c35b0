// `npm run estimate` end to end on real files: the --json shape other tools read (null where an estimator is
// undefined), the SocioPol layout read in place (one published seed, outcome carried forward from round 0), and
// errors that name the problem and the fix.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'spillover-estimate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function estimate(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/estimate.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('npm run estimate', () => {
  it('should write the JSON shape of the issue for a published seed: truth and estimates per round 0…30', () => {
    const json = join(tmp, 'seed1.json');
    const r = estimate(['--sociopol', '../shared/data/llm-sociopol/seed_1', '--no-cmp', '--json', json]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('experiment_soc_message vs truth treatment_soc_message − control');
    const out = JSON.parse(readFileSync(json, 'utf8'));
    expect(Object.keys(out).slice(0, 2)).toEqual(['runs', 'summary']);
    const run = out.runs[0];
    expect(Object.keys(run)).toEqual(['run', 'truth', 'estimates', 'rmse']);
    expect(run.run).toBe(1);
    expect(run.truth).toHaveLength(31);
    // Round 0 is the shared warm-up state: no effect yet, nobody treated (DM and HT undefined), bCMP starts at 0.
    expect(run.truth[0]).toBe(0);
    expect(run.estimates.DM[0]).toBeNull();
    expect(run.estimates.HT[0]).toBeNull();
    expect(run.estimates.bCMP[0]).toBe(0);
    expect(run.estimates.CMP).toBeUndefined();
    for (const k of ['DM', 'HT', 'bCMP']) {
      expect(run.estimates[k]).toHaveLength(31);
      expect(out.summary[k].rmse).toBeCloseTo(run.rmse[k], 12);
    }
    expect(out.meta.design).toEqual({ probabilities: [0, 0.2, 0.4, 0.8, 0.8], stages: [1, 11, 21, 30, 31] });
  }, 120_000);

  it('should say what is wrong and how to fix it', () => {
    const noDesign = estimate(['--panel', '../shared/data/causalmp/belief-adoption-krupina']);
    expect(noDesign.status).toBe(1);
    expect(noDesign.stderr).toMatch(/--panel needs the design that assigned the roll-out: --design and --stages \(e\.g\./);
    const wrongT = estimate(['--panel', '../shared/data/causalmp/belief-adoption-krupina', '--design', '0,0.5', '--stages', '1,31', '--no-cmp']);
    expect(wrongT.stderr).toMatch(/ends at 31 but the panel has 7 time steps; the last stage start must equal T = 7/);
    const two = estimate(['--panel', 'a', '--sociopol', 'b']);
    expect(two.stderr).toMatch(/give exactly one of --panel DIR, --sociopol DIR or --run BUNDLE \(got 2\)/);
    const draws = estimate(['--sociopol', 'x', '--draws', '10']);
    expect(draws.stderr).toMatch(/--draws 10 must be a whole number ≥ 1000/);
  }, 120_000);
});
