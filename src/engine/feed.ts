/**
 * Personalised feeds (protocols §A "Feed"): candidates are posts an agent has not seen or that gained replies since it
 * saw them; up to L posts are mixed from interest-matching, followed-author, trending and random sources, then ranked
 * followed authors first, then posts that followed accounts engaged with, then total engagement. The "as published"
 * mode reproduces what the authors' code effectively did: up to two interest-matching posts plus random fill.
 *
 * A round's feeds are kept in flat typed arrays (`RoundFeeds`, read through `RankedFeed`); FeedItem objects, what a
 * prompt shows, are built from them only for a decision port that reads them.
 */
import type { FeedConfig } from './config';
import type { Rng } from './rng';
import { followingNow, LIKED, MASK_WORDS, REPLIED, sortedHas, type WorldState } from './state';
import type { AgentProfile } from './protocol';
import type { FeedItem } from './types';

/** Trending = the most engaged posts; this many are kept per round. */
export const TRENDING_SIZE = 20;
/** Draws tried per feed slot from its source before falling back to the other sources. */
const TRIES_PER_SOURCE = 6;
/** At most this many likers / repliers among followed accounts are listed per post (the prompt shows them). */
const MAX_FRIENDS_LISTED = 3;

type Source = FeedItem['source'];
const FALLBACK: readonly Source[] = ['interest', 'followed', 'trending', 'random'];
const SOURCES: readonly Source[] = ['interest', 'followed', 'trending', 'random'];

/** `RoundFeeds.flags` bits: the viewer follows the author; followed accounts liked or replied to the post. */
const FOLLOWED = 1;
const FRIENDS = 2;

/**
 * The feeds of one round, feed after feed, each in rank order, in flat typed arrays (one set per round, sized for
 * every active agent's full feed, so nothing here grows or is reused while a request can still read it).
 */
export class RoundFeeds {
  readonly post: Int32Array;
  /** Reply count shown, i.e. at the start of the round (what the seen list records). */
  readonly replies: Int32Array;
  readonly flags: Uint8Array;
  readonly source: Uint8Array;
  /** Per item MAX_FRIENDS_LISTED likers then MAX_FRIENDS_LISTED repliers among followed accounts, lowest ids first. */
  readonly friends: Int32Array;
  /** Per item: likers listed | repliers listed << 2. */
  readonly friendCounts: Uint8Array;
  used = 0;

  constructor(capacity: number) {
    this.post = new Int32Array(capacity);
    this.replies = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.source = new Uint8Array(capacity);
    this.friends = new Int32Array(capacity * 2 * MAX_FRIENDS_LISTED);
    this.friendCounts = new Uint8Array(capacity);
  }
}

/** One agent's feed of a round as the engine keeps it: index 0 is the top. All an offline agent needs to read. */
export class RankedFeed {
  constructor(
    readonly feeds: RoundFeeds,
    readonly start: number,
    readonly length: number,
  ) {}

  postId(k: number): number {
    return this.feeds.post[this.start + k];
  }

  /** Replies the post had when the feed was built. */
  replyCount(k: number): number {
    return this.feeds.replies[this.start + k];
  }

  /** Whether the viewer follows the post's author. */
  followed(k: number): boolean {
    return (this.feeds.flags[this.start + k] & FOLLOWED) !== 0;
  }

  /** Whether any account the viewer follows liked or replied to the post. */
  friendsEngaged(k: number): boolean {
    return (this.feeds.flags[this.start + k] & FRIENDS) !== 0;
  }

  /** Position of `postId` in the feed, or −1. */
  indexOf(postId: number): number {
    const post = this.feeds.post;
    for (let k = 0; k < this.length; k++) if (post[this.start + k] === postId) return k;
    return -1;
  }

  /** The ranked form of FeedItems (requests built outside the engine: tests, stored activations rebuilt). */
  static of(items: readonly FeedItem[]): RankedFeed {
    const feeds = new RoundFeeds(items.length);
    items.forEach((f, k) => {
      feeds.post[k] = f.postId;
      feeds.replies[k] = f.replyCount;
      feeds.flags[k] = (f.followed ? FOLLOWED : 0) | (f.likedByFollowed.length + f.repliedByFollowed.length > 0 ? FRIENDS : 0);
      feeds.source[k] = Math.max(0, SOURCES.indexOf(f.source));
    });
    feeds.used = items.length;
    return new RankedFeed(feeds, 0, items.length);
  }
}

