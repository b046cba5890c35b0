/**
 * `npm run fit -- --preset s3` end to end: a stored offline S3 run (the folder `replicate --preset s3 --out` writes) is
 * fitted back — the estimates land within four standard errors of the hand-set parameters it ran with, the file
 * carries the curve fit — and bad inputs stop with a message naming the fix.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_S3_CONFIG } from '../../src/protocols/s3/config';

const ROOT = join(__dirname, '..', '..');

function cli(script: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], { cwd: ROOT, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const work = mkdtempSync(join(tmpdir(), 'spillover-s3-fit-'));
const run = join(work, 'run');

describe('npm run fit -- --preset s3', () => {
  beforeAll(async () => {
    const r = await cli('replicate', ['--preset', 's3', '--agents', '600', '--rounds', '10', '--seeds', '2', '--seed', '3', '--out', run, '--json', join(work, 'run.json'), '--quiet']);
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it('should recover the parameters the run used and write the fitted agents with their curve fit', async () => {
    const out = join(work, 'agents-s3.json');
    const r = await cli('fit', ['--preset', 's3', '--from', run, '--out', out, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/S3 agents fitted from run folder run: \d+ decisions, 600 users, rounds 0…10, seeds 3, 4/);
    const f = JSON.parse(readFileSync(out, 'utf8'));
    const o = DEFAULT_S3_CONFIG.offline;
    const truth: Record<string, number> = { p: (o.spread as { p: number }).p, postShare: o.postShare, arousal: o.emotion.arousal, decay: o.emotion.decay };
    for (const [k, t] of Object.entries(truth)) {
      const e = f.uncertainty[k];
      expect(Math.abs(e.estimate - t), `${k}: ${e.estimate} ± ${e.se}`).toBeLessThan(4 * e.se);
    }
    expect(f.params.consult).toBeGreaterThan(0.99);
    const aware = f.goodness.curves.find((c: { condition: string; measure: string }) => c.condition === 'baseline' && c.measure === 'aware');
    expect(aware.fitted.msed).toBeLessThan(1e-3);
    expect(aware.handSet.msed).toBe(0);
  }, 60_000);

  it('should run the fitted agents with replicate reproducibly (one process or a worker pool) and give the curves the fit reported', async () => {
    const agents = join(work, 'agents-s3.json');
    const args = (out: string, extra: string[]) => ['--preset', 's3', '--agents', '600', '--rounds', '10', '--seeds', '2', '--seed', '3', '--agents-kind', 'fitted', '--agents-file', agents, '--out', join(work, out), '--json', join(work, `${out}.json`), '--quiet', ...extra];
    const [a, b] = await Promise.all([cli('replicate', args('fa', ['--workers', '1'])), cli('replicate', args('fb', ['--workers', '2']))]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(a.stdout).toMatch(/S3 \(fitted agents, 600 users/);
    for (const f of ['outcomes_long.csv', 'seed_3/baseline_emotion_wide.csv', 'seed_4/correction_attitude_wide.csv', 'seed_4/remove_spreaders_action_wide.csv']) {
      expect(readFileSync(join(work, 'fb', f), 'utf8'), f).toBe(readFileSync(join(work, 'fa', f), 'utf8'));
    }
    const doc = JSON.parse(readFileSync(join(work, 'fa.json'), 'utf8'));
    expect(doc.agentsKind).toBe('fitted');
    const fit = JSON.parse(readFileSync(agents, 'utf8'));
    for (const m of ['aware', 'intensity', 'positive']) {
      const ran = doc.curves.find((c: { condition: string; measure: string }) => c.condition === 'baseline' && c.measure === m).mean;
      const reported = fit.goodness.means.find((c: { condition: string; measure: string }) => c.condition === 'baseline' && c.measure === m).fitted;
      expect(ran, m).toEqual(reported.map((x: number) => expect.closeTo(x, 12)));
    }
    const missing = await cli('replicate', ['--preset', 's3', '--agents', '100', '--rounds', '4', '--agents-kind', 'fitted']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/--agents-file is missing.*npm run fit -- --preset s3/);
  }, 120_000);

  it('should take the settings from the run summary and give the same fit', async () => {
    const a = await cli('fit', ['--preset', 's3', '--from', run, '--no-goodness', '--quiet']);
    const b = await cli('fit', ['--preset', 's3', '--from', run, '--summary', join(work, 'run.json'), '--no-goodness', '--quiet']);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  }, 60_000);

  it('should name the fix for a missing folder, a summary given as the run, a folder without CSVs, an unknown condition and another network', async () => {
    const missing = await cli('fit', ['--preset', 's3', '--from', join(work, 'nope')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/does not exist.*replicate -- --preset s3 --out/);
    const file = await cli('fit', ['--preset', 's3', '--from', join(work, 'run.json')]);
    expect(file.stderr).toMatch(/pass it as --summary/);
    mkdirSync(join(work, 'empty'));
    const empty = await cli('fit', ['--preset', 's3', '--from', join(work, 'empty')]);
    expect(empty.stderr).toMatch(/no seed_K folders/);
    const renamed = join(work, 'renamed');
    mkdirSync(join(renamed, 'seed_3'), { recursive: true });
    for (const s of ['emotion', 'attitude', 'action']) {
      writeFileSync(join(renamed, 'seed_3', `mine_${s}_wide.csv`), readFileSync(join(run, 'seed_3', `baseline_${s}_wide.csv`)));
    }
    const unknown = await cli('fit', ['--preset', 's3', '--from', renamed]);
    expect(unknown.stderr).toMatch(/condition 'mine'.*--summary RUN\.json/);
    renameSync(join(renamed, 'seed_3'), join(renamed, 'seed_9'));
    const other = await cli('fit', ['--preset', 's3', '--from', renamed, '--summary', join(work, 'run.json')]);
    expect(other.stderr).toMatch(/not a condition/);
    const wrongSeed = await cli('fit', ['--preset', 's3', '--from', run, '--seed', '5']);
    expect(wrongSeed.status).toBe(1);
    expect(wrongSeed.stderr).toMatch(/aware users where the run recorded.*--network/);
  }, 90_000);
});
