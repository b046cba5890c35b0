/**
 * The record of one seed of a run, columnar: per condition, agents × rounds matrices of the protocol's declared columns,
 * of treatment and of activity, the end-of-run answers, and the events and posts in round order. It is filled from
 * round records as they happen (the CLI) or as they were stored (the app), and the CSV exports and the analysis read
 * views of it, so one round has one shape however it is used. Warm-up rounds belong to every condition.
 */
import { armsOf, assignmentUniforms } from './assignment';
import type { SimConfig } from './config';
import type { AgentProfile, ColumnDecl, ConditionView } from './protocol';
import type { EngagementEvent, Post } from './types';

/** What the record takes of a round: a live RoundRecord or a stored row both fit. */
export interface RoundColumns {
  condition: string;
  round: number;
  active: Int32Array;
  treated: Uint8Array;
  columns: Record<string, Int8Array | Float32Array>;
  engagements?: readonly EngagementEvent[];
  posts?: readonly Post[];
  /** The protocol's own record of the round (`RoundRecord.extra`), when it keeps one. */
  extra?: unknown;
}

interface ConditionStore {
  columns: Map<string, Int8Array | Float32Array>;
  treated: Uint8Array;
  active: Uint8Array;
  final: Int8Array | null;
  events: EngagementEvent[];
  posts: Post[];
  extras: Array<{ round: number; extra: unknown }>;
  /** Highest main round recorded (0 before any). */
  lastRound: number;
}

export class RunRecord {
  readonly rounds: number[];
  private readonly R: number;
  private readonly stores = new Map<string, ConditionStore>();
  private readonly warmEvents: EngagementEvent[] = [];
  private readonly warmPosts: Post[] = [];
  private readonly warmExtras: Array<{ round: number; extra: unknown }> = [];

  constructor(
    readonly n: number,
    private readonly firstRound: number,
    lastRound: number,
    readonly conditions: readonly string[],
    private readonly columns: readonly ColumnDecl[],
    /** The condition name the warm-up rounds carry. */
    private readonly warmup = 'warmup',
  ) {
    this.rounds = [];
    for (let r = firstRound; r <= lastRound; r++) this.rounds.push(r);
    this.R = this.rounds.length;
    for (const name of conditions) {
      const cols = new Map<string, Int8Array | Float32Array>();
      for (const c of columns) {
        const m = c.type === 'int8' ? new Int8Array(n * this.R) : new Float32Array(n * this.R);
        cols.set(c.name, m.fill(c.missing));
      }
      this.stores.set(name, { columns: cols, treated: new Uint8Array(n * this.R), active: new Uint8Array(n * this.R), final: null, events: [], posts: [], extras: [], lastRound: 0 });
    }
  }

  /** Add one round; a warm-up round is written into every condition. Rounds of unknown conditions are ignored. */
  addRound(row: RoundColumns): void {
    const c = row.round - this.firstRound;
    if (c < 0 || c >= this.R) return;
    const targets = row.condition === this.warmup ? [...this.stores.values()] : [this.stores.get(row.condition)].filter((s): s is ConditionStore => !!s);
    if (targets.length === 0) return;
    if (row.condition === this.warmup) {
      if (row.engagements) this.warmEvents.push(...row.engagements);
      if (row.posts) this.warmPosts.push(...row.posts);
      if (row.extra !== undefined) this.warmExtras.push({ round: row.round, extra: row.extra });
    } else {
      const s = targets[0];
      if (row.engagements) s.events.push(...row.engagements);
      if (row.posts) s.posts.push(...row.posts);
      if (row.extra !== undefined) s.extras.push({ round: row.round, extra: row.extra });
      s.lastRound = Math.max(s.lastRound, row.round);
    }
    const { n, R } = this;
    for (const s of targets) {
      for (const decl of this.columns) {
        const src = row.columns[decl.name];
        const dst = s.columns.get(decl.name);
        if (!src || !dst) continue;
        for (let a = 0; a < n; a++) dst[a * R + c] = src[a];
      }
      for (let a = 0; a < n; a++) s.treated[a * R + c] = row.treated[a];
      for (let i = 0; i < row.active.length; i++) s.active[row.active[i] * R + c] = 1;
    }
  }

