/**
 * Emotion as a three-state Markov chain with decay, as S3 describes it (Gao et al. 2023 §3.3: emotion calm / moderate /
 * intense, updated as a Markov step from the current state and the round's messages, with a decay coefficient pulling
 * it back toward calm). The chain is a birth–death chain: aroused messages push a level up, decay pulls a level down.
 * The parameters are ours (the paper fits an LLM, not a chain); the closed forms below are what the tests check.
 */
import type { EmotionLevel } from './types';

export interface EmotionChain {
  /** Chance of moving one level up when every message heard is intense (scaled by the messages' mean intensity). @default 0.8 */
  arousal: number;
  /** Decay coefficient: chance of moving one level toward calm in a round without an upward move. @default 0.2 */
  decay: number;
}

export const DEFAULT_EMOTION_CHAIN: EmotionChain = { arousal: 0.8, decay: 0.2 };

/** Chance of moving up this round given the emotion levels of the messages heard (0 without messages). */
export function arousalChance(chain: EmotionChain, heard: ArrayLike<EmotionLevel>): number {
  if (heard.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < heard.length; i++) s += heard[i];
  return chain.arousal * (s / heard.length / 2);
}

/**
 * One Markov step: up one level with probability `up` (not above intense); otherwise down one level with probability
 * `decay` (not below calm). `u` is the user's uniform draw for the round.
 */
export function emotionStep(level: EmotionLevel, up: number, decay: number, u: number): EmotionLevel {
  if (u < up) return (level < 2 ? level + 1 : 2) as EmotionLevel;
  // Reuse the rest of the same draw for the decay, so one uniform decides the whole step.
  const v = up < 1 ? (u - up) / (1 - up) : 0;
  if (v < decay) return (level > 0 ? level - 1 : 0) as EmotionLevel;
  return level;
}

/** The chain's transition matrix for a constant upward chance `up` (rows: from calm, moderate, intense). */
export function transitionMatrix(up: number, decay: number): number[][] {
  const down = (1 - up) * decay;
  return [
    [1 - up, up, 0],
    [down, 1 - up - down, up],
    [0, down, 1 - down],
  ];
}

/** Long-run shares of calm / moderate / intense under a constant upward chance (detailed balance of the birth–death chain). */
export function stationaryShares(up: number, decay: number): [number, number, number] {
  const down = (1 - up) * decay;
  if (down === 0) return up > 0 ? [0, 0, 1] : [1, 0, 0];
  const r = up / down;
  const z = 1 + r + r * r;
  return [1 / z, r / z, (r * r) / z];
}

/** Mean level / 2 over aware users: 0 when all are calm, 1 when all are intense (the emotion-intensity index). */
export function intensityIndex(levels: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < levels.length; i++) {
    if (levels[i] < 0) continue;
    s += levels[i];
    n++;
  }
  return n ? s / n / 2 : 0;
}
