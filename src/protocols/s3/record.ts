/**
 * One S3 run as columnar tables per condition: users × rounds matrices of awareness, emotion, attitude and action,
 * the messages (with their repost chains) and the outcome rows. Built from the round records as they arrive; exports,
 * curves, the comparison measures and the graph are all views of it.
 */
import type { ConditionView } from '../../engine/protocol';
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

/** S3's part of a round record (`RoundRecord.extra`): the messages written and the accounts removed. */
export interface S3RoundExtra {
  messages: S3Message[];
  removed: number[];
}

/**
 * One condition as an S3 table, from the engine's view of the run record (CLI and app alike): the columns as they are,
 * the messages and removals from the rounds' extras, the outcome rows of the rounds recorded so far. `totals` adds
 * the condition's invalid answers and LLM accounting when the caller has them.
 */
export function s3Table(view: ConditionView, totals?: { invalid: number; llm: LlmTotals }): S3ConditionTable {
  const n = view.agents.length;
  const R = view.rounds.length;
  const last = view.lastRound ?? view.rounds[R - 1];
  const rounds = view.rounds.filter((r) => r <= last);
  const emotion = view.column('emotion') as Int8Array;
  const attitude = view.column('attitude') as Int8Array;
  const action = Uint8Array.from(view.column('action'));
  const messages: S3Message[] = [];
  const removed: number[] = [];
  for (const { round, extra } of view.extras ?? []) {
    if (round > last) continue;
    const x = extra as S3RoundExtra;
    for (const m of x.messages) messages.push({ ...m });
    removed.push(...x.removed);
  }
  const at = (m: ArrayLike<number>, c: number) => {
    const out = new Uint8Array(n);
    for (let a = 0; a < n; a++) out[a] = m[a * R + c];
    return out;
  };
  const signed = (m: Int8Array, c: number) => new Int8Array(at(m, c).buffer);
  const outcomes = rounds.map((r, c) => s3Outcomes({ round: r, emotion: signed(emotion, c), attitude: signed(attitude, c), action: at(action, c) }));
  return { name: view.name, rounds, n, emotion, attitude, action, messages, removed, outcomes, invalid: totals?.invalid ?? 0, llm: totals?.llm ?? emptyLlmTotals() };
}

/** The tables of one seed's conditions, by name. */
export function s3Tables(views: readonly ConditionView[], totals?: (condition: string) => { invalid: number; llm: LlmTotals } | undefined): Map<string, S3ConditionTable> {
  return new Map(views.map((v) => [v.name, s3Table(v, totals?.(v.name))]));
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
