/**
 * The protocols the app and the CLI can run, by id. Adding an experiment = adding its folder under src/protocols/ and
 * one line here; the engine, storage, workers and the generic analysis find it through this map.
 */
import { validateConfig, type SimConfig } from '../engine/config';
import { configError } from '../engine/errors';
import type { AnyProtocol } from '../engine/protocol';
import { bond2012 } from './bond2012/protocol';
import { s3Protocol } from './s3/protocol';
import { sociopol } from './sociopol';

/** Every registered protocol, in the order the setup screen lists them. */
export const PROTOCOLS: Readonly<Record<string, AnyProtocol>> = {
  sociopol,
  bond2012,
  s3: s3Protocol,
};

/** The protocol registered under `id`; a ConfigError naming the known ids otherwise. */
export function getProtocol(id: string): AnyProtocol {
  const protocol = PROTOCOLS[id];
  if (!protocol) {
    const known = Object.keys(PROTOCOLS);
    throw configError('protocol', `is '${id}', which is not registered`, known.length ? `use one of ${known.join(', ')}` : 'register the protocol in src/protocols/registry.ts');
  }
  return protocol;
}

/**
 * The protocol id of a configuration. Configurations stored before protocols existed carry none: those with arms ran
 * the Bond 2012 design, the others LLM-SocioPol.
 */
export function protocolIdOf(config: SimConfig): string {
  if (config.protocol) return config.protocol;
  return config.conditions.some((c) => c.arms) ? 'bond2012' : 'sociopol';
}

/** Check a configuration completely: the engine's fields, then the protocol's params and messages. */
export function checkConfig(config: SimConfig): SimConfig {
  validateConfig(config);
  getProtocol(config.protocol).validateParams(config);
  return config;
}
