/**
 * What the analysis of a run compares: the protocol's declared outcomes and contrasts for its configuration, with the
 * last round set to the data's (a partial run is analysed as of its last stored round). Published files carry no
 * configuration: they are LLM-SocioPol's layout, so its declarations apply to the conditions present.
 */
import type { SimConfig } from '../engine/config';
import type { ContrastDecl, OutcomeDecl, Protocol } from '../engine/protocol';
import { getProtocol } from '../protocols/registry';
import type { SeedData } from './types';

export interface AnalysisDesign {
  outcomes: OutcomeDecl[];
  contrasts: ContrastDecl[];
  /** Last round of each treatment period (for cohorts). */
  periodEnds: readonly number[];
}

/** The design as of a seed's last round. */
export type DesignFor = (lastRound: number) => AnalysisDesign;

/** A protocol's declarations for a configuration, as of any last round. */
export function designFor(protocol: Pick<Protocol, 'outcomes' | 'contrasts'>, config: SimConfig): DesignFor {
  const cache = new Map<number, AnalysisDesign>();
  return (lastRound) => {
    let d = cache.get(lastRound);
    if (!d) {
      const c = lastRound === config.lastRound ? config : { ...config, lastRound };
      cache.set(lastRound, (d = { outcomes: protocol.outcomes(c), contrasts: protocol.contrasts(c), periodEnds: config.periodEnds }));
    }
    return d;
  };
}

/** The protocol whose layout the published files are in (the one place the analysis names it). */
const PUBLISHED_PROTOCOL = 'sociopol';

/**
 * The configuration published files were run with: their protocol's defaults, restricted to the conditions named
 * `present` when given (the files say nothing else).
 */
export function publishedConfig(present?: ReadonlySet<string>): SimConfig {
  const defaults = getProtocol(PUBLISHED_PROTOCOL).defaults();
  return present ? { ...defaults, conditions: defaults.conditions.filter((c) => present.has(c.name)) } : defaults;
}

/** The design of published files: their protocol's declarations for the conditions present. */
export function publishedDesign(seeds: readonly SeedData[]): DesignFor {
  const config = publishedConfig(new Set(seeds.flatMap((s) => s.conditions.map((c) => c.name))));
  return designFor(getProtocol(config.protocol), config);
}
