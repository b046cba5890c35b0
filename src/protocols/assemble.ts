/**
 * How a run is put together, in one function for the CLI and the worker so that a seed means the same thing in both:
 * the protocol from the registry, the configuration checked, and one population drawn from the census on the run's
 * network with the run's first seed, shared by every seed of the run (each seed then varies activity, feeds,
 * assignment and answers).
 */
import type { SimConfig } from '../engine/config';
import { configError } from '../engine/errors';
import type { FollowNetwork } from '../engine/network';
import type { DecisionPort } from '../engine/ports';
import type { AnyProtocol } from '../engine/protocol';
import { generatePopulation, type CensusData, type Persona } from '../population';
import { checkConfig, getProtocol } from './registry';

export interface RunParts {
  protocol: AnyProtocol;
  config: SimConfig;
  agents: Persona[];
}

export function assembleRun(input: { config: SimConfig; network: FollowNetwork; census: CensusData; seeds: readonly number[] }): RunParts {
  const { config, network, census, seeds } = input;
  if (seeds.length === 0) throw configError('seeds', 'is empty', 'give at least one seed, e.g. 1');
  if (config.agents !== network.n) throw configError('agents', `is ${config.agents} but the network has ${network.n} accounts`, 'set agents to the network size');
  checkConfig(config);
  const protocol = getProtocol(config.protocol);
  const agents = generatePopulation({ n: network.n, minorShare: config.minorShare, census, network, seed: seeds[0] });
  return { protocol, config, agents };
}

/**
 * The protocol's offline agents by name (its default when none is given), with the data some need (fitted agents'
 * parameters, read by the runner); a ConfigError naming the known ones.
 */
export function offlinePort(protocol: AnyProtocol, kind?: string, data?: unknown): DecisionPort {
  const name = kind ?? protocol.defaultOffline;
  const make = protocol.offlineAgents[name];
  if (!make) throw configError('agents kind', `is '${name}', which ${protocol.title} does not offer`, `use one of ${Object.keys(protocol.offlineAgents).join(', ')}`);
  return make(data);
}
