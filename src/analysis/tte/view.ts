/**
 * What the app's "Which estimator recovers the truth?" panel draws, computed in the analysis worker from any source
 * (a stored run, published LLM-SocioPol files, causalmp panels): the testbed result, one chart's series (truth and
 * every estimate per round, averaged over seeds) and the design used, with the contrasts the source offers.
 */
import type { SimConfig } from '../../engine/config';
import { dataError } from '../../engine/errors';
import { publishedConfig } from '../design';
import type { SeedData } from '../types';
import { CAUSALMP_FILE_RE } from './causalmp-files';
import { contrastsOfSeeds, designFromSchedule } from './from-seeds';
import { stageProbabilities, type StageDesign } from './panel';
import type { TteRun } from './run';
import { runTestbed, type TestbedResult } from './testbed';

export interface EstimatorView {
  title: string;
  /** Messages with a roll-out to choose from (empty for causalmp panels). */
  contrasts: string[];
  contrast: string | null;
  design: StageDesign;
  /** True when the design was read off the realised treated shares (causalmp panels carry none). */
  designInferred: boolean;
  result: TestbedResult;
  /** Round labels and, per series ('truth' first), the mean over runs; null where undefined. */
  chart: { rounds: number[]; series: Record<string, Array<number | null>> };
}

export interface EstimatorRequest {
  contrast?: string;
  design?: StageDesign;
}

/** True when the paths hold causalmp panel files (rather than the LLM-SocioPol layout). */
export function isCausalmpLayout(paths: readonly string[]): boolean {
  return paths.some((p) => CAUSALMP_FILE_RE.test(p.replace(/\\/g, '/')));
}

/** A stage design read off the first run's treated share per step, rounded to 0.05: a starting point to edit. */
export function inferDesign(run: TteRun): StageDesign {
  const { n, t, w } = run.panel;
  const share = new Float64Array(t);
  for (let i = 0; i < n; i++) for (let s = 0; s < t; s++) share[s] += w[i * t + s];
  const p = Array.from(share, (v) => Math.round((v / n) * 20) / 20);
  const probabilities = [p[0]];
  const stages: number[] = [];
  for (let s = 1; s < t; s++) {
    if (p[s] !== probabilities[probabilities.length - 1]) {
      stages.push(s);
      probabilities.push(p[s]);
    }
  }
  stages.push(t);
  return { probabilities, stages };
}

function chartOf(result: TestbedResult, rounds: number[]): EstimatorView['chart'] {
  const mean = (pick: (r: TestbedResult['runs'][number]) => Array<number | null> | null | undefined) =>
    rounds.map((_, s) => {
      const vals = result.runs.map(pick).map((a) => a?.[s] ?? null).filter((v): v is number => v !== null);
      return vals.length === result.runs.length && vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
    });
  const series: Record<string, Array<number | null>> = {};
  if (result.runs.some((r) => r.truth)) series.truth = mean((r) => r.truth);
  for (const name of result.meta.estimators) series[name] = mean((r) => r.estimates[name]);
  return { rounds, series };
}

function view(title: string, runs: TteRun[], design: StageDesign, designInferred: boolean, contrasts: string[], contrast: string | null): EstimatorView {
  const result = runTestbed(runs, title, { design });
  return { title, contrasts, contrast, design, designInferred, result, chart: chartOf(result, runs[0].rounds) };
}

/** From wide tables (a stored run, a bundle, published files); `config` supplies the roll-out's schedule. */
export function estimatorViewFromSeeds(seeds: SeedData[], title: string, req: EstimatorRequest = {}, config: SimConfig = publishedConfig()): EstimatorView {
  const all = contrastsOfSeeds(seeds, config);
  if (!all.length) throw dataError(title, 'conditions', 'include no staggered roll-out with its all-treated and control conditions', 'run the roll-out, the everyone-treated and the control condition together');
  const chosen = all.find((c) => c.contrast.message === req.contrast) ?? all[0];
  const spec = config.conditions.find((c) => c.name === chosen.contrast.rollout);
  const design = req.design ?? designFromSchedule(spec?.schedule ?? [], config.periodEnds, chosen.runs[0].rounds[0]);
  return view(`${title}: ${chosen.contrast.rollout}`, chosen.runs, design, false, all.map((c) => c.contrast.message), chosen.contrast.message);
}

/** From causalmp panels; without a design, one is inferred from the treated shares (and marked so). */
export function estimatorViewFromCausalmp(runs: TteRun[], title: string, req: EstimatorRequest = {}): EstimatorView {
  const design = req.design ?? inferDesign(runs[0]);
  return view(title, runs, design, !req.design, [], null);
}

/** The design's probability per round, for the panel's caption. */
export function designText(design: StageDesign, rounds: number[]): string {
  const p = stageProbabilities(design, rounds.length);
  const parts: string[] = [];
  let start = 0;
  for (let s = 1; s <= rounds.length; s++) {
    if (s === rounds.length || p[s] !== p[start]) {
      parts.push(`${rounds[start]}${s - 1 > start ? `–${rounds[s - 1]}` : ''}: ${p[start]}`);
      start = s;
    }
  }
  return parts.join(', ');
}
