/**
 * The shared warm-up's end state packed to cross to workers: the world of one condition as typed arrays (plus the
 * posts' texts and the agents' memories, which are strings and plain objects), the protocol's state as it packs it,
 * and the warm-up's accounting. A pool plays the warm-up once and starts every worker's conditions from it, with the
 * records a worker replaying the warm-up itself would give. A condition stopped after one of its rounds packs the same
 * way (`PackedCondition`), so that another thread can play its remaining rounds.
 */
import type { FollowNetwork } from './network';
import type { ConditionTotals } from './simulation';
import type { LlmTotals } from './types';
import type { MemoryBase } from './protocol';
import { AgentLists, createState, emptyPosts, type WorldState } from './state';

interface PackedLists {
  start: Int32Array;
  size: Int32Array;
  cap: Int32Array;
  pool: Int32Array;
  used: number;
}

export interface PackedWorld {
  n: number;
  posts: {
    count: number;
    author: Int32Array;
    round: Int32Array;
    topic: string[];
    text: string[];
    seedPost: Uint8Array;
    likes: Int32Array;
    replies: Int32Array;
    latestReplyAuthor: Int32Array;
    latestReplyText: Array<string | null>;
  };
  nextActive: Int32Array;
  delay: Int8Array;
  memory: Array<MemoryBase | null>;
  engaged: PackedLists;
  engagedMask: Int32Array;
  seen: PackedLists;
  /** Accounts followed where they differ from the network: agent `a`'s are targets[offsets[a]…offsets[a + 1]) when has[a]. */
  follows: { has: Uint8Array; offsets: Int32Array; targets: Int32Array };
}

/** What a pool's workers start their conditions from (`runExperiment`'s `from`). */
export interface WarmStart {
  seed: number;
  world: PackedWorld;
  /** The protocol's state after the warm-up, as its `packState` gave it. */
  own: unknown;
  warmupLlm: LlmTotals;
  invalidWarmup: number;
}

/** A condition stopped after round `round`, for another thread to go on from (`RunPhase.receive`). */
export interface PackedCondition {
  name: string;
  /** The last round it played. */
  round: number;
  world: PackedWorld;
  /** The protocol's state of this condition, as its `packState` gave it. */
  own: unknown;
  treatedEver: Uint8Array;
  totals: ConditionTotals;
}

function packLists(l: AgentLists): PackedLists {
  return { start: l.start.slice(), size: l.size.slice(), cap: l.cap.slice(), pool: l.pool.slice(0, l.used), used: l.used };
}

function unpackLists(p: PackedLists): AgentLists {
  // Room to grow as AgentLists.create leaves it (twice what is used), so the conditions move lists as rarely.
  const pool = new Int32Array(Math.max(1024, p.used * 2));
  pool.set(p.pool);
  return new AgentLists(p.start, p.size, p.cap, pool, p.used);
}

/** A copy of `s` in typed arrays (nothing shared with `s`). */
export function packWorld(s: WorldState): PackedWorld {
  const p = s.posts;
  const has = new Uint8Array(s.n);
  const offsets = new Int32Array(s.n + 1);
  let total = 0;
  for (let a = 0; a < s.n; a++) {
    offsets[a] = total;
    const row = s.followOverride[a];
    if (row) {
      has[a] = 1;
      total += row.length;
    }
  }
  offsets[s.n] = total;
  const targets = new Int32Array(total);
  for (let a = 0; a < s.n; a++) {
    const row = s.followOverride[a];
    if (row) targets.set(row, offsets[a]);
  }
  return {
    n: s.n,
    posts: {
      count: p.count,
      author: Int32Array.from(p.author),
      round: Int32Array.from(p.round),
      topic: p.topic.slice(),
      text: p.text.slice(),
      seedPost: Uint8Array.from(p.seedPost, (x) => (x ? 1 : 0)),
      likes: Int32Array.from(p.likes),
      replies: Int32Array.from(p.replies),
      latestReplyAuthor: Int32Array.from(p.latestReplyAuthor),
      latestReplyText: p.latestReplyText.slice(),
    },
    nextActive: s.nextActive.slice(),
    delay: s.delay.slice(),
    memory: s.memory.slice(),
    engaged: packLists(s.engaged),
    engagedMask: s.engagedMask.slice(),
    seen: packLists(s.seen),
    follows: { has, offsets, targets },
  };
}

