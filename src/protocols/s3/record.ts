/**
 * One S3 run as columnar tables per condition: users × rounds matrices of awareness, emotion, attitude and action,
 * the messages (with their repost chains) and the outcome rows. Built from the round records as they arrive; exports,
 * curves, the comparison measures and the graph are all views of it.
 */
import { addTotals, emptyLlmTotals, type LlmTotals } from '../../engine/types';
import { s3Outcomes, type S3OutcomeRow, type S3RoundRecord } from './outcomes';
import type { S3Message } from './types';

export interface S3ConditionTable {
  name: string;
  /** Rounds 0…R recorded so far. */
  rounds: number[];
  n: number;
  /** n × rounds (user-major): −1 unaware, else 0 calm / 1 moderate / 2 intense. */
  emotion: Int8Array;
  /** n × rounds: −1 unaware, 0 negative, 1 positive. */
  attitude: Int8Array;
  /** n × rounds: 0 nothing, 1 post, 2 repost. */
  action: Uint8Array;
  messages: S3Message[];
  removed: number[];
  outcomes: S3OutcomeRow[];
  invalid: number;
  llm: LlmTotals;
}

/** Collects round records of one seed into per-condition tables (rounds must arrive in order, from round 0). */
export class S3RunRecord {
  readonly conditions = new Map<string, S3ConditionTable>();

  constructor(
    readonly seed: number,
    readonly n: number,
    private readonly totalRounds: number,
  ) {}

  add(rec: S3RoundRecord): void {
    let t = this.conditions.get(rec.condition);
    if (!t) {
      const R = this.totalRounds + 1;
      t = {
        name: rec.condition, rounds: [], n: this.n,
        emotion: new Int8Array(this.n * R).fill(-1), attitude: new Int8Array(this.n * R).fill(-1), action: new Uint8Array(this.n * R),
        messages: [], removed: [], outcomes: [], invalid: 0, llm: emptyLlmTotals(),
      };
      this.conditions.set(rec.condition, t);
    }
    const R = this.totalRounds + 1;
    const c = rec.round;
    if (c !== t.rounds.length) throw new Error(`S3 record: round ${c} of '${rec.condition}' arrived after round ${t.rounds.length - 1}; rounds must be added in order`);
    for (let a = 0; a < this.n; a++) {
      t.emotion[a * R + c] = rec.emotion[a];
      t.attitude[a * R + c] = rec.attitude[a];
      t.action[a * R + c] = rec.action[a];
    }
    t.rounds.push(c);
    for (const m of rec.messages) t.messages.push({ ...m });
    t.removed.push(...rec.removed);
    t.outcomes.push(s3Outcomes(rec));
    t.invalid += rec.invalidAgents.length;
    addTotals(t.llm, rec.llm);
  }

  /** All conditions' LLM totals together. */
  llm(): LlmTotals {
    const out = emptyLlmTotals();
    for (const t of this.conditions.values()) addTotals(out, t.llm);
    return out;
  }
}

/** Repost edges (who passed on whose message, in which round): the cascades the graph view draws. */
export function repostEdges(t: Pick<S3ConditionTable, 'messages'>): Array<{ round: number; from: number; to: number; origin: number }> {
  const byId = new Map(t.messages.map((m) => [m.id, m]));
  const out: Array<{ round: number; from: number; to: number; origin: number }> = [];
  for (const m of t.messages) {
    if (m.kind !== 'repost') continue;
    const parent = byId.get(m.parent);
    if (parent) out.push({ round: m.round, from: parent.author, to: m.author, origin: m.origin });
  }
  return out;
}
