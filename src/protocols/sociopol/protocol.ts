/**
 * LLM-SocioPol as a protocol module (protocols.md §A): each adult states a 0–4 voting likelihood at every activation,
 * reasoned from its stance, the messages and what its peers say; the social message counts likely voters and pictures
 * up to six of them; after the last round each adult is asked whether it voted. `socioPolProtocol` also builds the
 * Bond 2012 design, which differs only in its defaults, its peer channel and its contrasts.
 */
import type { ConditionSpec, SimConfig } from '../../engine/config';
import type { ColumnDecl, ContrastDecl, OutcomeDecl, Protocol, RoundContext, TotalEffectDecl } from '../../engine/protocol';
import { configError } from '../../engine/errors';
import { hashHead, hashTail, Rng } from '../../engine/rng';
import type { Persona } from '../../population/types';
import { seedPostText } from './content';
import { writeSocioPolCsv } from './csv';
import { validateSocioPolParams } from './defaults';
import { socioPolPrompts } from './llm';
import { createFittedPort } from './fitted/fitted-port';
import type { FittedAgents } from './fitted/model';
import { createOfflinePort } from './offline/rules-port';
import { LIKELIHOOD_WORDS } from './types';
import type {
  ActivationRequest,
  Decision,
  Likelihood,
  SocioPolDecision,
  SocioPolMemory,
  SocioPolParams,
  SocioPolRequest,
  TreatmentMessage,
  VoteAnswer,
  VoteQuestion,
} from './types';

/** Per condition: each agent's last stated likelihood, plus what the run fixes once (peer lists, the faces stream). */
export interface SocioPolState {
  /** Last stated likelihood (−1 before the first statement). */
  likelihood: Int8Array;
  /** Close friends, sorted, when they are the peer channel (Bond 2012); null: accounts followed. */
  closeFriends: Int32Array[] | null;
  facesHead: number;
  facesRng: Rng;
  profiles: string[];
}

/** Computed once per round on the state at its start. */
export interface SocioPolRound {
  likelyCount: number;
  socialText: string;
  /** Likelihood stated this round (−1 where none). */
  stated: Int8Array;
  params: SocioPolParams;
}

export type SocioPolProtocol = Protocol<SocioPolState, SocioPolRound, SocioPolRequest, SocioPolDecision, SocioPolMemory, VoteQuestion, VoteAnswer, Persona, SocioPolParams>;

const COLUMNS: ColumnDecl[] = [
  { name: 'stated', label: 'likelihood stated this round', missing: -1, type: 'int8', carried: false, levels: LIKELIHOOD_WORDS },
  { name: 'likelihood', label: 'last stated likelihood', missing: -1, type: 'int8', carried: true, levels: LIKELIHOOD_WORDS },
];

/** Ascending in place; for the handful of faces a social message shows (Array.prototype.sort allocates). */
function sortSmall(ids: number[]): number[] {
  for (let i = 1; i < ids.length; i++) {
    const x = ids[i];
    let j = i - 1;
    while (j >= 0 && ids[j] > x) {
      ids[j + 1] = ids[j];
      j--;
    }
    ids[j + 1] = x;
  }
  return ids;
}

/** The outcomes every SocioPol-style design reports: the last round's likelihood, its ≥ 3 share, and turnout. */
export function socioPolOutcomes(config: SimConfig): OutcomeDecl[] {
  const r = config.lastRound;
  return [
    { id: `likelihood_r${r}`, label: `mean likelihood at round ${r}`, column: 'likelihood', round: 'last' },
    { id: `share_likely_r${r}`, label: `share likely to vote (≥ 3) at round ${r}`, column: 'likelihood', round: 'last', threshold: 3 },
    { id: 'turnout', label: 'turnout on election day', final: true },
  ];
}

/**
 * The ground-truth designs: everyone sees the message every round, or nobody sees any. The configuration's own
 * conditions of that shape are named when it has them (treatment_soc_message, control), so estimates and truth come
 * from one run; otherwise the designs are described for a run to add.
 */
