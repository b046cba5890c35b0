/**
 * Builds and runs one S3 seed the same way wherever it runs (the fit, the tests): users from the census on the given
 * network, roles and profiles from the graph, the chosen agents, run by the generic engine (`runExperiment`) as every
 * protocol is, and the seed's S3 tables read from the run record. A seed therefore means the same thing everywhere.
 */
import type { FollowNetwork } from '../../engine/network';
import type { DecisionPort } from '../../engine/ports';
import { conditionViews, RunRecord } from '../../engine/record';
import { runExperiment, WARMUP, type ExperimentHooks, type ExperimentResult } from '../../engine/simulation';
import { addTotals, emptyLlmTotals, type LlmTotals, type RoundRecord } from '../../engine/types';
import { generatePopulation, type CensusData } from '../../population';
import type { Persona } from '../../population/types';
import type { S3Config } from './config';
import type { S3RoundRecord } from './outcomes';
import { s3Protocol, s3SimConfig } from './protocol';
import { s3Tables, type S3ConditionTable, type S3RoundExtra } from './record';
import type { S3Port, S3Request } from './types';
import { assignRoles, s3Profile, type Role } from './users';

export interface S3Population {
  personas: Persona[];
  roles: Role[];
  /** What each user is told about itself and what its readers see. */
  profiles: string[];
}

/** S3 users are adults (no minors): age, gender and occupation from the census generator, roles from the graph. */
export function s3Population(network: FollowNetwork, census: CensusData, config: S3Config, seed: number): S3Population {
  const personas = generatePopulation({ n: network.n, minorShare: 0, census, network, seed });
  const roles = assignRoles(network, config.roles);
  return { personas, roles, profiles: personas.map((p, i) => s3Profile(p, roles[i])) };
}

/** A round of one condition in S3's own shape (round 0, shared by every condition, is given to each). */
export function s3RoundRecords(rec: RoundRecord, conditions: readonly string[]): S3RoundRecord[] {
  const extra = rec.extra as S3RoundExtra;
  const one = (condition: string): S3RoundRecord => ({
    condition, round: rec.round, active: rec.active,
    emotion: rec.columns.emotion as Int8Array, attitude: rec.columns.attitude as Int8Array, action: Uint8Array.from(rec.columns.action),
    messages: extra.messages, removed: extra.removed, decisions: rec.decisions as S3RoundRecord['decisions'], invalidAgents: rec.invalidAgents, llm: rec.llm,
  });
  return rec.condition === WARMUP ? conditions.map(one) : [one(rec.condition)];
}

/** An S3 port (S3's request and decision alone) behind the engine's port: no engine feed, post or delay. */
export function enginePortOf(port: S3Port): DecisionPort {
  return {
    kind: port.kind,
    readsFeedItems: false,
    init() {},
    async decideRound(batch, signal) {
      const out = await port.decideRound({ condition: batch.condition, round: batch.round, requests: batch.requests as unknown as S3Request[] }, signal);
      return out.map((o) => (o.ok ? { ...o, decision: { actions: [], newPost: null, nextDelay: 1, ...o.decision } } : o));
    },
    async decideFinal() {
      return [];
    },
  };
}

export interface S3SeedRun {
  record: { seed: number; conditions: Map<string, S3ConditionTable>; llm(): LlmTotals };
  result: ExperimentResult;
}

/**
 * Run every condition of one seed into S3 tables. `port` defaults to the classical models; `hooks.onRound` sees each
 * round of each condition in S3's shape as it completes.
 */
export async function runS3Seed(
  args: { config: S3Config; seed: number; network: FollowNetwork; population: Pick<S3Population, 'personas'> & Partial<S3Population>; port?: S3Port | DecisionPort },
  hooks: { onRound?(rec: S3RoundRecord): void | Promise<void>; shouldPause?(): boolean } = {},
  signal?: AbortSignal,
): Promise<S3SeedRun> {
  const { seed, network, population } = args;
  const config = s3SimConfig(args.config, network.n);
  const names = config.conditions.map((c) => c.name);
  const record = new RunRecord(network.n, config.firstRound, config.lastRound, names, s3Protocol.columns);
  const port = !args.port ? s3Protocol.offlineAgents[s3Protocol.defaultOffline]() : 'init' in args.port ? args.port : enginePortOf(args.port);
  const engineHooks: ExperimentHooks = {
    shouldPause: hooks.shouldPause,
    async onRound(rec) {
      record.addRound(rec);
      for (const r of s3RoundRecords(rec, names)) await hooks.onRound?.(r);
    },
  };
  const result = await runExperiment({ protocol: s3Protocol, config, seed, agents: population.personas, network, port }, engineHooks, signal);
  const totals = new Map(result.conditions.map((t) => [t.name, { invalid: t.invalidDecisions, llm: t.llm }]));
  const conditions = s3Tables(conditionViews(record, config, population.personas, seed), (c) => totals.get(c));
  const llm = () => {
    const out = emptyLlmTotals();
    for (const t of conditions.values()) addTotals(out, t.llm);
    return out;
  };
  return { record: { seed, conditions, llm }, result };
}
