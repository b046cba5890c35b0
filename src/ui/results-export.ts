/**
 * Export files of the results panel: the effects table as CSV (every estimator, per seed and pooled, with the notes a
 * reader sees on screen) and the run's full settings as JSON. Plain functions, so the files are unit-tested.
 */
import type { Effect } from '../analysis/types';
import { degenerateNote, isDegenerate, rowProblem } from './findings';

const HEADER = [
  'treatment', 'baseline', 'outcome', 'method', 'seed', 'estimate', 'se', 'ci95_low', 'ci95_high', 'n_treatment', 'n_baseline',
  'n_seeds', 'seed_sd', 'se_between_seeds', 'results_round', 'planned_round', 'note',
];

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per effect; `note` says when a row is too small to estimate or has a zero-width interval. */
export function effectsCsv(effects: readonly Effect[], round: number | null, plannedRound: number | null): string {
  const lines = [HEADER.join(',')];
  for (const e of effects) {
    const note = rowProblem(e) ?? (isDegenerate(e) ? degenerateNote(e) : '');
    lines.push([
      e.treatment, e.baseline, e.outcome, e.method, e.seed, e.estimate, e.se, e.ci95[0], e.ci95[1], e.nTreatment, e.nBaseline,
      e.nSeeds, e.seedSd, e.seBetweenSeeds, round, plannedRound, note,
    ].map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}
