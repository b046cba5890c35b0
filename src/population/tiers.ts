/**
 * The LLM tier rule ("political sophistication", protocols §A) as data and as a probability per persona.
 */
import type { Tier } from '../engine/types';
import type { Persona } from './types';

/**
 * The tier rule of protocols §A as data: base weights for (full, mini, nano) and multipliers, applied in order and
 * then normalised. A professional degree (law, medicine) counts as a master's: the rule names only doctorate,
 * master's and bachelor's, and a professional degree is a graduate degree of master's-or-more length. An occupation
 * is analytic or managerial when its lower-cased name contains one of the keywords (as LLM-SocioPol lower-cases
 * occupation before comparing); analytic wins when both match.
 */
export const TIER_RULE = {
  base: [0.004, 0.016, 0.98],
  doctorate: [3, 1.5, 0.5],
  masters: [2, 1.3, 0.7],
  bachelors: [1.5, 1.2, 0.8],
  analytic: [2, 1.3, 0.7],
  managerial: [1.5, 1.2, 0.8],
  age40plus: [1.5, 1.2, 0.8],
  age30to39: [1.3, 1.1, 0.9],
  analyticKeywords: ['professor', 'researcher', 'scientist', 'engineer', 'analyst'],
  managerialKeywords: ['manager', 'director', 'specialist', 'consultant'],
} as const;

export const TIERS: readonly Tier[] = ['full', 'mini', 'nano'];

export function occupationKind(occupation: string): 'analytic' | 'managerial' | 'other' {
  const o = occupation.toLowerCase();
  if (TIER_RULE.analyticKeywords.some((k) => o.includes(k))) return 'analytic';
  if (TIER_RULE.managerialKeywords.some((k) => o.includes(k))) return 'managerial';
  return 'other';
}

/** Probability of each tier for a persona under the §A multiplier rule. */
export function tierProbabilities(p: Pick<Persona, 'age' | 'education' | 'occupation'>): Record<Tier, number> {
  const w: number[] = TIER_RULE.base.slice();
  const times = (m: readonly number[]) => {
    for (let i = 0; i < 3; i++) w[i] *= m[i];
  };
  if (p.education === 'doctorate') times(TIER_RULE.doctorate);
  else if (p.education === 'masters' || p.education === 'professional') times(TIER_RULE.masters);
  else if (p.education === 'bachelors') times(TIER_RULE.bachelors);
  const kind = occupationKind(p.occupation);
  if (kind === 'analytic') times(TIER_RULE.analytic);
  else if (kind === 'managerial') times(TIER_RULE.managerial);
  if (p.age >= 40) times(TIER_RULE.age40plus);
  else if (p.age >= 30) times(TIER_RULE.age30to39);
  const s = w[0] + w[1] + w[2];
  return { full: w[0] / s, mini: w[1] / s, nano: w[2] / s };
}
