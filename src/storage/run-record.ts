/**
 * A stored seed of a run read back as its run record (src/engine/record.ts): the same columnar record a CLI run fills
 * as it goes, so the app's exports and results are views of it exactly as the CLI's are. The caller passes the
 * protocol's column declarations (storage knows no protocol).
 */
import type { ColumnDecl } from '../engine/protocol';
import { RunRecord } from '../engine/record';
import type { Post } from '../engine/types';
import { loadEvents, loadFinals, loadRoundRows, type RunRow, type SpilloverDb } from './db';
import { upgradePost } from './migrations';

export const WARMUP_CONDITION = 'warmup';

/** The record of one stored seed; `withEvents` also joins engagement events and posts (exports need them). */
export async function loadRunRecord(db: SpilloverDb, run: RunRow, seed: number, columns: readonly ColumnDecl[], withEvents = false): Promise<RunRecord> {
  const runId = run.id as number;
  const config = run.config;
  const record = new RunRecord(config.agents, config.firstRound, config.lastRound, config.conditions.map((c) => c.name), columns, WARMUP_CONDITION);
  const rows = await loadRoundRows(db, runId, seed, config.conditions.map((c) => c.name));
  const events = withEvents ? new Map((await loadEvents(db, runId, seed)).map((e) => [`${e.condition}|${e.round}`, e.engagements])) : null;
  const posts = new Map<string, Post[]>();
  if (withEvents) {
    const stored = await db.posts.where('runId').equals(runId).filter((p) => p.runSeed === seed).toArray();
    for (const { runId: _r, runSeed: _s, condition, ...post } of stored.sort((a, b) => a.id - b.id).map((p) => upgradePost(p))) {
      const k = `${condition}|${post.round}`;
      const list = posts.get(k);
      if (list) list.push(post);
      else posts.set(k, [post]);
    }
  }
  for (const row of rows) {
    const k = `${row.condition}|${row.round}`;
    record.addRound({ ...row, engagements: events?.get(k) ?? [], posts: posts.get(k) ?? [] });
  }
  for (const f of await loadFinals(db, runId, seed)) record.addFinal(f.condition, f.values);
  return record;
}
