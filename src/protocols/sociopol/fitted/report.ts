/**
 * The fit report: held-out log-likelihood against the hand-set rules, transition matrices side by side with their
 * total-variation distance, per-round means per condition, the social − control trajectory, roll-out cohort effects and
 * the share at each level, for the data and for agents rolled out from the fit (and the rules). One JSON shape, one
 * plain-text rendering, shown by `npm run fit` and the app's "Fit agents from this run" panel.
 */
import type { FoldScore } from './holdout';
import type { FittedAgents } from './model';
import { rowProbs, weightedTv, type SurrogateStats } from './stats';

export interface FitReport {
  source: FittedAgents['source'];
  absent: string[];
  vote: FittedAgents['vote'];
  heldOut: FoldScore[];
  /** Statistics of the data, and of rolled-out agents (same design, sizes in `rollout`). */
  data: SurrogateStats;
  fitted: SurrogateStats | null;
  rules: SurrogateStats | null;
  rollout: { agents: number; seeds: number } | null;
  /** condition → weighted TV distance of the transition matrix vs the data's. */
  tv: { fitted: Record<string, number>; rules: Record<string, number> };
  targets: TargetRow[];
}

export interface TargetRow {
  name: string;
  target: number;
  tolerance: number;
  measured: number | null;
  pass: boolean;
}

const SOCIAL = 'treatment_soc_message';

/**
 * The acceptance targets of issue 10 (means over seeds vs the published five seeds). Only meaningful when `data` are
 * the published runs; for another source they compare the surrogate with that source.
 */
export function targetRows(data: SurrogateStats, sim: SurrogateStats): TargetRow[] {
  const rows: TargetRow[] = [];
  const add = (name: string, target: number | null, tolerance: number, measured: number | null | undefined) => {
    if (target === null || Number.isNaN(target)) return;
    const m = measured ?? null;
    rows.push({ name, target, tolerance, measured: m, pass: m !== null && Number.isFinite(m) && Math.abs(m - target) <= tolerance + 1e-12 });
  };
  add('social − control, round 30', data.socialEffectLast, 0.015, sim.socialEffectLast);
  add('informational − control, round 30', data.infoEffectLast, 0.01, sim.infoEffectLast);
  for (const r of ['5', '10', '20']) add(`social − control, round ${r}`, data.socialEffect[r] ?? null, 0.02, sim.socialEffect[r]);
  add('share at 4, social arm, round 30', data.shareByLevel[SOCIAL]?.[4] ?? null, 0.01, sim.shareByLevel[SOCIAL]?.[4]);
  add('control drift, rounds 0 → 30', data.controlDrift, 0.015, sim.controlDrift);
  add('untreated in social roll-out − same agents in control', data.spillover, 0.005, sim.spillover);
  data.cohorts.forEach((c, k) => add(`roll-out cohort ${['1–10', '11–20', '21–30'][k]} − same agents in control`, c, 0.025, sim.cohorts[k]));
  for (const cond of ['control', SOCIAL]) {
    if (!data.transitions[cond] || !sim.transitions[cond]) continue;
    const tv = weightedTv(data.transitions[cond], sim.transitions[cond]);
    rows.push({ name: `weighted TV distance of transitions, ${cond}`, target: 0, tolerance: 0.01, measured: tv, pass: tv <= 0.01 });
  }
  if (sim.activity.control !== undefined && sim.activity[SOCIAL] !== undefined) {
    const d = sim.activity[SOCIAL] - sim.activity.control;
    rows.push({ name: 'social-arm activity − control activity (≥ 0)', target: 0, tolerance: Infinity, measured: d, pass: d >= 0 });
  }
  return rows;
}

export function buildReport(agents: FittedAgents, data: SurrogateStats, heldOut: FoldScore[], fitted: SurrogateStats | null, rules: SurrogateStats | null, rollout: FitReport['rollout']): FitReport {
  const tv = { fitted: {} as Record<string, number>, rules: {} as Record<string, number> };
  for (const cond of Object.keys(data.transitions)) {
    if (fitted?.transitions[cond]) tv.fitted[cond] = weightedTv(data.transitions[cond], fitted.transitions[cond]);
    if (rules?.transitions[cond]) tv.rules[cond] = weightedTv(data.transitions[cond], rules.transitions[cond]);
  }
  return { source: agents.source, absent: agents.absent, vote: agents.vote, heldOut, data, fitted, rules, rollout, tv, targets: fitted ? targetRows(data, fitted) : [] };
}

