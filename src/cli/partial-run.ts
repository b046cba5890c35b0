/**
 * What `replicate` keeps when a run stops before its last round: the run record of every complete round (the same
 * record a finished seed is written from), what it cost, and where the run stopped. With them
 * the CLI can write the CSV rows so far and a summary marked partial, and say exactly how to resume, instead of ending
 * with nothing.
 */
import { readFileSync } from 'node:fs';
import type { SeedData } from '../analysis/types';
import type { SimConfig } from '../engine/config';
import type { FollowNetwork } from '../engine/network';
import type { DecisionPort } from '../engine/ports';
import type { AnyProtocol } from '../engine/protocol';
import type { RunRecord } from '../engine/record';
import { WARMUP } from '../engine/simulation';
import { addTotals, emptyLlmTotals, type FinalRecord, type LlmTotals, type RoundRecord } from '../engine/types';
import type { Persona } from '../population';
import type { SeedOutput } from './replicate';

/** One seed's records so far. */
/** Marks a results or seed folder written by a run that stopped early; a rerun may replace such a folder without --force. */
export const PARTIAL_MARKER = 'PARTIAL.txt';

/** Whether a --json summary was written by a stopped run ("partial": true), which a rerun may replace without --force. */
export function isPartialJson(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { partial?: unknown }).partial === true;
  } catch {
    return false;
  }
}

export interface SeedProgress {
  label: string;
  seed: number;
  /** The seed's run record, filled by replicate as rounds arrive. */
  record: RunRecord;
  /** Last complete round per condition ('warmup' included; the end-of-run question counts as lastRound + 1). */
  lastComplete: Record<string, number>;
  roundsDone: number;
  roundsTotal: number;
  llm: LlmTotals;
}

/** The record `index` (0-based) of a seed's run is: warm-up rounds, then rounds × conditions, then one end-of-run record each. */
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
  readonly completed: Array<{ output: SeedOutput; data: SeedData | null }> = [];
  /** Set once the population exists: what a partial write needs besides the tables. */
  world: { personas: Persona[]; network: FollowNetwork; port: DecisionPort; protocol: AnyProtocol } | null = null;

  constructor(private readonly config: SimConfig) {}

  startSeed(label: string, seed: number, record: RunRecord, roundsTotal: number): void {
    this.current = { label, seed, record, lastComplete: {}, roundsDone: 0, roundsTotal, llm: emptyLlmTotals() };
  }

  onRound(record: RoundRecord, roundsDone: number): void {
    const cur = this.current;
    if (!cur) return;
    addTotals(cur.llm, record.llm);
    cur.lastComplete[record.condition] = record.round;
    cur.roundsDone = roundsDone;
  }

  onFinal(record: FinalRecord, roundsDone: number): void {
    const cur = this.current;
    if (!cur) return;
    addTotals(cur.llm, record.llm);
    cur.lastComplete[record.condition] = this.config.lastRound + 1;
    cur.roundsDone = roundsDone;
  }

  /** `data`: the voting analysis input of the seed (null for a protocol that reports from its own tables). */
  finishSeed(output: SeedOutput, data: SeedData | null): void {
    this.completed.push({ output, data });
    this.current = null;
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