/** The one empty feed (an agent acting before any post exists). */
const EMPTY_FEED = new RankedFeed(new RoundFeeds(0), 0, 0);

/**
 * The FeedItems of `feed` (what prompts show), read from the round's arrays and the post store; call it in the round
 * the feed was built, before any decision of that round is applied.
 */
export function feedItems(feed: RankedFeed, state: WorldState, profiles: readonly string[]): FeedItem[] {
  const f = feed.feeds;
  const p = state.posts;
  const items: FeedItem[] = new Array(feed.length);
  for (let k = 0; k < feed.length; k++) {
    const i = feed.start + k;
    const id = f.post[i];
    const author = p.author[id];
    const latestAuthor = p.latestReplyAuthor[id];
    const o = i * 2 * MAX_FRIENDS_LISTED;
    items[k] = {
      postId: id,
      authorId: author,
      authorProfile: profiles[author],
      followed: (f.flags[i] & FOLLOWED) !== 0,
      topic: p.topic[id],
      text: p.text[id],
      likeCount: p.likes[id],
      replyCount: f.replies[i],
      likedByFollowed: friendList(f.friends, o, f.friendCounts[i] & 3),
      repliedByFollowed: friendList(f.friends, o + MAX_FRIENDS_LISTED, f.friendCounts[i] >> 2),
      latestReply: latestAuthor >= 0 ? { authorId: latestAuthor, text: p.latestReplyText[id] as string } : null,
      source: SOURCES[f.source[i]],
    };
  }
  return items;
}

/** Ids of the TRENDING_SIZE most engaged posts (likes + replies; newer first on ties). Computed once per round. */
export function trendingPosts(state: WorldState): number[] {
  const p = state.posts;
  // One pass keeping the best TRENDING_SIZE in order (the order is total, so this is what a full sort would give).
  const top: number[] = [];
  const score: number[] = [];
  for (let i = 0; i < p.count; i++) {
    const e = p.likes[i] + p.replies[i];
    if (e === 0) continue;
    // Ties go to the newer post, and i is the newest so far: it passes every entry with a score ≤ e.
    let j = top.length;
    if (j === TRENDING_SIZE && score[j - 1] > e) continue;
    while (j > 0 && score[j - 1] <= e) j--;
    top.splice(j, 0, i);
    score.splice(j, 0, e);
    if (top.length > TRENDING_SIZE) {
      top.pop();
      score.pop();
    }
  }
  return top;
}

function pickSource(mix: FeedConfig['mix'], rng: Rng): Source {
  const x = rng.next();
  if (x < mix.interest) return 'interest';
  if (x < mix.interest + mix.followed) return 'followed';
  if (x < mix.interest + mix.followed + mix.trending) return 'trending';
  return 'random';
}

/**
 * The (at most MAX_FRIENDS_LISTED lowest-id) followed accounts that liked / replied to each of the `count` posts in
 * `chosen`, written to `liked` / `replied` (MAX_FRIENDS_LISTED slots per post) with their counts in `likedN` /
 * `repliedN`: one walk over the followed accounts' engagement lists, ascending, with `slot` (post id → index + 1,
 * zero elsewhere) telling which entries concern this feed. `slot` is left all zero.
 */
