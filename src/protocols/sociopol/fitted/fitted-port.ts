/**
 * Fitted agents: the decision port whose stated likelihoods, delays and votes are drawn from a model fitted by
 * likelihood to decision data (the published LLM runs, or a stored LLM run). It answers from the request alone (no
 * memory of earlier calls), so a resumed run replays identically. Engagement, follows and posts are not in the
 * decision data, so they come from the hand-set rules.
 */
import { OfflinePort } from '../offline/rules-port';
import { assignmentUniforms } from '../../../engine/assignment';
import { messageFor, periodOf, type SimConfig } from '../../../engine/config';
import { SpilloverError } from '../../../engine/errors';
import type { PortContext } from '../../../engine/ports';
import { hashHead, hashTail, Rng } from '../../../engine/rng';
import type { Persona } from '../../../population/types';
import type { ActivationRequest, Decision, DecisionOutcome, RoundBatch, SocioPolPort, VoteBatch, VoteOutcome } from '../types';
import {
  DELAY_FEATURES,
  FIRST_FEATURES,
  FITTED_FORMAT,
  TRANSITION_FEATURES,
  asLikelihood,
  choiceProbs,
  delayFeatures,
  firstFeatures,
  pick,
  transitionFeatures,
  type FittedAgents,
  type MessageCode,
} from './model';

export { FITTED_PUBLISHED_LABEL } from './model';

export class FittedPort implements SocioPolPort {
  readonly kind = 'fitted';
  /** Engagement comes from the rules, which read only the ranked feed. */
  readonly readsFeedItems = false;
  private seed = 0;
  private personas: readonly Persona[] = [];
  private config: SimConfig | null = null;
  private head = hashHead(0, 'fitted');
  private readonly rng = new Rng(0);
  private readonly rules = new OfflinePort();
  private uniforms: Float64Array | null = null;
  /** First treated round per agent, per condition (computed once from the assignment: the roll-out is absorbing). */
  private firstTreated = new Map<string, Int16Array>();
  private readonly tx = new Float64Array(TRANSITION_FEATURES.length);
  private readonly dx = new Float64Array(DELAY_FEATURES.length);
  private readonly fx = new Float64Array(FIRST_FEATURES.length);
  private readonly probs = new Float64Array(5);

  constructor(readonly agents: FittedAgents) {
    checkFitted(agents, 'fitted agents');
  }

  init(ctx: PortContext): void {
    this.seed = ctx.seed;
    this.personas = ctx.agents as readonly Persona[];
    this.config = ctx.config;
    this.head = hashHead(ctx.seed, 'fitted');
    this.uniforms = null;
    this.firstTreated.clear();
    this.rules.init(ctx);
  }

  async decideRound(batch: RoundBatch): Promise<DecisionOutcome[]> {
    return batch.requests.map((req) => ({ ok: true, decision: this.decide(req) }));
  }

  async decideFinal(batch: VoteBatch): Promise<VoteOutcome[]> {
    const v = this.agents.vote;
    return batch.requests.map((req) => {
      const u = Rng.derive(this.seed, 'fitted-vote', req.agentId).next();
      const p = req.lastLikelihood === null ? v.withoutStatement : v.byLevel[req.lastLikelihood];
      return { ok: true, voted: u < p ? 1 : 0 };
    });
  }

