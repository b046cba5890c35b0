/**
 * One S3 run's settings: the event, the seed users, the offline models and their parameters, the memory pool, the
 * platform's recommendations, and the conditions (a baseline and interventions). `validateS3Config` names the field
 * and the fix for anything impossible, before a round runs.
 */
import { configError } from '../../engine/errors';
import { DEFAULT_EMOTION_CHAIN, type EmotionChain } from './emotion';
import { EVENT_PRESETS, type S3Event, type SeedChoice } from './events';
import { DEFAULT_MEMORY, type MemoryParams } from './memory';
import { DEFAULT_ROLE_RULE, type RoleRule } from './users';

/** The offline agent's models, one per kind of propagation, each a classical model from the literature. */
export interface S3OfflineModels {
  /** Who passes the event on: independent cascade with chance p per new spreading followee, or linear threshold. @default ic, p 0.03 */
  spread: { kind: 'ic'; p: number } | { kind: 'lt' };
  /** How attitudes move: voter model or DeGroot averaging. @default voter */
  attitude: 'voter' | 'degroot';
  /** DeGroot's weight on one's own opinion. @default 0.6 */
  selfWeight: number;
  emotion: EmotionChain;
  /** Chance that a user who passes the event on writes a post rather than reposting. @default 0.3 */
  postShare: number;
}

/** An intervention applied from a round on. */
export interface S3Condition {
  name: string;
  /** An official account's message pushed to every aware user's feed at `round`. */
  correction?: { round: number; text: string; attitude: 0 | 1 };
  /** At `round`, the k most-followed accounts among those aware of the event are removed (they neither act nor are read). */
  removeSpreaders?: { round: number; k: number };
}

export interface S3Config {
  /** Rounds after the seed round 0. @default 30 */
  rounds: number;
  event: S3Event;
  /** @default the 5 most-followed accounts */
  seedUsers: SeedChoice;
  /** Chance per user and round of one platform-recommended message from the previous round. @default 0.01 */
  recommendation: number;
  /** Messages shown per feed (newest first, by source weight); the cascade models count every arrival. @default 5 */
  feedSize: number;
  offline: S3OfflineModels;
  memory: MemoryParams;
  roles: RoleRule;
  conditions: S3Condition[];
}

export const DEFAULT_CORRECTION_TEXT =
  'Official statement: the facts behind the circulating claims are being checked; please rely on verified information before sharing.';

export const DEFAULT_S3_CONFIG: S3Config = {
  rounds: 30,
  event: EVENT_PRESETS.controversy,
  seedUsers: { kind: 'influential', k: 5 },
  recommendation: 0.01,
  feedSize: 5,
  offline: { spread: { kind: 'ic', p: 0.03 }, attitude: 'voter', selfWeight: 0.6, emotion: { ...DEFAULT_EMOTION_CHAIN }, postShare: 0.3 },
  memory: DEFAULT_MEMORY,
  roles: DEFAULT_ROLE_RULE,
  conditions: [
    { name: 'baseline' },
    { name: 'correction', correction: { round: 3, text: DEFAULT_CORRECTION_TEXT, attitude: 0 } },
    { name: 'remove_spreaders', removeSpreaders: { round: 2, k: 10 } },
  ],
};

/** A copy of the defaults with some fields replaced. */
export function makeS3Config(over: Partial<S3Config> = {}): S3Config {
  return { ...structuredClone(DEFAULT_S3_CONFIG), ...structuredClone(over) };
}

function probability(field: string, v: number): void {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw configError(field, `is ${v}`, 'use a probability between 0 and 1');
}

function roundIn(field: string, v: number, rounds: number): void {
  if (!Number.isInteger(v) || v < 1 || v > rounds) throw configError(field, `is ${v}`, `use a whole round between 1 and ${rounds}`);
}

