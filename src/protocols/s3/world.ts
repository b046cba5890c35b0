/**
 * The S3 round loop (protocols.md §D): seed users post about the event in round 0; from round 1 each round delivers
 * the previous round's messages to the authors' followers (plus a few platform recommendations), makes their readers
 * aware, and asks every aware user with new messages for one decision through the S3 port — offline models, an LLM or
 * a replay. Decisions are taken on the state at the start of the round and applied in ascending user id, so the
 * records are the same for the same answers however the calls were scheduled.
 */
import { followers, following, follows, type FollowNetwork } from '../../engine/network';
import { hashHead, hashTail, Rng } from '../../engine/rng';
import { emptyLlmTotals } from '../../engine/types';
import type { Persona } from '../../population/types';
import type { S3Condition, S3Config } from './config';
import { emotionStep } from './emotion';
import { chooseSeeds } from './events';
import { updateMemory, type MemoryEntry } from './memory';
import { relevance } from './memory';
import { ACTION_CODE, type S3RoundRecord } from './outcomes';
import { assignRoles, s3Profile, type Role } from './users';
import type { AttitudeValue, EmotionLevel, MessageSource, S3Decision, S3Message, S3Request, SeenMessage } from './types';

export const OFFICIAL_AUTHOR = -1;
const OFFICIAL_PROFILE = 'official account';
const U32 = 4294967296;

/** What every condition's world is built from. */
export interface S3Inputs {
  config: S3Config;
  /** Indexed by user id; length must equal network.n. */
  personas: readonly Persona[];
  network: FollowNetwork;
}

interface Arrival {
  id: number;
  source: MessageSource;
}

/** A condition's world as plain data (`ConditionWorld.pack`), to cross to a worker. */
export interface PackedConditionWorld {
  emotion: Int8Array;
  attitude: Int8Array;
  opinion: Float32Array;
  spread: Uint8Array;
  removed: Uint8Array;
  reach: Float64Array;
  memory: Array<MemoryEntry[] | null>;
  messages: S3Message[];
  last: number[];
}

/** The state of one condition (the protocol's `S`); rounds advance it in place. */
export class ConditionWorld {
  readonly emotion: Int8Array;
  readonly attitude: Int8Array;
  readonly opinion: Float32Array;
  readonly spread: Uint8Array;
  readonly removed: Uint8Array;
  /** Followers reached by each user's messages so far (ranks the remove-spreaders intervention). */
  readonly reach: Float64Array;
  readonly memory: Array<MemoryEntry[] | null>;
  readonly messages: S3Message[] = [];
  private last: number[] = [];

  constructor(
    private readonly inputs: Pick<S3Inputs, 'config' | 'personas' | 'network'>,
    private readonly shared: { seeds: number[]; profiles: string[]; heads: { prior: number; emotion: number; rec: number } },
  ) {
    const n = inputs.network.n;
    this.emotion = new Int8Array(n).fill(-1);
    this.attitude = new Int8Array(n).fill(-1);
    this.opinion = new Float32Array(n);
    this.spread = new Uint8Array(n);
    this.removed = new Uint8Array(n);
    this.reach = new Float64Array(n);
    this.memory = new Array(n).fill(null);
  }

  /** An independent copy (conditions fork after round 0). Messages are copied; memory entries are never mutated. */
  clone(): ConditionWorld {
    const c = new ConditionWorld(this.inputs, this.shared);
    c.restore(this.pack());
    return c;
  }

  /** The state as plain data (independent copies), for another thread to go on from (`restore`). */
  pack(): PackedConditionWorld {
    return {
      emotion: this.emotion.slice(),
      attitude: this.attitude.slice(),
      opinion: this.opinion.slice(),
      spread: this.spread.slice(),
      removed: this.removed.slice(),
      reach: this.reach.slice(),
      memory: this.memory.map((m) => (m ? m.slice() : null)),
      messages: this.messages.map((m) => ({ ...m })),
      last: this.last.slice(),
    };
  }