  /** One activation: the rules' engagement and posts, the fitted likelihood and delay. */
  decide(req: ActivationRequest): Decision {
    const base = this.rules.decide(req);
    const rng = this.rng.reseed(hashTail(this.head, req.agentId, req.round));
    const u1 = rng.next();
    const u2 = rng.next();
    const persona = this.personas[req.agentId];
    let likelihood: Decision['likelihood'] = null;
    let message: MessageCode = 0;
    if (req.vote) {
      const vote = req.vote;
      message = vote.treatment ? (vote.treatment.kind === 'info' ? 1 : 2) : 0;
      const prev = vote.previousLikelihood;
      if (prev === null) {
        firstFeatures(persona?.turnoutHabit ?? null, this.fx);
        likelihood = asLikelihood(pick(choiceProbs(this.agents.first, this.fx, this.probs), u1));
      } else {
        const model = this.agents.transition[prev];
        if (!model) likelihood = prev;
        else {
          const memory = req.memory;
          const firstExposure = message !== 0 && !memory?.sawMessage;
          transitionFeatures({
            message,
            firstExposure,
            exposureRounds: message !== 0 ? req.round - this.firstTreatedRound(req.condition, req.agentId, req.round) : 0,
            gap: memory ? req.round - memory.round : 3,
            round: req.round,
            peerShare: vote.followedLikelyShare,
            peerChange: memory ? vote.followedLikelyShare - memory.followedLikelyShare : 0,
            habit: persona?.turnoutHabit ?? null,
          }, this.tx);
          likelihood = asLikelihood(pick(choiceProbs(model, this.tx, this.probs), u1));
        }
      }
    }
    delayFeatures(likelihood ?? 3, message, req.round, this.dx);
    const nextDelay = 1 + pick(choiceProbs(this.agents.delay, this.dx, this.probs), u2);
    return { actions: base.actions, newPost: base.newPost, likelihood, nextDelay };
  }

  /** The first main round in which this agent is treated in this condition (`fallback` when the schedule never does). */
  private firstTreatedRound(condition: string, agent: number, fallback: number): number {
    const config = this.config;
    if (!config) return fallback;
    let table = this.firstTreated.get(condition);
    if (!table) {
      const spec = config.conditions.find((c) => c.name === condition);
      const u = (this.uniforms ??= assignmentUniforms(this.seed, this.personas));
      table = new Int16Array(this.personas.length).fill(-1);
      if (spec) {
        for (let a = 0; a < table.length; a++) {
          for (let r = 1; r <= config.lastRound; r++) {
            if (messageFor(spec, u[a], spec.schedule[periodOf(config, r)]) !== 'none') {
              table[a] = r;
              break;
            }
          }
        }
      }
      this.firstTreated.set(condition, table);
    }
    const r = table[agent];
    return r >= 1 && r <= fallback ? r : fallback;
  }
}

/** Throws a DataError naming what is wrong with a fitted-agents file, or returns it unchanged. */
export function checkFitted(raw: unknown, source: string): FittedAgents {
  const f = raw as Partial<FittedAgents>;
  const fix = 'choose a file written by `npm run fit` or "Fit agents from this run"';
  if (!f || typeof f !== 'object' || f.format !== FITTED_FORMAT) throw new SpilloverError('DataError', `${source}: is not a fitted-agents file (format field missing); ${fix}`);
  const sizes: Array<[string, unknown, number]> = [
    ['delay', f.delay, DELAY_FEATURES.length],
    ['first', f.first, FIRST_FEATURES.length],
    ...(Array.isArray(f.transition) ? f.transition.map((t, k): [string, unknown, number] => [`transition[${k}]`, t, TRANSITION_FEATURES.length]) : []),
  ];
  if (!Array.isArray(f.transition) || f.transition.length !== 5) throw new SpilloverError('DataError', `${source}: transition must list 5 previous levels (0…4); ${fix}`);
  for (const [name, m, p] of sizes) {
    if (m === null && name.startsWith('transition')) continue;
    const c = m as { beta?: unknown; excluded?: unknown };
    if (!c || !Array.isArray(c.beta) || !Array.isArray(c.excluded) || c.beta.length !== 5 * p || c.beta.some((b) => typeof b !== 'number' || !Number.isFinite(b))) {
      throw new SpilloverError('DataError', `${source}: ${name} has no 5 × ${p} finite coefficients; ${fix}`);
    }
  }
  const v = f.vote;
  if (!v || !Array.isArray(v.byLevel) || v.byLevel.length !== 5 || typeof v.withoutStatement !== 'number') {
    throw new SpilloverError('DataError', `${source}: vote needs byLevel (5 probabilities) and withoutStatement; ${fix}`);
  }
  return f as FittedAgents;
}

export function createFittedPort(agents: FittedAgents): FittedPort {
  return new FittedPort(agents);
}
