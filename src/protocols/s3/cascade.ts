/**
 * The two classical models of information spread S3 compares itself with (Gao et al. 2023 §3.5): the independent
 * cascade (Goldenberg, Libai & Muller 2001; Kempe, Kleinberg & Tardos 2003) and the linear threshold model (Granovetter
 * 1978; Kempe et al. 2003). Each is a per-user rule — the S3 offline agent calls exactly these — plus a whole-graph
 * runner used by the tests and the "classical baseline" curves. Information flows from a followee to its followers
 * (an edge a→b means a follows b, so b's posts reach a).
 */
import { followers, following, type FollowNetwork } from '../../engine/network';
import { hashHead, hashTail } from '../../engine/rng';

/**
 * Independent cascade, one user: each of the `k` followees that passed the event on since the user last decided gets
 * one independent chance `p` to activate it, so it activates with probability 1 − (1 − p)^k. `u` is the user's
 * uniform draw for this round. Kempe et al. 2003, §2 ("each active node v has a single chance to activate each
 * currently inactive neighbour w, succeeding with probability p_{v,w}").
 */
export function icActivates(k: number, p: number, u: number): boolean {
  if (k <= 0) return false;
  return u < 1 - Math.pow(1 - p, k);
}

/**
 * Linear threshold, one user: active once the weighted share of its followees that are active reaches its threshold
 * θ (drawn once per user, uniform on [0, 1]). With equal weights b = 1 / (followees) the weighted share is the share
 * of followees that spread. Kempe et al. 2003, §2 (Granovetter's threshold model with random thresholds).
 */
export function ltActivates(activeFolloweeShare: number, threshold: number): boolean {
  return activeFolloweeShare > 0 && activeFolloweeShare >= threshold;
}

/** Each user's LT threshold under a seed: one uniform per user from its own stream (the same in every condition). */
export function ltThreshold(seed: number, agent: number): number {
  return hashTail(hashHead(seed, 's3-threshold'), agent, 0) / 4294967296;
}

export interface CascadeResult {
  /** Round in which each user became active (passed the event on); −1 if never. Seeds: 0. */
  activeRound: Int32Array;
  /** Round in which the event first reached each user (seeds: 0); −1 if never. */
  awareRound: Int32Array;
}

export type CascadeModel = { kind: 'ic'; p: number } | { kind: 'lt' };

/**
 * Run IC or LT on a whole graph for `rounds` rounds, synchronously: in round r a user sees the activations of rounds
 * < r. IC draws one uniform per user and round from `hash(seed, 's3-ic', user, round)`.
 */
export function runCascade(net: FollowNetwork, seeds: readonly number[], model: CascadeModel, rounds: number, seed: number): CascadeResult {
  const n = net.n;
  const activeRound = new Int32Array(n).fill(-1);
  const awareRound = new Int32Array(n).fill(-1);
  for (const s of seeds) {
    activeRound[s] = 0;
    awareRound[s] = 0;
  }
  const icHead = hashHead(seed, 's3-ic');
  let frontier = seeds.slice();
  for (let r = 1; r <= rounds && frontier.length > 0; r++) {
    // Followers reached by this round's frontier, with how many new spreaders each saw.
    const newCount = new Map<number, number>();
    for (const v of frontier) {
      for (const w of followers(net, v)) newCount.set(w, (newCount.get(w) ?? 0) + 1);
    }
    const next: number[] = [];
    for (const [w, k] of newCount) {
      if (awareRound[w] < 0) awareRound[w] = r;
      if (activeRound[w] >= 0) continue;
      let on: boolean;
      if (model.kind === 'ic') {
        on = icActivates(k, model.p, hashTail(icHead, w, r) / 4294967296);
      } else {
        const fe = following(net, w);
        let act = 0;
        for (const b of fe) if (activeRound[b] >= 0 && activeRound[b] < r) act++;
        on = ltActivates(fe.length ? act / fe.length : 0, ltThreshold(seed, w));
      }
      if (on) next.push(w);
    }
    for (const w of next) activeRound[w] = r;
    next.sort((a, b) => a - b);
    frontier = next;
  }
  return { activeRound, awareRound };
}

/** Share of users aware at the end of each round 0…rounds (the information-propagation curve). */
export function awareCurve(awareRound: Int32Array, rounds: number): number[] {
  const counts = new Array<number>(rounds + 1).fill(0);
  for (const r of awareRound) if (r >= 0 && r <= rounds) counts[r]++;
  const out: number[] = [];
  let acc = 0;
  for (let r = 0; r <= rounds; r++) {
    acc += counts[r];
    out.push(awareRound.length ? acc / awareRound.length : 0);
  }
  return out;
}
