/**
 * The two classical attitude models S3 compares itself with (Gao et al. 2023 §3.5): the voter model (Clifford &
 * Sudbury 1973; Holley & Liggett 1975) and DeGroot averaging (DeGroot 1974, "Reaching a consensus", JASA 69:118–121).
 * Each is a per-user rule, used by the S3 offline agent on the attitudes carried by the messages a user receives, plus a
 * whole-graph runner over followees for the tests and the baseline curves.
 */
import { following, type FollowNetwork } from '../../engine/network';
import { hashHead, hashTail } from '../../engine/rng';
import type { AttitudeValue } from './types';

/**
 * Voter model, one user: adopt the attitude of one neighbour chosen uniformly (`u` uniform in [0, 1)); keep one's own
 * when no neighbour is heard. Holley & Liggett 1975: "a site adopts the opinion of a randomly chosen neighbour".
 */
export function voterStep(own: AttitudeValue, heard: ArrayLike<AttitudeValue>, u: number): AttitudeValue {
  if (heard.length === 0) return own;
  return heard[Math.min(heard.length - 1, Math.floor(u * heard.length))];
}

/**
 * DeGroot averaging, one user: the new opinion is a weighted average of its own (weight `selfWeight`) and its
 * neighbours' (equal shares of the rest). Opinions are in [0, 1]; the attitude is positive at ≥ 0.5.
 */
export function deGrootStep(own: number, heard: ArrayLike<number>, selfWeight: number): number {
  if (heard.length === 0) return own;
  let s = 0;
  for (let i = 0; i < heard.length; i++) s += heard[i];
  return selfWeight * own + (1 - selfWeight) * (s / heard.length);
}

export function attitudeOf(opinion: number): AttitudeValue {
  return opinion >= 0.5 ? 1 : 0;
}

/**
 * Synchronous voter model on the followee graph: every round each user with followees copies a uniformly chosen
 * followee's attitude of the previous round (one draw per user and round from `hash(seed, 's3-voter', user, round)`).
 * Returns the positive share after each round 0…rounds. On a graph where every user has the same numbers of followees
 * and followers, the expected positive share is constant (a martingale).
 */
export function runVoter(net: FollowNetwork, initial: Uint8Array, rounds: number, seed: number): number[] {
  const n = net.n;
  let x = Uint8Array.from(initial);
  const head = hashHead(seed, 's3-voter');
  const share = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / n;
  const out = [share(x)];
  for (let r = 1; r <= rounds; r++) {
    const y = new Uint8Array(n);
    for (let a = 0; a < n; a++) {
      const fe = following(net, a);
      const heard = Array.from(fe, (b) => x[b] as AttitudeValue);
      y[a] = voterStep(x[a] as AttitudeValue, heard, hashTail(head, a, r) / 4294967296);
    }
    x = y;
    out.push(share(x));
  }
  return out;
}

/** DeGroot on the followee graph for `rounds` rounds: x ← W x with W = selfWeight·I + (1 − selfWeight)·(mean over followees). */
export function runDeGroot(net: FollowNetwork, initial: Float64Array, rounds: number, selfWeight: number): Float64Array {
  let x = Float64Array.from(initial);
  for (let r = 1; r <= rounds; r++) {
    const y = new Float64Array(net.n);
    for (let a = 0; a < net.n; a++) {
      const fe = following(net, a);
      y[a] = deGrootStep(x[a], Array.from(fe, (b) => x[b]), selfWeight);
    }
    x = y;
  }
  return x;
}
