/**
 * The estimator testbed: every TTE estimator on every run, against the ground truth, in the JSON shape other tools
 * read (`runs[].truth`, `runs[].estimates`, `runs[].rmse`, `summary`), plus the tables `npm run estimate` prints.
 * Shared by the CLI and the analysis worker, so both report the same numbers.
 */
import { basicCmp, differenceInMeans, horvitzThompson } from './classic';
import { cmpEstimate } from './cmp';
import { defaultCmpOptions, type CmpOptions } from './cmp-config';
import { DEFAULT_EXPOSURE, exposureEstimates, type ExposureOptions } from './exposure';
import { designProblem, type StageDesign } from './panel';
import { truthOf, type TteRun } from './run';
import { dataError } from '../../engine/errors';

export interface TestbedOptions {
  design: StageDesign;
  /** null skips CMP (it is the slow one). @default notebook grid, seeded by the run number */
  cmp?: CmpOptions | null;
  /** Exposure-mapping settings; the Monte-Carlo draws are always seeded by the run number. */
  exposure?: Partial<Omit<ExposureOptions, 'seed'>>;
}

type Series = Array<number | null>;

export interface TestbedRun {
  run: number;
  truth: Series | null;
  estimates: Record<string, Series>;
  rmse: Record<string, number | null>;
}

export interface TestbedResult {
  runs: TestbedRun[];
  /** Per estimator: mean over runs of the mean error and of the RMSE (each over time steps where both are defined). */
  summary: Record<string, { bias: number | null; rmse: number | null }>;
  /** What the numbers are about: seed folders, round of each time step, CMP's chosen models, standard errors, notes. */
  meta: {
    source: string;
    labels: string[];
    rounds: number[][];
    design: StageDesign;
    estimators: string[];
    cmp: Array<{ run: number; config: string; validationRmse: number; configsTried: number } | null>;
    standardErrors: Array<Record<string, Series>>;
    notes: string[];
  };
}

export const ESTIMATOR_INFO: Record<string, string> = {
  DM: 'difference in means (treated vs untreated that round)',
  HT: 'Horvitz–Thompson with the design probability',
  bCMP: 'basic causal message passing',
  CMP: 'causal message passing, counterfactual evolution (cross-validated)',
  'EXP-HT': 'exposure mapping, Horvitz–Thompson (Aronow & Samii)',
  'EXP-Hajek': 'exposure mapping, Hájek (Aronow & Samii)',
};

const toSeries = (a: ArrayLike<number>): Series => Array.from(a, (v) => (Number.isFinite(v) ? v : null));

function errors(est: Series, truth: Series): number[] {
  const out: number[] = [];
  est.forEach((v, i) => {
    const g = truth[i];
    if (v !== null && g !== null) out.push(v - g);
  });
  return out;
}

