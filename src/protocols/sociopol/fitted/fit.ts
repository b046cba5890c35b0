/**
 * Maximum-likelihood fit of the SocioPol surrogate: the next stated likelihood per previous level, the delay choice
 * (latent in the published data, where only the gap to the next activation is seen: fitted by EM), the first stated
 * value and, where a run recorded them, election-day votes. Ridge-penalised, deterministic, pure (runs in the app too).
 */
import { fitMlogit, mlogitProbs, type Design } from './mlogit';
import { collect, emptyObservations, type Cells, type FitSeed, type Observations } from './features';
import {
  DELAY_FEATURES,
  FIRST_FEATURES,
  FITTED_FORMAT,
  FITTED_VERSION,
  TRANSITION_FEATURES,
  gapGivenDelay,
  type ChoiceModel,
  type FittedAgents,
} from './model';

/**
 * Election day when the data hold no votes (the published CSVs): the probability of voting by last stated likelihood
 * 0…4, a stated prior (the hand-set rules' values: roughly the CPS self-reported turnout of people who say they
 * definitely / probably will vote), and for adults who never stated one.
 */
export const VOTE_PRIOR = { byLevel: [0.03, 0.2, 0.55, 0.88, 0.97], withoutStatement: 0.5 };

export interface FitOptions {
  /** Ridge penalty on slopes. @default 1 */
  ridge?: number;
  /** EM iterations for the latent delay. @default 40 */
  emIterations?: number;
}

export interface FitSource {
  kind: FittedAgents['source']['kind'];
  label: string;
}

function design(cells: Cells, y?: number[]): Design {
  return { n: cells.n, p: cells.p, K: cells.K, x: Float64Array.from(cells.x), y: Float64Array.from(y ?? cells.y) };
}

function choice(cells: Cells, features: readonly string[], ridge: number, reference: number, fixedZero: readonly boolean[]): ChoiceModel | null {
  if (cells.count === 0) return null;
  const d = design(cells);
  // Columns absent from the data stay exactly zero (their gradient is zero and the ridge holds them there).
  const totals = new Array<number>(cells.K).fill(0);
  for (let i = 0; i < d.n; i++) for (let k = 0; k < d.K; k++) totals[k] += d.y[i * d.K + k];
  const ref = totals[reference] > 0 ? reference : totals.indexOf(Math.max(...totals));
  const fit = fitMlogit(d, { ridge, reference: ref, excluded: totals.map((t) => t === 0) });
  const beta = fit.beta.map((b, k) => (fixedZero[k % d.p] ? 0 : b));
  return { features: [...features], beta, excluded: fit.excluded, n: cells.count };
}

/** Delay classes n = 1…5 from gaps alone: EM over the chosen n, whose M-step is a weighted multinomial logit. */
function fitDelay(latent: Cells, known: Cells, ridge: number, iterations: number): ChoiceModel {
  const K = 5;
  const p = DELAY_FEATURES.length;
  const x = [...latent.x, ...known.x];
  const n = latent.n + known.n;
  const y = new Float64Array(n * K);
  for (let i = 0; i < known.n; i++) for (let k = 0; k < K; k++) y[(latent.n + i) * K + k] = known.y[i * K + k];
  const lat = latent.weights;
  const pr = new Float64Array(K);
  let beta: number[] | undefined;
  const X = Float64Array.from(x);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < latent.n; i++) {
      if (beta) mlogitProbs(beta, [false, false, false, false, false], X, i * p, p, pr);
      else pr.fill(1 / K);
      const g = latent.gap[i];
      let total = 0;
      for (let k = 0; k < K; k++) {
        const like = g > 0 ? gapGivenDelay(k + 1, g) : gapGivenDelay(k + 1, 0, -g - 2);
        pr[k] *= like;
        total += pr[k];
      }
      for (let k = 0; k < K; k++) y[i * K + k] = total > 0 ? (lat[i] * pr[k]) / total : lat[i] / K;
    }
    const fit = fitMlogit({ n, p, K, x: X, y }, { ridge, reference: 2 }, beta);
    beta = fit.beta;
  }
  return { features: [...DELAY_FEATURES], beta: beta ?? new Array(K * p).fill(0), excluded: [false, false, false, false, false], n: latent.count + known.count };
}

/** Fit every choice from collected observations. */
export function fitObservations(obs: Observations, source: FitSource & { seeds: string[] }, options: FitOptions = {}): FittedAgents {
  const ridge = options.ridge ?? 1;
  const absentT = obs.present.transition.map((v, k) => k > 0 && !v);
  const transition = obs.transition.map((cells) => choice(cells, TRANSITION_FEATURES, ridge, 0, absentT));
  // The reference class of a row is its own level ("stay"); choice() falls back to the commonest class.
  obs.transition.forEach((cells, level) => {
    if (cells.count) transition[level] = choice(cells, TRANSITION_FEATURES, ridge, level, absentT);
  });
  const firstPresent = new Array<boolean>(FIRST_FEATURES.length).fill(false);
  for (let i = 0; i < obs.first.n; i++) for (let k = 0; k < FIRST_FEATURES.length; k++) if (obs.first.x[i * FIRST_FEATURES.length + k] !== 0) firstPresent[k] = true;
  const first = choice(obs.first, FIRST_FEATURES, ridge, 3, firstPresent.map((v, k) => k > 0 && !v));
  const delay = fitDelay(obs.delayLatent, obs.delayKnown, ridge, options.emIterations ?? 40);
  const voteN = obs.votes.map((v) => v[0] + v[1]);
  const fittedVotes = voteN.some((c) => c > 0);
  // Votes: the observed share by level, shrunk toward the prior with two pseudo-votes (the MAP of a Beta prior).
  const shrink = (k: number, prior: number) => (obs.votes[k][1] + 2 * prior) / (voteN[k] + 2);
  const vote = fittedVotes
    ? {
        byLevel: VOTE_PRIOR.byLevel.map((p, k) => shrink(k, p)),
        withoutStatement: shrink(5, VOTE_PRIOR.withoutStatement),
        fitted: true,
        note: 'share who voted by last stated likelihood, shrunk toward the prior with two pseudo-votes per level',
        n: voteN,
      }
    : {
        ...VOTE_PRIOR,
        fitted: false,
        note: 'the data hold no election-day votes: a stated prior (CPS-like self-reported turnout by stated likelihood), not fitted',
        n: voteN,
      };
  const absent = TRANSITION_FEATURES.filter((_, k) => absentT[k]).map((f) => `transition: ${f}`);
  absent.push(...FIRST_FEATURES.filter((_, k) => k > 0 && !firstPresent[k]).map((f) => `first value: ${f}`));
  return {
    format: FITTED_FORMAT,
    version: FITTED_VERSION,
    source: { kind: source.kind, label: source.label, seeds: source.seeds, activations: obs.activations, createdBy: 'spillover fit (ridge multinomial logit, EM for delays)' },
    absent,
    ridge,
    transition,
    delay,
    first: first as ChoiceModel,
    vote,
  };
}

/** Fit from seeds (published or own run). */
export function fitAgents(seeds: readonly FitSeed[], source: FitSource, options: FitOptions = {}): FittedAgents {
  const obs = collect(seeds, emptyObservations());
  return fitObservations(obs, { ...source, seeds: seeds.map((s) => s.label) }, options);
}
