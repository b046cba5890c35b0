/**
 * The mutable world of one condition: posts and their engagement, who follows whom now, what each agent has seen,
 * its last stated likelihood, memory and next activation. The warm-up builds one such state; `forkState` copies it
 * into every condition, so conditions share the warm-up exactly and then diverge only through treatment.
 */
import type { FollowNetwork } from './network';
import type { Memory } from './types';

export interface PostStore {
  count: number;
  author: number[];
  round: number[];
  topic: string[];
  text: string[];
  seed: boolean[];
  likes: number[];
  replies: number[];
  latestReplyAuthor: number[];
  latestReplyText: Array<string | null>;
  likers: Array<Set<number>>;
  repliers: Array<Set<number>>;
  byTopic: Map<string, number[]>;
  byAuthor: Map<number, number[]>;
}

export interface WorldState {
  n: number;
  posts: PostStore;
  /** Last stated likelihood (−1 before the first statement). */
  current: Int8Array;
  /** Round of the next activation. */
  nextActive: Int32Array;
  /** Last delay n the agent chose (kept when an answer is invalid). */
  delay: Int8Array;
  memory: Array<Memory | null>;
  /** Post ids seen, and the reply count each had when seen (parallel arrays per agent). */
  seenIds: number[][];
  seenReplies: number[][];
  /**
   * Accounts followed, when they differ from the base network (sorted, replaced — never mutated — on each change, so
   * forks may share them).
   */
  followOverride: Array<Int32Array | null>;
}

export function emptyPosts(): PostStore {
  return {
    count: 0,
    author: [],
    round: [],
    topic: [],
    text: [],
    seed: [],
    likes: [],
    replies: [],
    latestReplyAuthor: [],
    latestReplyText: [],
    likers: [],
    repliers: [],
    byTopic: new Map(),
    byAuthor: new Map(),
  };
}

export function createState(n: number): WorldState {
  const seenIds: number[][] = new Array(n);
  const seenReplies: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    seenIds[i] = [];
    seenReplies[i] = [];
  }
  return {
    n,
    posts: emptyPosts(),
    current: new Int8Array(n).fill(-1),
    nextActive: new Int32Array(n),
    delay: new Int8Array(n).fill(3),
    memory: new Array(n).fill(null),
    seenIds,
    seenReplies,
    followOverride: new Array(n).fill(null),
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
    seed: p.seed.slice(),
    likes: p.likes.slice(),
    replies: p.replies.slice(),
    latestReplyAuthor: p.latestReplyAuthor.slice(),
    latestReplyText: p.latestReplyText.slice(),
    likers: p.likers.map((x) => new Set(x)),
    repliers: p.repliers.map((x) => new Set(x)),
    byTopic: new Map([...p.byTopic].map(([k, v]) => [k, v.slice()])),
    byAuthor: new Map([...p.byAuthor].map(([k, v]) => [k, v.slice()])),
  };
  return {
    n: s.n,
    posts,
    current: s.current.slice(),
    nextActive: s.nextActive.slice(),
    delay: s.delay.slice(),
    memory: s.memory.map((m) => (m ? structuredClone(m) : null)),
    seenIds: s.seenIds.map((x) => x.slice()),
    seenReplies: s.seenReplies.map((x) => x.slice()),
    followOverride: s.followOverride.slice(),
  };
}

export function addPost(s: WorldState, author: number, round: number, topic: string, text: string, seed: boolean): number {
  const p = s.posts;
  const id = p.count++;
  p.author.push(author);
  p.round.push(round);
  p.topic.push(topic);
  p.text.push(text);
  p.seed.push(seed);
  p.likes.push(0);
  p.replies.push(0);
  p.latestReplyAuthor.push(-1);
  p.latestReplyText.push(null);
  p.likers.push(new Set());
  p.repliers.push(new Set());
  let t = p.byTopic.get(topic);
  if (!t) p.byTopic.set(topic, (t = []));
  t.push(id);
  let a = p.byAuthor.get(author);
  if (!a) p.byAuthor.set(author, (a = []));
  a.push(id);
  return id;
}

/** Accounts `a` follows now, ascending. */
export function followingNow(s: WorldState, net: FollowNetwork, a: number): Int32Array {
  return s.followOverride[a] ?? net.outTargets.subarray(net.outOffsets[a], net.outOffsets[a + 1]);
}

function sortedHas(row: Int32Array, b: number): boolean {
  let lo = 0;
  let hi = row.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = row[mid];
    if (v === b) return true;
    if (v < b) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function isFollowing(s: WorldState, net: FollowNetwork, a: number, b: number): boolean {
  return sortedHas(followingNow(s, net, a), b);
}

/** Apply a follow (true) or unfollow (false); returns whether anything changed. */
export function setFollow(s: WorldState, net: FollowNetwork, a: number, b: number, on: boolean): boolean {
  if (a === b) return false;
  const row = followingNow(s, net, a);
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
  const ids = s.seenIds[agent];
  for (let k = ids.length - 1; k >= 0; k--) {
    if (ids[k] === post) return s.seenReplies[agent][k] >= s.posts.replies[post];
  }
  return false;
}

/** Record that `agent` saw `post` when it had `replyCount` replies (the count shown in its feed). */
export function markSeen(s: WorldState, agent: number, post: number, replyCount: number): void {
  const ids = s.seenIds[agent];
  const reps = s.seenReplies[agent];
  for (let k = ids.length - 1; k >= 0; k--) {
    if (ids[k] === post) {
      reps[k] = replyCount;
      return;
    }
  }
  ids.push(post);
  reps.push(replyCount);
}
