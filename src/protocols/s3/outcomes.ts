/**
 * What an S3 round records and the population outcomes read from it (S3 §3.5): share aware (information), shares
 * calm / moderate / intense among the aware and the intensity index (emotion), share positive among the aware
 * (attitude), and the posts and reposts written. Per-user columns are kept as typed arrays so wide CSVs and the graph
 * view are views of the same record.
 */
import type { LlmTotals } from '../../engine/types';
import type { S3Message, S3Outcome } from './types';

/** Per-user action codes in `S3RoundRecord.action`. */
export const ACTION_CODE = { none: 0, post: 1, repost: 2 } as const;

export interface S3RoundRecord {
  condition: string;
  round: number;
  /** Users who decided this round (aware, not removed, with new messages), ascending. */
  active: Int32Array;
  /** Per user at the end of the round: −1 unaware, else 0 calm / 1 moderate / 2 intense. */
  emotion: Int8Array;
  /** Per user: −1 unaware, else 0 negative / 1 positive. */
  attitude: Int8Array;
  /** Per user: 0 nothing, 1 post, 2 repost (ACTION_CODE). */
  action: Uint8Array;
  /** Messages written this round (seed posts in round 0, the official correction when it is sent). */
  messages: S3Message[];
  /** Accounts removed at the start of this round (the remove-spreaders intervention). */
  removed: number[];
  /** Outcome of each active user's decision, aligned with `active`: lets a run resume or replay without calls. */
  decisions: S3Outcome[];
  invalidAgents: number[];
  llm: LlmTotals;
}

export const S3_OUTCOME_COLUMNS = ['aware', 'calm', 'moderate', 'intense', 'intensity', 'positive', 'posts', 'reposts'] as const;
export type S3OutcomeColumn = (typeof S3_OUTCOME_COLUMNS)[number];
export type S3OutcomeRow = { round: number } & Record<S3OutcomeColumn, number>;

/** Population outcomes of one round; shares among the aware are 0 while nobody is aware. */
export function s3Outcomes(rec: Pick<S3RoundRecord, 'round' | 'emotion' | 'attitude' | 'action'>): S3OutcomeRow {
  const n = rec.emotion.length;
  let aware = 0;
  const levels = [0, 0, 0];
  let positive = 0;
  let posts = 0;
  let reposts = 0;
  for (let a = 0; a < n; a++) {
    const e = rec.emotion[a];
    if (e >= 0) {
      aware++;
      levels[e]++;
      if (rec.attitude[a] === 1) positive++;
    }
    if (rec.action[a] === ACTION_CODE.post) posts++;
    else if (rec.action[a] === ACTION_CODE.repost) reposts++;
  }
  const among = (x: number) => (aware ? x / aware : 0);
  return {
    round: rec.round,
    aware: n ? aware / n : 0,
    calm: among(levels[0]),
    moderate: among(levels[1]),
    intense: among(levels[2]),
    intensity: aware ? (levels[1] + 2 * levels[2]) / aware / 2 : 0,
    positive: among(positive),
    posts,
    reposts,
  };
}
