/**
 * The generic round loop: a shared warm-up, forked into every condition, then the main rounds with randomised
 * messages and an optional end-of-run question. The engine owns the rounds and all randomness; agents answer through
 * the one DecisionPort and the protocol (src/engine/protocol.ts) supplies what agents hold and are asked, so the same
 * loop runs any experiment with offline agents, LLM agents or a replay, in Node or in a Worker.
 *
 * Within a round every active agent decides on the state at the start of the round (feeds, counts, messages), and the
 * decisions are then applied in ascending agent id. This synchronous update is what lets LLM calls of a round run
 * concurrently while keeping records identical for the same responses.
 */
import { messageFor, periodOf, validateConfig, type ConditionSpec, type SimConfig } from './config';
import { assignmentUniforms } from './assignment';
import { SpilloverError } from './errors';
import { FeedBuilder, feedItems, RoundFeeds, trendingPosts } from './feed';
import type { FollowNetwork } from './network';
import type { DecisionPort } from './ports';
import type { ActivationRequest, AgentProfile, AnyProtocol, Decision, DecisionOutcome, MemoryBase, RoundContext, WorldView } from './protocol';
import { hashHead, hashTail, Rng } from './rng';
import { packWorld, unpackWorld, type PackedCondition, type WarmStart } from './warm-start';
import { addPost, createState, followingNow, forkState, markFeedSeen, recordEngagement, setFollow, type WorldState } from './state';
import {
  ACTIVITY_WIDTH,
  addMeta,
  addTotals,
  emptyLlmTotals,
  type EngagementEvent,
  type FeedItem,
  type FinalRecord,
  type LlmTotals,
  type Post,
  type Reply,
  type RoundRecord,
} from './types';

export const WARMUP = 'warmup';

/** The empty feed of a request to a port that reads only `ranked`, and the empty lists of most memories (frozen, shared). */
const NO_ITEMS = Object.freeze([]) as unknown as FeedItem[];
const NONE = Object.freeze([]) as unknown as number[];

export interface ExperimentInputs {
  /** The experiment module; `config.protocol` must name it. */
  protocol: AnyProtocol;
  config: SimConfig;
  seed: number;
  /** Indexed by agent id; length must equal network.n. */
  agents: readonly AgentProfile[];
  network: FollowNetwork;
  // The port's parts are the protocol's; the runner pairs them (the registry hands out both).
  port: DecisionPort<any, any, any, any, any>;
}

export interface ExperimentProgress {
  roundsDone: number;
  roundsTotal: number;
  condition: string;
  round: number;
}

export interface ExperimentHooks {
  /** Awaited before the run goes on: a worker writes the round to IndexedDB here. */
  onRound?(record: RoundRecord, progress: ExperimentProgress): void | Promise<void>;
  /** After the end-of-run question of each condition (protocols that declare one). */
  onFinal?(record: FinalRecord, progress: ExperimentProgress): void | Promise<void>;
  /** Polled at every round boundary; true pauses the run cleanly (resume by replaying the stored rounds). */
  shouldPause?(): boolean;
}

/** Accounting of one condition of a run. */
export interface ConditionTotals {
  name: string;
  /** Activations whose answer was invalid after retries (the agent kept its previous state). */
  invalidDecisions: number;
  /** End-of-run answers that were invalid. */
  invalidFinal: number;
  llm: LlmTotals;
  posts: number;
}

export interface ExperimentResult {
  status: 'complete' | 'paused';
  seed: number;
  roundsDone: number;
  roundsTotal: number;
  conditions: ConditionTotals[];
  /** LLM accounting of the shared warm-up. */
  warmupLlm: LlmTotals;
  invalidWarmup: number;
  /** The packed end of the warm-up, when only the warm-up was asked for (`RunPhase.warmupOnly`). */
  warm?: WarmStart;
}

/**
 * Total record count of a run: warm-up rounds + main rounds × conditions, plus one end-of-run record per condition
 * when the protocol asks a final question.
 */
export function roundsTotal(config: SimConfig, hasFinal = true): number {
  const c = config.conditions.length;
  return 1 - config.firstRound + config.lastRound * c + (hasFinal ? c : 0);
}

function cancelled(): SpilloverError {
  return new SpilloverError('Cancelled', 'run cancelled: it stopped at a round boundary; start it again or resume it from the run list');
}

/** Uniform draw in [0,1) for a single labelled event (`head` = hashHead(seed, label)), without building a generator. */
function uniform(head: number, a: number, b: number): number {
  return hashTail(head, a, b) / 4294967296;
}

