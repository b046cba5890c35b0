/**
 * The Batch API job ids of a CLI run, in a small JSON file next to the response cache (`<cache>.batches.json`). A rerun
 * of an interrupted command reads it and collects the jobs it had already submitted (the provider keeps them for the
 * completion window) instead of paying for them again. Written atomically; only open jobs are kept.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { dataError } from '../engine/errors';
import type { BatchJobRecord, BatchStateStore } from '../agents/llm/batch';

export class BatchStateFile implements BatchStateStore {
  constructor(readonly path: string) {}

  load(): BatchJobRecord[] {
    if (!existsSync(this.path)) return [];
    const fix = 'delete the file to submit open jobs again (answers already in the cache are not asked again)';
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      throw dataError(this.path, 'the file', 'is not JSON', fix);
    }
    const jobs = (doc as { jobs?: unknown }).jobs;
    const valid =
      Array.isArray(jobs) &&
      jobs.every((j: BatchJobRecord) => typeof j?.id === 'string' && Array.isArray(j.customIds) && j.customIds.every((c) => typeof c === 'string'));
    if (!valid) throw dataError(this.path, 'jobs', 'is not a list of {id, customIds}', fix);
    return jobs as BatchJobRecord[];
  }

  save(jobs: BatchJobRecord[]): void {
    if (jobs.length === 0) {
      rmSync(this.path, { force: true });
      return;
    }
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.partial-${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ note: 'Batch API jobs of an unfinished run (spillover replicate --batch)', jobs }) + '\n');
    renameSync(tmp, this.path);
  }
}