function followedEngagers(
  chosen: number[],
  count: number,
  state: WorldState,
  following: Int32Array,
  scratch: { slot: Uint8Array; liked: Int32Array; replied: Int32Array; likedN: Uint8Array; repliedN: Uint8Array; words: Int32Array; bits: Int32Array },
): void {
  const { slot, liked, replied, likedN, repliedN, words, bits } = scratch;
  // The mask words these posts fall in, each with the bits to test (posts sharing a word share an entry).
  let nw = 0;
  for (let k = 0; k < count; k++) {
    const id = chosen[k];
    slot[id] = k + 1;
    likedN[k] = 0;
    repliedN[k] = 0;
    const word = (id >>> 5) & (MASK_WORDS - 1);
    const bit = 1 << (id & 31);
    let q = 0;
    while (q < nw && words[q] !== word) q++;
    if (q === nw) {
      words[nw] = word;
      bits[nw++] = bit;
    } else bits[q] |= bit;
  }
  const { start, size, pool } = state.engaged;
  const mask = state.engagedMask;
  for (let j = 0; j < following.length; j++) {
    const f = following[j];
    const w = MASK_WORDS * f;
    let hit = 0;
    for (let q = 0; q < nw; q++) hit |= mask[w + words[q]] & bits[q];
    if (hit === 0) continue;
    const first = start[f];
    const end = first + size[f];
    for (let i = first; i < end; i++) {
      const v = pool[i];
      const k = slot[v >>> 2] - 1;
      if (k < 0) continue;
      if ((v & LIKED) !== 0 && likedN[k] < MAX_FRIENDS_LISTED) liked[k * MAX_FRIENDS_LISTED + likedN[k]++] = f;
      if ((v & REPLIED) !== 0 && repliedN[k] < MAX_FRIENDS_LISTED) replied[k * MAX_FRIENDS_LISTED + repliedN[k]++] = f;
    }
  }
  for (let k = 0; k < count; k++) slot[chosen[k]] = 0;
}

/**
 * The one empty friend list every feed item without followed engagers shares (most items: two fewer allocations per
 * item). Frozen, so that a reader that tried to add to it would fail loudly instead of changing other items.
 */
const NO_FRIENDS = Object.freeze([]) as unknown as number[];

/** The `n` ids at `ids[o…]` as an array of exactly that size. */
function friendList(ids: Int32Array, o: number, n: number): number[] {
  if (n === 0) return NO_FRIENDS;
  if (n === 1) return [ids[o]];
  if (n === 2) return [ids[o], ids[o + 1]];
  return [ids[o], ids[o + 1], ids[o + 2]];
}

/**
 * Builds ranked feeds from the state at the start of a round. One per run: it holds the agents' interests and scratch
 * tables reused by every feed, so a feed costs one small object (its items go into the round's typed arrays).
 */
export class FeedBuilder {
  private readonly scratch = {
    slot: new Uint8Array(1024),
    liked: new Int32Array(0),
    replied: new Int32Array(0),
    likedN: new Uint8Array(0),
    repliedN: new Uint8Array(0),
    words: new Int32Array(0),
    bits: new Int32Array(0),
  };
  // Per feed: the viewer, its followed accounts, and how many posts they wrote (−1 until the 'followed' source asks).
  private state: WorldState | null = null;
  private viewer = -1;
  private following: Int32Array = new Int32Array(0);
  private followedTotal = -1;
  // The posts picked so far for the feed being built, and their sources (reused: only the first `picks` count).
  private readonly chosen: number[] = [];
  private readonly sources: Source[] = [];
  private picks = 0;
  // followedPrefix[k] = posts written by following[0…k), filled by followedCount (so a draw binary-searches it).
  private followedPrefix = new Int32Array(1024);
  // Per picked post: its rank keys (followed author, followed accounts engaged, engagement) and the ranked order.
  private readonly keyFollowed: Uint8Array;
  private readonly keyEngagement: Int32Array;
  private readonly order: Int32Array;
  private seenReplies = new Int32Array(1024);

  // Interests as topic numbers: agent a's are interestTopics[interestStart[a]…interestStart[a + 1]), in persona order.
  private readonly topicNames: string[] = [];
  private readonly interestStart: Int32Array;
  private readonly interestTopics: Int32Array;
  // Per post store, its byTopic lists by topic number (a list, once created, is only appended to, so it can be kept).
  private readonly topicLists = new WeakMap<WorldState['posts'], Array<number[] | undefined>>();
  private lists: Array<number[] | undefined> = [];

