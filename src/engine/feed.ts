/**
 * Personalised feeds (protocols §A "Feed"): candidates are posts an agent has not seen or that gained replies since it
 * saw them; up to L posts are mixed from interest-matching, followed-author, trending and random sources, then ranked
 * followed authors first, then posts that followed accounts engaged with, then total engagement. The "as published"
 * mode reproduces what the authors' code effectively did: up to two interest-matching posts plus random fill.
 */
import type { FeedConfig } from './config';
import type { FollowNetwork } from './network';
import type { Rng } from './rng';
import { followingNow, isFollowing, seenUnchanged, type WorldState } from './state';
import type { FeedItem, Persona } from './types';

/** Trending = the most engaged posts; this many are kept per round. */
export const TRENDING_SIZE = 20;
/** Draws tried per feed slot from its source before falling back to the other sources. */
const TRIES_PER_SOURCE = 6;
/** At most this many likers / repliers among followed accounts are listed per post (the prompt shows them). */
const MAX_FRIENDS_LISTED = 3;

type Source = FeedItem['source'];
const FALLBACK: readonly Source[] = ['interest', 'followed', 'trending', 'random'];

/** Ids of the TRENDING_SIZE most engaged posts (likes + replies; newer first on ties). Computed once per round. */
export function trendingPosts(state: WorldState): number[] {
  const p = state.posts;
  const ids: number[] = [];
  for (let i = 0; i < p.count; i++) if (p.likes[i] + p.replies[i] > 0) ids.push(i);
  ids.sort((a, b) => p.likes[b] + p.replies[b] - (p.likes[a] + p.replies[a]) || b - a);
  return ids.slice(0, TRENDING_SIZE);
}

function eligible(state: WorldState, agent: number, post: number, chosen: number[]): boolean {
  return state.posts.author[post] !== agent && !chosen.includes(post) && !seenUnchanged(state, agent, post);
}

function drawFrom(
  source: Source,
  state: WorldState,
  persona: Persona,
  trending: number[],
  chosen: number[],
  rng: Rng,
  followedPosts: () => number[],
): number {
  const p = state.posts;
  const agent = persona.id;
  for (let t = 0; t < TRIES_PER_SOURCE; t++) {
    let candidate = -1;
    if (source === 'interest') {
      const list = p.byTopic.get(persona.interests[rng.int(persona.interests.length)]);
      if (list && list.length) candidate = list[rng.int(list.length)];
    } else if (source === 'followed') {
      const list = followedPosts();
      if (list.length) candidate = list[rng.int(list.length)];
      else return -1;
    } else if (source === 'trending') {
      if (trending.length) candidate = trending[rng.int(trending.length)];
      else return -1;
    } else if (p.count > 0) {
      candidate = rng.int(p.count);
    }
    if (candidate >= 0 && eligible(state, agent, candidate, chosen)) return candidate;
  }
  return -1;
}

function pickSource(mix: FeedConfig['mix'], rng: Rng): Source {
  const x = rng.next();
  if (x < mix.interest) return 'interest';
  if (x < mix.interest + mix.followed) return 'followed';
  if (x < mix.interest + mix.followed + mix.trending) return 'trending';
  return 'random';
}

/** Whether any account `agent` follows is in `set`, and up to MAX_FRIENDS_LISTED of them. */
function followedAmong(state: WorldState, net: FollowNetwork, agent: number, set: Set<number>, following: Int32Array): number[] {
  const out: number[] = [];
  if (set.size === 0) return out;
  if (set.size < following.length) {
    for (const x of set) {
      if (isFollowing(state, net, agent, x)) {
        out.push(x);
        if (out.length === MAX_FRIENDS_LISTED) break;
      }
    }
    out.sort((a, b) => a - b);
  } else {
    for (let k = 0; k < following.length && out.length < MAX_FRIENDS_LISTED; k++) if (set.has(following[k])) out.push(following[k]);
  }
  return out;
}

/**
 * Build the ranked feed of `persona` for this round from the state at the start of the round. Pure apart from the
 * draws it takes from `rng`.
 */
export function buildFeed(
  state: WorldState,
  net: FollowNetwork,
  persona: Persona,
  personas: readonly Persona[],
  config: FeedConfig,
  trending: number[],
  rng: Rng,
): FeedItem[] {
  const agent = persona.id;
  const p = state.posts;
  if (p.count === 0) return [];
  const following = followingNow(state, net, agent);
  let followedCache: number[] | null = null;
  const followedPosts = (): number[] => {
    if (followedCache) return followedCache;
    followedCache = [];
    for (let k = 0; k < following.length; k++) {
      const list = p.byAuthor.get(following[k]);
      if (list) for (const id of list) followedCache.push(id);
    }
    return followedCache;
  };
  const chosen: number[] = [];
  const sources: Source[] = [];
  if (config.mode === 'as-published') {
    for (let i = 0; i < Math.min(2, config.size); i++) {
      const id = drawFrom('interest', state, persona, trending, chosen, rng, followedPosts);
      if (id >= 0) {
        chosen.push(id);
        sources.push('interest');
      }
    }
    while (chosen.length < config.size) {
      const id = drawFrom('random', state, persona, trending, chosen, rng, followedPosts);
      if (id < 0) break;
      chosen.push(id);
      sources.push('random');
    }
  } else {
    for (let slot = 0; slot < config.size; slot++) {
      const first = pickSource(config.mix, rng);
      let id = drawFrom(first, state, persona, trending, chosen, rng, followedPosts);
      let used = first;
      for (let f = 0; id < 0 && f < FALLBACK.length; f++) {
        if (FALLBACK[f] === first) continue;
        used = FALLBACK[f];
        id = drawFrom(used, state, persona, trending, chosen, rng, followedPosts);
      }
      if (id < 0) break;
      chosen.push(id);
      sources.push(used);
    }
  }
  const items: FeedItem[] = chosen.map((id, k) => {
    const author = p.author[id];
    const likedByFollowed = followedAmong(state, net, agent, p.likers[id], following);
    const repliedByFollowed = followedAmong(state, net, agent, p.repliers[id], following);
    const latestAuthor = p.latestReplyAuthor[id];
    return {
      postId: id,
      authorId: author,
      authorProfile: personas[author].publicProfile,
      followed: isFollowing(state, net, agent, author),
      topic: p.topic[id],
      text: p.text[id],
      likeCount: p.likes[id],
      replyCount: p.replies[id],
      likedByFollowed,
      repliedByFollowed,
      latestReply: latestAuthor >= 0 ? { authorId: latestAuthor, text: p.latestReplyText[id] as string } : null,
      source: sources[k],
    };
  });
  items.sort(
    (a, b) =>
      Number(b.followed) - Number(a.followed) ||
      Number(b.likedByFollowed.length + b.repliedByFollowed.length > 0) -
        Number(a.likedByFollowed.length + a.repliedByFollowed.length > 0) ||
      b.likeCount + b.replyCount - (a.likeCount + a.replyCount) ||
      b.postId - a.postId,
  );
  return items;
}
