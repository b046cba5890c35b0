/**
 * SocioPol's offline rule agents: a rule-based implementation of the decision port that needs no key. Each decision draws from a
 * stream derived from (seed, agent, round), never from the condition, so two arms that show an agent the same thing
 * get the same answer: arms differ only through treatment and what it sets in motion (common random numbers).
 */
import type { SimConfig } from '../../../engine/config';
import type { PortContext } from '../../../engine/ports';
import { hashHead, hashTail, Rng } from '../../../engine/rng';
import type { PostAction } from '../../../engine/types';
import type { Persona } from '../../../population/types';
import type { ActivationRequest, Decision, DecisionOutcome, Likelihood, RoundBatch, SocioPolPort, VoteBatch, VoteOutcome } from '../types';
import { OFFLINE_PARAMETERS, type OfflineParameters } from './parameters';
import { offlinePostText, offlineReplyText } from './texts';

export class OfflinePort implements SocioPolPort {
  readonly kind = 'offline';
  /** The rules read only the ranked feed's flags: the engine builds no FeedItem objects for them. */
  readonly readsFeedItems = false;
  private seed = 0;
  private personas: readonly Persona[] = [];
  private config: SimConfig | null = null;
  /** hashHead(seed, 'offline'), and one generator reseeded per decision (same draws as Rng.derive, no allocation). */
  private head = hashHead(0, 'offline');
  private readonly rng = new Rng(0);
  private row = new Float64Array(5);
  /** rankDecay ** rank for the first ranks (the same doubles as Math.pow, computed once). */
  private readonly decay: Float64Array;

  constructor(private readonly params: OfflineParameters = OFFLINE_PARAMETERS) {
    this.decay = Float64Array.from({ length: 32 }, (_, rank) => Math.pow(params.engagement.rankDecay, rank));
  }

  init(ctx: PortContext): void {
    this.seed = ctx.seed;
    this.personas = ctx.agents as readonly Persona[];
    this.config = ctx.config;
    this.head = hashHead(ctx.seed, 'offline');
  }

  async decideRound(batch: RoundBatch): Promise<DecisionOutcome[]> {
    return batch.requests.map((req) => ({ ok: true, decision: this.decide(req) }));
  }

  async decideFinal(batch: VoteBatch): Promise<VoteOutcome[]> {
    const p = this.params;
    return batch.requests.map((req) => {
      const rng = Rng.derive(this.seed, 'offline-vote', req.agentId);
      const prob = req.lastLikelihood === null ? p.voteWithoutStatement : p.voteByLikelihood[req.lastLikelihood];
      return { ok: true, voted: rng.next() < prob ? 1 : 0 };
    });
  }

  /** One activation's decision. Public so tests can probe the rules directly. */
  decide(req: ActivationRequest): Decision {
    const p = this.params;
    const persona = this.personas[req.agentId];
    const rng = this.rng.reseed(hashTail(this.head, req.agentId, req.round));
    const maxChars = this.config?.postMaxChars ?? 140;

    // Likelihood first: its draw comes first in the stream so that it does not depend on the feed's length.
    const likelihood = req.vote ? this.likelihood(req, persona, rng.next()) : null;

    const actions: PostAction[] = [];
    const e = p.engagement;
    const feed = req.ranked;
    for (let rank = 0; rank < feed.length; rank++) {
      const followed = feed.followed(rank);
      let boost = rank < this.decay.length ? this.decay[rank] : Math.pow(e.rankDecay, rank);
      if (followed) boost *= e.followedBoost;
      if (feed.friendsEngaged(rank)) boost *= e.friendsBoost;
      const x = rng.next();
      const engagement = x < e.reply * boost ? 'reply' : x < (e.reply + e.like) * boost ? 'like' : 'none';
      const y = rng.next();
      let follow: PostAction['follow'] = 'none';
      if (!followed && y < (engagement === 'none' ? e.followOtherwise : e.followAfterEngaging)) follow = 'follow';
      else if (followed && engagement === 'none' && y < e.unfollow) follow = 'unfollow';
      const replyText = engagement === 'reply' ? offlineReplyText(rng) : undefined;
      if (engagement !== 'none' || follow !== 'none') actions.push({ postId: feed.postId(rank), engagement, replyText, follow });
    }

    let newPost: Decision['newPost'] = null;
    if (req.invitedToPost && rng.next() < p.postWhenInvited) {
      const topic = rng.pick(persona.interests);
      newPost = { topic, text: offlinePostText(topic, (likelihood ?? 0) >= 3, rng, maxChars) };
    }

    const level = likelihood ?? (req.vote?.previousLikelihood ?? null);
    const nextDelay = 1 + rng.weighted(p.delay[level === null ? 5 : level]);
    return { actions, newPost, likelihood, nextDelay };
  }

