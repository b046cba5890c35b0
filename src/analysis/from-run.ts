/**
 * The analysis input (SeedData: one row per adult, warm-up columns included) as a view of a run record's conditions,
 * so a CLI run, a stored app run and the authors' published CSVs go through the same estimators.
 */
import type { SimConfig } from '../engine/config';
import { configError } from '../engine/errors';
import type { ConditionView, AgentProfile, Protocol } from '../engine/protocol';
import type { FollowNetwork } from '../engine/network';
import { conditionViews, viewThrough, type RunRecord } from '../engine/record';
import { getProtocol, protocolIdOf } from '../protocols/registry';
import type { ConditionData, SeedData } from './types';

export interface ArmNames {
  names: string[];
  messages: string[];
}

/** How the analysis reads a run's views: the protocol's declared answer column, and the arms of each condition. */
export interface ViewReading {
  answerColumn: string;
  armsOf: (condition: string) => ArmNames | null;
}

/** The reading of a run of `config`, from its protocol's declarations (`protocol` defaults to the registered one). */
export function viewReading(config: SimConfig, protocol: Pick<Protocol, 'id' | 'answerColumn'> = getProtocol(protocolIdOf(config))): ViewReading {
  if (!protocol.answerColumn) {
    throw configError('protocol', `'${protocol.id}' declares no answerColumn, so the generic analysis has nothing to read`, "analyse its runs with the protocol's own analysis, or declare the column the analysis reads");
  }
  return { answerColumn: protocol.answerColumn, armsOf: armNames(config) };
}

/**
 * One seed's analysis input from the views of its conditions: each adult's value of the declared answer column per
 * round, the treatment, the end-of-run answer and, for a condition with arms, each row's arm; close friends are
 * attached when any condition has arms.
 */
export function seedDataFromViews(
  label: string,
  views: readonly ConditionView[],
  agents: readonly AgentProfile[],
  network: FollowNetwork | undefined,
  reading: ViewReading,
  notes: string[] = [],
): SeedData {
  const adults = Int32Array.from(agents.filter((p) => p.adult).map((p) => p.id));
  const conditions: ConditionData[] = views.map((t) => {
    const R = t.rounds.length;
    const column = t.column(reading.answerColumn);
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
    const arms = reading.armsOf(t.name);
    if (arms && t.arms) {
      const byAgent = t.arms;
      cd.arms = { names: arms.names, messages: arms.messages, byRow: Int8Array.from(adults, (a) => byAgent[a]) };
    }
    return cd;
  });
  const closeFriends = views.some((v) => v.arms) ? agents.map((p) => p.closeFriends) : undefined;
  return { label, conditions, network, closeFriends, notes };
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
  return seedDataFromViews(label, views, agents, network, viewReading(config), notes);
}
