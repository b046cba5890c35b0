/**
 * Short template texts for offline agents' posts and replies. They carry no model of language; they exist so that
 * offline runs have readable content in feeds, exports and the agent panel.
 */
import { topicLabel } from '../content';
import type { Rng } from '../../../engine/rng';

const POSTS = [
  'Thinking a lot about {topic} lately. We need leaders who take it seriously.',
  'My take on {topic}: less talk, more results.',
  'Anyone else following the {topic} debate? Share your views.',
  '{topic} affects my family directly. This election matters.',
  'Just read up on where the candidates stand on {topic}.',
];

const VOTE_POSTS = [
  'Made my plan to vote. {topic} is on the ballot in more ways than one.',
  'Reminder: check your registration. {topic} depends on who shows up.',
];

const REPLIES = ['Agreed.', 'Good point, thanks for sharing.', 'Not sure I agree, but fair.', 'This matters more than people think.', 'Well said.', 'Source?'];

function fill(template: string, topic: string): string {
  const t = template.replace('{topic}', topicLabel(topic));
  return t.charAt(0).toUpperCase() + t.slice(1);
}

export function offlinePostText(topic: string, likelyVoter: boolean, rng: Rng, maxChars: number): string {
  const pool = likelyVoter && rng.bernoulli(0.3) ? VOTE_POSTS : POSTS;
  return fill(rng.pick(pool), topic).slice(0, maxChars);
}

export function offlineReplyText(rng: Rng): string {
  return rng.pick(REPLIES);
}
