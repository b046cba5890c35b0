/**
 * Strict JSON schemas for the answers (OpenAI structured outputs) and the validator that checks an arriving answer
 * against the request it answers and maps it to a Decision. The schema keeps keys short and has no descriptions (the
 * rules live in the system prompt) because the schema's text is part of every prompt; the validator re-checks what a
 * schema cannot say (post numbers in the feed, text lengths) and what a server without structured outputs may break.
 */
import type { SimConfig } from '../../engine/config';
import type { JsonSchemaFormat, Validation } from '../../engine/protocol';
import type { Engagement, FollowChange, PostAction } from '../../engine/types';
import type { Persona } from '../../population/types';
import type { ActivationRequest, Decision, Likelihood } from './types';

const AUTHOR = ['keep', 'follow', 'unfollow'] as const;

/**
 * The activation answer's schema. Four variants (adult or minor, invited to post or not): the common case has no
 * post fields and is the same for every agent, so the provider can cache it; only the 1 % invited calls carry the
 * agent's interests as the topic enum.
 */
export function activationSchema(adult: boolean, invited: boolean, interests: readonly string[]): JsonSchemaFormat {
  const properties: Record<string, unknown> = {
    posts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          p: { type: 'integer' },
          like: { type: 'boolean' },
          reply: { type: 'string' },
          author: { type: 'string', enum: [...AUTHOR] },
        },
        required: ['p', 'like', 'reply', 'author'],
        additionalProperties: false,
      },
    },
  };
  if (invited) {
    properties.new_post = { type: 'string' };
    properties.topic = { type: 'string', enum: [...interests] };
  }
  if (adult) properties.vote = { type: 'integer', minimum: 0, maximum: 4 };
  properties.delay = { type: 'integer', minimum: 1, maximum: 5 };
  return {
    name: `activation${adult ? '' : '_minor'}${invited ? '_post' : ''}`,
    strict: true,
    schema: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false },
  };
}

export function voteSchema(): JsonSchemaFormat {
  return {
    name: 'vote',
    strict: true,
    schema: {
      type: 'object',
      properties: { voted: { type: 'integer', enum: [0, 1] } },
      required: ['voted'],
      additionalProperties: false,
    },
  };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Checks one activation answer against its request; the errors are written for the model (they go into the repair turn). */
export function validateActivation(raw: unknown, req: ActivationRequest, persona: Persona, config: SimConfig): Validation<Decision> {
  if (!isObject(raw)) return { ok: false, error: 'the answer must be a JSON object' };
  const posts = raw.posts ?? [];
  if (!Array.isArray(posts)) return { ok: false, error: '"posts" must be an array' };
  const actions: PostAction[] = [];
  const seen = new Set<number>();
  for (const entry of posts) {
    if (!isObject(entry)) return { ok: false, error: 'each "posts" entry must be an object' };
    const p = entry.p;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > req.feed.length) {
      return { ok: false, error: `post number ${JSON.stringify(p)} is not in the feed (1-${req.feed.length})` };
    }
    if (seen.has(p)) return { ok: false, error: `post ${p} appears twice in "posts"` };
    seen.add(p);
    const like = entry.like ?? false;
    if (typeof like !== 'boolean') return { ok: false, error: `post ${p}: "like" must be true or false` };
    const author = entry.author ?? 'keep';
    if (!AUTHOR.includes(author as (typeof AUTHOR)[number])) return { ok: false, error: `post ${p}: "author" must be keep, follow or unfollow` };
    if (entry.reply !== undefined && typeof entry.reply !== 'string') return { ok: false, error: `post ${p}: "reply" must be text ("" for none)` };
    const replyText = typeof entry.reply === 'string' ? entry.reply.trim() : '';
    // A reply is the stronger engagement: a post liked and replied to counts as a reply (one engagement per post).
    const act: Engagement = replyText ? 'reply' : like ? 'like' : 'none';
    if (act === 'reply') {
      if (replyText.length > config.postMaxChars) {
        return { ok: false, error: `post ${p}: the reply has ${replyText.length} characters; the limit is ${config.postMaxChars}` };
      }
    }
    const item = req.feed[p - 1];
    // Following an author one already follows (or unfollowing one one doesn't) changes nothing: recorded as 'none'
    // rather than rejected, because it is a no-op, not a wrong answer worth a repair call.
    let follow: FollowChange = 'none';
    if (author === 'follow' && !item.followed) follow = 'follow';
    if (author === 'unfollow' && item.followed) follow = 'unfollow';
    if (act === 'none' && follow === 'none') continue;
    const action: PostAction = { postId: item.postId, engagement: act as Engagement, follow };
    if (act === 'reply') action.replyText = replyText;
    actions.push(action);
  }

  let newPost: Decision['newPost'] = null;
  if (req.invitedToPost) {
    const text = typeof raw.new_post === 'string' ? raw.new_post.trim() : '';
    if (text) {
      if (text.length > config.postMaxChars) {
        return { ok: false, error: `the new post has ${text.length} characters; the limit is ${config.postMaxChars}` };
      }
      const topic = raw.topic;
      if (typeof topic !== 'string' || !persona.interests.includes(topic)) {
        return { ok: false, error: `"topic" must be one of your interests: ${persona.interests.join(', ')}` };
      }
      newPost = { text, topic };
    }
  }

  let likelihood: Likelihood | null = null;
  if (req.vote) {
    const v = raw.vote;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 4) {
      return { ok: false, error: `"vote" must be an integer 0-4 (got ${JSON.stringify(v)})` };
    }
    likelihood = v as Likelihood;
  }

  const d = raw.delay;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 5) {
    return { ok: false, error: `"delay" must be an integer 1-5 (got ${JSON.stringify(d)})` };
  }
  return { ok: true, value: { actions, newPost, likelihood, nextDelay: d } };
}

export function validateVote(raw: unknown): Validation<0 | 1> {
  if (!isObject(raw)) return { ok: false, error: 'the answer must be a JSON object' };
  const v = raw.voted;
  if (v !== 0 && v !== 1) return { ok: false, error: `"voted" must be 0 or 1 (got ${JSON.stringify(v)})` };
  return { ok: true, value: v };
}