  constructor(
    private readonly config: FeedConfig,
    personas: readonly AgentProfile[],
  ) {
    const numbers = new Map<string, number>();
    this.interestStart = new Int32Array(personas.length + 1);
    let total = 0;
    for (let a = 0; a < personas.length; a++) total += personas[a].interests.length;
    this.interestTopics = new Int32Array(total);
    let w = 0;
    for (let a = 0; a < personas.length; a++) {
      this.interestStart[a] = w;
      for (const topic of personas[a].interests) {
        let t = numbers.get(topic);
        if (t === undefined) {
          t = this.topicNames.length;
          numbers.set(topic, t);
          this.topicNames.push(topic);
        }
        this.interestTopics[w++] = t;
      }
    }
    this.interestStart[personas.length] = w;
    const scratch = this.scratch;
    scratch.liked = new Int32Array(config.size * MAX_FRIENDS_LISTED);
    scratch.replied = new Int32Array(config.size * MAX_FRIENDS_LISTED);
    scratch.likedN = new Uint8Array(config.size);
    scratch.repliedN = new Uint8Array(config.size);
    scratch.words = new Int32Array(config.size);
    scratch.bits = new Int32Array(config.size);
    this.keyFollowed = new Uint8Array(config.size);
    this.keyEngagement = new Int32Array(config.size);
    this.order = new Int32Array(config.size);
  }

  /**
   * The ranked feed of agent `agent`, written at the end of `out` (which must have room for a full feed). Pure apart from
   * the draws it takes from `rng`.
   */
  build(state: WorldState, agent: number, trending: number[], rng: Rng, out: RoundFeeds): RankedFeed {
    const config = this.config;
    const p = state.posts;
    if (p.count === 0) return EMPTY_FEED;
    const following = followingNow(state, agent);
    this.state = state;
    this.viewer = agent;
    this.following = following;
    this.followedTotal = -1;
    this.picks = 0;
    let lists = this.topicLists.get(p);
    if (!lists) this.topicLists.set(p, (lists = []));
    this.lists = lists;
    // The viewer's seen list, scattered into a table over post ids (reply count + 1; 0 = never seen) for the
    // eligibility tests, and cleared once the posts are picked.
    if (this.seenReplies.length < p.count) this.seenReplies = new Int32Array(p.count * 2);
    const seenReplies = this.seenReplies;
    const { pool, start, size } = state.seen;
    const seenFirst = start[agent];
    const seenEnd = seenFirst + size[agent];
    for (let i = seenFirst; i < seenEnd; i += 2) seenReplies[pool[i]] = pool[i + 1] + 1;
    if (config.mode === 'as-published') {
      for (let i = 0; i < Math.min(2, config.size); i++) {
        const id = this.drawFrom('interest', trending, rng);
        if (id >= 0) this.pick(id, 'interest');
      }
      while (this.picks < config.size) {
        const id = this.drawFrom('random', trending, rng);
        if (id < 0) break;
        this.pick(id, 'random');
      }
    } else {
      for (let slot = 0; slot < config.size; slot++) {
        const first = pickSource(config.mix, rng);
        let id = this.drawFrom(first, trending, rng);
        let used = first;
        for (let f = 0; id < 0 && f < FALLBACK.length; f++) {
          if (FALLBACK[f] === first) continue;
          used = FALLBACK[f];
          id = this.drawFrom(used, trending, rng);
        }
        if (id < 0) break;
        this.pick(id, used);
      }
    }
    for (let i = seenFirst; i < seenEnd; i += 2) seenReplies[pool[i]] = 0;
    const { chosen, sources } = this;
    const scratch = this.scratch;
    if (scratch.slot.length < p.count) scratch.slot = new Uint8Array(p.count * 2);
    followedEngagers(chosen, this.picks, state, following, scratch);
    // Rank first, on flat keys, then build the items in feed order. Feed order: followed authors first, then posts
    // followed accounts engaged with, then engagement, then newest (a total order, so insertion sort gives the ranking).
    const { keyFollowed, keyEngagement, order } = this;
    const picks = this.picks;
    for (let k = 0; k < picks; k++) {
      const id = chosen[k];
      keyFollowed[k] = (sortedHas(following, p.author[id]) ? 2 : 0) | (scratch.likedN[k] + scratch.repliedN[k] > 0 ? 1 : 0);
      keyEngagement[k] = p.likes[id] + p.replies[id];
      let j = k - 1;
      while (j >= 0 && this.ranksBefore(k, order[j])) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = k;
    }
    const first = out.used;
    for (let r = 0; r < picks; r++) {
      const k = order[r];
      const id = chosen[k];
      const w = first + r;
      out.post[w] = id;
      out.replies[w] = p.replies[id];
      out.flags[w] = (keyFollowed[k] >= 2 ? FOLLOWED : 0) | (keyFollowed[k] & 1 ? FRIENDS : 0);
      out.source[w] = SOURCES.indexOf(sources[k]);
      const likedN = scratch.likedN[k];
      const repliedN = scratch.repliedN[k];
      out.friendCounts[w] = likedN | (repliedN << 2);
      const o = w * 2 * MAX_FRIENDS_LISTED;
      for (let j = 0; j < likedN; j++) out.friends[o + j] = scratch.liked[k * MAX_FRIENDS_LISTED + j];
      for (let j = 0; j < repliedN; j++) out.friends[o + MAX_FRIENDS_LISTED + j] = scratch.replied[k * MAX_FRIENDS_LISTED + j];
    }
    out.used = first + picks;
    this.state = null;
    return new RankedFeed(out, first, picks);
  }

