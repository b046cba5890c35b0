/**
 * The memory pool of an S3 user (Gao et al. 2023 §3.3): at most K messages, ranked by influence = recency × relevance ×
 * source. Recency is Ebbinghaus's forgetting curve R = exp(−age / strength) (age in rounds); relevance is the overlap of
 * the user's interests with the message's tags; source weighs how the message arrived (own post, mutual follow, one-way
 * followee, platform recommendation). The weights are our assumptions, in the order S3 describes.
 */
import type { MessageSource } from './types';

export interface MemoryParams {
  /** Pool size K. @default 5 */
  size: number;
  /** Forgetting strength S in rounds: a message's recency weight is exp(−age / S). @default 5 */
  strength: number;
  /** One weight per source. @default own 1, mutual 0.8, followee 0.6, recommended 0.4 */
  sourceWeight: Record<MessageSource, number>;
}

export const DEFAULT_MEMORY: MemoryParams = {
  size: 5,
  strength: 5,
  sourceWeight: { own: 1, mutual: 0.8, followee: 0.6, recommended: 0.4 },
};

export interface MemoryEntry {
  messageId: number;
  source: MessageSource;
  /** Round the message reached the user (or was written, for an own post). */
  round: number;
  /** In (0, 1]: see `relevance`. */
  relevance: number;
}

/** Ebbinghaus retention for a message `age` rounds old. */
export function forgetting(age: number, strength: number): number {
  return Math.exp(-Math.max(0, age) / strength);
}

/** (1 + shared tags) / (1 + message tags): 1 when the user's interests cover the message, never 0. */
export function relevance(interests: readonly string[], tags: readonly string[]): number {
  let shared = 0;
  for (const t of tags) if (interests.includes(t)) shared++;
  return (1 + shared) / (1 + tags.length);
}

export function influence(e: MemoryEntry, now: number, p: MemoryParams): number {
  return forgetting(now - e.round, p.strength) * e.relevance * p.sourceWeight[e.source];
}

/**
 * The pool after this round's messages: the union of the old pool and the arrivals (a message already held keeps its
 * first arrival), ranked by influence at round `now`, ties broken by the newer round then the lower message id; the top
 * `size` kept, most influential first.
 */
export function updateMemory(pool: readonly MemoryEntry[], arrivals: readonly MemoryEntry[], now: number, p: MemoryParams): MemoryEntry[] {
  const all = pool.slice();
  for (const a of arrivals) if (!all.some((e) => e.messageId === a.messageId)) all.push(a);
  const scored = all.map((e) => ({ e, s: influence(e, now, p) }));
  scored.sort((x, y) => y.s - x.s || y.e.round - x.e.round || x.e.messageId - y.e.messageId);
  return scored.slice(0, p.size).map((x) => x.e);
}
