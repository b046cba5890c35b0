/**
 * The S3 agent's prompts, as typed template functions (prompts are code). The system message holds what every agent
 * shares — the event, the scales, the rules and the answer format — so a provider can cache it; the user message holds
 * one agent's round: its profile, its current emotion and attitude, its memory pool and its new feed.
 */
import type { ChatMessage } from '../../engine/protocol';
import type { S3Event } from './events';
import { S3_POST_MAX_CHARS } from './schema';
import { ATTITUDES, EMOTIONS, type S3Request, type SeenMessage } from './types';

const SOURCE_WORDS: Record<SeenMessage['source'], string> = {
  own: 'your own post',
  mutual: 'from someone you follow who follows you back',
  followee: 'from someone you follow',
  recommended: 'recommended by the platform',
};

/** Intent: set the scene once — a social-media user reacting to one event — and fix the meaning of every field. */
export function s3SystemPrompt(event: S3Event): string {
  return [
    'You play one user of a social-media platform during a few days of public debate about one event.',
    `The event: ${event.text}`,
    `Your attitude toward it is positive if ${event.positiveMeans}; negative if ${event.negativeMeans}.`,
    `Your emotion about it is one of ${EMOTIONS.join(', ')}: calm means it leaves you unmoved; intense means it upsets or excites you strongly. Emotions fade toward calm when nothing new stirs them.`,
    'Each round you see the messages that reached your feed and what you remember. Decide how you feel and what you think now, then one action: repost one message from your feed (give its number), write a new post, or do nothing. Most users do nothing most rounds; people mostly repost what matches how they feel.',
    `Answer with JSON only: {"emotion": ${EMOTIONS.map((e) => `"${e}"`).join('|')}, "attitude": ${ATTITUDES.map((a) => `"${a}"`).join('|')}, "action": "repost"|"post"|"none", "repost_id": number or null, "post_text": text of at most ${S3_POST_MAX_CHARS} characters or null}.`,
  ].join('\n');
}

/** Intent: one message the way a feed shows it — who, how it reached you, when, the text — numbered for a repost. */
export function s3MessagePrompt(m: SeenMessage): string {
  const what = m.kind === 'repost' ? 'reposted' : m.kind === 'official' ? 'official statement' : 'posted';
  const text = m.text.replace(/\s+/g, ' ').trim().slice(0, S3_POST_MAX_CHARS);
  // The text is a JSON string literal, so a message can never break the prompt's layout.
  return `#${m.id} (${what} in round ${m.round} by a ${m.authorProfile}, ${SOURCE_WORDS[m.source]}): ${JSON.stringify(text)}`;
}

/** Intent: the agent's own round — profile, the state it is in now, memory first, then what is new. */
export function s3UserPrompt(req: S3Request, profile: string): string {
  const lines = [
    `You are a ${profile}. Round ${req.round}.`,
    req.newlyAware
      ? `You have just heard about the event. Your first leaning is ${ATTITUDES[req.attitude]}.`
      : `Until now your emotion has been ${EMOTIONS[req.emotion]} and your attitude ${ATTITUDES[req.attitude]}.`,
    req.spread ? 'You have already posted or reposted about it.' : 'You have not posted about it yet.',
  ];
  lines.push(req.remembered.length ? 'What you remember:' : 'You remember nothing about it yet.');
  for (const m of req.remembered) lines.push(s3MessagePrompt(m));
  lines.push(req.messages.length ? 'New in your feed:' : 'Nothing new in your feed.');
  for (const m of req.messages) lines.push(s3MessagePrompt(m));
  return lines.join('\n');
}

/** The two messages of one S3 decision. */
export function s3Messages(req: S3Request, profile: string, event: S3Event): ChatMessage[] {
  return [
    { role: 'system', content: s3SystemPrompt(event) },
    { role: 'user', content: s3UserPrompt(req, profile) },
  ];
}