  /** Take over (a copy of) a state `pack` gave; this world must be fresh: built on the same inputs, no round played. */
  restore(p: PackedConditionWorld): void {
    this.emotion.set(p.emotion);
    this.attitude.set(p.attitude);
    this.opinion.set(p.opinion);
    this.spread.set(p.spread);
    this.removed.set(p.removed);
    this.reach.set(p.reach);
    for (let a = 0; a < p.memory.length; a++) this.memory[a] = p.memory[a] ? p.memory[a]!.slice() : null;
    for (const m of p.messages) this.messages.push({ ...m });
    this.last = p.last.slice();
  }

  /** The profile prior of the user's attitude (one draw per user, the same whenever it becomes aware). */
  private becomeAware(a: number): void {
    const p = this.inputs.config.event.priorPositive[this.inputs.personas[a].ideology];
    const att = (hashTail(this.shared.heads.prior, a, 0) / U32 < p ? 1 : 0) as AttitudeValue;
    this.attitude[a] = att;
    this.opinion[a] = att;
    this.emotion[a] = 0;
  }

  private write(m: Omit<S3Message, 'id'>): S3Message {
    const msg = { ...m, id: this.messages.length } as S3Message;
    this.messages.push(msg);
    return msg;
  }

  private tags(m: S3Message): string[] {
    return m.kind === 'official' ? [] : this.inputs.config.event.tags;
  }

  seen(id: number, source: MessageSource): SeenMessage {
    const m = this.messages[id];
    const profile = m.author === OFFICIAL_AUTHOR ? OFFICIAL_PROFILE : this.shared.profiles[m.author];
    return { id, author: m.author, authorProfile: profile, source, round: m.round, kind: m.kind, emotion: m.emotion, attitude: m.attitude, opinion: m.opinion, text: m.text };
  }

  /** Round 0, the same in every condition: the seed users become aware and post the event. */
  roundZero(condition: string): S3RoundRecord {
    const { config } = this.inputs;
    const out: S3Message[] = [];
    for (const s of this.shared.seeds) {
      this.becomeAware(s);
      this.emotion[s] = 2;
      this.spread[s] = 1;
      const m = this.write({ author: s, round: 0, kind: 'seed', parent: -1, origin: -1, emotion: 2, attitude: this.attitude[s] as AttitudeValue, opinion: this.opinion[s], text: config.event.text });
      m.parent = m.origin = m.id;
      this.memory[s] = [{ messageId: m.id, source: 'own', round: 0, relevance: 1 }];
      out.push(m);
    }
    this.last = out.map((m) => m.id);
    const action = new Uint8Array(this.inputs.network.n);
    for (const s of this.shared.seeds) action[s] = ACTION_CODE.post;
    return { condition, round: 0, active: new Int32Array(0), emotion: this.emotion.slice(), attitude: this.attitude.slice(), action, messages: out, removed: [], decisions: [], invalidAgents: [], llm: emptyLlmTotals() };
  }

  /** Arrivals of this round per user: followers of last round's authors, the correction, recommendations. */
  private deliver(round: number, cond: S3Condition, fresh: S3Message[]): Map<number, Arrival[]> {
    const { network: net, config } = this.inputs;
    const inbox = new Map<number, Arrival[]>();
    const push = (w: number, id: number, source: MessageSource) => {
      const list = inbox.get(w);
      if (list) list.push({ id, source });
      else inbox.set(w, [{ id, source }]);
    };
    for (const id of this.last) {
      const u = this.messages[id].author;
      if (u === OFFICIAL_AUTHOR || this.removed[u]) continue;
      const fr = followers(net, u);
      this.reach[u] += fr.length;
      for (const w of fr) if (!this.removed[w]) push(w, id, follows(net, u, w) ? 'mutual' : 'followee');
    }
    if (cond.correction && cond.correction.round === round) {
      const c = cond.correction;
      const m = this.write({ author: OFFICIAL_AUTHOR, round, kind: 'official', parent: -1, origin: -1, emotion: 0, attitude: c.attitude, opinion: c.attitude, text: c.text });
      m.parent = m.origin = m.id;
      fresh.push(m);
      for (let a = 0; a < net.n; a++) if (this.emotion[a] >= 0 && !this.removed[a]) push(a, m.id, 'recommended');
    }
    if (config.recommendation > 0 && this.last.length > 0) {
      for (let a = 0; a < net.n; a++) {
        if (this.removed[a]) continue;
        const h = hashTail(this.shared.heads.rec, a, round);
        if (h / U32 >= config.recommendation) continue;
        const id = this.last[new Rng(h).int(this.last.length)];
        const m = this.messages[id];
        if (m.author === a || this.removed[m.author] || inbox.get(a)?.some((x) => x.id === id)) continue;
        push(a, id, 'recommended');
      }
    }
    return inbox;
  }

