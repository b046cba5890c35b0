/**
 * Builds and runs one S3 seed the same way wherever it runs (the CLI, the bench, a worker): users from the census on
 * the given network, roles and profiles from the graph, the chosen agents, and the run record. A seed therefore means
 * the same thing everywhere.
 */
import type { FollowNetwork } from '../../engine/network';
import { generatePopulation, type CensusData } from '../../population';
import type { Persona } from '../../population/types';
import type { S3Config } from './config';
import { createS3OfflinePort } from './offline';
import { S3RunRecord } from './record';
import type { S3Port } from './types';
import { assignRoles, s3Profile, type Role } from './users';
import { runS3, type S3Hooks, type S3Result } from './world';

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

export interface S3SeedRun {
  record: S3RunRecord;
  result: S3Result;
}

/**
 * Run every condition of one seed into a record. `port` defaults to the offline agent; `hooks.onRound` still sees each
 * round (a worker stores it there) after the record has taken it.
 */
export async function runS3Seed(
  args: { config: S3Config; seed: number; network: FollowNetwork; population: S3Population; port?: S3Port },
  hooks: S3Hooks = {},
  signal?: AbortSignal,
): Promise<S3SeedRun> {
  const { config, seed, network, population } = args;
  const record = new S3RunRecord(seed, network.n, config.rounds);
  const port = args.port ?? createS3OfflinePort(config, seed);
  const result = await runS3(
    { config, seed, network, personas: population.personas, port },
    {
      shouldPause: hooks.shouldPause,
      async onRound(rec, progress) {
        record.add(rec);
        await hooks.onRound?.(rec, progress);
      },
    },
    signal,
  );
  return { record, result };
}
