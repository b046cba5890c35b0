/**
 * The one place that knows which conditions form a TTE contrast: the staggered roll-out, its all-treated and its
 * none-treated condition. A configuration whose protocol is registered answers from its declarations
 * (`Protocol.totalEffects`); until LLM-SocioPol registers, and for published files that carry no configuration, its
 * condition names are mapped here.
 */
import type { ConditionSpec, SimConfig } from '../../engine/config';
import { PROTOCOLS, protocolIdOf } from '../../protocols/registry';

export interface TteContrast {
  message: string;
  rollout: string;
  allTreated: string;
  noneTreated: string;
}

/** LLM-SocioPol's conditions (the published layout and our default runs). */
const SOCIOPOL: TteContrast[] = [
  { message: 'social', rollout: 'experiment_soc_message', allTreated: 'treatment_soc_message', noneTreated: 'control' },
  { message: 'info', rollout: 'experiment_info_message', allTreated: 'treatment_info_message', noneTreated: 'control' },
];

/** A roll-out: some period treats a share strictly between none and all, or the share changes between periods. */
const partial = (c: ConditionSpec) => !c.arms && c.schedule.some((p) => p !== c.schedule[0] || (p > 0 && p < 1));

/** Contrasts whose roll-out condition exists among `names` (its truth needs the other two, checked by the caller). */
export function tteContrasts(names: readonly string[], config?: SimConfig): TteContrast[] {
  const protocol = config ? PROTOCOLS[protocolIdOf(config)] : undefined;
  if (config && protocol) {
    const out: TteContrast[] = [];
    for (const decl of protocol.totalEffects(config)) {
      for (const c of config.conditions) {
        if (c.message !== decl.message || !partial(c) || c.name === decl.allTreated.name) continue;
        out.push({ message: decl.message, rollout: c.name, allTreated: decl.allTreated.name, noneTreated: decl.noneTreated.name });
      }
    }
    return out.filter((c) => names.includes(c.rollout));
  }
  return SOCIOPOL.filter((c) => names.includes(c.rollout));
}