export function socioPolTotalEffects(config: SimConfig): TotalEffectDecl[] {
  const periods = config.periodEnds.length;
  const outcomes = socioPolOutcomes(config).map((o) => o.id);
  const none = config.conditions.find((c) => !c.arms && (c.message === 'none' || c.schedule.every((p) => p === 0)));
  return (['info', 'social'] as const).map((message) => ({
    message,
    allTreated: structuredClone(config.conditions.find((c) => !c.arms && c.message === message && c.schedule.every((p) => p === 1))) ?? { name: `all_${message}`, message, schedule: new Array(periods).fill(1) },
    noneTreated: structuredClone(none) ?? { name: 'none_treated', message: 'none', schedule: new Array(periods).fill(0) },
    outcomes,
  }));
}

/** The value stated in the first main round, by the agents active then: the immediate reaction to a first message. */
const FIRST_TREATED: OutcomeDecl = { id: 'first_treated_answer', label: 'likelihood stated in round 1 (agents active then)', column: 'stated', round: 1 };

/** Exposure bins of a roll-out's untreated agents (share of followed accounts treated): 0, (0, .25], (.25, .5], (.5, 1]. */
const EXPOSURE_BINS: Array<{ above: number | null; upTo: number }> = [
  { above: null, upTo: 0 },
  { above: 0, upTo: 0.25 },
  { above: 0.25, upTo: 0.5 },
  { above: 0.5, upTo: 1 },
];

/** A condition that shows nothing: the baseline every other condition is compared with. */
const isControl = (c: ConditionSpec) => !c.arms && (c.message === 'none' || c.schedule.every((p) => p === 0));
/** Everyone sees the condition's message in every period. */
const isFull = (c: ConditionSpec) => !c.arms && c.message !== 'none' && c.schedule.every((p) => p === 1);
/** A roll-out: some period treats a share strictly between none and all, or the share changes between periods. */
const isRollout = (c: ConditionSpec) => !c.arms && c.message !== 'none' && c.schedule.some((p) => p !== c.schedule[0] || (p > 0 && p < 1));

/**
 * SocioPol's contrasts, found from the conditions' messages and schedules (never their names), in the order the
 * tables print them:
 * - each full condition vs control, and the full social vs the full informational condition, on every outcome and on
 *   the first treated answer: Neyman (independent arms) and paired (the same agents; conditions share agents);
 * - in each roll-out, treated vs untreated at the last round (direct effect net of the spillover the untreated also
 *   receive; valid because the final assignment u < p is random) and treated vs the same agents in control (paired);
 *   untreated vs control (spillover: Neyman and paired); cohorts (first treated in period k) vs the roll-out's
 *   untreated (Neyman) and vs control (paired); untreated agents by exposure bin, paired against control.
 */
function socioPolContrasts(config: SimConfig): ContrastDecl[] {
  const control = config.conditions.find(isControl);
  const outcomes = socioPolOutcomes(config).map((o) => o.id);
  const out: ContrastDecl[] = [];
  const full = config.conditions.filter(isFull);
  if (control) {
    const base = { condition: control.name };
    for (const c of full) {
      for (const o of [...outcomes, FIRST_TREATED.id]) out.push({ id: c.name, treatment: { condition: c.name }, baseline: base, outcome: o, kind: 'total', messages: [c.message, 'none'] });
    }
  }
  const soc = full.find((c) => c.message === 'social');
  const info = full.find((c) => c.message === 'info');
  if (soc && info) {
    for (const o of [...outcomes, FIRST_TREATED.id]) out.push({ id: `${soc.name}:vs:${info.name}`, treatment: { condition: soc.name }, baseline: { condition: info.name }, outcome: o, kind: 'total', messages: ['social', 'info'] });
  }
  for (const ex of config.conditions.filter(isRollout)) {
    const treated = { condition: ex.name, who: 'treated' as const };
    const untreated = { condition: ex.name, who: 'untreated' as const };
    const m: [string, string] = [ex.message, 'none'];
    for (const o of outcomes) {
      out.push({ id: `${ex.name}:treated`, treatment: treated, baseline: untreated, outcome: o, kind: 'direct', messages: m });
      if (control) {
        const base = { condition: control.name };
        out.push({ id: `${ex.name}:treated`, treatment: treated, baseline: base, outcome: o, kind: 'direct', methods: ['paired'], messages: m });
        out.push({ id: `${ex.name}:untreated`, treatment: untreated, baseline: base, outcome: o, kind: 'spillover', messages: m });
      }
      for (let k = 1; k <= config.periodEnds.length; k++) {
        const cohort = { condition: ex.name, who: 'cohort' as const, period: k };
        out.push({ id: `${ex.name}:cohort_p${k}`, treatment: cohort, baseline: untreated, outcome: o, kind: 'direct', messages: m });
        if (control) out.push({ id: `${ex.name}:cohort_p${k}`, treatment: cohort, baseline: { condition: control.name }, outcome: o, kind: 'direct', methods: ['paired'], messages: m });
      }
      if (control) {
        for (const exposure of EXPOSURE_BINS) {
          out.push({ id: `${ex.name}:untreated:exposure`, treatment: { ...untreated, exposure }, baseline: { condition: control.name }, outcome: o, kind: 'spillover', methods: ['paired'], messages: m });
        }
      }
    }
  }
  return out;
}

