/**
 * The analysis input (SeedData: one row per adult, warm-up columns included) as a view of a run record's conditions,
 * so a CLI run, a stored app run and the authors' published CSVs go through the same estimators.
 */
import type { SimConfig } from '../engine/config';
import type { ConditionView, AgentProfile } from '../engine/protocol';
import type { FollowNetwork } from '../engine/network';
import { conditionViews, viewThrough, type RunRecord } from '../engine/record';
import type { ConditionData, SeedData } from './types';

export interface ArmNames {
  names: string[];
  messages: string[];
}

/**
 * One seed's analysis input from the views of its conditions. `armsOf(name)` gives the arm names and messages of a
 * condition with arms (the view carries each agent's arm); close friends are attached when any condition has arms.
 */
export function seedDataFromViews(
  label: string,
  views: readonly ConditionView[],
  agents: readonly AgentProfile[],
  network?: FollowNetwork,
  armsOf: (condition: string) => ArmNames | null = () => null,
  notes: string[] = [],
): SeedData {
  const adults = Int32Array.from(agents.filter((p) => p.adult).map((p) => p.id));
  const conditions: ConditionData[] = views.map((t) => {
    const R = t.rounds.length;
    const column = t.column('stated');
    const stated = new Int8Array(adults.length * R);
    const treatment = new Uint8Array(adults.length * R);
    for (let i = 0; i < adults.length; i++) {
      const a = adults[i];
      for (let c = 0; c < R; c++) stated[i * R + c] = column[a * R + c];
      treatment.set(t.treated.subarray(a * R, a * R + R), i * R);
    }
    const cd: ConditionData = { name: t.name, agentIds: adults, rounds: t.rounds.slice(), stated, treatment, notes: [] };
    if (t.final) {
      const votes = t.final;
      cd.votes = Int8Array.from(adults, (a) => votes[a]);
    }
    const arms = armsOf(t.name);
    if (arms && t.arms) {
      const byAgent = t.arms;
      cd.arms = { names: arms.names, messages: arms.messages, byRow: Int8Array.from(adults, (a) => byAgent[a]) };
    }
    return cd;
  });
  const closeFriends = views.some((v) => v.arms) ? agents.map((p) => p.closeFriends) : undefined;
  return { seed: label, conditions, network, closeFriends, notes };
}

/** Arm names and messages of each condition with arms, from the configuration. */
export function armNames(config: SimConfig): (condition: string) => ArmNames | null {
  return (name) => {
    const arms = config.conditions.find((c) => c.name === name)?.arms;
    return arms ? { names: arms.map((a) => a.name), messages: arms.map((a) => a.message) } : null;
  };
}

/**
 * One seed's analysis input from its run record as stored so far. A partial run (paused, interrupted, or still
 * running) is cut at the last round every stored condition has reached: nothing is carried past it, and a roll-out's
 * treated/untreated split is each agent's treatment as of that round; conditions without any main round are left out
 * with a note; end-of-run answers count only once the last round is in.
 */
export function seedDataAsOf(
  label: string,
  record: RunRecord,
  config: SimConfig,
  agents: readonly AgentProfile[],
  seed: number,
  network?: FollowNetwork,
): SeedData {
  const through = record.storedThrough();
  const notes: string[] = [];
  if (through < config.lastRound) notes.push(`seed ${seed}: stored up to round ${through} of ${config.lastRound}; its results are as of round ${through}`);
  const views: ConditionView[] = [];
  for (const view of conditionViews(record, config, agents, seed)) {
    if (through < 1 || record.lastRoundOf(view.name) < 1) notes.push(`seed ${seed}: no stored rounds for ${view.name} yet`);
    else views.push(viewThrough(view, through, config.lastRound));
  }
  return seedDataFromViews(label, views, agents, network, armNames(config), notes);
}