  /**
   * The k accounts that could spread the event furthest: among users who have heard of it and are not removed, the
   * most followed (ties: more followers already reached, then lower id). Ranking by past reach alone would pick
   * accounts that under the cascade models never act again, and the intervention would do nothing.
   */
  private removeSpreaders(k: number): number[] {
    const net = this.inputs.network;
    const f = (a: number) => net.inOffsets[a + 1] - net.inOffsets[a];
    const ids: number[] = [];
    for (let a = 0; a < net.n; a++) if (this.emotion[a] >= 0 && !this.removed[a]) ids.push(a);
    ids.sort((x, y) => f(y) - f(x) || this.reach[y] - this.reach[x] || x - y);
    const out = ids.slice(0, k).sort((x, y) => x - y);
    for (const a of out) this.removed[a] = 1;
    return out;
  }

  /**
   * Start of a round (the protocol's `beginRound`): remove spreaders if this condition does so now, deliver the previous
   * round's messages (and the correction), and make first-time readers aware with their profile's attitude.
   */
  beginRound(round: number, cond: S3Condition): S3Scratch {
    const n = this.inputs.network.n;
    const removed = cond.removeSpreaders && cond.removeSpreaders.round === round ? this.removeSpreaders(cond.removeSpreaders.k) : [];
    const fresh: S3Message[] = [];
    const inbox = this.deliver(round, cond, fresh);
    const users = Int32Array.from(inbox.keys()).sort();
    const newly = new Uint8Array(n);
    for (const a of users) {
      if (this.emotion[a] >= 0) continue;
      this.becomeAware(a);
      newly[a] = 1;
    }
    return { round, condition: cond.name, inbox, fresh, removed, users, newly, action: new Uint8Array(n) };
  }

  /** Who decides this round (the protocol's `activeAgents`): every aware user with new messages, ascending. */
  activeAgents(scratch: S3Scratch): Int32Array {
    return scratch.users;
  }

  /** One user's request; reads the state at the start of the round, changes nothing. */
  request(scratch: S3Scratch, a: number): S3Request {
    return { agentId: a, round: scratch.round, condition: scratch.condition, ...this.requestPart(scratch, a) };
  }

  /** The protocol's part of one user's request (the engine adds who, when and where). */
  requestPart(scratch: S3Scratch, a: number): Omit<S3Request, 'agentId' | 'round' | 'condition'> {
    const { network: net, config } = this.inputs;
    const weight = config.memory.sourceWeight;
    const arrivals = scratch.inbox.get(a) ?? [];
    const shown = arrivals.slice().sort((x, y) => weight[y.source] - weight[x.source] || y.id - x.id).slice(0, config.feedSize);
    const fe = following(net, a);
    let spreadFe = 0;
    for (const b of fe) spreadFe += this.spread[b];
    const pool = this.memory[a] ?? [];
    return {
      profile: this.shared.profiles[a],
      newlyAware: scratch.newly[a] === 1,
      emotion: this.emotion[a] as EmotionLevel,
      attitude: this.attitude[a] as AttitudeValue,
      opinion: this.opinion[a],
      spread: this.spread[a] === 1,
      messages: shown.map((x) => this.seen(x.id, x.source)),
      arrivals: arrivals.length,
      remembered: pool.map((e) => this.seen(e.messageId, e.source)),
      spreadFolloweeShare: fe.length ? spreadFe / fe.length : 0,
    };
  }

