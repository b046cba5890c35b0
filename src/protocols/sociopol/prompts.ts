/**
 * The prompts of the LLM agents, as typed template functions. They are ordered for the provider's prompt cache: a
 * system message that is identical for every agent (rules, output format, the 0–4 scale), then the persona (stable per
 * agent), then the part that changes with each activation. Wording is our own and kept terse: every token is paid
 * for ~100,000 times per run.
 */
import type { SimConfig } from '../../engine/config';
import type { ChatMessage } from '../../engine/protocol';
import type { FeedItem } from '../../engine/types';
import { clip } from '../../agents/llm/answers';
import type { Persona } from '../../population/types';
import { LIKELIHOOD_WORDS, type ActivationRequest, type Memory, type SocioPolParams, type TreatmentMessage, type VoteRequest } from './types';

const RACE: Record<string, string> = {
  hispanic_any_race: 'Hispanic',
  white_nh: 'white',
  black_nh: 'Black',
  asian_nh: 'Asian',
  aian_nh: 'Native American',
  nhpi_nh: 'Pacific Islander',
  two_or_more_races_nh: 'multiracial',
};

const EDUCATION: Record<string, string> = {
  less_than_high_school: 'no high-school diploma',
  high_school: 'high-school diploma',
  some_college: 'some college',
  associate: "associate's degree",
  bachelors: "bachelor's degree",
  masters: "master's degree",
  professional: 'professional degree',
  doctorate: 'doctorate',
};

/** JSON string literal: quotes and escapes a text in one go, so post texts can never break the prompt's layout. */
function q(text: string, max = 280): string {
  return JSON.stringify(clip(text, max));
}

/**
 * Intent: the rules every agent shares — what a round is, what may be done with each post, the base rates the paper
 * asks for (likes far more common than replies; engagement follows rank, followed authors and friends' engagement),
 * the 0–4 scale reasoned from the stance, the delay, and the answer's shape. Identical for all agents, so it is the
 * cached prefix of every call.
 */
export function systemPrompt(config: SimConfig): string {
  return [
    'US social media user; a round is a day.',
    // What can be done to a post is in the schema; the rules here are the base rates the paper asks for.
    'Likes far outnumber replies; most posts get neither. Engagement and follows favour top-ranked posts, followed authors and posts your follows engaged with.',
    `vote: ${LIKELIHOOD_WORDS.map((w, i) => `${i} ${w}`).join(', ')}; reason from your stance.`,
    `delay: rounds to next visit. Texts max ${config.postMaxChars} chars. List only posts you act on; reply "" if none.`,
  ].join('\n');
}

/** Intent: who the agent is, in the second person; stable per agent so it extends the cached prefix. */
export function personaPrompt(p: Persona): string {
  const race = RACE[p.raceEthnicity] ?? p.raceEthnicity.replace(/_/g, ' ');
  const edu = EDUCATION[p.education] ?? p.education.replace(/_/g, ' ');
  const born = /^(united states|us|usa)$/i.test(p.countryOfBirth) ? 'US-born' : `born in ${p.countryOfBirth}`;
  const work = p.workSchedule ? ` (${p.workSchedule})` : '';
  const friends = p.closeFriends.length ? ` Close friends: ${ids(p.closeFriends)}.` : '';
  return (
    `You are @${p.id}: ${p.age}, ${race} ${p.sex}, ${p.state}, ${born}, ${edu}, ${p.occupation}${work}, ${p.maritalStatus}. ` +
    `Politics: ${p.politicalStance}. Interests: ${p.interests.join(', ')}.${friends}`
  );
}

function ids(list: readonly number[]): string {
  return list.map((id) => `@${id}`).join(' ');
}

/** Intent: what the agent did last time, so its behaviour has continuity (posts it engaged with, follows, its post). */
export function memoryPrompt(m: Memory | null): string {
  if (!m) return 'First visit.';
  const parts: string[] = [];
  for (const e of m.engaged) {
    parts.push(e.action === 'reply' ? `replied "${clip(e.replyText ?? '', 80)}" to "${clip(e.text, 32)}"` : `liked "${clip(e.text, 32)}"`);
  }
  if (m.followed.length) parts.push(`followed ${ids(m.followed)}`);
  if (m.unfollowed.length) parts.push(`unfollowed ${ids(m.unfollowed)}`);
  if (m.posted) parts.push(`posted "${clip(m.posted, 140)}"`);
  return `Last visit (round ${m.round}): ${parts.length ? parts.join('; ') : 'no action'}.`;
}

