/**
 * Turns a finished (or paused) run's tables into the analysis input (SeedData: one row per adult, warm-up columns
 * included), so `replicate` prints its tables with the same estimators `analyze` uses on the published CSVs.
 */
import { armsOf, assignmentUniforms } from '../engine/assignment';
import type { ConditionSpec } from '../engine/config';
import type { FollowNetwork } from '../engine/network';
import type { ConditionTables } from '../engine/simulation';
import type { Persona } from '../engine/types';
import type { ConditionData, SeedData } from './types';

export function seedDataFromTables(
  label: string,
  tables: readonly ConditionTables[],
  personas: readonly Persona[],
  network?: FollowNetwork,
  design?: { seed: number; conditions: readonly ConditionSpec[] },
): SeedData {
  const adults = Int32Array.from(personas.filter((p) => p.adult).map((p) => p.id));
  const uniforms = design ? assignmentUniforms(design.seed, personas) : null;
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
    const spec = design?.conditions.find((c) => c.name === t.name);
    if (spec?.arms && uniforms) {
      const byAgent = armsOf(spec, uniforms, personas);
      cd.arms = { names: spec.arms.map((a) => a.name), messages: spec.arms.map((a) => a.message), byRow: Int8Array.from(adults, (a) => byAgent[a]) };
    }
    return cd;
  });
  const closeFriends = design?.conditions.some((c) => c.arms) ? personas.map((p) => p.closeFriends) : undefined;
  return { seed: label, conditions, network, closeFriends };
}