  /** Apply one valid decision (the protocol's `applyDecision`): new emotion and attitude, a post or repost, memory. */
  applyDecision(scratch: S3Scratch, a: number, d: S3Decision): void {
    const { config } = this.inputs;
    const round = scratch.round;
    const arrivals: MemoryEntry[] = (scratch.inbox.get(a) ?? []).map((x) => ({ messageId: x.id, source: x.source, round, relevance: relevance(this.inputs.personas[a].interests, this.tags(this.messages[x.id])) }));
    this.emotion[a] = d.emotion;
    this.attitude[a] = d.attitude;
    this.opinion[a] = d.opinion;
    if (d.action !== 'none') {
      const parent = d.action === 'repost' ? this.messages[d.repostId!] : null;
      const m = this.write({
        author: a,
        round,
        kind: d.action,
        parent: parent ? parent.id : -1,
        origin: parent ? parent.origin : -1,
        emotion: d.emotion,
        attitude: d.attitude,
        opinion: d.opinion,
        text: parent ? parent.text : d.postText!,
      });
      if (!parent) m.parent = m.origin = m.id;
      scratch.fresh.push(m);
      this.spread[a] = 1;
      scratch.action[a] = ACTION_CODE[d.action as 'post' | 'repost'];
      arrivals.push({ messageId: m.id, source: 'own', round, relevance: 1 });
    }
    this.memory[a] = updateMemory(this.memory[a] ?? [], arrivals, round, config.memory);
  }

  /**
   * End of a round (the protocol's `endRound`): aware users who did not decide this round calm down by the chain's
   * decay (the offline agent's stream); this round's posts and reposts are delivered next round.
   */
  endRound(scratch: S3Scratch): { emotion: Int8Array; attitude: Int8Array; action: Uint8Array } {
    const n = this.inputs.network.n;
    const decay = this.inputs.config.offline.emotion.decay;
    const decided = new Uint8Array(n);
    for (const a of scratch.users) decided[a] = 1;
    for (let a = 0; a < n; a++) {
      if (decided[a] || this.emotion[a] <= 0 || this.removed[a]) continue;
      this.emotion[a] = emotionStep(this.emotion[a] as EmotionLevel, 0, decay, hashTail(this.shared.heads.emotion, a, scratch.round) / U32);
    }
    this.last = scratch.fresh.filter((m) => m.kind !== 'official').map((m) => m.id);
    return { emotion: this.emotion.slice(), attitude: this.attitude.slice(), action: scratch.action };
  }
}

/** What one round computes at its start and its hooks share. */
export interface S3Scratch {
  round: number;
  condition: string;
  inbox: Map<number, Arrival[]>;
  /** Messages written this round (the correction, then posts and reposts in ascending author id). */
  fresh: S3Message[];
  removed: number[];
  /** Users who decide this round, ascending. */
  users: Int32Array;
  /** 1 for users who became aware this round. */
  newly: Uint8Array;
  action: Uint8Array;
}

export type S3Shared = ConstructorParameters<typeof ConditionWorld>[1];

/** What every condition of a seed shares: roles and profiles from the graph, the seed users, the hashed streams. */
export function sharedParts(config: S3Config, seed: number, personas: readonly Persona[], network: FollowNetwork): S3Shared & { roles: Role[] } {
  const roles = assignRoles(network, config.roles);
  const profiles = personas.map((p, i) => s3Profile(p, roles[i]));
  const seeds = chooseSeeds(network, config.seedUsers, Rng.derive(seed, 's3-seeds'));
  return { roles, seeds, profiles, heads: { prior: hashHead(seed, 's3-prior'), emotion: hashHead(seed, 's3-emotion'), rec: hashHead(seed, 's3-rec') } };
}
