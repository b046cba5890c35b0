/**
 * Turns a stored run back into the analysis module's input (SeedData: wide tables per condition, one row per adult,
 * warm-up columns shared by every condition), so the app's results come from the same estimators as the CLI's.
 */
import { armsOf, assignmentUniforms } from '../engine/assignment';
import { buildNetwork } from '../engine/network';
import type { SeedData, ConditionData } from '../analysis/types';
import { loadFinals, loadNetwork, loadPersonas, loadRoundRows, type RunRow, type SpilloverDb } from './db';

export const WARMUP_CONDITION = 'warmup';

/**
 * Wide tables of one stored seed; conditions without any stored main round are left out with a note. A partial run
 * (paused, interrupted, or still running) is cut at the last round every stored condition has reached: nothing is
 * carried past it, and the roll-out's treated/untreated split is each agent's treatment as of that round.
 */
export async function seedDataFromDb(db: SpilloverDb, run: RunRow, seedIndex: number): Promise<SeedData> {
  const runId = run.id as number;
  const seed = run.seeds[seedIndex];
  const config = run.config;
  const personas = await loadPersonas(db, runId, seed);
  const rows = await loadRoundRows(db, runId, seed);
  const elections = await loadFinals(db, runId, seed);
  const netRow = await loadNetwork(db, runId);
  const notes: string[] = [];
  const n = netRow?.n ?? personas?.length ?? 0;
  const adults: number[] = [];
  for (let a = 0; a < n; a++) if (!personas || personas[a]?.adult) adults.push(a);
  const agentIds = Int32Array.from(adults);
  const byCondition = new Map<string, typeof rows>();
  for (const row of rows) {
    const list = byCondition.get(row.condition);
    if (list) list.push(row);
    else byCondition.set(row.condition, [row]);
  }
  const warm = byCondition.get(WARMUP_CONDITION) ?? [];
  const through = storedThrough(config.conditions.map((c) => byCondition.get(c.name) ?? []), config.lastRound);
  if (through < config.lastRound) notes.push(`seed ${seed}: stored up to round ${through} of ${config.lastRound}; its results are as of round ${through}`);
  const rounds: number[] = [];
  for (let r = config.firstRound; r <= through; r++) rounds.push(r);
  const R = rounds.length;
  const conditions: ConditionData[] = [];
  for (const spec of config.conditions) {
    const main = (byCondition.get(spec.name) ?? []).filter((r) => r.round <= through);
    if (main.length === 0) {
      notes.push(`seed ${seed}: no stored rounds for ${spec.name} yet`);
      continue;
    }
    const voting = new Int8Array(adults.length * R).fill(-1);
    const treatment = new Uint8Array(adults.length * R);
    for (const row of [...warm, ...main]) {
      const c = row.round - config.firstRound;
      if (c < 0 || c >= R) continue;
      for (let i = 0; i < adults.length; i++) {
        voting[i * R + c] = row.columns.stated[adults[i]];
        treatment[i * R + c] = row.treated[adults[i]];
      }
    }
    const cd: ConditionData = { name: spec.name, agentIds, rounds, voting, treatment, notes: [] };
    if (spec.arms && personas) {
      const byAgent = armsOf(spec, assignmentUniforms(seed, personas), personas);
      cd.arms = { names: spec.arms.map((a) => a.name), messages: spec.arms.map((a) => a.message), byRow: Int8Array.from(adults, (a) => byAgent[a]) };
    }
    const election = through === config.lastRound ? elections.find((e) => e.condition === spec.name) : undefined;
    if (election) cd.votes = Int8Array.from(adults, (a) => election.values[a]);
    conditions.push(cd);
  }
  const out: SeedData = { seed: `seed_${seedIndex + 1}`, conditions, notes };
  if (netRow) out.network = buildNetwork(netRow.n, netRow.src, netRow.dst);
  if (personas && config.conditions.some((c) => c.arms)) out.closeFriends = personas.map((p) => p.closeFriends);
  return out;
}

/**
 * The last round that every condition with stored main rounds has reached (rounds are played condition after condition
 * within a round, so a stopped run can hold round r for some conditions and r − 1 for others). Conditions with no
 * main round yet do not hold it back; with none at all it is 0 (the warm-up).
 */
export function storedThrough(mainRows: ReadonlyArray<ReadonlyArray<{ round: number }>>, lastRound: number): number {
  let through = lastRound;
  let any = false;
  for (const rows of mainRows) {
    if (rows.length === 0) continue;
    any = true;
    through = Math.min(through, rows.reduce((m, r) => Math.max(m, r.round), 0));
  }
  return any ? through : 0;
}
