/**
 * The mutable world of one condition: posts and their engagement, who follows whom now, what each agent has seen,
 * its memory and next activation (the protocol keeps its own per-agent state beside it). The warm-up builds one such state; `forkState` copies it
 * into every condition, so conditions share the warm-up exactly and then diverge only through treatment.
 */
import { sortedHas, type FollowNetwork } from './network';
import type { MemoryBase } from './protocol';
import type { RankedFeed } from './feed';

export interface PostStore {
  count: number;
  author: number[];
  round: number[];
  topic: string[];
  text: string[];
  seedPost: boolean[];
  likes: number[];
  replies: number[];
  latestReplyAuthor: number[];
  latestReplyText: Array<string | null>;
  byTopic: Map<string, number[]>;
  /** Post ids per author (null for authors without posts). */
  byAuthor: Array<number[] | null>;
  /** byAuthor[a].length (0 for none), in a flat array a feed can sum over followed accounts without chasing lists. */
  authorPostCount: Int32Array;
}

/**
 * Growable lists of integers, one per agent, kept in one shared pool. A lookup reads one contiguous run of memory
 * (no per-agent array object to chase, nothing for the collector to trace), and a fork copies four typed arrays.
 * A list that outgrows its slot moves to the end of the pool with twice the room; the old slot is not reused.
 */
export class AgentLists {
  constructor(
    /** Where each agent's list starts in `pool`. */
    readonly start: Int32Array,
    readonly size: Int32Array,
    readonly cap: Int32Array,
    public pool: Int32Array,
    public used: number,
  ) {}

  /** Lists for `n` agents, each with room for `room` values before it first moves. */
  static create(n: number, room: number): AgentLists {
    const start = new Int32Array(n);
    const cap = new Int32Array(n).fill(room);
    for (let a = 0; a < n; a++) start[a] = a * room;
    return new AgentLists(start, new Int32Array(n), cap, new Int32Array(Math.max(1024, n * room * 2)), n * room);
  }

  push(a: number, v: number): void {
    const len = this.size[a];
    if (len === this.cap[a]) this.grow(a);
    this.pool[this.start[a] + len] = v;
    this.size[a] = len + 1;
  }

  private grow(a: number): void {
    const cap = Math.max(4, this.cap[a] * 2);
    if (this.used + cap > this.pool.length) {
      const bigger = new Int32Array(Math.max(this.pool.length * 2, this.used + cap));
      bigger.set(this.pool.subarray(0, this.used));
      this.pool = bigger;
    }
    this.pool.copyWithin(this.used, this.start[a], this.start[a] + this.size[a]);
    this.start[a] = this.used;
    this.cap[a] = cap;
    this.used += cap;
  }

  clone(): AgentLists {
    return new AgentLists(this.start.slice(), this.size.slice(), this.cap.slice(), this.pool.slice(), this.used);
  }
}

/** 32-bit words per agent of `WorldState.engagedMask` (a power of two). */
export const MASK_WORDS = 4;

/** Engagement entries of `WorldState.engaged`: post id × 4 + these bits. */
export const LIKED = 1;
export const REPLIED = 2;

/** Record that agent `a` liked (kind 0) or replied to (kind 1) post `id`. */
export function recordEngagement(s: WorldState, id: number, a: number, kind: 0 | 1): void {
  const lists = s.engaged;
  const bit = kind === 0 ? LIKED : REPLIED;
  const pool = lists.pool;
  const first = lists.start[a];
  for (let k = first + lists.size[a] - 1; k >= first; k--) {
    if (pool[k] >>> 2 === id) {
      pool[k] |= bit;
      return;
    }
  }
  lists.push(a, id * 4 + bit);
  s.engagedMask[MASK_WORDS * a + ((id >>> 5) & (MASK_WORDS - 1))] |= 1 << (id & 31);
}

export interface WorldState {
  n: number;
  posts: PostStore;
  /** Round of the next activation. */
  nextActive: Int32Array;
  /** Last delay n the agent chose (kept when an answer is invalid). */
  delay: Int8Array;
  memory: Array<MemoryBase | null>;
  /**
   * Posts each agent liked or replied to (post id × 4 + LIKED | REPLIED, in order of first engagement). Kept per
   * engaging agent rather than per post because a feed asks "which of the accounts I follow engaged with these few
   * posts?": walking the followed accounts' short lists beats testing each of them against every post.
   */
  engaged: AgentLists;
  /**
   * A 128-bit summary of each agent's `engaged` posts (bit id mod 128, MASK_WORDS words per agent): a feed skips a
   * followed account whose summary shares no bit with its posts without touching that account's list, which is mostly
   * a cache miss. Small enough (16 bytes an agent) to stay in cache: 512 bits walked fewer lists but missed the cache
   * on the summary itself, for no gain in CPU time at 20,000 agents.
   */
  engagedMask: Int32Array;
  /** Posts each agent has seen: pairs (post id, reply count when seen), in order of first sight. */
  seen: AgentLists;
  /**
   * Accounts followed, when they differ from the base network (sorted, replaced — never mutated — on each change, so
   * forks may share them).
   */
  followOverride: Array<Int32Array | null>;
  /** Views of the base network's rows, built once and shared by forks (saves a view allocation per lookup). */
  baseFollowing: Int32Array[];
}

export function emptyPosts(n: number): PostStore {
  return {
    count: 0,
    author: [],
    round: [],
    topic: [],
    text: [],
    seedPost: [],
    likes: [],
    replies: [],
    latestReplyAuthor: [],
    latestReplyText: [],
    byTopic: new Map(),
    byAuthor: new Array(n).fill(null),
    authorPostCount: new Int32Array(n),
  };
}

