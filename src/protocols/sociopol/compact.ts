/**
 * Compact LLM records. An activation's prompt is ~1.6 KB, but almost all of it is already stored once per run: the
 * system prompt comes from the configuration, the persona block from the persona, and every post, reply and profile
 * text from the run's posts and replies. So per activation only the variable part is kept, as numbers (round, memory,
 * feed ids and counts, the vote line), and the card rebuilds the exact prompt through the same template functions.
 * `expandActivation` is checked against the prompts actually sent over a whole run (tests/integration/llm-compact).
 */
import type { SimConfig } from '../../engine/config';
import { RankedFeed } from '../../engine/feed';
import type { FeedItem, Post, Reply } from '../../engine/types';
import type { Persona } from '../../population/types';
import type { ActivationRequest, Likelihood, Memory, SocioPolParams, TreatmentMessage } from './types';

/** Memory: [round, [[postId, 0 like | 1 reply]…], followed, unfollowed, posted 0/1]. */
type CompactMemory = [number, Array<[number, 0 | 1]>, number[], number[], 0 | 1];
/** Feed item: [postId, authorId, followed 0/1, likes, replies, likedBy, repliedBy, has latest reply 0/1]. */
type CompactItem = [number, number, 0 | 1, number, number, number[], number[], 0 | 1];
/**
 * Vote line: [roundsToElection, previous likelihood or −1, treatment 0 none | 1 info | 2 social, likely count,
 * followed likely ids, text] — text only when the configuration's message does not give it.
 */
type CompactVote = [number, number, 0 | 1 | 2, number, number[], string?];

/** [1 (format), round, memory, feed, invited 0/1, vote]. */
export type CompactActivation = [1, number, CompactMemory | null, CompactItem[], 0 | 1, CompactVote | null];

/** The message text the engine builds for an arm, when the configuration determines it. */
function configuredText(kind: 'info' | 'social', likelyCount: number, config: SimConfig): string {
  const messages = (config.params as unknown as SocioPolParams).messages;
  if (kind === 'info') return messages.info;
  return `${messages.info} ${messages.social.replace('{count}', likelyCount.toLocaleString('en-US'))}`;
}

export function compactActivation(req: ActivationRequest, config: SimConfig): CompactActivation {
  const m = req.memory;
  const memory: CompactMemory | null = m ? [m.round, m.engaged.map((e) => [e.postId, e.action === 'reply' ? 1 : 0]), m.followed, m.unfollowed, m.posted === null ? 0 : 1] : null;
  const feed = req.feed.map((f): CompactItem => [f.postId, f.authorId, f.followed ? 1 : 0, f.likeCount, f.replyCount, f.likedByFollowed, f.repliedByFollowed, f.latestReply ? 1 : 0]);
  let vote: CompactVote | null = null;
  if (req.vote) {
    const v = req.vote;
    const t = v.treatment;
    vote = [v.roundsToElection, v.previousLikelihood ?? -1, t ? (t.kind === 'info' ? 1 : 2) : 0, t?.kind === 'social' ? t.likelyCount : 0, t?.kind === 'social' ? t.followedLikely.map((f) => f.id) : []];
    if (t && t.text !== configuredText(t.kind, t.kind === 'social' ? t.likelyCount : 0, config)) vote.push(t.text);
  }
  return [1, req.round, memory, feed, req.invitedToPost ? 1 : 0, vote];
}

export function isCompactActivation(x: unknown): x is CompactActivation {
  return Array.isArray(x) && x[0] === 1 && x.length === 6 && typeof x[1] === 'number' && Array.isArray(x[3]);
}

/** The texts of one condition's lineage (warm-up + condition): posts and replies as the run stored them. */
export interface RunTexts {
  post(id: number): Post | undefined;
  /** The agent's own post written in `round`. */
  postBy(author: number, round: number): Post | undefined;
  /** The agent's reply to a post in `round`. */
  replyBy(postId: number, author: number, round: number): Reply | undefined;
  /** The last reply to a post before `round` (the engine's "latest reply" at the start of that round). */
  latestReplyBefore(postId: number, round: number): Reply | undefined;
}