export interface SocioPolVariant {
  id: string;
  title: string;
  summary: string;
  defaults: () => SimConfig;
  contrasts?: (config: SimConfig) => ContrastDecl[];
}

function createSocioPolState({ seed, config, agents }: { seed: number; config: SimConfig; agents: readonly Persona[] }): SocioPolState {
  const params = config.params as unknown as SocioPolParams;
  return {
    likelihood: new Int8Array(agents.length).fill(-1),
    closeFriends: params.friendsChannel === 'closeFriends' ? agents.map((p) => Int32Array.from(p.closeFriends).sort()) : null,
    facesHead: hashHead(seed, 'faces'),
    facesRng: new Rng(0),
    profiles: agents.map((p) => p.publicProfile),
  };
}

export function socioPolProtocol(variant: SocioPolVariant): SocioPolProtocol {
  return {
    id: variant.id,
    title: variant.title,
    summary: variant.summary,
    defaults: variant.defaults,
    validateParams: validateSocioPolParams,
    messages: [
      { id: 'info', label: 'informational' },
      { id: 'social', label: 'social' },
    ],
    columns: COLUMNS,
    answerColumn: 'stated',
    scalars: [{ name: 'likelyCount', label: 'adults likely to vote (≥ 3)' }],
    outcomes: (config) => [...socioPolOutcomes(config), FIRST_TREATED],
    contrasts: variant.contrasts ?? socioPolContrasts,
    totalEffects: socioPolTotalEffects,

    createState: createSocioPolState,

    forkState: (s) => ({ ...s, likelihood: s.likelihood.slice() }),
    // Only the likelihoods change; the rest is fixed by the run's seed and agents.
    packState: (s) => ({ likelihood: s.likelihood.slice() }),
    unpackState: (packed, ctx) => ({ ...createSocioPolState(ctx), likelihood: (packed as { likelihood: Int8Array }).likelihood }),

    beginRound(ctx) {
      const params = ctx.config.params as unknown as SocioPolParams;
      const cur = ctx.state.likelihood;
      let likelyCount = 0;
      for (let a = 0; a < cur.length; a++) if (cur[a] >= 3) likelyCount++;
      const socialText = `${params.messages.info} ${params.messages.social.replace('{count}', likelyCount.toLocaleString('en-US'))}`;
      return { likelyCount, socialText, stated: new Int8Array(cur.length).fill(-1), params };
    },

    request(ctx, x, a) {
      return { vote: ctx.agents[a].adult ? voteRequest(ctx, x, a) : null };
    },

    checkDecision(decision: Decision, request: ActivationRequest) {
      if (!request.vote) return null;
      const l = decision.likelihood;
      if (l === null || !Number.isInteger(l) || l < 0 || l > 4) return `likelihood ${l} is not a whole number in 0…4`;
      return null;
    },

    applyDecision(ctx, x, a, d, req) {
      const cur = ctx.state.likelihood;
      const said = req.vote && d.likelihood !== null;
      if (said) {
        x.stated[a] = d.likelihood as number;
        cur[a] = d.likelihood as number;
      }
      return {
        likelihood: said ? d.likelihood : cur[a] >= 0 ? (cur[a] as Likelihood) : null,
        followedLikelyShare: req.vote ? req.vote.followedLikelyShare : 0,
        sawMessage: req.vote?.treatment != null,
      };
    },

    endRound(ctx, x) {
      return { columns: { stated: x.stated, likelihood: ctx.state.likelihood.slice() }, scalars: { likelyCount: x.likelyCount } };
    },

    final: {
      column: 'voted',
      label: 'voted on election day',
      ask(state, a, { agents, treatedEver }) {
        if (!agents[a].adult) return null;
        const cur = state.likelihood[a];
        return { lastLikelihood: cur >= 0 ? (cur as Likelihood) : null, treatedEver: treatedEver[a] === 1 };
      },
      value: (answer) => (answer.voted === 0 || answer.voted === 1 ? answer.voted : null),
    },

    seedPost: seedPostText,
    writeCsv: writeSocioPolCsv,
    offlineAgents: {
      rules: () => createOfflinePort(),
      // Fitted agents need their parameters (public/data/fitted-sociopol.json or `npm run fit -- --out`).
      fitted: (data) => {
        if (!data) throw configError('agents kind', "is 'fitted' but no fitted parameters were given", "load them (the CLI reads public/data/fitted-sociopol.json) or use 'rules'");
        return createFittedPort(data as FittedAgents);
      },
    },
    defaultOffline: 'rules',
    llm: socioPolPrompts,
  };
}