/** Throws a ConfigError naming the first impossible field and the fix. */
export function validateS3Config(c: S3Config): void {
  if (!Number.isInteger(c.rounds) || c.rounds < 1 || c.rounds > 1000) throw configError('rounds', `is ${c.rounds}`, 'use a whole number of rounds between 1 and 1000');
  if (!c.event || typeof c.event.text !== 'string' || c.event.text.trim() === '') throw configError('event.text', 'is empty', 'describe the event in a sentence or two');
  for (const k of ['liberal', 'moderate', 'conservative'] as const) probability(`event.priorPositive.${k}`, c.event.priorPositive?.[k]);
  if (c.seedUsers.kind !== 'influential' && c.seedUsers.kind !== 'random') throw configError('seedUsers.kind', `is '${(c.seedUsers as { kind: string }).kind}'`, "use 'influential' or 'random'");
  if (!Number.isInteger(c.seedUsers.k) || c.seedUsers.k < 1) throw configError('seedUsers.k', `is ${c.seedUsers.k}`, 'use a whole number of seed users ≥ 1');
  probability('recommendation', c.recommendation);
  if (!Number.isInteger(c.feedSize) || c.feedSize < 1 || c.feedSize > 50) throw configError('feedSize', `is ${c.feedSize}`, 'use a whole number of messages between 1 and 50');
  const o = c.offline;
  if (o.spread.kind === 'ic') probability('offline.spread.p', o.spread.p);
  else if (o.spread.kind !== 'lt') throw configError('offline.spread.kind', `is '${(o.spread as { kind: string }).kind}'`, "use 'ic' (independent cascade) or 'lt' (linear threshold)");
  if (o.attitude !== 'voter' && o.attitude !== 'degroot') throw configError('offline.attitude', `is '${o.attitude}'`, "use 'voter' or 'degroot'");
  probability('offline.selfWeight', o.selfWeight);
  probability('offline.emotion.arousal', o.emotion.arousal);
  probability('offline.emotion.decay', o.emotion.decay);
  probability('offline.postShare', o.postShare);
  if (!Number.isInteger(c.memory.size) || c.memory.size < 1 || c.memory.size > 50) throw configError('memory.size', `is ${c.memory.size}`, 'use a pool of 1 to 50 messages');
  if (!(c.memory.strength > 0)) throw configError('memory.strength', `is ${c.memory.strength}`, 'use a forgetting strength > 0 rounds');
  for (const [k, w] of Object.entries(c.memory.sourceWeight)) if (!(w > 0)) throw configError(`memory.sourceWeight.${k}`, `is ${w}`, 'use a weight > 0');
  if (!Array.isArray(c.conditions) || c.conditions.length === 0) throw configError('conditions', 'is empty', 'run at least one condition (e.g. baseline)');
  const names = new Set<string>();
  c.conditions.forEach((cond, i) => {
    const f = `conditions[${i}]`;
    if (!/^[a-z0-9_-]{1,40}$/i.test(cond.name ?? '')) throw configError(`${f}.name`, `is '${cond.name}'`, 'use 1–40 letters, digits, _ or -');
    if (names.has(cond.name)) throw configError(`${f}.name`, `repeats '${cond.name}'`, 'give each condition its own name');
    names.add(cond.name);
    if (cond.correction) {
      roundIn(`${f}.correction.round`, cond.correction.round, c.rounds);
      if (typeof cond.correction.text !== 'string' || cond.correction.text.trim() === '') throw configError(`${f}.correction.text`, 'is empty', 'write the official message');
      if (cond.correction.attitude !== 0 && cond.correction.attitude !== 1) throw configError(`${f}.correction.attitude`, `is ${cond.correction.attitude}`, 'use 0 (negative) or 1 (positive)');
    }
    if (cond.removeSpreaders) {
      roundIn(`${f}.removeSpreaders.round`, cond.removeSpreaders.round, c.rounds);
      if (!Number.isInteger(cond.removeSpreaders.k) || cond.removeSpreaders.k < 1) throw configError(`${f}.removeSpreaders.k`, `is ${cond.removeSpreaders.k}`, 'remove a whole number ≥ 1 of accounts');
    }
  });
}
