/**
 * Held-out log-likelihood: fit on all seeds but one, score the main-stage activations of the one left out, rotated over
 * the seeds, for the fitted model and for the hand-set rules read as a probability model. This is how the report shows
 * that the fit predicts decisions it has not seen better than the rules do, not merely that it fits its own data.
 */
import { OFFLINE_PARAMETERS, type OfflineParameters } from '../offline/parameters';
import { quietWarmup, shift } from '../offline/rules-port';
import { collect, emptyObservations, type Cells, type FitSeed } from './features';
import { fitObservations, type FitOptions } from './fit';
import { choiceProbs, gapGivenDelay, type FittedAgents } from './model';

/** Probabilities below this count as this (the rules give 0 to moves such as 2 → 4 that do occur). */
export const SCORE_FLOOR = 1e-4;

export interface FoldScore {
  heldOut: string;
  transitions: number;
  delays: number;
  /** Mean log-likelihood per activation. */
  fitted: { transition: number; delay: number };
  rules: { transition: number; delay: number };
  /** Held-out activations to which the rules give probability 0 (scored at SCORE_FLOOR). */
  impossibleUnderRules: number;
}

/** The rules' next-likelihood row for an activation described by its transition features (no peer change, no faces). */
export function rulesRow(prev: number, x: ArrayLike<number>, off: number, p: OfflineParameters = OFFLINE_PARAMETERS): number[] {
  const row = p.transitions[prev].slice();
  const kind = x[off + 1] || x[off + 2] ? 'info' : x[off + 3] || x[off + 4] ? 'social' : null;
  const first = x[off + 1] === 1 || x[off + 3] === 1;
  if (kind) {
    const m = p.message[kind][first ? 'first' : 'repeat'];
    if (prev === 1) shift(row, 1, 3, m.from1to3);
    if (prev === 2) shift(row, 2, 3, m.from2to3);
    if (prev === 3) shift(row, 3, 4, m.from3to4);
  }
  if (x[off + 9] === 1) quietWarmup(row, prev, p.warmupDrift);
  return row;
}

function levelOfDelayX(x: ArrayLike<number>, off: number): number {
  if (x[off + 1]) return 0;
  if (x[off + 2]) return 1;
  if (x[off + 3]) return 2;
  if (x[off + 4]) return 4;
  return 3;
}

function gapLike(n: number, g: number): number {
  return g > 0 ? gapGivenDelay(n, g) : gapGivenDelay(n, 0, -g - 2);
}

/** Score held-out observations under a fitted model and under the rules. */
export function scoreObservations(agents: FittedAgents, transition: Cells[], delay: Cells, label: string): FoldScore {
  let nT = 0;
  let llF = 0;
  let llR = 0;
  let impossible = 0;
  const probs = new Float64Array(5);
  transition.forEach((cells, prev) => {
    const model = agents.transition[prev];
    for (let i = 0; i < cells.n; i++) {
      const x = Float64Array.from(cells.x.slice(i * cells.p, (i + 1) * cells.p));
      if (model) choiceProbs(model, x, probs);
      else probs.fill(0).set([1], prev);
      const rules = prev >= 1 ? rulesRow(prev, x, 0) : [1, 0, 0, 0, 0];
      for (let k = 0; k < 5; k++) {
        const c = cells.y[i * 5 + k];
        if (!c) continue;
        nT += c;
        llF += c * Math.log(Math.max(probs[k], SCORE_FLOOR));
        if (rules[k] <= 0) impossible += c;
        llR += c * Math.log(Math.max(rules[k], SCORE_FLOOR));
      }
    }
  });
  let nD = 0;
  let dF = 0;
  let dR = 0;
  for (let i = 0; i < delay.n; i++) {
    const x = Float64Array.from(delay.x.slice(i * delay.p, (i + 1) * delay.p));
    choiceProbs(agents.delay, x, probs);
    const rules = OFFLINE_PARAMETERS.delay[levelOfDelayX(x, 0)];
    const g = delay.gap[i];
    let pf = 0;
    let pr = 0;
    for (let k = 0; k < 5; k++) {
      const like = gapLike(k + 1, g);
      pf += probs[k] * like;
      pr += rules[k] * like;
    }
    const w = delay.weights[i];
    nD += w;
    dF += w * Math.log(Math.max(pf, SCORE_FLOOR));
    dR += w * Math.log(Math.max(pr, SCORE_FLOOR));
  }
  return {
    heldOut: label,
    transitions: nT,
    delays: nD,
    fitted: { transition: nT ? llF / nT : NaN, delay: nD ? dF / nD : NaN },
    rules: { transition: nT ? llR / nT : NaN, delay: nD ? dR / nD : NaN },
    impossibleUnderRules: impossible,
  };
}

/** Leave-one-seed-out: fit on the others, score the main stage of the one left out (needs ≥ 2 seeds). */
export function heldOutScores(seeds: readonly FitSeed[], options: FitOptions = {}, onFold?: (label: string) => void): FoldScore[] {
  if (seeds.length < 2) return [];
  return seeds.map((test, k) => {
    const train = seeds.filter((_, j) => j !== k);
    const obs = collect(train, emptyObservations());
    const agents = fitObservations(obs, { kind: 'published', label: 'fold', seeds: train.map((s) => s.label) }, options);
    const held = collect([test], emptyObservations(), { mainOnly: true });
    onFold?.(test.label);
    return scoreObservations(agents, held.transition, held.delayLatent, test.label);
  });
}