export function createState(net: FollowNetwork): WorldState {
  const n = net.n;
  return {
    n,
    posts: emptyPosts(n),
    nextActive: new Int32Array(n),
    delay: new Int8Array(n).fill(3),
    memory: new Array(n).fill(null),
    // Room for the typical final sizes (about 12 engagements, 70 seen posts at 20,000 agents) saves most moves.
    engaged: AgentLists.create(n, 8),
    engagedMask: new Int32Array(MASK_WORDS * n),
    seen: AgentLists.create(n, 32),
    followOverride: new Array(n).fill(null),
    baseFollowing: Array.from({ length: n }, (_, a) => net.outTargets.subarray(net.outOffsets[a], net.outOffsets[a + 1])),
  };
}

/** A deep copy (overrides are immutable and may be shared). */
export function forkState(s: WorldState): WorldState {
  const p = s.posts;
  const posts: PostStore = {
    count: p.count,
    author: p.author.slice(),
    round: p.round.slice(),
    topic: p.topic.slice(),
    text: p.text.slice(),
    seedPost: p.seedPost.slice(),
    likes: p.likes.slice(),
    replies: p.replies.slice(),
    latestReplyAuthor: p.latestReplyAuthor.slice(),
    latestReplyText: p.latestReplyText.slice(),
    byTopic: new Map([...p.byTopic].map(([k, v]) => [k, v.slice()])),
    byAuthor: p.byAuthor.map((x) => (x ? x.slice() : null)),
    authorPostCount: p.authorPostCount.slice(),
  };
  return {
    n: s.n,
    posts,
    nextActive: s.nextActive.slice(),
    delay: s.delay.slice(),
    // Memory objects are never mutated after an activation creates them, so forks may share them.
    memory: s.memory.slice(),
    engaged: s.engaged.clone(),
    engagedMask: s.engagedMask.slice(),
    seen: s.seen.clone(),
    followOverride: s.followOverride.slice(),
    baseFollowing: s.baseFollowing,
  };
}

export function addPost(s: WorldState, author: number, round: number, topic: string, text: string, seedPost: boolean): number {
  const p = s.posts;
  const id = p.count++;
  p.author.push(author);
  p.round.push(round);
  p.topic.push(topic);
  p.text.push(text);
  p.seedPost.push(seedPost);
  p.likes.push(0);
  p.replies.push(0);
  p.latestReplyAuthor.push(-1);
  p.latestReplyText.push(null);
  let t = p.byTopic.get(topic);
  if (!t) p.byTopic.set(topic, (t = []));
  t.push(id);
  let a = p.byAuthor[author];
  if (!a) p.byAuthor[author] = a = [];
  a.push(id);
  p.authorPostCount[author]++;
  return id;
}

/** Accounts `a` follows now, ascending. */
export function followingNow(s: WorldState, a: number): Int32Array {
  return s.followOverride[a] ?? s.baseFollowing[a];
}

export { sortedHas };

export function isFollowing(s: WorldState, a: number, b: number): boolean {
  return sortedHas(followingNow(s, a), b);
}

/** Apply a follow (true) or unfollow (false); returns whether anything changed. */
export function setFollow(s: WorldState, a: number, b: number, on: boolean): boolean {
  if (a === b) return false;
  const row = followingNow(s, a);
  const has = sortedHas(row, b);
  if (has === on) return false;
  const next = new Int32Array(row.length + (on ? 1 : -1));
  let w = 0;
  let inserted = false;
  for (let k = 0; k < row.length; k++) {
    const v = row[k];
    if (!on && v === b) continue;
    if (on && !inserted && v > b) {
      next[w++] = b;
      inserted = true;
    }
    next[w++] = v;
  }
  if (on && !inserted) next[w++] = b;
  s.followOverride[a] = next;
  return true;
}

/** Whether `agent` has seen `post` with no replies added since. */
export function seenUnchanged(s: WorldState, agent: number, post: number): boolean {
  const { pool, start, size } = s.seen;
  const first = start[agent];
  for (let k = first + size[agent] - 2; k >= first; k -= 2) {
    if (pool[k] === post) return pool[k + 1] >= s.posts.replies[post];
  }
  return false;
}

/** Record that `agent` saw `post` when it had `replyCount` replies (the count shown in its feed). */
export function markSeen(s: WorldState, agent: number, post: number, replyCount: number): void {
  const seen = s.seen;
  const pool = seen.pool;
  const first = seen.start[agent];
  for (let k = first + seen.size[agent] - 2; k >= first; k -= 2) {
    if (pool[k] === post) {
      pool[k + 1] = replyCount;
      return;
    }
  }
  seen.push(agent, post);
  seen.push(agent, replyCount);
}

/**
 * `markSeen` for every item of one feed (distinct posts), in one pass over the agent's seen list instead of one per
 * item. `slot` is a scratch table over post ids, all zero, with room for every post; it is left all zero.
 */
export function markFeedSeen(s: WorldState, agent: number, feed: RankedFeed, slot: Uint8Array): void {
  const n = feed.length;
  if (n === 0) return;
  const { post, replies } = feed.feeds;
  const at = feed.start;
  for (let k = 0; k < n; k++) slot[post[at + k]] = k + 1;
  const seen = s.seen;
  const pool = seen.pool;
  const first = seen.start[agent];
  let found = 0;
  for (let i = first + seen.size[agent] - 2; i >= first && found < n; i -= 2) {
    const k = slot[pool[i]];
    if (k === 0) continue;
    pool[i + 1] = replies[at + k - 1];
    slot[pool[i]] = 0;
    found++;
  }
  for (let k = 0; k < n; k++) {
    const id = post[at + k];
    if (slot[id] === 0) continue;
    slot[id] = 0;
    seen.push(agent, id);
    seen.push(agent, replies[at + k]);
  }
}
