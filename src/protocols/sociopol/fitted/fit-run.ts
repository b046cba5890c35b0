/**
 * "Fit agents from this run": the fit and its report from a stored run (a run bundle), as the app's analysis worker
 * and `npm run fit -- --run` compute it. Without a roll-out (the app shows the fit against the run's own decisions;
 * the CLI adds roll-outs of the fitted and rule agents).
 */
import type { SeedData } from '../../../analysis/types';
import type { RunBundle } from '../../../storage/bundle';
import { fromBundle, type FitSeed } from './features';
import { fitAgents } from './fit';
import { heldOutScores } from './holdout';
import type { FittedAgents } from './model';
import { buildReport, formatReport, type FitReport } from './report';
import { surrogateStats } from './stats';

/** The analysis input of some fit seeds (their statements and treatment, as the estimators read them). */
export function seedDataOf(seeds: readonly FitSeed[]): SeedData[] {
  return seeds.map((s) => ({
    label: s.label,
    conditions: s.conditions.map((c) => ({ name: c.name, agentIds: s.agentIds, rounds: s.rounds, stated: c.stated, treatment: c.treatment, votes: c.votes, notes: [] })),
  }));
}

export interface RunFit {
  agents: FittedAgents;
  report: FitReport;
  /** The report as `npm run fit` prints it, with the reading notes. */
  text: string;
}

export function fitRun(bundle: RunBundle): RunFit {
  const { seeds, notes } = fromBundle(bundle);
  const label = `run “${bundle.run.name}”`;
  const agents = fitAgents(seeds, { kind: 'run', label });
  const report = buildReport(agents, surrogateStats(seedDataOf(seeds)), heldOutScores(seeds), null, null, null);
  const extra = [
    bundle.run.agentsKind === 'llm' ? '' : `Note: this run's decisions were made by ${bundle.run.agentsKind} agents, not LLM agents.`,
    seeds.length < 2 ? 'Held-out log-likelihood needs at least two seeds; this run has one.' : '',
    ...notes.map((n) => `Note: ${n}`),
  ].filter(Boolean);
  return { agents, report, text: [formatReport(report), ...extra].join('\n') };
}