/** Run every applicable estimator on each run; `progress` is told which run is done. */
export function runTestbed(runs: TteRun[], source: string, opts: TestbedOptions, progress?: (done: number, total: number) => void): TestbedResult {
  const notes: string[] = [];
  const names = new Set<string>(['DM', 'HT', 'bCMP']);
  if (opts.cmp !== null) names.add('CMP');
  const result: TestbedResult = {
    runs: [],
    summary: {},
    meta: { source, labels: [], rounds: [], design: opts.design, estimators: [], cmp: [], standardErrors: [], notes },
  };
  runs.forEach((r, idx) => {
    const problem = designProblem(opts.design, r.panel.t);
    if (problem) throw dataError(source, r.label, `design [${opts.design.probabilities.join(', ')}] with stages [${opts.design.stages.join(', ')}] ${problem}`, 'pass --design and --stages that fit the panel');
    notes.push(...r.notes);
    const truth = truthOf(r);
    const estimates: Record<string, Series> = {
      DM: toSeries(differenceInMeans(r.panel)),
      HT: toSeries(horvitzThompson(r.panel, opts.design)),
      bCMP: toSeries(basicCmp(r.panel)),
    };
    const se: Record<string, Series> = {};
    if (opts.cmp !== null) {
      const c = cmpEstimate(r.panel, r.desired, opts.design.stages, opts.cmp ?? defaultCmpOptions(r.run));
      estimates.CMP = toSeries(c.tte);
      result.meta.cmp.push({ run: r.run, config: c.description, validationRmse: c.score, configsTried: c.configsTried });
    } else result.meta.cmp.push(null);
    if (r.graph) {
      const x = exposureEstimates(r.panel, r.graph, opts.design, { ...DEFAULT_EXPOSURE, ...opts.exposure, seed: r.run });
      estimates['EXP-HT'] = toSeries(x.ht);
      estimates['EXP-Hajek'] = toSeries(x.hajek);
      se['EXP-HT'] = toSeries(x.htSe);
      se['EXP-Hajek'] = toSeries(x.hajekSe);
      names.add('EXP-HT');
      names.add('EXP-Hajek');
      notes.push(...x.notes.map((n) => `${r.label}: ${n}`));
    }
    const truthSeries = truth ? toSeries(truth) : null;
    const rmse: Record<string, number | null> = {};
    for (const [name, est] of Object.entries(estimates)) {
      const e = truthSeries ? errors(est, truthSeries) : [];
      rmse[name] = e.length ? Math.sqrt(e.reduce((s, x) => s + x * x, 0) / e.length) : null;
    }
    result.runs.push({ run: r.run, truth: truthSeries, estimates, rmse });
    result.meta.labels.push(r.label);
    result.meta.rounds.push(r.rounds);
    result.meta.standardErrors.push(se);
    if (!truth) notes.push(`${r.label}: no all-treated or all-control condition, so no ground truth; estimates only`);
    progress?.(idx + 1, runs.length);
  });
  result.meta.estimators = [...names];
  for (const name of names) {
    const biases: number[] = [];
    const rmses: number[] = [];
    for (const run of result.runs) {
      const est = run.estimates[name];
      if (!est || !run.truth) continue;
      const e = errors(est, run.truth);
      if (!e.length) continue;
      biases.push(e.reduce((s, x) => s + x, 0) / e.length);
      rmses.push(run.rmse[name] as number);
    }
    const mean = (a: number[]) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : null);
    result.summary[name] = { bias: mean(biases), rmse: mean(rmses) };
  }
  return result;
}

const fmt = (v: number | null, digits = 4) => (v === null ? '—' : v.toFixed(digits));

/** The tables `npm run estimate` prints: per run the RMSE of each estimator, then bias and RMSE across runs. */
export function formatTestbed(res: TestbedResult): string {
  const names = res.meta.estimators;
  const w = Math.max(10, ...res.meta.labels.map((l) => l.length + 2));
  const lines: string[] = [];
  lines.push(`Which estimator recovers the truth? ${res.meta.source}`);
  lines.push(`design ${res.meta.design.probabilities.join('/')} at stages ${res.meta.design.stages.join('/')}; truth = all-treated mean − all-control mean per round`);
  lines.push('');
  lines.push('RMSE against the truth, per run');
  lines.push('run'.padEnd(w) + names.map((n) => n.padStart(11)).join(''));
  res.runs.forEach((r, i) => lines.push(res.meta.labels[i].padEnd(w) + names.map((n) => fmt(r.rmse[n] ?? null).padStart(11)).join('')));
  lines.push('');
  lines.push(`Across ${res.runs.length} run(s): mean error (bias) and mean RMSE`);
  lines.push('estimator'.padEnd(12) + 'bias'.padStart(10) + 'RMSE'.padStart(10) + '  ');
  for (const n of names) lines.push(n.padEnd(12) + fmt(res.summary[n]?.bias ?? null).padStart(10) + fmt(res.summary[n]?.rmse ?? null).padStart(10) + `  ${ESTIMATOR_INFO[n] ?? ''}`);
  const chosen = res.meta.cmp.map((c, i) => (c ? `${res.meta.labels[i]}: ${c.config} (validation RMSE ${c.validationRmse.toFixed(4)})` : null)).filter(Boolean);
  if (chosen.length) {
    lines.push('');
    lines.push('CMP models chosen by cross-validation');
    lines.push(...chosen.map((c) => `  ${c}`));
  }
  if (res.meta.notes.length) {
    lines.push('');
    lines.push('Notes');
    lines.push(...[...new Set(res.meta.notes)].map((n) => `  ${n}`));
  }
  return lines.join('\n') + '\n';
}
