/**
 * The S3 offline agent: the classical models S3 compared itself with, behind the same port as the LLM agent. Spread
 * by independent cascade or linear threshold (cascade.ts), attitude by the voter model or DeGroot (opinion.ts), emotion
 * by the three-state chain with decay (emotion.ts). Every draw comes from a stream hashed from (seed, label, user,
 * round), so a user's draws are the same in every condition (common random numbers) and on every machine.
 */
import { hashHead, hashTail } from '../../engine/rng';
import { icActivates, ltActivates, ltThreshold } from './cascade';
import type { S3Config } from './config';
import { arousalChance, emotionStep } from './emotion';
import { attitudeOf, deGrootStep, voterStep } from './opinion';
import type { AttitudeValue, EmotionLevel, S3Batch, S3Decision, S3Outcome, S3Port, S3Request } from './types';

/** Offline post texts by attitude (rows) and emotion (columns): short, in our words, so feeds and exports read well. */
const POST_TEXTS: readonly (readonly string[])[] = [
  ['I am not convinced by what is being said about this.', 'This story does not hold up, and I am tired of seeing it everywhere.', 'This is outrageous and wrong. Stop spreading it!'],
  ['I think this deserves attention.', 'This matters and people should talk about it.', 'This is huge. Everyone needs to hear about it now!'],
];

export function offlinePostText(attitude: AttitudeValue, emotion: EmotionLevel): string {
  return POST_TEXTS[attitude][emotion];
}

const U32 = 4294967296;

/** Decide one request with the configured classical models; `seed` is the run's seed. */
export function decideOffline(req: S3Request, config: S3Config, seed: number, heads = offlineHeads(seed)): S3Decision {
  const o = config.offline;
  const a = req.agentId;
  const r = req.round;
  const feed = req.messages;
  // Emotion: one chain step, aroused by the mean intensity of the new messages.
  const emoHeard = feed.map((m) => m.emotion);
  const emotion = emotionStep(req.emotion, arousalChance(o.emotion, emoHeard), o.emotion.decay, hashTail(heads.emotion, a, r) / U32);
  // Attitude: just initialised from the profile in the round of awareness; afterwards the chosen model.
  let attitude = req.attitude;
  let opinion = req.opinion;
  if (!req.newlyAware && feed.length > 0) {
    if (o.attitude === 'voter') {
      attitude = voterStep(req.attitude, feed.map((m) => m.attitude), hashTail(heads.voter, a, r) / U32);
      opinion = attitude;
    } else {
      opinion = deGrootStep(req.opinion, feed.map((m) => m.opinion), o.selfWeight);
      attitude = attitudeOf(opinion);
    }
  }
  // Spread: each user passes the event on at most once (IC's single chance; LT's absorbing activation).
  let on = false;
  if (!req.spread && feed.length > 0) {
    on = o.spread.kind === 'ic'
      ? icActivates(req.arrivals, o.spread.p, hashTail(heads.ic, a, r) / U32)
      : ltActivates(req.spreadFolloweeShare, ltThreshold(seed, a));
  }
  if (!on) return { emotion, attitude, opinion, action: 'none', repostId: null, postText: null };
  if (hashTail(heads.post, a, r) / U32 < o.postShare) {
    return { emotion, attitude, opinion, action: 'post', repostId: null, postText: offlinePostText(attitude, emotion) };
  }
  return { emotion, attitude, opinion, action: 'repost', repostId: feed[0].id, postText: null };
}

export interface OfflineHeads {
  emotion: number;
  voter: number;
  ic: number;
  post: number;
}

/** The hashed stream labels, once per run (the IC label is the one runCascade uses, so both draw alike). */
export function offlineHeads(seed: number): OfflineHeads {
  return { emotion: hashHead(seed, 's3-emotion'), voter: hashHead(seed, 's3-voter'), ic: hashHead(seed, 's3-ic'), post: hashHead(seed, 's3-post') };
}

export function createS3OfflinePort(config: S3Config, seed: number): S3Port {
  const heads = offlineHeads(seed);
  return {
    kind: 'offline',
    decideRound(batch: S3Batch): S3Outcome[] {
      return batch.requests.map((req) => ({ ok: true, decision: decideOffline(req, config, seed, heads) }));
    },
  };
}
