/**
 * The yardstick: the verified figures of Bond et al. 2012 (Nature 489:295–298; protocols.md §B) and a comparison
 * that puts a run's estimates beside them with units made comparable and the design differences in plain words.
 * Pure data and text, rendered by the app's Bond panel and printed by the CLI under the tables.
 */
import type { ContrastLabel, Effect, Summary } from './types';

export const BOND_2012 = {
  citation: 'Bond, R. M. et al. A 61-million-person experiment in social influence and political mobilization. Nature 489, 295–298 (2012).',
  electionDay: '2010-11-02',
  arms: {
    social: { n: 60_055_176, share: 0.98, approx: false },
    informational: { n: 600_000, share: 0.01, approx: true },
    control: { n: 600_000, share: 0.01, approx: true },
  },
  /** Social message vs control, validated voting, percentage points. */
  socialVsControlPp: 0.39,
  socialVsControlSemPp: 0.17,
  socialVsControlP: 0.02,
  /** Informational message users voted at the same rate as control. */
  informationalVsControl: 'no difference' as const,
  additionalVotesDirect: 60_000,
  additionalVotesViaCloseFriends: 280_000,
  additionalVotesTotal: 340_000,
  /** About 4 % of those who clicked "I Voted" had not voted (validated records). */
  clickedButDidNotVoteShare: 0.04,
} as const;

export interface BondRow {
  /** What is compared, e.g. 'Social message vs control'. */
  label: string;
  bond: string;
  /** The run's figure in comparable units, or '—' when the run has no such estimate. */
  run: string;
  /** 'same outcome' (turnout vs validated voting) or 'different outcome' (stated likelihood). */
  comparability: 'same outcome' | 'different outcome' | 'not estimable';
  note: string;
}

export interface BondComparison {
  rows: BondRow[];
  /** Plain-words differences between the designs, one per paragraph. */
  designDifferences: string[];
}

function pooledOrOnly(summary: Summary, treatment: string, baseline: string, outcome: string): Effect | undefined {
  const match = (e: Effect) => e.treatment === treatment && e.baseline === baseline && e.outcome === outcome;
  const pick = (es: Effect[]) => es.find((e) => e.method === 'paired') ?? es.find((e) => e.method === 'neyman');
  const pooled = summary.effects.filter((e) => match(e) && e.seed === 'pooled');
  return pick(pooled) ?? pick(summary.effects.filter(match));
}