/** The reasons a decision cannot be applied to its request, or null when it can (generic part, then the protocol's). */
export function checkDecision(
  decision: Decision,
  request: ActivationRequest,
  agent: AgentProfile,
  maxChars: number,
  protocolCheck: (d: Decision, r: ActivationRequest) => string | null,
): string | null {
  if (!decision || typeof decision !== 'object') return 'the answer is not an object';
  if (!Number.isInteger(decision.nextDelay) || decision.nextDelay < 1 || decision.nextDelay > 5) {
    return `nextDelay ${decision.nextDelay} is not a whole number in 1…5`;
  }
  const own = protocolCheck(decision, request);
  if (own) return own;
  if (!Array.isArray(decision.actions)) return 'actions is not a list';
  const actions = decision.actions;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    if (request.ranked.indexOf(a.postId) < 0) return `action on post ${a.postId}, which is not in the feed`;
    for (let j = 0; j < i; j++) if (actions[j].postId === a.postId) return `two actions on post ${a.postId}`;
    if (a.engagement !== 'none' && a.engagement !== 'like' && a.engagement !== 'reply') return `engagement '${a.engagement}' is unknown`;
    if (a.engagement === 'reply' && (typeof a.replyText !== 'string' || a.replyText.trim() === '')) return `reply to post ${a.postId} has no text`;
    if (a.follow !== 'none' && a.follow !== 'follow' && a.follow !== 'unfollow') return `follow '${a.follow}' is unknown`;
  }
  if (decision.newPost) {
    if (!request.invitedToPost) return 'a new post was written without an invitation';
    if (typeof decision.newPost.text !== 'string' || decision.newPost.text.trim() === '') return 'the new post has no text';
    if (decision.newPost.text.length > maxChars) return `the new post has ${decision.newPost.text.length} characters; at most ${maxChars}`;
    if (!agent.interests.includes(decision.newPost.topic)) return `the new post's topic '${decision.newPost.topic}' is not one of the agent's interests`;
  }
  return null;
}

interface ConditionRun {
  spec: ConditionSpec | null;
  name: string;
  state: WorldState;
  /** The protocol's state of this condition. */
  own: unknown;
  totals: ConditionTotals;
  treatedEver: Uint8Array;
  /** Who is shown which message at the share `share` of the schedule (set by the first round at that share). */
  messages?: { share: number; treated: Uint8Array; message: Uint8Array };
}

/**
 * Which part of a run to play: all of it (the default), only the warm-up (the result's `warm` holds its packed end
 * state; status 'paused'), or the conditions from such a packed warm-up (its records are not emitted again). A pool's
 * thread may also play its conditions one after another (`conditionMajor`) and only some of their rounds (`pieces`):
 * a condition's records depend only on its own state, so any thread can play any of its rounds from that state.
 */
export interface RunPhase {
  warmupOnly?: boolean;
  from?: WarmStart;
  /** Given the packed end of the warm-up (a copy) before the conditions start from the live state. */
  onWarm?: (warm: WarmStart) => void;
  /** Each condition to its last round before the next (configuration order), instead of round by round. */
  conditionMajor?: boolean;
  /**
   * Rounds played per condition name (default 1…lastRound), with `conditionMajor`. A condition starting after round 1
   * continues the state `receive` gives; one ending before the last round is packed after it for `handOff` and
   * left out of the result (the thread that plays its last round reports it).
   */
  pieces?: Record<string, { from: number; to: number }>;
  receive?: (condition: string) => Promise<PackedCondition | null>;
  handOff?: (packed: PackedCondition) => void;
}

/** Whether a pool can ship this protocol's warm-up to its workers (it packs its state) instead of replaying it in each. */
export function canShipWarmup(protocol: AnyProtocol): boolean {
  return typeof protocol.packState === 'function' && typeof protocol.unpackState === 'function';
}