/** The world `packWorld` packed, on `network` (the same the warm-up ran on): equal to the packed state in every part. */
export function unpackWorld(w: PackedWorld, network: FollowNetwork): WorldState {
  if (w.n !== network.n) throw new Error(`warm start: the packed world has ${w.n} accounts but the network has ${network.n}; this is a bug in the pool`);
  const s = createState(network);
  const p = emptyPosts(w.n);
  const q = w.posts;
  p.count = q.count;
  p.author = Array.from(q.author);
  p.round = Array.from(q.round);
  p.topic = q.topic;
  p.text = q.text;
  p.seedPost = Array.from(q.seedPost, (x) => x === 1);
  p.likes = Array.from(q.likes);
  p.replies = Array.from(q.replies);
  p.latestReplyAuthor = Array.from(q.latestReplyAuthor);
  p.latestReplyText = q.latestReplyText;
  // The per-topic and per-author lists, as addPost built them: ids ascending, topics in order of first post.
  for (let id = 0; id < q.count; id++) {
    const topic = q.topic[id];
    let t = p.byTopic.get(topic);
    if (!t) p.byTopic.set(topic, (t = []));
    t.push(id);
    const author = q.author[id];
    let list = p.byAuthor[author];
    if (!list) p.byAuthor[author] = list = [];
    list.push(id);
    p.authorPostCount[author]++;
  }
  s.posts = p;
  s.nextActive = w.nextActive;
  s.delay = w.delay;
  s.memory = w.memory;
  s.engaged = unpackLists(w.engaged);
  s.engagedMask = w.engagedMask;
  s.seen = unpackLists(w.seen);
  const { has, offsets, targets } = w.follows;
  for (let a = 0; a < w.n; a++) if (has[a]) s.followOverride[a] = targets.slice(offsets[a], offsets[a + 1]);
  return s;
}

/** The typed arrays' buffers of a packed protocol state (a plain object of them and other values). */
function ownBuffers(own: unknown): ArrayBuffer[] {
  const values = own && typeof own === 'object' ? Object.values(own as object) : [];
  return values.filter((v): v is ArrayBufferView => ArrayBuffer.isView(v)).map((v) => v.buffer as ArrayBuffer);
}

/** The buffers of a warm start that can move to a worker instead of being copied (the strings and memories are cloned). */
export function warmTransfer(w: WarmStart): ArrayBuffer[] {
  return [...worldBuffers(w.world), ...ownBuffers(w.own)];
}

/** The buffers of a packed condition that can move to another thread. */
export function conditionTransfer(c: PackedCondition): ArrayBuffer[] {
  return [...worldBuffers(c.world), c.treatedEver.buffer as ArrayBuffer, ...ownBuffers(c.own)];
}

function worldBuffers(x: PackedWorld): ArrayBuffer[] {
  const q = x.posts;
  const lists = (l: PackedLists) => [l.start.buffer, l.size.buffer, l.cap.buffer, l.pool.buffer];
  return [
    q.author.buffer,
    q.round.buffer,
    q.seedPost.buffer,
    q.likes.buffer,
    q.replies.buffer,
    q.latestReplyAuthor.buffer,
    x.nextActive.buffer,
    x.delay.buffer,
    ...lists(x.engaged),
    x.engagedMask.buffer,
    ...lists(x.seen),
    x.follows.has.buffer,
    x.follows.offsets.buffer,
    x.follows.targets.buffer,
  ] as ArrayBuffer[];
}
