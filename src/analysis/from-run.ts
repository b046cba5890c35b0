/**
 * Turns a finished (or paused) run's tables into the analysis input (SeedData: one row per adult, warm-up columns
 * included), so `replicate` prints its tables with the same estimators `analyze` uses on the published CSVs.
 */
import type { FollowNetwork } from '../engine/network';
import type { ConditionTables } from '../engine/simulation';
import type { Persona } from '../engine/types';
import type { ConditionData, SeedData } from './types';

export function seedDataFromTables(label: string, tables: readonly ConditionTables[], personas: readonly Persona[], network?: FollowNetwork): SeedData {
  const adults = Int32Array.from(personas.filter((p) => p.adult).map((p) => p.id));
  const conditions: ConditionData[] = tables.map((t) => {
    const R = t.rounds.length;
    const voting = new Int8Array(adults.length * R);
    const treatment = new Uint8Array(adults.length * R);
    for (let i = 0; i < adults.length; i++) {
      const a = adults[i];
      voting.set(t.stated.subarray(a * R, a * R + R), i * R);
      treatment.set(t.treated.subarray(a * R, a * R + R), i * R);
    }
    const cd: ConditionData = { name: t.name, agentIds: adults, rounds: t.rounds.slice(), voting, treatment, notes: [] };
    if (t.votes) {
      const votes = t.votes;
      cd.votes = Int8Array.from(adults, (a) => votes[a]);
    }
    return cd;
  });
  return { seed: label, conditions, network };
}
