/**
 * Roll fitted (or any) agents out on the default SocioPol design, seed by seed, into the analysis input: how the fit
 * report compares a surrogate with the data it was fitted on, with the same estimators. Pure (the caller supplies
 * personas and network), so the CLI, the tests and the app's worker share it.
 */
import { seedDataFromViews, viewReading } from '../../../analysis/from-run';
import type { SeedData } from '../../../analysis/types';
import type { SimConfig } from '../../../engine/config';
import type { FollowNetwork } from '../../../engine/network';
import type { DecisionPort } from '../../../engine/ports';
import { runExperiment } from '../../../engine/simulation';
import { conditionViews, RunRecord } from '../../../engine/record';
import { getProtocol } from '../../registry';
import type { Persona } from '../../../population/types';

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
    const { config } = inputs;
    const protocol = getProtocol(config.protocol);
    const record = new RunRecord(inputs.network.n, config.firstRound, config.lastRound, config.conditions.map((c) => c.name), protocol.columns);
    await runExperiment(
      { protocol, config, seed, agents: inputs.personas, network: inputs.network, port: inputs.port },
      { onRound: (r) => record.addRound(r), onFinal: (f) => record.addFinal(f.condition, f.values) },
    );
    out.push(seedDataFromViews(`seed_${seed}`, conditionViews(record, config, inputs.personas, seed), inputs.personas, inputs.network, viewReading(config, protocol)));
    onSeed?.(seed);
  }
  return out;
}