/** Index posts and replies (replies in the order the engine applied them: by round, then as stored). */
export function runTexts(posts: readonly Post[], replies: readonly Reply[]): RunTexts {
  const byId = new Map(posts.map((p) => [p.id, p]));
  const byAuthorRound = new Map(posts.filter((p) => !p.seedPost).map((p) => [`${p.author}@${p.round}`, p]));
  const toPost = new Map<number, Reply[]>();
  for (const r of [...replies].sort((a, b) => a.round - b.round)) {
    const list = toPost.get(r.postId);
    if (list) list.push(r);
    else toPost.set(r.postId, [r]);
  }
  return {
    post: (id) => byId.get(id),
    postBy: (author, round) => byAuthorRound.get(`${author}@${round}`),
    replyBy: (postId, author, round) => toPost.get(postId)?.find((r) => r.author === author && r.round === round),
    latestReplyBefore: (postId, round) => {
      const list = toPost.get(postId) ?? [];
      let last: Reply | undefined;
      for (const r of list) if (r.round < round) last = r;
      return last;
    },
  };
}

const missing = (what: string): never => {
  throw new Error(`compact LLM record: ${what} is not among the run's stored posts and replies; the prompt cannot be rebuilt`);
};

/** The request a compact record stands for, with texts from the run (enough for the prompt templates). */
export function expandActivation(c: CompactActivation, agentId: number, condition: string, texts: RunTexts, personas: readonly Persona[], config: SimConfig): ActivationRequest {
  const [, round, m, feed, invited, v] = c;
  const text = (id: number) => texts.post(id) ?? missing(`post ${id}`);
  let memory: Memory | null = null;
  if (m) {
    const [mRound, engaged, followed, unfollowed, posted] = m;
    memory = {
      round: mRound,
      engaged: engaged.map(([postId, reply]) => {
        const p = text(postId);
        const base = { postId, topic: p.topic, text: p.text };
        if (!reply) return { ...base, action: 'like' as const };
        return { ...base, action: 'reply' as const, replyText: (texts.replyBy(postId, agentId, mRound) ?? missing(`the reply of agent ${agentId} to post ${postId} in round ${mRound}`)).text };
      }),
      followed,
      unfollowed,
      posted: posted ? (texts.postBy(agentId, mRound) ?? missing(`the post of agent ${agentId} in round ${mRound}`)).text : null,
      likelihood: null,
      followedLikelyShare: 0,
      sawMessage: false,
    };
  }
  const items = feed.map(([postId, authorId, followed, likeCount, replyCount, likedByFollowed, repliedByFollowed, hasReply]): FeedItem => {
    const p = text(postId);
    const reply = hasReply ? (texts.latestReplyBefore(postId, round) ?? missing(`the latest reply to post ${postId} before round ${round}`)) : null;
    return {
      postId,
      authorId,
      authorProfile: personas[authorId]?.publicProfile ?? missing(`the persona of agent ${authorId}`),
      followed: followed === 1,
      topic: p.topic,
      text: p.text,
      likeCount,
      replyCount,
      likedByFollowed,
      repliedByFollowed,
      latestReply: reply ? { authorId: reply.author, text: reply.text } : null,
      source: 'random',
    };
  });
  let vote: ActivationRequest['vote'] = null;
  if (v) {
    const [roundsToElection, previous, kind, likelyCount, followedLikely, inline] = v;
    let treatment: TreatmentMessage | null = null;
    if (kind === 1) treatment = { kind: 'info', text: inline ?? configuredText('info', 0, config) };
    if (kind === 2) {
      treatment = { kind: 'social', text: inline ?? configuredText('social', likelyCount, config), likelyCount, followedLikely: followedLikely.map((id) => ({ id, profile: personas[id]?.publicProfile ?? '' })) };
    }
    vote = { roundsToElection, previousLikelihood: previous < 0 ? null : (previous as Likelihood), treatment, followedCount: 0, followedLikelyShare: 0 };
  }
  return { agentId, round, condition, memory, feed: items, ranked: RankedFeed.of(items), invitedToPost: invited === 1, vote };
}