/** Peers likely to vote, gathered per request (grown as needed; only the first entries of a request count). */
let likelyPeers = new Int32Array(64);

/**
 * `rng.sample(likelyPeers[0…count), k)`, the same draws and the same ids, taken in place in the scratch list
 * (`Rng.sample` copies its input twice).
 */
function sampleLikely(rng: Rng, count: number, k: number): number[] {
  const list = likelyPeers;
  const m = Math.min(k, count);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(count - i);
    const t = list[i];
    list[i] = list[j];
    list[j] = t;
  }
  const shown: number[] = new Array(m);
  for (let i = 0; i < m; i++) shown[i] = list[i];
  return shown;
}

/** The vote part of an adult's request: the countdown, its last statement, the message and the peer signal. */
function voteRequest(ctx: RoundContext<SocioPolState, Persona>, x: SocioPolRound, a: number): NonNullable<SocioPolRequest['vote']> {
  const { state, config, round } = ctx;
  const cur = state.likelihood;
  const follow = ctx.world.following(a);
  const peers = state.closeFriends ? state.closeFriends[a] : follow;
  const kind = ctx.message[a];
  // The peer signal counts only peers that have said something, so it does not rise merely because more accounts
  // have spoken (early in the warm-up). A social message also lists the likely ones.
  if (kind === 2 && likelyPeers.length < peers.length) likelyPeers = new Int32Array(peers.length * 2);
  let likely = 0;
  let stated = 0;
  for (let k = 0; k < peers.length; k++) {
    const v = cur[peers[k]];
    if (v >= 0) {
      stated++;
      if (v >= 3) {
        if (kind === 2) likelyPeers[likely] = peers[k];
        likely++;
      }
    }
  }
  let treatment: TreatmentMessage | null = null;
  if (kind === 1) {
    treatment = { kind: 'info', text: x.params.messages.info };
  } else if (kind === 2) {
    const shown = sortSmall(sampleLikely(state.facesRng.reseed(hashTail(state.facesHead, a, round)), likely, x.params.maxFollowedLikelyShown));
    const followedLikely: Array<{ id: number; profile: string }> = new Array(shown.length);
    for (let i = 0; i < shown.length; i++) followedLikely[i] = { id: shown[i], profile: state.profiles[shown[i]] };
    treatment = { kind: 'social', text: x.socialText, likelyCount: x.likelyCount, followedLikely };
  }
  const c = cur[a];
  return {
    roundsToElection: config.lastRound - round,
    previousLikelihood: c >= 0 ? (c as Likelihood) : null,
    treatment,
    followedCount: follow.length,
    followedLikelyShare: stated ? likely / stated : 0,
  };
}
