/**
 * The results in words and the rows of the effects table: one plain sentence per main contrast (direct effect and
 * spillover of each message), the warnings a reader needs before trusting them (partial run, small samples, few
 * seeds), and the rules that keep the table honest (subgroups under MIN_N are not estimated; a zero-width interval is
 * explained, not shown as certainty). Pure functions over the analysis summary, so they are unit-tested.
 */
import type { ContrastLabel, Effect, Summary } from '../analysis/types';

/** Below this many agents in a compared group, an estimate is shown as "too few to estimate". */
export const MIN_N = 30;
/** Below this many agents per arm, the finding warns that the sample is small. */
export const SMALL_N = 300;

/** What the findings need to know about the results beyond the summary. */
export interface FindingContext {
  summary: Summary;
  /** The round the results are as of, and the planned last round. */
  round: number | null;
  plannedRound: number | null;
  seedsUsed: number;
  seedsPlanned: number;
  /** The run's status, null for published data. */
  status: string | null;
}

export interface Finding {
  /** 'soc' or 'info' (protocol A), or the arm design's 'condition:arm'. */
  key: string;
  sentence: string;
  /** The effects the sentence quotes, for tests and exports. */
  effects: Effect[];
}

export const isShareOutcome = (o: string): boolean => o === 'turnout' || o.startsWith('share_likely');

/** A signed value: percentage points for shares, points on the 0–4 scale for likelihoods. */
export function formatValue(v: number, outcome: string, digits?: number): string {
  const sign = v > 0 ? '+' : v < 0 ? '−' : '';
  const a = Math.abs(v);
  return isShareOutcome(outcome) ? `${sign}${(100 * a).toFixed(digits ?? 1)} pp` : `${sign}${a.toFixed(digits ?? 3)}`;
}

const plainNumber = (v: number, outcome: string) => formatValue(v, outcome).replace(/ pp$/, '');

/** "5.0 to 7.2" (both ends positive) or "−0.2 to +0.7" (signed when an end is negative), in the outcome's unit. */
export function formatCi(e: Effect): string {
  const signed = e.ci95[0] < 0;
  const end = (v: number) => (signed ? plainNumber(v, e.outcome) : plainNumber(v, e.outcome).replace(/^\+/, ''));
  return `${end(e.ci95[0])} to ${end(e.ci95[1])}`;
}

/** Why a row cannot be read as an estimate, or null when it can. */
export function rowProblem(e: Effect): string | null {
  if (Math.min(e.nTreatment, e.nBaseline) < MIN_N) return `too few to estimate (n = ${Math.min(e.nTreatment, e.nBaseline)}; needs ${MIN_N})`;
  return null;
}

/**
 * A zero-width interval: every compared agent has exactly the same outcome in both conditions (common random numbers
 * make untreated agents identical to their control selves until something reaches them), or no agent varies at all.
 */
export function isDegenerate(e: Effect): boolean {
  return e.se === 0 || e.ci95[0] === e.ci95[1];
}

export function degenerateNote(e: Effect): string {
  return e.method === 'paired' ? 'same for every agent as in the baseline: no interval' : 'no variation in either group: no interval';
}

/** The longer explanation, for a tooltip. */
export const DEGENERATE_HELP =
  'A zero-width interval is not certainty: every compared agent has exactly the same outcome as in the baseline. Conditions share their random numbers, so agents the message has not reached yet are identical to their control selves.';

const significant = (e: Effect) => !isDegenerate(e) && (e.ci95[0] > 0 || e.ci95[1] < 0);

/** The pooled row (several seeds) or the only seed's row of a contrast, preferring the paired estimate. */
export function pick(summary: Summary, treatment: string, baseline: string, outcome: string): Effect | undefined {
  const pooled = summary.seeds.length > 1;
  const rows = summary.effects.filter((e) => e.treatment === treatment && e.baseline === baseline && e.outcome === outcome && (pooled ? e.seed === 'pooled' : true));
  return rows.find((e) => e.method === 'paired') ?? rows.find((e) => e.method === 'neyman') ?? rows[0];
}

function outcomePhrase(outcome: string): string {
  if (outcome === 'turnout') return 'turnout on election day';
  if (outcome.startsWith('share_likely')) return 'the share likely to vote';
  return 'the mean stated likelihood (0–4)';
}

function whenPhrase(outcome: string): string {
  const m = /_r(-?\d+)$/.exec(outcome);
  return m ? ` at round ${m[1]}` : '';
}

/** "raised … by 6.1 pp (95 % CI 5.0 to 7.2)" or "did not detectably change … (+0.3 pp, 95 % CI −0.2 to +0.7)". */
function directClause(subject: string, e: Effect): string {
  const what = outcomePhrase(e.outcome);
  const when = whenPhrase(e.outcome);
  if (rowProblem(e)) return `${subject}: too few agents to estimate its effect on ${what}${when} (n = ${Math.min(e.nTreatment, e.nBaseline)})`;
  if (isDegenerate(e)) return `${subject} left ${what}${when} exactly unchanged for every agent`;
  if (!significant(e)) return `${subject} did not detectably change ${what}${when} (${formatValue(e.estimate, e.outcome)}, 95 % CI ${formatCi(e)})`;
  const verb = e.estimate > 0 ? 'raised' : 'lowered';
  const size = formatValue(Math.abs(e.estimate), e.outcome).replace(/^\+/, '');
  return `${subject} ${verb} ${what} by ${size} (95 % CI ${formatCi(e)})${when}`;
}

