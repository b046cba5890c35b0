/**
 * S3 agents fitted from a run: the offline agent's classical models (independent cascade, emotion chain with decay,
 * voter model) with parameters estimated from a run's decisions instead of set by hand, plus the two the hand-set
 * agent lacks — a consulting chance for the voter step (a lazy voter) and the initial attitude per ideology. Draws come
 * from the same hashed streams as the offline agent, so a seed gives the same records on every machine.
 */
import { dataError } from '../../../engine/errors';
import { hashHead, hashTail } from '../../../engine/rng';
import type { Ideology } from '../../../population/types';
import { icActivates } from '../cascade';
import { arousalChance, emotionStep } from '../emotion';
import { offlineHeads, offlinePostText } from '../offline';
import { voterStep } from '../opinion';
import type { AttitudeValue, S3Batch, S3Decision, S3Outcome, S3Port, S3Request } from '../types';
import type { Estimate } from './estimate';

export const S3_FITTED_FORMAT = 'spillover-s3-fitted-agents';

/** The numbers a fitted S3 agent decides with (each the estimate of the fitted file). */
export interface S3FittedParams {
  /** Independent cascade: chance per arriving message that a user who has not yet spread passes the event on. */
  p: number;
  /** Chance that a user who passes the event on writes a post rather than reposting. */
  postShare: number;
  /** Emotion chain: upward chance when every message heard is intense, and the decay toward calm. */
  arousal: number;
  decay: number;
  /** Lazy voter: chance per round of adopting the attitude of one message heard (1 = the voter model). */
  consult: number;
  /** Chance that a user's attitude is positive when it becomes aware, by ideology. */
  initialPositive: Record<Ideology, number>;
}

/** A fitted-agents file: the parameters with their uncertainty, where they came from, and how well they fit. */
export interface S3FittedAgents {
  format: typeof S3_FITTED_FORMAT;
  version: 1;
  protocol: 's3';
  source: { label: string; seeds: number[]; conditions: string[]; users: number; rounds: number; decisions: number };
  params: S3FittedParams;
  /** Standard errors and counts per parameter, and the fit details (see estimate.ts). */
  uncertainty: Record<string, Estimate>;
  details: Record<string, unknown>;
  /** The fitted agents' simulated curves against the source run's (S3's MSED and Pearson), when computed. */
  goodness: unknown;
}

const IDEOLOGIES: readonly Ideology[] = ['liberal', 'moderate', 'conservative'];

/** Validate a parsed fitted-agents file; throws a DataError naming the field and the fix. */
export function checkS3Fitted(raw: unknown, source: string): S3FittedAgents {
  const fix = 'pass a file written by `npm run fit -- --preset s3 --from RUN --out FILE`';
  const f = raw as Partial<S3FittedAgents> | null;
  if (!f || typeof f !== 'object' || f.format !== S3_FITTED_FORMAT) {
    const other = f && typeof f === 'object' && 'nextLikelihood' in f ? ' (it looks like fitted SocioPol agents)' : '';
    throw dataError(source, 'the file', `is not an S3 fitted-agents file${other}`, fix);
  }
  const p = f.params as Partial<S3FittedParams> | undefined;
  if (!p || typeof p !== 'object') throw dataError(source, 'params', 'is missing', fix);
  for (const k of ['p', 'postShare', 'arousal', 'decay', 'consult'] as const) {
    const v = p[k];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw dataError(source, `params.${k}`, `is ${JSON.stringify(v)}`, `use a probability between 0 and 1, or ${fix}`);
  }
  for (const k of IDEOLOGIES) {
    const v = p.initialPositive?.[k];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw dataError(source, `params.initialPositive.${k}`, `is ${JSON.stringify(v)}`, `use a probability between 0 and 1, or ${fix}`);
  }
  return f as S3FittedAgents;
}

const U32 = 4294967296;

/** One fitted decision; `ideology` is the user's (its initial attitude is drawn from the fitted share). */
export function decideFitted(req: S3Request, f: S3FittedParams, ideology: Ideology, heads: ReturnType<typeof fittedHeads>): S3Decision {
  const a = req.agentId;
  const r = req.round;
  const feed = req.messages;
  const emotion = emotionStep(req.emotion, arousalChance({ arousal: f.arousal, decay: f.decay }, feed.map((m) => m.emotion)), f.decay, hashTail(heads.emotion, a, r) / U32);
  let attitude: AttitudeValue = req.attitude;
  if (req.newlyAware) attitude = hashTail(heads.prior, a, 0) / U32 < f.initialPositive[ideology] ? 1 : 0;
  else if (feed.length > 0) {
    const u = hashTail(heads.voter, a, r) / U32;
    if (u < f.consult) attitude = voterStep(req.attitude, feed.map((m) => m.attitude), u / f.consult);
  }
  const base = { emotion, attitude, opinion: attitude };
  const on = !req.spread && feed.length > 0 && icActivates(req.arrivals, f.p, hashTail(heads.ic, a, r) / U32);
  if (!on) return { ...base, action: 'none', repostId: null, postText: null };
  if (hashTail(heads.post, a, r) / U32 < f.postShare) return { ...base, action: 'post', repostId: null, postText: offlinePostText(attitude, emotion) };
  return { ...base, action: 'repost', repostId: feed[0].id, postText: null };
}

/** The offline agent's streams plus one for the fitted initial attitude. */
export function fittedHeads(seed: number) {
  return { ...offlineHeads(seed), prior: hashHead(seed, 's3-fitted-prior') };
}

/** The fitted agent behind the S3 port; `ideologies[a]` is user a's ideology. */
export function createS3FittedPort(fitted: S3FittedAgents, seed: number, ideologies: readonly Ideology[]): S3Port {
  const heads = fittedHeads(seed);
  return {
    kind: 'fitted',
    decideRound(batch: S3Batch): S3Outcome[] {
      return batch.requests.map((req) => ({ ok: true, decision: decideFitted(req, fitted.params, ideologies[req.agentId], heads) }));
    },
  };
}
