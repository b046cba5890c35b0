/**
 * Treatment assignment, in one place so that the engine, the CLI's tables and the app's stored runs agree: one uniform
 * u per adult per run (minors get 2, never below any probability), shared by every condition. A roll-out treats in
 * period k iff u < p_k (nested and absorbing); a condition with arms puts u in an arm by cumulative share.
 */
import { armIndex, type ConditionSpec } from './config';
import { Rng } from './rng';
import type { AgentProfile } from './protocol';

export function assignmentUniforms(seed: number, personas: readonly AgentProfile[]): Float64Array {
  const u = new Float64Array(personas.length);
  const rng = Rng.derive(seed, 'assignment');
  for (let a = 0; a < personas.length; a++) u[a] = personas[a].adult ? rng.next() : 2;
  return u;
}

/** Arm index per agent (−1 for minors, or everyone when the condition has no arms). */
export function armsOf(spec: ConditionSpec, uniforms: Float64Array, personas: readonly AgentProfile[]): Int8Array {
  const out = new Int8Array(personas.length).fill(-1);
  if (!spec.arms) return out;
  for (let a = 0; a < personas.length; a++) if (personas[a].adult) out[a] = armIndex(spec, uniforms[a]);
  return out;
}