function spillClause(who: string, e: Effect): string {
  if (rowProblem(e)) return `too few ${who} to estimate spillover (n = ${Math.min(e.nTreatment, e.nBaseline)})`;
  if (isDegenerate(e)) return `${who} are exactly where they would be without the message (no spillover)`;
  if (!significant(e)) return `no detectable spillover to ${who} (${formatValue(e.estimate, e.outcome)}, ${formatCi(e)})`;
  return `${e.estimate > 0 ? 'spillover' : 'negative spillover'}: ${who} ${e.estimate > 0 ? 'rose' : 'fell'} too, by ${formatValue(e.estimate, e.outcome)} (${formatCi(e)})`;
}

/** Whole conditions or arms on both sides (not treated/untreated rows, cohorts, exposure bins or close friends). */
const whole = (c: ContrastLabel) => [c.treatment, c.baseline].every((g) => (g.who ?? 'all') === 'all' && !g.exposure);

/** The outcome the sentences speak of: share likely to vote at the last round (protocol A), turnout for arm designs. */
function mainOutcome(summary: Summary): string | undefined {
  const outcomes = [...new Set(summary.effects.map((e) => e.outcome))];
  const armed = summary.contrasts.some((c) => c.treatment.arm !== undefined);
  if (armed && outcomes.includes('turnout')) return 'turnout';
  const share = outcomes.filter((o) => o.startsWith('share_likely_r')).sort((a, b) => Number(a.slice(14)) - Number(b.slice(14)));
  return share.at(-1) ?? outcomes[0];
}

/**
 * One sentence per message: its direct effect and the spillover to those who did not get it. The contrasts are the
 * ones the protocol declared, picked by the messages their groups see (never by condition names).
 */
export function findings(summary: Summary): Finding[] {
  const outcome = mainOutcome(summary);
  if (!outcome) return [];
  const out: Finding[] = [];
  const at = (c: ContrastLabel | undefined) => (c ? pick(summary, c.treatmentLabel, c.baselineLabel, outcome) : undefined);
  const vsNone = (c: ContrastLabel, message: string) => c.messages?.[0] === message && c.messages[1] === 'none';
  for (const [message, kind, name] of [['social', 'soc', 'The social message'], ['info', 'info', 'The informational message']] as const) {
    const direct = at(summary.contrasts.find((c) => vsNone(c, message) && c.kind === 'total' && whole(c) && c.treatment.arm === undefined));
    const spill = at(summary.contrasts.find((c) => vsNone(c, message) && c.kind === 'spillover' && c.treatment.who === 'untreated' && !c.treatment.exposure));
    if (!direct && !spill) continue;
    const parts: string[] = [];
    const used: Effect[] = [];
    if (direct) {
      parts.push(directClause(`${name} (everyone treated)`, direct));
      used.push(direct);
    }
    if (spill) {
      const clause = spillClause('untreated agents of the staggered roll-out', spill);
      parts.push(direct ? clause : `${name}, staggered roll-out: ${clause}`);
      used.push(spill);
    }
    out.push({ key: kind, sentence: `${parts.join('; ')}.`, effects: used });
  }
  // Arm designs (Bond 2012): each message's arm against the arm without one, spillover through close friends.
  const seen = new Set<string>();
  for (const c of summary.contrasts) {
    if (c.treatment.arm === undefined || !whole(c) || c.messages?.[1] !== 'none' || seen.has(c.treatmentLabel)) continue;
    const message = c.messages[0];
    const name = message === 'social' ? 'The social message' : message === 'info' ? 'The informational message' : `The ${message} message`;
    const direct = at(c);
    if (!direct) continue;
    seen.add(c.treatmentLabel);
    const friendsC = summary.contrasts.find((f) => f.kind === 'spillover' && f.treatment.who === 'friends' && f.treatment.condition === c.treatment.condition && f.treatment.arm === c.treatment.arm);
    const friends = at(friendsC);
    const parts = [directClause(name, direct)];
    if (friends) parts.push(spillClause('close friends of those who got it', friends));
    out.push({ key: c.treatmentLabel, sentence: `${parts.join('; ')}.`, effects: friends ? [direct, friends] : [direct] });
  }
  return out;
}

/** Cautions to print beside the findings. */
export function warnings(ctx: FindingContext, shown: readonly Effect[]): string[] {
  const out: string[] = [];
  if (ctx.round !== null && ctx.plannedRound !== null && ctx.round < ctx.plannedRound) {
    const why = ctx.status === 'running' ? 'the run is still going' : ctx.status === 'paused' ? 'the run is paused' : ctx.status === 'interrupted' ? 'the run was interrupted' : 'the run stopped early';
    out.push(`Partial results: as of round ${ctx.round} of ${ctx.plannedRound} (${why}). Later rounds and election day are not included; each agent counts as treated or not as of round ${ctx.round}.`);
  }
  if (ctx.seedsUsed < ctx.seedsPlanned) out.push(`Only ${ctx.seedsUsed} of ${ctx.seedsPlanned} seeds have reached round ${ctx.round}; the others are left out for now.`);
  if (ctx.seedsUsed > 0 && ctx.seedsUsed < 3) out.push(`${ctx.seedsUsed === 1 ? 'One seed' : 'Two seeds'}: the intervals cover agent-to-agent variation within ${ctx.seedsUsed === 1 ? 'this run' : 'these runs'}, not run-to-run variation; run 3 or more seeds before drawing a conclusion.`);
  const small = shown.filter((e) => Math.min(e.nTreatment, e.nBaseline) < SMALL_N && !rowProblem(e));
  if (small.length) out.push(`Small sample: ${Math.min(...small.map((e) => Math.min(e.nTreatment, e.nBaseline)))} agents in the smallest compared group; effects of a few points cannot be told from noise at this size.`);
  return out;
}
