/**
 * The event an S3 run follows and the accounts that break it. Two presets in our own words, one per S3 data set's
 * kind (a contested social controversy, like S3's "gender discrimination"; a contested energy-policy decision, like
 * its "nuclear energy"), each with the prior chance of a positive attitude by the persona's ideology — our
 * assumption for "attitude initialised from the profile". Seeds are the top influential accounts or k random ones.
 */
import { configError } from '../../engine/errors';
import type { FollowNetwork } from '../../engine/network';
import type { Rng } from '../../engine/rng';
import type { Ideology } from '../../population/types';

export interface S3Event {
  id: string;
  title: string;
  /** The seed users' post at round 0. */
  text: string;
  /** Census topic keys the event touches: a user's interest in them makes its messages more relevant. */
  tags: string[];
  /** What a positive attitude means here, and a negative one (shown to LLM agents). */
  positiveMeans: string;
  negativeMeans: string;
  /** Chance that a newly aware user's attitude is positive, by ideology. */
  priorPositive: Record<Ideology, number>;
}

export const EVENT_PRESETS: Record<string, S3Event> = {
  controversy: {
    id: 'controversy',
    title: 'A contested social controversy',
    text: 'A well-known company is accused of paying women less than men for the same work; screenshots of pay slips are circulating and the company has not answered yet.',
    tags: ['jobs', 'criminal_justice', 'education'],
    positiveMeans: 'you side with the people raising the accusation and want the company held to account',
    negativeMeans: 'you think the accusation is unfair, exaggerated or not proven',
    priorPositive: { liberal: 0.75, moderate: 0.55, conservative: 0.35 },
  },
  energy: {
    id: 'energy',
    title: 'A contested energy-policy decision',
    text: 'The government has approved building two new nuclear power plants near populated areas, citing lower emissions and energy security.',
    tags: ['climate', 'economy', 'technology'],
    positiveMeans: 'you support the decision to build the plants',
    negativeMeans: 'you oppose the decision to build the plants',
    priorPositive: { liberal: 0.4, moderate: 0.5, conservative: 0.65 },
  },
};

export type SeedChoice = { kind: 'influential'; k: number } | { kind: 'random'; k: number };

/**
 * Seed users, ascending: the k accounts with the most followers (ties: lower id) or k drawn uniformly without
 * replacement from `rng`.
 */
export function chooseSeeds(net: FollowNetwork, choice: SeedChoice, rng: Rng): number[] {
  if (!Number.isInteger(choice.k) || choice.k < 1 || choice.k > net.n) {
    throw configError('seedUsers.k', `is ${choice.k}`, `choose a whole number of seed users between 1 and ${net.n}`);
  }
  if (choice.kind === 'random') {
    const ids = Array.from({ length: net.n }, (_, i) => i);
    return rng.sample(ids, choice.k).sort((a, b) => a - b);
  }
  const ids = Array.from({ length: net.n }, (_, i) => i);
  const f = (a: number) => net.inOffsets[a + 1] - net.inOffsets[a];
  ids.sort((a, b) => f(b) - f(a) || a - b);
  return ids.slice(0, choice.k).sort((a, b) => a - b);
}