function table(header: string[], rows: string[][]): string {
  const w = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ').trimEnd();
  return [line(header), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const pct = (x: number | undefined) => (x === undefined ? '—' : `${(100 * x).toFixed(1)} %`);

export function formatReport(r: FitReport): string {
  const out: string[] = [];
  out.push(`Fitted SocioPol agents from ${r.source.label} (${r.source.kind}; seeds ${r.source.seeds.join(', ')}; ${r.source.activations.toLocaleString('en-US')} activations)`);
  if (r.absent.length) out.push(`Covariates absent from these data, coefficients fixed at 0: ${r.absent.join('; ')}`);
  out.push(`Election day: ${r.vote.note}; P(vote | last level 0…4) = ${r.vote.byLevel.map((v) => f(v, 2)).join(' / ')}`, '');
  if (r.heldOut.length) {
    out.push('== held-out log-likelihood per activation (fit on the other seeds, score this one’s main stage)');
    const rows = r.heldOut.map((h) => [h.heldOut, String(h.transitions), f(h.fitted.transition, 4), f(h.rules.transition, 4), String(h.impossibleUnderRules), f(h.fitted.delay, 4), f(h.rules.delay, 4)]);
    const mean = (g: (h: FoldScore) => number) => r.heldOut.reduce((a, h) => a + g(h), 0) / r.heldOut.length;
    rows.push(['mean', '', f(mean((h) => h.fitted.transition), 4), f(mean((h) => h.rules.transition), 4), '', f(mean((h) => h.fitted.delay), 4), f(mean((h) => h.rules.delay), 4)]);
    out.push(table(['held-out seed', 'activations', 'next level: fitted', 'rules', 'rules give p=0', 'gap: fitted', 'rules'], rows));
    out.push('(probabilities floored at 1e-4; the rules are read as a probability model without peer change or pictured faces, which the published data lack)', '');
  }
  const sims: Array<[string, SurrogateStats | null]> = [['data', r.data], ['fitted', r.fitted], ['rules', r.rules]];
  const live = sims.filter((s): s is [string, SurrogateStats] => s[1] !== null);
  if (r.rollout) out.push(`Rolled out: ${r.rollout.agents} agents × ${r.rollout.seeds} seeds on the default design (generated network and personas), means over seeds`, '');
  for (const cond of ['control', SOCIAL]) {
    if (!r.data.transitions[cond]) continue;
    out.push(`== transition matrix, ${cond}, main stage (row: previous level; P(next = 1 / 2 / 3 / 4))`);
    const rows: string[][] = [];
    for (let k = 1; k <= 4; k++) {
      rows.push([`from ${k}`, ...live.map(([, s]) => rowProbs(s.transitions[cond] ?? [[], [], [], [], []])[k]?.slice(1).map((v) => f(v, 3)).join(' ') ?? '—')]);
    }
    rows.push(['weighted TV vs data', '', f(r.tv.fitted[cond], 4), f(r.tv.rules[cond], 4)].slice(0, live.length + 1));
    out.push(table(['', ...live.map(([n]) => n)], rows), '');
  }
  const rounds = ['0', '1', '5', '10', '15', '20', '25', '30'];
  out.push('== mean likelihood by round (data / fitted / rules)');
  out.push(table(['condition', ...rounds], Object.keys(r.data.meanByRound).map((c) => [c, ...rounds.map((rd) => live.map(([, s]) => f(s.meanByRound[c]?.[rd], 2)).join('/'))])), '');
  out.push('== social − control by round');
  out.push(table(['', ...rounds.slice(1)], live.map(([n, s]) => [n, ...rounds.slice(1).map((rd) => f(s.socialEffect[rd], 3))])), '');
  out.push('== roll-out cohorts (experiment_soc_message, first treated in rounds 1–10 / 11–20 / 21–30) and untreated, vs the same agents in control');
  out.push(table(['', 'cohort 1–10', '11–20', '21–30', 'untreated'], live.map(([n, s]) => [n, ...s.cohorts.map((c) => f(c, 3)), f(s.spillover, 4)])), '');
  out.push('== share at each level, round 30');
  const conds = [...new Set(['control', 'treatment_info_message', SOCIAL].filter((c) => r.data.shareByLevel[c]))];
  out.push(table(['', ...conds.flatMap((c) => [`${c}: 1`, '2', '3', '4'])], live.map(([n, s]) => [n, ...conds.flatMap((c) => [1, 2, 3, 4].map((k) => pct(s.shareByLevel[c]?.[k])))])), '');
  out.push('== activity: main-stage activations per adult');
  out.push(table(['', ...Object.keys(r.data.activity)], live.map(([n, s]) => [n, ...Object.keys(r.data.activity).map((c) => f(s.activity[c], 3))])), '');
  if (r.targets.length) {
    out.push('== targets (fitted agents vs the data)');
    out.push(table(['target', 'data', 'tolerance', 'fitted', 'ok'], r.targets.map((t) => [t.name, f(t.target, 4), Number.isFinite(t.tolerance) ? `±${f(t.tolerance, 3)}` : '', f(t.measured, 4), t.pass ? 'yes' : 'NO'])), '');
  }
  return out.join('\n');
}
