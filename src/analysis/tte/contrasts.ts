/**
 * The one place that knows which conditions form a TTE contrast: the staggered roll-out, its all-treated and its
 * none-treated condition, from the protocol's declarations (`Protocol.totalEffects`) for the run's configuration
 * (published files: `publishedConfig()`), never from condition names.
 */
import type { ConditionSpec, SimConfig } from '../../engine/config';
import { getProtocol, protocolIdOf } from '../../protocols/registry';

export interface TteContrast {
  message: string;
  rollout: string;
  allTreated: string;
  noneTreated: string;
}

/** A roll-out: some period treats a share strictly between none and all, or the share changes between periods. */
const partial = (c: ConditionSpec) => !c.arms && c.schedule.some((p) => p !== c.schedule[0] || (p > 0 && p < 1));

/** Contrasts whose roll-out condition exists among `names` (its truth needs the other two, checked by the caller). */
export function tteContrasts(names: readonly string[], config: SimConfig): TteContrast[] {
  const out: TteContrast[] = [];
  for (const decl of getProtocol(protocolIdOf(config)).totalEffects(config)) {
    for (const c of config.conditions) {
      if (c.message !== decl.message || !partial(c) || c.name === decl.allTreated.name) continue;
      out.push({ message: decl.message, rollout: c.name, allTreated: decl.allTreated.name, noneTreated: decl.noneTreated.name });
    }
  }
  return out.filter((c) => names.includes(c.rollout));
}