  /** The end-of-run answers of one condition (−1 not asked or invalid). */
  addFinal(condition: string, values: Int8Array): void {
    const s = this.stores.get(condition);
    if (s) s.final = values;
  }

  /** Highest main round recorded for a condition (0 when only the warm-up is there). */
  lastRoundOf(condition: string): number {
    return this.stores.get(condition)?.lastRound ?? 0;
  }

  /**
   * The last round every condition with main rounds has reached (rounds are played condition after condition within
   * a round, so a stopped run can hold round r for some conditions and r − 1 for others); conditions with no main
   * round yet do not hold it back; 0 (the warm-up) when none has one.
   */
  storedThrough(): number {
    let through = Infinity;
    for (const s of this.stores.values()) if (s.lastRound > 0) through = Math.min(through, s.lastRound);
    return Number.isFinite(through) ? through : 0;
  }

  /** The columnar view of one condition that exports and the analysis read; `arms` per agent for arm designs. */
  view<A extends AgentProfile>(condition: string, agents: readonly A[], arms: Int8Array | null = null): ConditionView<A> {
    const s = this.stores.get(condition);
    if (!s) throw new Error(`run record: no condition '${condition}' (known: ${this.conditions.join(', ')})`);
    return {
      name: condition,
      rounds: this.rounds,
      agents,
      column: (name: string) => {
        const m = s.columns.get(name);
        if (!m) throw new Error(`run record: no column '${name}' (declared: ${this.columns.map((c) => c.name).join(', ')})`);
        return m;
      },
      treated: s.treated,
      active: s.active,
      final: s.final,
      arms,
      events: [...this.warmEvents, ...s.events],
      posts: [...this.warmPosts, ...s.posts],
      extras: [...this.warmExtras, ...s.extras],
      lastRound: s.lastRound,
    };
  }
}

/** The views of every condition of one seed, with each agent's arm for conditions with arms. */
export function conditionViews<A extends AgentProfile>(record: RunRecord, config: SimConfig, agents: readonly A[], seed: number): ConditionView<A>[] {
  const uniforms = assignmentUniforms(seed, agents);
  return config.conditions.map((spec) => record.view(spec.name, agents, spec.arms ? armsOf(spec, uniforms, agents) : null));
}

/**
 * A condition's view as of round `through` (a partial run's results): columns up to that round only, so nothing is
 * carried past it and each agent's treatment is as of that round; events and posts up to it; the end-of-run answers
 * only when `through` is the run's last round.
 */
export function viewThrough<A extends AgentProfile>(view: ConditionView<A>, through: number, lastRound: number): ConditionView<A> {
  const R = view.rounds.length;
  const keep = view.rounds.filter((r) => r <= through).length;
  if (keep === R) return view;
  const n = view.agents.length;
  const cut = <T extends Int8Array | Uint8Array | Float32Array>(m: T): T => {
    const out = new (m.constructor as new (len: number) => T)(n * keep);
    for (let a = 0; a < n; a++) out.set(m.subarray(a * R, a * R + keep), a * keep);
    return out;
  };
  const columns = new Map<string, Int8Array | Float32Array>();
  return {
    ...view,
    rounds: view.rounds.slice(0, keep),
    column: (name) => {
      let m = columns.get(name);
      if (!m) columns.set(name, (m = cut(view.column(name))));
      return m;
    },
    treated: cut(view.treated),
    active: cut(view.active),
    final: through >= lastRound ? view.final : null,
    events: view.events.filter((e) => e.round <= through),
    posts: view.posts.filter((p) => p.round <= through),
  };
}