export async function runExperiment(inputs: ExperimentInputs, hooks: ExperimentHooks = {}, signal?: AbortSignal, phase: RunPhase = {}): Promise<ExperimentResult> {
  const { protocol, config, seed, agents, network, port } = inputs;
  const from = phase.from ?? null;
  if ((from || phase.warmupOnly || phase.onWarm || phase.pieces) && !canShipWarmup(protocol)) {
    throw new SpilloverError('ConfigError', `${protocol.title} does not pack its state, so its warm-up cannot be shipped; run the warm-up in every worker`);
  }
  if (from && from.seed !== seed) throw new SpilloverError('ConfigError', `warm start: it was played with seed ${from.seed}, not ${seed}; play the warm-up of this seed`);
  validateConfig(config);
  protocol.validateParams(config);
  const n = network.n;
  if (agents.length !== n) {
    throw new SpilloverError('ConfigError', `config: the population has ${agents.length} agents but the network has ${n} accounts; generate one persona per network account`, 'agents');
  }
  const final = protocol.final ?? null;
  const total = roundsTotal(config, final !== null);
  let done = 0;

  await port.init({ seed, config, agents });

  // Streams derived per agent and round: the labels are hashed once, and one generator per label is reseeded.
  const feedHead = hashHead(seed, 'feed');
  const inviteHead = hashHead(seed, 'invite');
  const gapHead = hashHead(seed, 'gap');
  const feedRng = new Rng(0);
  const feeds = new FeedBuilder(config.feed, agents);
  // FeedItem objects only for a port that reads them (prompts); offline agents read the ranked arrays.
  const profiles = port.readsFeedItems === false ? [] : agents.map((p) => p.publicProfile);
  const withItems = port.readsFeedItems !== false;

  // One uniform per adult per run, shared by every condition: the nested, absorbing roll-out (treated in period k
  // iff u < p_k) and common random numbers across arms.
  const assignment = assignmentUniforms(seed, agents);
  const messageIndex = new Map<string, number>(protocol.messages.map((m: { id: string }, i: number) => [m.id, i + 1]));

  const warm = from ? unpackWorld(from.world, network) : createState(network);
  // Seed posts appear in the first round; agents first act in one of the `firstActiveWithin` rounds from
  // `firstActiveAfter` on (1: nobody acts in round −15, as in the published runs; stored runs without it ran with 0).
  const firstActive = config.firstRound + (config.firstActiveAfter ?? 0);
  if (!from) for (let a = 0; a < n; a++) warm.nextActive[a] = firstActive + Rng.derive(seed, 'first-active', a).int(config.firstActiveWithin);
  const seedPosts: Post[] = [];
  if (config.seedPosts > 0 && !protocol.seedPost) {
    throw new SpilloverError('ConfigError', `config: seedPosts is ${config.seedPosts} but ${protocol.title} writes no seed posts; set seedPosts to 0`, 'seedPosts');
  }
  const postRng = Rng.derive(seed, 'seed-posts');
  for (let i = 0; i < (from ? 0 : config.seedPosts); i++) {
    const author = postRng.int(n);
    const topic = postRng.pick(agents[author].interests);
    const text = (protocol.seedPost as NonNullable<typeof protocol.seedPost>)(topic, postRng, config.postMaxChars);
    const id = addPost(warm, author, config.firstRound, topic, text, true);
    seedPosts.push({ id, author, round: config.firstRound, topic, text, seedPost: true });
  }

  const newTotals = (name: string): ConditionTotals => ({ name, invalidDecisions: 0, invalidFinal: 0, llm: emptyLlmTotals(), posts: 0 });
  const warmRun: ConditionRun = {
    spec: null,
    name: WARMUP,
    state: warm,
    own: from ? protocol.unpackState!(from.own, { seed, config, agents }) : protocol.createState({ seed, config, agents }),
    totals: newTotals(WARMUP),
    treatedEver: new Uint8Array(n),
  };
  if (from) {
    addTotals(warmRun.totals.llm, from.warmupLlm);
    warmRun.totals.invalidDecisions = from.invalidWarmup;
    done = 1 - config.firstRound;
  }
  const resultOf = (status: ExperimentResult['status'], runs: ConditionRun[]): ExperimentResult => ({
    status,
    seed,
    roundsDone: done,
    roundsTotal: total,
    conditions: runs.filter((x) => x !== warmRun).map((x) => x.totals),
    warmupLlm: warmRun.totals.llm,
    invalidWarmup: warmRun.totals.invalidDecisions,
  });

  const playRound = async (run: ConditionRun, round: number, extraPosts: Post[]): Promise<RoundRecord> => {
    if (signal?.aborted) throw cancelled();
    const { state } = run;
    const trending = trendingPosts(state);
    // message[a]: 0 none, k = 1 + index into protocol.messages; `treated` is its 0/1 shadow, as the CSVs record it.
    // Both depend only on the period's share, so they are worked out once per share and copied for each round.
    let treated: Uint8Array;
    let message: Uint8Array;
    const spec = run.spec;
    if (spec && round >= 1 && (spec.arms || spec.message !== 'none')) {
      const p = spec.schedule[periodOf(config, round)];
      if (run.messages?.share !== p) {
        const shown = { share: p, treated: new Uint8Array(n), message: new Uint8Array(n) };
        for (let a = 0; a < n; a++) {
          const m = messageFor(spec, assignment[a], p);
          if (m !== 'none') {
            shown.treated[a] = 1;
            shown.message[a] = messageIndex.get(m) ?? 0;
          }
        }
        run.messages = shown;
      }
      treated = run.messages.treated.slice();
      message = run.messages.message.slice();
    } else {
      treated = new Uint8Array(n);
      message = new Uint8Array(n);
    }
    const world: WorldView = { n, following: (a: number) => followingNow(state, a) };
    const ctx: RoundContext<unknown> = { seed, config, agents, condition: run.name, round, state: run.own, world, message, treatedEver: run.treatedEver };
    const scratch = protocol.beginRound(ctx);
    // A protocol that decides who acts from its own state replaces the activation schedule for this round.
    const active: ArrayLike<number> = protocol.activeAgents ? protocol.activeAgents(ctx, scratch) : scheduled(state.nextActive, round);
    const requests: ActivationRequest[] = new Array(active.length);
    const roundFeeds = new RoundFeeds(active.length * config.feed.size);
    for (let i = 0; i < active.length; i++) {
      const a = active[i];
      const ranked = feeds.build(state, a, trending, feedRng.reseed(hashTail(feedHead, a, round)), roundFeeds);
      const feed = withItems ? feedItems(ranked, state, profiles) : NO_ITEMS;
      const invitedToPost = uniform(inviteHead, a, round) < config.postInvitation;
      const base = { agentId: a, round, condition: run.name, memory: state.memory[a], feed, ranked, invitedToPost };
      requests[i] = Object.assign(base, protocol.request(ctx, scratch, a));
    }
    const outcomes = await port.decideRound({ condition: run.name, round, requests }, signal);
    if (signal?.aborted) throw cancelled();
    if (!Array.isArray(outcomes) || outcomes.length !== requests.length) {
      throw new SpilloverError('LlmError', `decision port '${port.kind}' returned ${outcomes?.length} outcomes for ${requests.length} requests in round ${round}; every request needs exactly one outcome`);
    }
    const record = applyRound(run, ctx, scratch, requests, outcomes, treated, extraPosts);
    const own = protocol.endRound(ctx, scratch);
    record.columns = own.columns;
    record.scalars = own.scalars;
    if (own.extra !== undefined) record.extra = own.extra;
    return record;
  };

  let seenSlot = new Uint8Array(1024);
  const engagedScratch: MemoryBase['engaged'] = [];
  const followedScratch: number[] = [];
  const unfollowedScratch: number[] = [];

  const applyRound = (
    run: ConditionRun,
    ctx: RoundContext<unknown>,
    scratch: unknown,
    requests: ActivationRequest[],
    outcomes: DecisionOutcome[],
    treated: Uint8Array,
    extraPosts: Post[],
  ): RoundRecord => {
    const { state, totals } = run;
    const round = ctx.round;
    const activity = new Uint16Array(n * ACTIVITY_WIDTH);
    const engagements: EngagementEvent[] = [];
    const posts: Post[] = extraPosts.slice();
    const replies: Reply[] = [];
    const invalidAgents: number[] = [];
    const llm = emptyLlmTotals();
    const decisions: DecisionOutcome[] = new Array(requests.length);
    const protocolCheck = (d: Decision, r: ActivationRequest) => protocol.checkDecision(d, r);
    for (let i = 0; i < requests.length; i++) {
      const req = requests[i];
      const a = req.agentId;
      let outcome = outcomes[i];
      addMeta(llm, outcome.meta);
      if (outcome.ok) {
        const problem = checkDecision(outcome.decision, req, agents[a], config.postMaxChars, protocolCheck);
        if (problem) outcome = { ok: false, error: `invalid decision: ${problem}`, meta: outcome.meta, exchange: outcome.exchange };
      }
      decisions[i] = outcome;
      if (seenSlot.length < state.posts.count) seenSlot = new Uint8Array(state.posts.count * 2);
      markFeedSeen(state, a, req.ranked, seenSlot);
      if (!outcome.ok) {
        invalidAgents.push(a);
        llm.invalid++;
        const n0 = state.delay[a];
        state.nextActive[a] = round + n0 + Math.floor(uniform(gapHead, a, round) * (n0 + 2));
        continue;
      }
      const d = outcome.decision;
      // The memory's lists are gathered in reused arrays and copied at their exact size (a push onto [] reserves 17).
      let nEngaged = 0;
      let nFollowed = 0;
      let nUnfollowed = 0;
      let posted: string | null = null;
      const base = a * ACTIVITY_WIDTH;
      const p = state.posts;
      for (const act of d.actions) {
        const pid = act.postId;
        const author = p.author[pid];
        if (act.engagement === 'like') {
          state.posts.likes[pid]++;
          recordEngagement(state, pid, a, 0);
          activity[base]++;
          engagements.push({ round, agent: a, kind: 'like', postId: pid, target: author });
          engagedScratch[nEngaged++] = { postId: pid, topic: p.topic[pid], text: p.text[pid], action: 'like' };
        } else if (act.engagement === 'reply') {
          const text = (act.replyText as string).slice(0, config.postMaxChars);
          state.posts.replies[pid]++;
          recordEngagement(state, pid, a, 1);
          state.posts.latestReplyAuthor[pid] = a;
          state.posts.latestReplyText[pid] = text;
          activity[base + 1]++;
          engagements.push({ round, agent: a, kind: 'reply', postId: pid, target: author, text });
          replies.push({ postId: pid, author: a, round, text });
          engagedScratch[nEngaged++] = { postId: pid, topic: p.topic[pid], text: p.text[pid], action: 'reply', replyText: text };
        }
        if (act.follow === 'follow' && setFollow(state, a, author, true)) {
          activity[base + 3]++;
          engagements.push({ round, agent: a, kind: 'follow', postId: pid, target: author });
          followedScratch[nFollowed++] = author;
        } else if (act.follow === 'unfollow' && setFollow(state, a, author, false)) {
          activity[base + 4]++;
          engagements.push({ round, agent: a, kind: 'unfollow', postId: pid, target: author });
          unfollowedScratch[nUnfollowed++] = author;
        }
      }
      if (d.newPost) {
        const id = addPost(state, a, round, d.newPost.topic, d.newPost.text, false);
        posts.push({ id, author: a, round, topic: d.newPost.topic, text: d.newPost.text, seedPost: false });
        activity[base + 2]++;
        engagements.push({ round, agent: a, kind: 'post', postId: id, target: a, text: d.newPost.text });
        posted = d.newPost.text;
        totals.posts++;
      }
      const own = protocol.applyDecision(ctx, scratch, a, d, req);
      state.memory[a] = {
        round,
        engaged: nEngaged ? engagedScratch.slice(0, nEngaged) : (NONE as unknown as MemoryBase['engaged']),
        followed: nFollowed ? followedScratch.slice(0, nFollowed) : NONE,
        unfollowed: nUnfollowed ? unfollowedScratch.slice(0, nUnfollowed) : NONE,
        posted,
        ...own,
      };
      state.delay[a] = d.nextDelay;
      state.nextActive[a] = round + d.nextDelay + Math.floor(uniform(gapHead, a, round) * (d.nextDelay + 2));
    }
    for (let a = 0; a < n; a++) if (treated[a]) run.treatedEver[a] = 1;
    totals.invalidDecisions += invalidAgents.length;
    addTotals(totals.llm, llm);
    return {
      condition: run.name,
      round,
      active: activeIds(requests),
      treated,
      activity,
      columns: {},
      scalars: {},
      engagements,
      posts,
      replies,
      invalidAgents,
      decisions,
      llm,
    };
  };

  const emit = async (record: RoundRecord): Promise<void> => {
    done++;
    await hooks.onRound?.(record, { roundsDone: done, roundsTotal: total, condition: record.condition, round: record.round });
  };

  // Warm-up: rounds firstRound…0, no treatment, shared by every condition.
  for (let r = config.firstRound; r <= 0 && !from; r++) {
    const record = await playRound(warmRun, r, r === config.firstRound ? seedPosts : []);
    await emit(record);
    if (hooks.shouldPause?.()) return resultOf('paused', [warmRun]);
  }
  const packWarm = (): WarmStart => ({
    seed,
    world: packWorld(warm),
    own: protocol.packState!(warmRun.own),
    warmupLlm: { ...warmRun.totals.llm },
    invalidWarmup: warmRun.totals.invalidDecisions,
  });
  if (phase.warmupOnly) return { ...resultOf('paused', [warmRun]), warm: packWarm() };
  if (phase.onWarm && !from) phase.onWarm(packWarm());

  const startRun = (spec: ConditionSpec): ConditionRun => ({
    spec,
    name: spec.name,
    state: forkState(warm),
    own: protocol.forkState(warmRun.own),
    totals: newTotals(spec.name),
    treatedEver: new Uint8Array(n),
  });
  const runs: ConditionRun[] = [];
  if (phase.conditionMajor) {
    for (const spec of config.conditions) {
      const piece = phase.pieces?.[spec.name] ?? { from: 1, to: config.lastRound };
      let run: ConditionRun;
      if (piece.from > 1) {
        const packed = await phase.receive?.(spec.name);
        if (!packed) return resultOf('paused', runs);
        if (packed.name !== spec.name || packed.round !== piece.from - 1) {
          throw new SpilloverError('ConfigError', `condition pieces: got '${packed.name}' after round ${packed.round}, expected '${spec.name}' after round ${piece.from - 1}; this is a bug in the pool`);
        }
        run = { spec, name: spec.name, state: unpackWorld(packed.world, network), own: protocol.unpackState!(packed.own, { seed, config, agents }), totals: packed.totals, treatedEver: packed.treatedEver };
      } else run = startRun(spec);
      for (let r = piece.from; r <= piece.to; r++) {
        const record = await playRound(run, r, []);
        await emit(record);
        if (hooks.shouldPause?.()) return resultOf('paused', [...runs, run]);
      }
      if (piece.to >= config.lastRound) runs.push(run);
      else {
        const packed: PackedCondition = { name: run.name, round: piece.to, world: packWorld(run.state), own: protocol.packState!(run.own), treatedEver: run.treatedEver, totals: run.totals };
        phase.handOff?.(packed);
      }
    }
  } else {
    for (const spec of config.conditions) runs.push(startRun(spec));
    for (let r = 1; r <= config.lastRound; r++) {
      for (const run of runs) {
        const record = await playRound(run, r, []);
        await emit(record);
        if (hooks.shouldPause?.()) return resultOf('paused', runs);
      }
    }
  }

  if (!final) return resultOf('complete', runs);
  // The end-of-run question: each eligible agent is asked once.
  for (const run of runs) {
    if (signal?.aborted) throw cancelled();
    const requests: Array<{ agentId: number; condition: string }> = [];
    for (let a = 0; a < n; a++) {
      const q = final.ask(run.own, a, { config, agents, treatedEver: run.treatedEver });
      if (q !== null) requests.push({ agentId: a, condition: run.name, ...q });
    }
    const outcomes = await port.decideFinal({ condition: run.name, requests }, signal);
    if (signal?.aborted) throw cancelled();
    if (!Array.isArray(outcomes) || outcomes.length !== requests.length) {
      throw new SpilloverError('LlmError', `decision port '${port.kind}' returned ${outcomes?.length} answers for ${requests.length} agents asked at the end; every agent asked needs exactly one outcome`);
    }
    const values = new Int8Array(n).fill(-1);
    const invalidAgents: number[] = [];
    const llm = emptyLlmTotals();
    outcomes.forEach((o: { ok: boolean; meta?: Parameters<typeof addMeta>[1] }, i: number) => {
      addMeta(llm, o.meta);
      const a = requests[i].agentId;
      const v = o.ok ? final.value(o) : null;
      if (v !== null) values[a] = v;
      else {
        invalidAgents.push(a);
        llm.invalid++;
      }
    });
    run.totals.invalidFinal = invalidAgents.length;
    addTotals(run.totals.llm, llm);
    done++;
    const record: FinalRecord = { condition: run.name, values: values.slice(), invalidAgents, outcomes, llm };
    await hooks.onFinal?.(record, { roundsDone: done, roundsTotal: total, condition: run.name, round: config.lastRound });
    if (done < total && hooks.shouldPause?.()) return resultOf('paused', runs);
  }

  return resultOf('complete', runs);
}

/** Agents whose next activation is this round, ascending (the engine's activation schedule). */
function scheduled(nextActive: Int32Array, round: number): number[] {
  const active: number[] = [];
  for (let a = 0; a < nextActive.length; a++) if (nextActive[a] === round) active.push(a);
  return active;
}

function activeIds(requests: readonly ActivationRequest[]): Int32Array {
  const ids = new Int32Array(requests.length);
  for (let i = 0; i < requests.length; i++) ids[i] = requests[i].agentId;
  return ids;
}
