/**
 * Who the S3 users are: a role from the follower graph (S3 §3.2: influential accounts have many more followers than
 * followees, regular users are balanced with many mutual follows, low-impact users have few followers), one of S3's ten
 * occupation groups mapped from the census-based occupation of the engine's population (public/data/census.json
 * `assumptions.occupations`), and the short profile an LLM agent and its readers see.
 */
import { followers, following, sortedHas, type FollowNetwork } from '../../engine/network';
import type { Persona } from '../../population/types';

export const ROLES = ['influential', 'regular', 'low-impact'] as const;
export type Role = (typeof ROLES)[number];

export interface RoleRule {
  /** Influential: followers ≥ ratio × max(followees, 1) … @default 3 */
  ratio: number;
  /** … and followers at or above this quantile of everyone's follower counts. @default 0.9 */
  quantile: number;
}

export const DEFAULT_ROLE_RULE: RoleRule = { ratio: 3, quantile: 0.9 };

/** The follower count at quantile q (nearest rank, 0 ≤ q ≤ 1). */
export function followerQuantile(net: FollowNetwork, q: number): number {
  const counts = new Int32Array(net.n);
  for (let b = 0; b < net.n; b++) counts[b] = net.inOffsets[b + 1] - net.inOffsets[b];
  counts.sort();
  if (net.n === 0) return 0;
  return counts[Math.min(net.n - 1, Math.max(0, Math.ceil(q * net.n) - 1))];
}

/**
 * Role of every user. Influential: followers ≥ ratio × max(followees, 1) and followers at or above the quantile.
 * Low-impact: fewer followers than followees / ratio, or none. Regular: everyone else (the balanced middle).
 */
export function assignRoles(net: FollowNetwork, rule: RoleRule = DEFAULT_ROLE_RULE): Role[] {
  const cut = followerQuantile(net, rule.quantile);
  const out: Role[] = [];
  for (let a = 0; a < net.n; a++) {
    const f = net.inOffsets[a + 1] - net.inOffsets[a];
    const g = net.outOffsets[a + 1] - net.outOffsets[a];
    if (f >= rule.ratio * Math.max(g, 1) && f >= cut && f > 0) out.push('influential');
    else if (f === 0 || f * rule.ratio < g) out.push('low-impact');
    else out.push('regular');
  }
  return out;
}

/** Share of a user's follow relations (either direction) that are mutual: high for S3's regular users. */
export function mutualShare(net: FollowNetwork, a: number): number {
  const fe = following(net, a);
  const fr = followers(net, a);
  let mutual = 0;
  for (const b of fe) if (sortedHas(fr, b)) mutual++;
  const links = fe.length + fr.length - mutual;
  return links ? mutual / links : 0;
}

export const OCCUPATION_GROUPS = [
  'education',
  'administration/management',
  'unemployed/student',
  'engineer',
  'labour/technician',
  'logistics',
  'medical',
  'finance',
  'media',
  'entertainment/arts',
] as const;
export type OccupationGroup = (typeof OCCUPATION_GROUPS)[number];

/**
 * Census occupation (census.json `assumptions.occupations.list[].name`) → S3 group. Our mapping: the census list has
 * no journalist, so 'media' holds its designers; everyone not working (retired, homemaker, disability included) is in
 * S3's 'unemployed/student' group, the only non-working group S3 has.
 */
const OCCUPATION_TO_GROUP: Record<string, OccupationGroup> = {
  retired: 'unemployed/student',
  student: 'unemployed/student',
  homemaker: 'unemployed/student',
  unemployed: 'unemployed/student',
  'not working (disability)': 'unemployed/student',
  professor: 'education',
  teacher: 'education',
  'childcare worker': 'education',
  researcher: 'engineer',
  scientist: 'engineer',
  engineer: 'engineer',
  'software developer': 'engineer',
  analyst: 'finance',
  accountant: 'finance',
  'real estate agent': 'finance',
  manager: 'administration/management',
  director: 'administration/management',
  specialist: 'administration/management',
  consultant: 'administration/management',
  'administrative assistant': 'administration/management',
  'office clerk': 'administration/management',
  'small business owner': 'administration/management',
  lawyer: 'administration/management',
  'social worker': 'administration/management',
  'police officer': 'administration/management',
  'military service member': 'administration/management',
  nurse: 'medical',
  physician: 'medical',
  'home health aide': 'medical',
  'nursing assistant': 'medical',
  driver: 'logistics',
  'warehouse worker': 'logistics',
  designer: 'media',
  artist: 'entertainment/arts',
  hairdresser: 'entertainment/arts',
};

/** S3 group of a census occupation; any other working occupation (cashier, cook, mechanic…) is labour/technician. */
export function occupationGroup(occupation: string): OccupationGroup {
  return OCCUPATION_TO_GROUP[occupation] ?? 'labour/technician';
}

/** What readers and the agent itself see: age, gender, occupation group, role. */
export function s3Profile(p: Pick<Persona, 'age' | 'sex' | 'occupation'>, role: Role): string {
  return `${p.age}-year-old ${p.sex === 'female' ? 'woman' : 'man'}, ${occupationGroup(p.occupation)}, ${role} account`;
}
