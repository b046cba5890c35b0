/**
 * Golden outputs: the SHA-256 of every CSV that `npm run replicate` writes for the presets (SocioPol, Bond 2012, S3),
 * pinned so that a refactor of the engine, the protocols or the writers cannot change a result unnoticed. These pin the hand-set rule
 * agents (`--agents-kind rules`), not whatever the default offline agents are. If a change is meant to alter outputs,
 * regenerate once with `UPDATE_GOLDENS=1 npx vitest run tests/integration/golden-outputs.test.ts` and say why in the
 * commit and the README.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const GOLDEN = join(ROOT, 'tests', 'fixtures', 'golden', 'replicate-sha256.json');
/**
 * The analysis of the same runs and of the published LLM-SocioPol files: SHA-256 of the `--json` summary's condition
 * tables and effects (per seed and pooled), pinned from the code before the analysis read `Protocol.contrasts`.
 */
const ANALYSIS_GOLDEN = join(ROOT, 'tests', 'fixtures', 'golden', 'analysis-sha256.json');

/** The numbers of a `--json` summary (notes and labels of the run aside). */
function analysisHash(file: string): string {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  return createHash('sha256').update(JSON.stringify({ conditions: j.conditions, perSeed: j.perSeed, effects: j.effects })).digest('hex');
}

/** The runs pinned: name → replicate arguments (without --out). */
const RUNS: Record<string, string[]> = {
  sociopol: ['--agents', '500', '--seeds', '2', '--agents-kind', 'rules'],
  bond2012: ['--preset', 'bond2012', '--agents', '800', '--agents-kind', 'rules'],
  // S3 with its classical models (independent cascade, voter, emotion chain), three conditions.
  s3: ['--preset', 's3', '--agents', '500', '--seeds', '2', '--rounds', '12'],
};

/** The presets whose `--json` analysis is pinned. */
const ANALYSIS_RUNS = { sociopol: true, bond2012: true };

function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = createHash('sha256').update(readFileSync(join(d, e.name))).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

describe('golden outputs of npm run replicate (rule agents)', () => {
  const work = mkdtempSync(join(tmpdir(), 'spillover-golden-'));
  const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, Record<string, string>>;
  const update = process.env.UPDATE_GOLDENS === '1';
  const fresh: Record<string, Record<string, string>> = {};
  const analysisGolden = JSON.parse(readFileSync(ANALYSIS_GOLDEN, 'utf8')) as Record<string, string>;
  const freshAnalysis: Record<string, string> = {};
  const pinAnalysis = (name: string, file: string) => {
    freshAnalysis[name] = analysisHash(file);
    if (update) writeFileSync(ANALYSIS_GOLDEN, JSON.stringify({ ...analysisGolden, ...freshAnalysis }, null, 2) + '\n');
    else if (name in analysisGolden) expect(freshAnalysis[name], `${name}: the analysis summary changed`).toBe(analysisGolden[name]);
  };

  it.each(Object.keys(RUNS))('should write byte-identical CSVs for the %s preset', (name) => {
    const out = join(work, name);
    // The analysis of the SocioPol-family presets is pinned too (S3's has its own summary).
    const json = name in ANALYSIS_RUNS ? join(work, `${name}.json`) : null;
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/replicate.ts', ...RUNS[name], '--out', out, ...(json ? ['--json', json] : []), '--quiet'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    fresh[name] = hashTree(out);
    if (json) pinAnalysis(name, json);
    if (update) {
      writeFileSync(GOLDEN, JSON.stringify({ ...golden, ...fresh }, null, 2) + '\n');
      return;
    }
    expect(Object.keys(fresh[name]).length).toBeGreaterThan(5);
    expect(fresh[name]).toEqual(golden[name]);
  });

  it('should give the same analysis of the published LLM-SocioPol files', () => {
    const json = join(work, 'published.json');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', '--sociopol', join(ROOT, '..', 'shared', 'data', 'llm-sociopol'), '--json', json], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    pinAnalysis('published', json);
  });
});
