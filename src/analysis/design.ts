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

/** The design of published LLM-SocioPol files: its default configuration restricted to the conditions present. */
export function publishedDesign(seeds: readonly SeedData[]): DesignFor {
  const protocol = getProtocol('sociopol');
  const defaults = protocol.defaults();
  const present = new Set(seeds.flatMap((s) => s.conditions.map((c) => c.name)));
  return designFor(protocol, { ...defaults, conditions: defaults.conditions.filter((c) => present.has(c.name)) });
}
