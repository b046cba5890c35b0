/**
 * The browser's record of S3 runs, in its own versioned Dexie database so the S3 protocol adds no schema version to
 * the main one while the engine moves to protocol modules. A run row holds its spec (never an API key); every round of
 * every seed and condition is one row written in its own transaction, so a reload resumes from the last complete one.
 */
import Dexie, { type EntityTable, type Table } from 'dexie';
import { SpilloverError } from '../engine/errors';

export type S3RunStatus = 'running' | 'paused' | 'interrupted' | 'complete' | 'failed';

export interface S3RunRow {
  id?: number;
  name: string;
  /** The run's S3RunSpec (plain data; no key). */
  spec: { name: string; users: number; seeds: number[]; agents: 'offline' | 'llm'; config: { rounds: number; conditions: Array<{ name: string }> } } & Record<string, unknown>;
  status: S3RunStatus;
  roundsDone: number;
  roundsTotal: number;
  createdAt: number;
  updatedAt: number;
  error?: string;
  /** Set on runs replayed from a bundle: how many stored records differed from the bundle's. */
  mismatches?: number;
}

/** One round of one condition of one seed: the S3 round record as the protocol produced it. */
export interface S3RoundRow {
  runId: number;
  seed: number;
  condition: string;
  round: number;
  record: Record<string, unknown>;
}

/** 2026-11-27: runs and rounds. */
export const S3_SCHEMA_V1 = {
  runs: '++id, createdAt',
  rounds: '[runId+seed+condition+round], runId, [runId+seed]',
};

export type S3Db = Dexie & { runs: EntityTable<S3RunRow, 'id'>; rounds: Table<S3RoundRow, [number, number, string, number]> };

export function createS3Db(name = 'spillover-s3'): S3Db {
  const db = new Dexie(name) as S3Db;
  db.version(1).stores(S3_SCHEMA_V1);
  return db;
}

function storageError(err: unknown, what: string): SpilloverError {
  const name = (err as { name?: string })?.name;
  if (name === 'QuotaExceededError' || (err as { inner?: { name?: string } })?.inner?.name === 'QuotaExceededError') {
    return new SpilloverError('QuotaExceeded', `${what}: the browser's storage is full; delete old runs from the run list, or run fewer users or seeds`);
  }
  return new SpilloverError('StorageError', `${what}: ${(err as Error)?.message ?? String(err)}; reload the page and resume the run from the list`);
}

/** One round in one transaction, with the run's progress. */
export async function writeS3Round(db: S3Db, row: S3RoundRow, run: Partial<S3RunRow>): Promise<void> {
  try {
    await db.transaction('rw', db.rounds, db.runs, async () => {
      await db.rounds.put(row);
      await db.runs.update(row.runId, { ...run, updatedAt: Date.now() });
    });
  } catch (err) {
    throw storageError(err, `saving round ${row.round} of '${row.condition}'`);
  }
}

export async function loadS3Rounds(db: S3Db, runId: number, seed: number): Promise<S3RoundRow[]> {
  return db.rounds.where('[runId+seed]').equals([runId, seed]).toArray();
}

export async function deleteS3Run(db: S3Db, runId: number): Promise<void> {
  await db.transaction('rw', db.rounds, db.runs, async () => {
    await db.rounds.where('runId').equals(runId).delete();
    await db.runs.delete(runId);
  });
}

/** Runs left 'running' by a closed page become 'interrupted' (resume them from the list). */
export async function markS3Interrupted(db: S3Db, isAlive: (runId: number) => boolean): Promise<void> {
  const running = await db.runs.where('createdAt').above(0).filter((r) => r.status === 'running' && !isAlive(r.id!)).toArray();
  for (const r of running) await db.runs.update(r.id!, { status: 'interrupted' });
}
