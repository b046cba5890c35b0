/**
 * What `replicate` keeps when a run stops before its last round: the tables of every complete round, rebuilt from the
 * round records as they arrive (the engine returns its tables only at the end), and where the run stopped. With them
 * the CLI can write the CSV rows so far and a summary marked partial, and say exactly how to resume, instead of ending
 * with nothing.
 */
import type { SeedData } from '../analysis/types';
import type { SimConfig } from '../engine/config';
import type { FollowNetwork } from '../engine/network';
import type { DecisionPort } from '../engine/ports';
import { WARMUP, type ConditionTables } from '../engine/simulation';
import { addTotals, emptyLlmTotals, type ElectionRecord, type EngagementEvent, type LlmTotals, type Persona, type Post, type RoundRecord } from '../engine/types';
import type { SeedOutput } from './replicate';

/** One seed's records so far, in the shape the CSV writers take. */
export interface SeedProgress {
  label: string;
  seed: number;
  /** Conditions that have played at least one main round (warm-up columns copied in), in config order. */
  tables: ConditionTables[];
  events: Map<string, EngagementEvent[]>;
  posts: Map<string, Post[]>;
  /** Last complete round per condition ('warmup' included; election day counts as lastRound + 1). */
  lastComplete: Record<string, number>;
  roundsDone: number;
  roundsTotal: number;
  llm: LlmTotals;
}

/** The record `index` (0-based) of a seed's run is: warm-up rounds, then rounds × conditions, then one election each. */
export function recordAt(config: SimConfig, index: number): { condition: string; round: number; election: boolean } {
  const warm = 1 - config.firstRound;
  if (index < warm) return { condition: WARMUP, round: config.firstRound + index, election: false };
  const c = config.conditions.length;
  const main = index - warm;
  if (main < config.lastRound * c) return { condition: config.conditions[main % c].name, round: 1 + Math.floor(main / c), election: false };
  const e = Math.min(c - 1, main - config.lastRound * c);
  return { condition: config.conditions[e].name, round: config.lastRound, election: true };
}

export class RunTracker {
  current: SeedProgress | null = null;
  /** Seeds run to the end, with their analysis input. */
  readonly completed: Array<{ output: SeedOutput; data: SeedData }> = [];
  /** Set once the population exists: what a partial write needs besides the tables. */
  world: { personas: Persona[]; network: FollowNetwork; port: DecisionPort } | null = null;
  private warm: ConditionTables | null = null;

  constructor(private readonly config: SimConfig) {}

  startSeed(label: string, seed: number, events: Map<string, EngagementEvent[]>, posts: Map<string, Post[]>, roundsTotal: number): void {
    this.warm = this.newTables(WARMUP);
    this.current = { label, seed, tables: [], events, posts, lastComplete: {}, roundsDone: 0, roundsTotal, llm: emptyLlmTotals() };
  }

  onRound(record: RoundRecord, roundsDone: number): void {
    const cur = this.current;
    if (!cur || !this.warm) return;
    let t: ConditionTables;
    if (record.condition === WARMUP) t = this.warm;
    else {
      const found = cur.tables.find((x) => x.name === record.condition);
      if (found) t = found;
      else {
        t = this.newTables(record.condition);
        t.stated.set(this.warm.stated);
        t.active.set(this.warm.active);
        cur.tables.push(t);
        const order = this.config.conditions.map((c) => c.name);
        cur.tables.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
      }
    }
    const R = t.rounds.length;
    const c = record.round - this.config.firstRound;
    for (let a = 0; a < record.stated.length; a++) {
      t.stated[a * R + c] = record.stated[a];
      t.treated[a * R + c] = record.treated[a];
    }
    for (const a of record.active) t.active[a * R + c] = 1;
    t.invalidDecisions += record.invalidAgents.length;
    addTotals(t.llm, record.llm);
    addTotals(cur.llm, record.llm);
    cur.lastComplete[record.condition] = record.round;
    cur.roundsDone = roundsDone;
  }

  onElection(record: ElectionRecord, roundsDone: number): void {
    const cur = this.current;
    const t = cur?.tables.find((x) => x.name === record.condition);
    if (!cur || !t) return;
    t.votes = record.votes.slice();
    t.invalidVotes = record.invalidAgents.length;
    addTotals(t.llm, record.llm);
    addTotals(cur.llm, record.llm);
    cur.lastComplete[record.condition] = this.config.lastRound + 1;
    cur.roundsDone = roundsDone;
  }

  finishSeed(output: SeedOutput, data: SeedData): void {
    this.completed.push({ output, data });
    this.current = null;
    this.warm = null;
  }

  /** Where the current seed stopped, in words ("seed_1, condition control, round 14 of 30"). */
  stoppedAt(): string {
    const cur = this.current;
    if (!cur) return 'between seeds (every started seed is complete)';
    const next = recordAt(this.config, cur.roundsDone);
    const where = next.election
      ? `election day of ${next.condition}`
      : next.condition === WARMUP
        ? `warm-up round ${next.round}`
        : `condition ${next.condition}, round ${next.round} of ${this.config.lastRound}`;
    return `${cur.label}, ${where} (${cur.roundsDone} of ${cur.roundsTotal} records complete)`;
  }

  private newTables(name: string): ConditionTables {
    const rounds: number[] = [];
    for (let r = this.config.firstRound; r <= this.config.lastRound; r++) rounds.push(r);
    const n = this.config.agents;
    const R = rounds.length;
    return {
      name,
      rounds,
      stated: new Int8Array(n * R).fill(-1),
      treated: new Uint8Array(n * R),
      active: new Uint8Array(n * R),
      votes: null,
      invalidDecisions: 0,
      invalidVotes: 0,
      llm: emptyLlmTotals(),
      posts: 0,
    };
  }
}

export interface StopGuard {
  /** Call once the run's promise has settled (either way): the guard stands down. */
  settle(): void;
}

/**
 * Makes a silent end impossible: if the event loop empties while the run is unsettled (nothing left that could ever
 * settle it), on an unhandled rejection, or on SIGINT/SIGTERM, `onStop` runs once with the reason and the process exits
 * with the code it returns. Without this guard Node exits 0 in the first case, as if all went well.
 */
export type StopKind = 'drained' | 'rejection' | 'SIGINT' | 'SIGTERM';

export function guardRun(onStop: (reason: string, kind: StopKind) => number): StopGuard {
  let live = true;
  const stop = (reason: string, kind: StopKind) => {
    if (!live) return;
    live = false;
    let code = 1;
    try {
      code = onStop(reason, kind);
    } finally {
      process.exit(code);
    }
  };
  const onBeforeExit = () =>
    stop('the program ran out of work while the run was still waiting for an answer (no call in flight, no timer): a bug in the LLM scheduling; please report it with this message', 'drained');
  const onRejection = (err: unknown) => stop(`an unhandled error: ${err instanceof Error ? err.message : String(err)}`, 'rejection');
  const onSigint = () => stop('interrupted (SIGINT)', 'SIGINT');
  const onSigterm = () => stop('terminated (SIGTERM)', 'SIGTERM');
  process.on('beforeExit', onBeforeExit);
  process.on('unhandledRejection', onRejection);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  return {
    settle() {
      live = false;
      process.off('beforeExit', onBeforeExit);
      process.off('unhandledRejection', onRejection);
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}
