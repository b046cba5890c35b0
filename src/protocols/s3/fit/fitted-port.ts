/**
 * S3 agents fitted from a run: the offline agent's classical models with parameters estimated from a run's decisions
 * instead of set by hand — independent cascade (plus a chance of passing the event on again, which LLM users do), the
 * emotion chain as transition matrices by the intensity heard (the birth–death chain with decay is their special case),
 * the voter model with a consulting chance and noise (the noisy voter model), and the initial attitude per ideology.
 * Draws come from the same hashed streams as the offline agent, so a seed gives the same records on every machine.
 */
import { dataError } from '../../../engine/errors';
import { hashHead, hashTail } from '../../../engine/rng';
import type { Ideology } from '../../../population/types';
import { icActivates } from '../cascade';
import { offlineHeads, offlinePostText } from '../offline';
import { voterStep } from '../opinion';
import type { AttitudeValue, EmotionLevel, S3Batch, S3Decision, S3Outcome, S3Port, S3Request } from '../types';
import { intensityBin, type Estimate } from './estimate';

export const S3_FITTED_FORMAT = 'spillover-s3-fitted-agents';

/** The numbers a fitted S3 agent decides with (each the estimate of the fitted file). */
export interface S3FittedParams {
  /** Independent cascade: chance per arriving message that a user who has not yet spread passes the event on. */
  p: number;
  /** Chance that a user who passes the event on writes a post rather than reposting. */
  postShare: number;
  /** Chance per round with new messages that a user who has already passed the event on does so again (0 in IC). */
  again: number;
  /** Emotion: P(to | from) per bin of the mean intensity heard (`intensityBin`): [bin][from][to], rows summing to 1. */
  emotion: number[][][];
  /** Noisy lazy voter: chance of switching whatever was heard, and of adopting one heard message's attitude. */
  flip: number;
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
    const other = f && typeof f === 'object' && 'transition' in f ? ' (it looks like fitted SocioPol agents)' : '';
    throw dataError(source, 'the file', `is not an S3 fitted-agents file${other}`, fix);
  }
  const p = f.params as Partial<S3FittedParams> | undefined;
  if (!p || typeof p !== 'object') throw dataError(source, 'params', 'is missing', fix);
  for (const k of ['p', 'postShare', 'again', 'flip', 'consult'] as const) {
    const v = p[k];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw dataError(source, `params.${k}`, `is ${JSON.stringify(v)}`, `use a probability between 0 and 1, or ${fix}`);
  }
  if (p.flip! + p.consult! > 1 + 1e-9) throw dataError(source, 'params.flip + params.consult', `is ${p.flip! + p.consult!}`, `keep their sum at most 1, or ${fix}`);
  for (let b = 0; b < 3; b++) {
    for (let from = 0; from < 3; from++) {
      const row = p.emotion?.[b]?.[from];
      const ok = Array.isArray(row) && row.length === 3 && row.every((x) => typeof x === 'number' && x >= 0) && Math.abs(row[0] + row[1] + row[2] - 1) < 1e-6;
      if (!ok) throw dataError(source, `params.emotion[${b}][${from}]`, `is ${JSON.stringify(row)}`, `give three shares summing to 1, or ${fix}`);
    }
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
  let heard = 0;
  for (const m of feed) heard += m.emotion;
  const row = f.emotion[intensityBin(feed.length ? heard / feed.length / 2 : 0)][req.emotion];
  const ue = hashTail(heads.emotion, a, r) / U32;
  const emotion: EmotionLevel = ue < row[0] ? 0 : ue < row[0] + row[1] ? 1 : 2;
  let attitude: AttitudeValue = req.attitude;
  if (req.newlyAware) attitude = hashTail(heads.prior, a, 0) / U32 < f.initialPositive[ideology] ? 1 : 0;
  else if (feed.length > 0) {
    const u = hashTail(heads.voter, a, r) / U32;
    if (u < f.flip) attitude = (1 - req.attitude) as AttitudeValue;
    else if (u < f.flip + f.consult) attitude = voterStep(req.attitude, feed.map((m) => m.attitude), (u - f.flip) / f.consult);
  }
  const base = { emotion, attitude, opinion: attitude };
  const ui = hashTail(heads.ic, a, r) / U32;
  const on = feed.length > 0 && (req.spread ? ui < f.again : icActivates(req.arrivals, f.p, ui));
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