  private likelihood(req: ActivationRequest, persona: Persona, u1: number): Likelihood {
    const p = this.params;
    const vote = req.vote as NonNullable<ActivationRequest['vote']>;
    const prev = vote.previousLikelihood;
    if (prev === null) return pickIndex(p.firstValue[persona.turnoutHabit], u1) as Likelihood;
    // A copy of the transition row in a scratch array (the same doubles as a slice, without the allocation).
    const from = p.transitions[prev];
    const row = this.row.length === from.length ? this.row : (this.row = new Float64Array(from.length));
    row.set(from);
    let up13 = 0;
    let up23 = 0;
    let up34 = 0;
    if (vote.treatment) {
      const m = p.message[vote.treatment.kind][req.memory?.sawMessage ? 'repeat' : 'first'];
      up13 += m.from1to3;
      up23 += m.from2to3;
      up34 += m.from3to4;
      if (vote.treatment.kind === 'social') up23 += p.perFaceShown * vote.treatment.followedLikely.length;
    }
    const before = req.memory ? req.memory.followedLikelyShare : vote.followedLikelyShare;
    const change = vote.followedLikelyShare - before;
    const rise = Math.max(0, change);
    const fall = Math.max(0, -change);
    up13 += p.peerInfluence * rise;
    up23 += p.peerInfluence * rise;
    up34 += (p.peerInfluence * rise) / 4;
    // Moves take their mass from staying put, so the row still sums to 1. A fall in the peer signal pulls down as a
    // rise pushes up, so that noise in who has spoken does not drift the control arm.
    if (prev === 1) shift(row, 1, 3, up13);
    else if (prev === 2) {
      shift(row, 2, 3, up23);
      shift(row, 2, 1, (p.peerInfluence * fall) / 2);
    } else if (prev === 3) {
      shift(row, 3, 4, up34);
      shift(row, 3, 2, (p.peerInfluence * fall) / 2);
    } else if (prev === 4) shift(row, 4, 3, (p.peerInfluence * fall) / 4);
    if (req.round <= 0) quietWarmup(row, prev, p.warmupDrift);
    return pickIndex(row, u1) as Likelihood;
  }
}

export function shift(row: number[] | Float64Array, from: number, to: number, amount: number): void {
  const moved = Math.min(amount, row[from]);
  row[from] -= moved;
  row[to] += moved;
}

/** A quieter warm-up (see OfflineParameters.warmupDrift): every move away from `prev` scaled, the row summing to 1. */
export function quietWarmup(row: number[] | Float64Array, prev: number, drift: number): void {
  let moved = 0;
  for (let k = 0; k < row.length; k++) {
    if (k === prev) continue;
    row[k] *= drift;
    moved += row[k];
  }
  row[prev] = 1 - moved;
}

function pickIndex(weights: ArrayLike<number>, u: number): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  let x = u * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i];
    if (x < 0) return i;
  }
  return weights.length - 1;
}

export function createOfflinePort(params?: OfflineParameters): OfflinePort {
  return new OfflinePort(params);
}