  /** Whether picked post `a` ranks before picked post `b` (keys filled by build; post ids break ties, newest first). */
  private ranksBefore(a: number, b: number): boolean {
    const fa = this.keyFollowed[a];
    const fb = this.keyFollowed[b];
    if (fa !== fb) return fa > fb;
    const ea = this.keyEngagement[a];
    const eb = this.keyEngagement[b];
    if (ea !== eb) return ea > eb;
    return this.chosen[a] > this.chosen[b];
  }

  private pick(id: number, source: Source): void {
    this.chosen[this.picks] = id;
    this.sources[this.picks] = source;
    this.picks++;
  }

  /** Not the viewer's own post, not picked already, and not seen unless it gained replies since (seenUnchanged). */
  private eligible(post: number): boolean {
    const posts = (this.state as WorldState).posts;
    if (posts.author[post] === this.viewer) return false;
    for (let k = 0; k < this.picks; k++) if (this.chosen[k] === post) return false;
    const seen = this.seenReplies[post];
    return seen === 0 || seen - 1 < posts.replies[post];
  }

  /**
   * The posts of followed accounts, in followed-account order then post order, are drawn by index without building
   * the list: its length is summed once per feed, and an index is found by walking the followed accounts.
   */
  private followedCount(): number {
    if (this.followedTotal < 0) {
      const counts = (this.state as WorldState).posts.authorPostCount;
      const following = this.following;
      if (this.followedPrefix.length <= following.length) this.followedPrefix = new Int32Array(following.length * 2 + 1);
      const prefix = this.followedPrefix;
      let total = 0;
      for (let k = 0; k < following.length; k++) {
        prefix[k] = total;
        total += counts[following[k]];
      }
      prefix[following.length] = total;
      this.followedTotal = total;
    }
    return this.followedTotal;
  }

  /** The followed account k with prefix[k] ≤ index < prefix[k + 1] (the one a walk would stop at) holds the post. */
  private followedPost(index: number): number {
    const posts = (this.state as WorldState).posts;
    const following = this.following;
    const prefix = this.followedPrefix;
    if (index < 0 || index >= this.followedCount()) {
      throw new Error(`feed: followed post ${index} is past the end of the followed accounts' posts; this is a bug in the engine`);
    }
    let lo = 0;
    let hi = following.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (prefix[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return (posts.byAuthor[following[lo]] as number[])[index - prefix[lo]];
  }

  private drawFrom(source: Source, trending: number[], rng: Rng): number {
    const p = (this.state as WorldState).posts;
    for (let t = 0; t < TRIES_PER_SOURCE; t++) {
      let candidate = -1;
      if (source === 'interest') {
        const first = this.interestStart[this.viewer];
        const t = this.interestTopics[first + rng.int(this.interestStart[this.viewer + 1] - first)];
        const lists = this.lists;
        const list = lists[t] ?? (lists[t] = p.byTopic.get(this.topicNames[t]));
        if (list && list.length) candidate = list[rng.int(list.length)];
      } else if (source === 'followed') {
        const count = this.followedCount();
        if (count) candidate = this.followedPost(rng.int(count));
        else return -1;
      } else if (source === 'trending') {
        if (trending.length) candidate = trending[rng.int(trending.length)];
        else return -1;
      } else if (p.count > 0) {
        candidate = rng.int(p.count);
      }
      if (candidate >= 0 && this.eligible(candidate)) return candidate;
    }
    return -1;
  }
}
