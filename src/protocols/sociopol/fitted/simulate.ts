/**
 * Roll fitted (or any) agents out on the default SocioPol design, seed by seed, into the analysis input: how the fit
 * report compares a surrogate with the data it was fitted on, with the same estimators. Pure (the caller supplies
 * personas and network), so the CLI, the tests and the app's worker share it.
 */
import { seedDataFromTables } from '../../../analysis/from-run';
import type { SeedData } from '../../../analysis/types';
import type { SimConfig } from '../../../engine/config';
import type { FollowNetwork } from '../../../engine/network';
import type { DecisionPort } from '../../../engine/ports';
import { runExperiment } from '../../../engine/simulation';
import type { Persona } from '../../../engine/types';

export interface RolloutInputs {
  config: SimConfig;
  personas: readonly Persona[];
  network: FollowNetwork;
  seeds: readonly number[];
  port: DecisionPort;
}

export async function rollout(inputs: RolloutInputs, onSeed?: (seed: number) => void): Promise<SeedData[]> {
  const out: SeedData[] = [];
  for (const seed of inputs.seeds) {
    const result = await runExperiment({ config: inputs.config, seed, personas: inputs.personas, network: inputs.network, port: inputs.port });
    out.push(seedDataFromTables(`seed_${seed}`, result.conditions, inputs.personas, inputs.network, { seed, conditions: inputs.config.conditions }));
    onSeed?.(seed);
  }
  return out;
}