const pp = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)} pp`;
const withSe = (e: Effect, scale: number, unit: string) =>
  `${e.estimate * scale >= 0 ? '+' : ''}${(e.estimate * scale).toFixed(2)} ${unit} (s.e. ${(e.se * scale).toFixed(2)})`;

function lastOutcome(summary: Summary, prefix: string): string | undefined {
  return summary.effects.find((e) => e.outcome.startsWith(prefix))?.outcome;
}

/**
 * Rows that set the run's estimates beside Bond's. Turnout differences are in percentage points and are the same
 * outcome (a vote, though self-reported by an agent rather than validated). Likelihood effects are shown two ways and
 * labelled as a different outcome: the change in the share stating ≥ 3 ("probably" or "definitely will vote") in
 * percentage points, and the change in mean likelihood as a percentage of the 0–4 scale. Paired estimates are
 * preferred (same agents across conditions), pooled over seeds when there are several.
 */
export function compareWithBond(summary: Summary): BondComparison {
  const rows: BondRow[] = [];
  const like = lastOutcome(summary, 'likelihood_r');
  const share = lastOutcome(summary, 'share_likely_r');
  // The pairs compared, found from the declared contrasts by the messages their groups see (never by names): whole
  // conditions or arms, not treated/untreated rows, cohorts or exposure bins.
  const whole = (c: ContrastLabel) => [c.treatment, c.baseline].every((g) => (g.who ?? 'all') === 'all' && !g.exposure);
  const pair = (t: string, b: string) => summary.contrasts.find((c) => c.messages?.[0] === t && c.messages?.[1] === b && c.kind !== 'spillover' && whole(c));
  const socCtl = pair('social', 'none');
  const infCtl = pair('info', 'none');
  const socInf = pair('social', 'info');
  const armed = [socCtl, infCtl, socInf].some((c) => c?.treatment.arm !== undefined);
  const arms: [string, ContrastLabel | undefined, string, string][] = [
    ['Social message vs control', socCtl, 'social message and no message',
      `+${BOND_2012.socialVsControlPp} pp validated voting (s.e.m. ${BOND_2012.socialVsControlSemPp}, P = ${BOND_2012.socialVsControlP})`],
    ['Informational message vs control', infCtl, 'informational message and no message', 'no difference in validated voting'],
    ['Social vs informational message', socInf, 'social and informational message', 'not reported as such; ≈ +0.39 pp if informational ≈ control, as reported'],
  ];
  for (const [label, c, missing, bond] of arms) {
    const t = c?.treatmentLabel ?? '';
    const b = c?.baselineLabel ?? '';
    const turnout = c && pooledOrOnly(summary, t, b, 'turnout');
    if (turnout) {
      rows.push({ label, bond, run: withSe(turnout, 100, 'pp turnout'), comparability: 'same outcome',
        note: 'election-day vote stated by each agent once, not validated against records' });
    }
    const s = c && share ? pooledOrOnly(summary, t, b, share) : undefined;
    if (s) {
      rows.push({ label: `${label} (stated likelihood ≥ 3)`, bond, run: withSe(s, 100, 'pp'), comparability: 'different outcome',
        note: `change in the share of adults whose last stated likelihood is 3 or 4 at round ${share!.slice('share_likely_r'.length)}: an intention, not a vote` });
    }
    const l = c && like ? pooledOrOnly(summary, t, b, like) : undefined;
    if (l) {
      rows.push({ label: `${label} (mean likelihood)`, bond, run: withSe(l, 25, '% of the 0–4 scale'), comparability: 'different outcome',
        note: `mean likelihood difference ${l.estimate.toFixed(3)} points on the 0–4 scale, divided by 4` });
    }
    if (!turnout && !s && !l) rows.push({ label, bond, run: '—', comparability: 'not estimable', note: c ? `the run has no ${t} and ${b} pair` : `the run compares no ${missing}` });
  }

  // Spillover: Bond's total through close friends vs direct total; the run gives per-agent effects, not totals. The
  // spillover group is the social message's (its close friends, or a roll-out's untreated); the direct effect is the
  // treated against the untreated of the same condition.
  const spillOut = summary.effects.some((e) => e.outcome === 'turnout') ? 'turnout' : share;
  const spillC = summary.contrasts.find((c) => c.kind === 'spillover' && c.messages?.[0] === 'social' && !c.treatment.exposure && c.outcome === spillOut);
  const directC = spillC && summary.contrasts.find((c) => c.kind === 'direct' && c.messages?.[0] === 'social' && c.messages?.[1] === 'none' && c.outcome === spillOut
    && c.treatment.condition === spillC.treatment.condition && c.baseline.condition === c.treatment.condition && c.treatment.arm === spillC.treatment.arm && c.treatment.who !== 'cohort');
  const spill = spillOut && spillC ? pooledOrOnly(summary, spillC.treatmentLabel, spillC.baselineLabel, spillOut) : undefined;
  const direct = spillOut && directC ? pooledOrOnly(summary, directC.treatmentLabel, directC.baselineLabel, spillOut) : undefined;
  const bondRatio = BOND_2012.additionalVotesViaCloseFriends / BOND_2012.additionalVotesDirect;
  rows.push({
    label: 'Spillover vs direct effect',
    bond: `≈ ${BOND_2012.additionalVotesDirect.toLocaleString('en-US')} votes directly + ≈ ${BOND_2012.additionalVotesViaCloseFriends.toLocaleString('en-US')} through close friends ≈ ${BOND_2012.additionalVotesTotal.toLocaleString('en-US')} (friends ≈ ${bondRatio.toFixed(1)} × direct, in totals)`,
    run: spill && direct
      ? armed
        ? `close friends of social-arm vs control-arm agents ${withSe(spill, 100, 'pp')}; social vs control ${withSe(direct, 100, 'pp')} (${spillOut})`
        : `untreated vs control ${withSe(spill, 100, 'pp')}; treated vs untreated ${withSe(direct, 100, 'pp')} (social roll-out, ${spillOut})`
      : '—',
    comparability: spill && direct ? (spillOut === 'turnout' ? 'same outcome' : 'different outcome') : 'not estimable',
    note: armed
      ? 'Bond counts votes summed over all close friends of the treated (totals); the run gives the effect per close friend, as Bond estimated it before scaling up, so signs and sizes per friend compare'
      : 'Bond counts votes summed over all friends of the treated (totals); the run gives the effect per untreated agent in a roll-out where 80 % are treated, so only signs and rough sizes compare',
  });
  rows.push({
    label: 'Said they voted but had not',
    bond: `≈ ${(100 * BOND_2012.clickedButDidNotVoteShare).toFixed(0)} % of "I Voted" clickers`,
    run: '—',
    comparability: 'not estimable',
    note: 'the run has no separate self-report and validated vote to compare',
  });

  if (armed) {
    const designDifferences = [
      'Same design. This run follows Bond: a single election day on which every adult was randomised into one population (by default 98 % social message, 1 % informational, 1 % none), with up to six close friends who say they will vote pictured in the social message, and close friends as the channel of spillover.',
      'Outcome. Bond measured validated voting from public records (and "I Voted" clicks). Here each agent answers once whether it voted: a self-report with no record to validate it against.',
      'Scale. Bond\'s 1 % arms held about 600,000 people each; with a few thousand agents the same shares leave a few dozen in each small arm, so intervals are wide. Raise the small arms\' shares for power; the estimates stay unbiased.',
      'Network. Close friends here are drawn among mutual follows of a Twitter-like graph, not Facebook\'s frequent-interaction ties, and the agents are LLMs (or the offline stand-in) with census personas.',
    ];
    return { rows, designDifferences };
  }
  const designDifferences = [
    'One day versus thirty rounds. Bond showed the message on election day only (at the top of the news feed); LLM-SocioPol shows it at every activation over 30 daily rounds before a round-30 election, after a 16-round warm-up, so effects can build up and spread.',
    'Arms. Bond randomised every user into one population (98 % social, 1 % informational, 1 % control), so the treated and untreated lived in the same network. Here each condition is a separate copy of the whole population forked from a shared warm-up: full treatments treat every adult, and only the roll-out experiments (20/40/80 % over periods) put treated and untreated side by side.',
    'Outcome. Bond measured validated voting from public records (and self-reported "I Voted" clicks). The published LLM-SocioPol files hold a stated voting likelihood on a 0–4 scale, an intention; turnout exists only for runs that ask the election-day question, and even then it is the agent\'s own answer.',
    'Spillover channel. Bond\'s spillover ran through close friends (frequent interaction on Facebook). Here it runs through followed accounts on a Twitter-like graph: posts, replies and, in the social message, the followed accounts shown as likely voters.',
    'Agents. Bond\'s subjects were 61 million people; these are LLM agents (mostly gpt-4.1-nano) prompted with a persona and a political stance, and a run has about 20,000 of them, so the precision and the meaning of a "percentage point" differ.',
  ];
  return { rows, designDifferences };
}

/** Plain-text rendering for the CLI. */
export function formatBond(c: BondComparison): string {
  const out = ['== Bond et al. 2012 beside this run (units made comparable; "different outcome" = not the same measure)'];
  for (const r of c.rows) {
    out.push(`- ${r.label} [${r.comparability}]`, `    Bond 2012: ${r.bond}`, `    this run:  ${r.run}`, `    ${r.note}`);
  }
  out.push('', 'How the designs differ:', ...c.designDifferences.map((d) => `- ${d}`), '');
  return out.join('\n');
}
