/**
 * Every parameter of the offline (no-key) agents, in one documented place. They are calibrated to what the published
 * LLM-SocioPol runs show per activation (protocols.md §C) — activity gaps, first stated values, stickiness, response
 * to each message, more activity at low likelihood — plus a peer-influence term so that spillovers can exist. The app
 * labels these agents a calibrated stand-in, not evidence.
 *
 * Measured at 2,000 agents, seeds 1–3 (published 5-seed figures in brackets, from `npm run analyze`): mean likelihood at
 * round 0 2.458 (2.441); control at round 30 2.573 (2.516); social − control at round 30 +0.127 (+0.104);
 * informational − control +0.025 (+0.012); first treated answer +0.128 social (+0.119), +0.030 informational (+0.035);
 * untreated agents of the social roll-out − control (spillover) +0.006 ± 0.003 (−0.002 ± 0.003).
 */
import type { TurnoutHabit } from '../../../population/types';

export interface OfflineParameters {
  /**
   * First stated likelihood by turnout habit (probabilities of 0…4). With the census habits (63.9 % consistent, 13.9 %
   * occasional, 22.2 % low-turnout) this gives the published first-value shares 1: 22.2 %, 2: 13.9 %, 3: 61.4 %, 4: 2.5 %.
   */
  firstValue: Record<TurnoutHabit, [number, number, number, number, number]>;
  /**
   * Per-activation transition probabilities in control, from → [to 0, 1, 2, 3, 4] (protocols §C: from 1, 98.6 % stay
   * and 1.3 % move to 3; from 2, 88.6 % stay and 10.6 % move to 3; from 3, 98.8 % stay; from 4, 99.6 % stay).
   */
  transitions: [number, number, number, number, number][];
  /**
   * Multiplier on the off-diagonal transitions during the warm-up (round ≤ 0). The published runs end the warm-up at
   * 2.44, the mean of the first stated values (2.442): statements barely move before the main stage.
   */
  warmupDrift: number;
  /**
   * Extra upward probability when the agent sees a message. `first` applies at its first treated activation, `repeat`
   * afterwards. The social message every round moves 2 → 3 19.9 % and 1 → 3 2.2 % of the time (§C); the first
   * treated answer is ≈ +0.12 (social) and ≈ +0.035 (informational) above control among agents active in round 1.
   */
  message: Record<'info' | 'social', { first: Upward; repeat: Upward }>;
  /** Extra 2 → 3 probability per followed likely voter pictured in the social message (at most six). */
  perFaceShown: number;
  /**
   * Peer influence: when the share of followed accounts that say they are likely to vote has risen since the agent's
   * previous activation by Δ, upward moves gain `peerInfluence × Δ` (1 → 3 and 2 → 3) and `peerInfluence × Δ / 4`
   * (3 → 4); a fall of Δ moves 3 → 2 and 2 → 1 with `peerInfluence × Δ / 2` (4 → 3 with a quarter). This is the
   * channel through which untreated agents can respond to treated accounts they follow.
   */
  peerInfluence: number;
  /**
   * Chosen delay n ∈ 1…5 by current likelihood (index 0…4, and 5 = none stated). Less likely voters act more often:
   * agents at 1 average ≈ 8 main-stage activations, at 3 ≈ 5.6; overall n = 2, 3, 4 about 38 / 38 / 23 %.
   */
  delay: [number, number, number, number, number][];
  engagement: {
    /** Like probability of the top-ranked post; lower ranks are multiplied by `rankDecay` per place. */
    like: number;
    reply: number;
    rankDecay: number;
    /** Multipliers for posts by followed authors and posts that followed accounts engaged with. */
    followedBoost: number;
    friendsBoost: number;
    /** Follow an unfollowed author: after a like or reply / otherwise. */
    followAfterEngaging: number;
    followOtherwise: number;
    /** Unfollow a followed author whose post the agent ignored. */
    unfollow: number;
  };
  /** Chance of writing a post when invited. */
  postWhenInvited: number;
  /** Election day: probability of voting by last stated likelihood 0…4 (and for adults who never stated one). */
  voteByLikelihood: [number, number, number, number, number];
  voteWithoutStatement: number;
}

interface Upward {
  from1to3: number;
  from2to3: number;
  from3to4: number;
}

export const OFFLINE_PARAMETERS: OfflineParameters = {
  firstValue: {
    consistent: [0, 0, 0, 0.961, 0.039],
    occasional: [0, 0, 1, 0, 0],
    'low-turnout': [0, 1, 0, 0, 0],
  },
  transitions: [
    [0.9, 0.1, 0, 0, 0],
    [0, 0.986, 0.001, 0.013, 0],
    [0, 0.008, 0.886, 0.106, 0],
    [0, 0.002, 0.006, 0.988, 0.004],
    [0, 0, 0, 0.004, 0.996],
  ],
  warmupDrift: 0.2,
  message: {
    info: { first: { from1to3: 0.02, from2to3: 0.06, from3to4: 0.016 }, repeat: { from1to3: 0.0005, from2to3: 0.003, from3to4: 0.0005 } },
    social: { first: { from1to3: 0.1, from2to3: 0.22, from3to4: 0.065 }, repeat: { from1to3: 0.002, from2to3: 0.01, from3to4: 0.001 } },
  },
  perFaceShown: 0.005,
  peerInfluence: 0.3,
  delay: [
    [0.005, 0.78, 0.19, 0.02, 0.005],
    [0.005, 0.78, 0.19, 0.02, 0.005],
    [0.002, 0.45, 0.4, 0.148, 0],
    [0.002, 0.22, 0.41, 0.358, 0.01],
    [0.002, 0.22, 0.41, 0.358, 0.01],
    [0.003, 0.38, 0.38, 0.232, 0.005],
  ],
  engagement: {
    like: 0.32,
    reply: 0.05,
    rankDecay: 0.8,
    followedBoost: 1.4,
    friendsBoost: 1.3,
    followAfterEngaging: 0.06,
    followOtherwise: 0.01,
    unfollow: 0.004,
  },
  postWhenInvited: 0.85,
  voteByLikelihood: [0.03, 0.2, 0.55, 0.88, 0.97],
  voteWithoutStatement: 0.5,
};
