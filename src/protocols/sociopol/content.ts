/**
 * The seed content of a run: short political posts on a topic, written here (not copied from the paper) so that
 * every run starts from the same neutral material. The engine creates the seed posts through `Protocol.seedPost`.
 */
import type { Rng } from '../../engine/rng';

const SEED_TEMPLATES: readonly string[] = [
  'What would actually fix {topic}? Serious answers only.',
  'New poll out today on {topic}. Curious where people here stand.',
  'Local officials debated {topic} last night. It got heated.',
  "Candidates keep dodging questions on {topic}. Why is that?",
  'Read a long piece on {topic} this morning. Worth your time.',
  '{topic} should be the top issue this election. Change my mind.',
];

/** Human-readable label of a topic key ('gun_policy' → 'gun policy'). */
export function topicLabel(topic: string): string {
  return topic.replace(/_/g, ' ');
}

/** A seed post on `topic`, at most `maxChars` characters. */
export function seedPostText(topic: string, rng: Rng, maxChars = 140): string {
  const text = rng.pick(SEED_TEMPLATES).replace('{topic}', topicLabel(topic));
  const capitalised = text.charAt(0).toUpperCase() + text.slice(1);
  return capitalised.length <= maxChars ? capitalised : capitalised.slice(0, maxChars);
}