/**
 * Intent: one feed post with the signals the rules refer to: author (and whether followed), topic, counts, which
 * followed accounts liked or replied, the text and the latest reply. Texts are single-line after clipping, so they
 * need no quotes.
 */
export function feedItemPrompt(item: FeedItem, index: number): string {
  const signals = [`${item.likeCount} likes ${item.replyCount} replies`];
  if (item.likedByFollowed.length) signals.push(`liked by ${ids(item.likedByFollowed)}`);
  if (item.repliedByFollowed.length) signals.push(`replied by ${ids(item.repliedByFollowed)}`);
  const who = `@${item.authorId}${item.followed ? ' (followed)' : ''} ${clip(item.authorProfile, 60)}`;
  let out = `[${index}] ${who} | ${item.topic} | ${signals.join(', ')}\n${clip(item.text, 280)}`;
  // The reply's author is named only when the viewer knows them (followed engagers): other ids carry no meaning.
  if (item.latestReply) {
    const r = item.latestReply;
    const known = item.likedByFollowed.includes(r.authorId) || item.repliedByFollowed.includes(r.authorId);
    out += `\n> ${known ? `@${r.authorId}: ` : ''}${clip(r.text, 280)}`;
  }
  return out;
}

/** Intent: the get-out-the-vote message as the arm shows it; the social one adds the count and followed likely voters. */
export function treatmentPrompt(t: TreatmentMessage, config: SimConfig): string {
  if (t.kind === 'info') return `Notice: ${clip(t.text, 300)}`;
  const count = (config.params as unknown as SocioPolParams).messages.social.replace('{count}', String(t.likelyCount));
  const follows = t.followedLikely.length ? ` You follow likely voters ${ids(t.followedLikely.map((f) => f.id))}.` : '';
  return `Notice: ${clip(t.text, 300)} ${count}${follows}`;
}

/** Intent: everything that changes per activation, after the cached prefix: round, memory, feed, invitation, vote. */
export function activationPrompt(req: ActivationRequest, config: SimConfig): string {
  const lines: string[] = [`Round ${req.round}. ${memoryPrompt(req.memory)}`];
  // Numbered [i] entries mark the feed; only an empty one needs saying.
  if (!req.feed.length) lines.push('Feed: empty.');
  req.feed.forEach((item, i) => lines.push(feedItemPrompt(item, i + 1)));
  // The posting instructions live here, not in the shared system prompt: only ~1 % of activations need them.
  if (req.invitedToPost) lines.push('You are invited to write a post: new_post is its text ("" to skip), topic one of your interests.');
  if (req.vote) {
    const v = req.vote;
    if (v.treatment) lines.push(treatmentPrompt(v.treatment, config));
    const last = v.previousLikelihood === null ? 'first time asked' : `last was ${v.previousLikelihood}`;
    lines.push(`Election in ${v.roundsToElection} rounds. vote: ${last}.`);
  } else {
    lines.push('You are under 18 (no vote).');
  }
  return lines.join('\n');
}

/** The messages of one activation: shared system prefix, then persona and the variable part in one user message. */
export function activationMessages(req: ActivationRequest, persona: Persona, config: SimConfig): ChatMessage[] {
  return [
    { role: 'system', content: systemPrompt(config) },
    { role: 'user', content: `${personaPrompt(persona)}\n\n${activationPrompt(req, config)}` },
  ];
}

/**
 * Intent: election day — given the likelihood it last stated and its stance, did the agent turn out? Its own short
 * system message (the activation rules do not apply) and the same persona text.
 */
export function voteMessages(req: VoteRequest, persona: Persona): ChatMessage[] {
  const last = req.lastLikelihood === null ? 'You never said how likely you were to vote.' : `Your last stated voting likelihood (0-4) was ${req.lastLikelihood}.`;
  return [
    {
      role: 'system',
      content: `You play one user of a Twitter-like network. Today was Election Day. Answer as that person, from their stance and last stated likelihood (0 ${LIKELIHOOD_WORDS[0]} … 4 ${LIKELIHOOD_WORDS[4]}). Reply with JSON only: {"voted":0 or 1}.`,
    },
    { role: 'user', content: `${personaPrompt(persona)}\n\n${last} Did you vote?` },
  ];
}
