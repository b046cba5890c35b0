/**
 * Runs of the S3 page's former database ('spillover-s3', 2026-11-27, before S3 joined the one worker and database)
 * moved into the one database, so nothing a visitor ran is lost: each becomes an S3 run of the run list with its
 * network and population rebuilt as that page built them (generated from the first seed, census personas), its
 * stored rounds in the generic shape (round 0 once, as the shared round), and its status kept (unfinished runs show
 * as interrupted and resume). The former database is deleted once every run is written.
 */
import Dexie from 'dexie';
import { edgeCount } from '../engine/network';
import { generateTwitterNetwork } from '../engine/network-generator';
import { WARMUP } from '../engine/simulation';
import { ACTIVITY_WIDTH, emptyLlmTotals, type LlmTotals, type RoundRecord } from '../engine/types';
import type { CensusData } from '../population';
import { assembleRun } from '../protocols/assemble';
import type { S3Config } from '../protocols/s3/config';
import { s3Outcomes, type S3RoundRecord } from '../protocols/s3/outcomes';
import { s3SimConfig } from '../protocols/s3/protocol';
import type { S3RoundExtra } from '../protocols/s3/record';
import { createRun, saveNetwork, savePersonas, writeRound, type RunRow, type SpilloverDb } from '../storage/db';
import { communityLayout } from './layout';

export const LEGACY_S3_DB = 'spillover-s3';

interface LegacyRun {
  id: number;
  name: string;
  spec: { name: string; users: number; seeds: number[]; agents: 'offline' | 'llm'; config: S3Config; llm?: { baseUrl: string; model: string; budgetUsd: number | null; concurrency: number } };
  status: RunRow['status'];
  createdAt: number;
}

interface LegacyRound {
  runId: number;
  seed: number;
  condition: string;
  round: number;
  record: S3RoundRecord;
}

/** A former S3 round in the generic shape (S3 uses no engine activity, treatment, posts or events). */
function roundOf(r: S3RoundRecord, condition: string): RoundRecord {
  const n = r.emotion.length;
  const { round: _round, ...scalars } = s3Outcomes(r);
  const extra: S3RoundExtra = { messages: r.messages, removed: r.removed };
  return {
    condition, round: r.round, active: r.active, treated: new Uint8Array(n), activity: new Uint16Array(n * ACTIVITY_WIDTH),
    columns: { emotion: r.emotion, attitude: r.attitude, action: Int8Array.from(r.action) }, scalars,
    engagements: [], posts: [], replies: [], invalidAgents: r.invalidAgents,
    decisions: r.decisions.map((d) => (d.ok ? { ...d, decision: { actions: [], newPost: null, nextDelay: 1, ...d.decision } } : d)),
    llm: r.llm ?? emptyLlmTotals(), extra,
  };
}

/**
 * Move every run of the former S3 database into `db`; returns the new run ids (none when there is no such database;
 * the census is loaded only when there is one).
 */
export async function migrateLegacyS3(db: SpilloverDb, loadCensus: () => Promise<CensusData>, name = LEGACY_S3_DB): Promise<number[]> {
  if (!(await Dexie.exists(name))) return [];
  const census = await loadCensus();
  const legacy = new Dexie(name);
  legacy.version(1).stores({ runs: '++id, createdAt', rounds: '[runId+seed+condition+round], runId, [runId+seed]' });
  const moved: number[] = [];
  try {
    const runs = (await legacy.table('runs').toArray()) as LegacyRun[];
    for (const old of runs.sort((a, b) => a.createdAt - b.createdAt)) {
      const { spec } = old;
      const config = s3SimConfig(spec.config, spec.users);
      const network = generateTwitterNetwork({ n: spec.users, seed: spec.seeds[0] });
      const names = config.conditions.map((c) => c.name);
      const rows = (await legacy.table('rounds').where('runId').equals(old.id).toArray()) as LegacyRound[];
      const totals: LlmTotals = emptyLlmTotals();
      for (const r of rows) {
        const l = r.record.llm ?? emptyLlmTotals();
        for (const k of Object.keys(totals) as Array<keyof LlmTotals>) totals[k] += l[k];
      }
      const perSeed = 1 + config.lastRound * names.length;
      const kept = rows.filter((r) => r.round > 0).length + new Set(rows.filter((r) => r.round === 0).map((r) => r.seed)).size;
      const runId = await createRun(db, {
        name: `${old.name} (from the former S3 list)`,
        status: old.status === 'complete' ? 'complete' : 'interrupted',
        config,
        seeds: spec.seeds,
        agentsKind: spec.agents,
        llm: spec.llm ? { baseUrl: spec.llm.baseUrl, models: { full: spec.llm.model, mini: spec.llm.model, nano: spec.llm.model }, budgetUsd: spec.llm.budgetUsd, concurrency: spec.llm.concurrency } : undefined,
        offlineAgents: spec.agents === 'offline' ? { kind: 'rules', label: 'classical models (cascade, voter or DeGroot, emotion chain)' } : undefined,
        network: { kind: 'generated', label: `generated (seed ${spec.seeds[0]})`, nodes: network.n, edges: edgeCount(network) },
        createdAt: old.createdAt,
        updatedAt: Date.now(),
        progress: { roundsDone: kept, roundsTotal: perSeed * spec.seeds.length, seedIndex: 0, condition: WARMUP, round: 0 },
        totals,
      });
      const m = edgeCount(network);
      const src = new Int32Array(m);
      for (let a = 0; a < network.n; a++) src.fill(a, network.outOffsets[a], network.outOffsets[a + 1]);
      await saveNetwork(db, { runId, n: network.n, src, dst: network.outTargets.slice(), layout: communityLayout(network, spec.seeds[0]) });
      const personas = assembleRun({ config, network, census, seeds: spec.seeds }).agents;
      for (const seed of spec.seeds) {
        const mine = rows.filter((r) => r.seed === seed);
        if (mine.length === 0) continue;
        await savePersonas(db, runId, seed, personas);
        // Round 0 was stored once per condition (the same in each): it becomes the one shared round.
        const zero = mine.find((r) => r.round === 0);
        if (zero) await writeRound(db, runId, seed, roundOf(zero.record, WARMUP));
        for (const r of mine.filter((x) => x.round > 0).sort((a, b) => a.round - b.round || names.indexOf(a.condition) - names.indexOf(b.condition))) {
          await writeRound(db, runId, seed, roundOf(r.record, r.condition));
        }
      }
      moved.push(runId);
    }
  } finally {
    legacy.close();
  }
  await Dexie.delete(name);
  return moved;
}
