/**
 * The round loop of protocol A (protocols.md §A): a shared warm-up, forked into every condition, then the main rounds
 * with randomised messages and an election day. The engine owns the rounds and all randomness; agents answer through
 * the one DecisionPort, so the same loop runs offline agents, LLM agents or a replay, in Node or in a Worker.
 *
 * Within a round every active agent decides on the state at the start of the round (feeds, counts, messages), and the
 * decisions are then applied in ascending agent id. This synchronous update is what lets LLM calls of a round run
 * concurrently while keeping records identical for the same responses.
 */
import { messageFor, periodOf, validateConfig, type ConditionSpec, type SimConfig } from './config';
import { assignmentUniforms } from './assignment';
import { seedPostText } from './content';
import { SpilloverError } from './errors';
import { FeedBuilder, trendingPosts } from './feed';
import type { FollowNetwork } from './network';
import type { DecisionPort } from './ports';
import { hashHead, hashTail, Rng } from './rng';
import { addPost, createState, followingNow, forkState, markFeedSeen, recordEngagement, setFollow, type WorldState } from './state';
import {
  ACTIVITY_WIDTH,
  addMeta,
  addTotals,
  emptyLlmTotals,
  type ActivationRequest,
  type Decision,
  type DecisionOutcome,
  type ElectionRecord,
  type EngagementEvent,
  type FeedItem,
  type Likelihood,
  type LlmTotals,
  type Memory,
  type Persona,
  type Post,
  type Reply,
  type RoundRecord,
  type TreatmentMessage,
  type VoteRequest,
} from './types';

export const WARMUP = 'warmup';

export interface ExperimentInputs {
  config: SimConfig;
  seed: number;
  /** Indexed by agent id; length must equal network.n. */
  personas: readonly Persona[];
  network: FollowNetwork;
  port: DecisionPort;
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
  onElection?(record: ElectionRecord, progress: ExperimentProgress): void | Promise<void>;
  /** Polled at every round boundary; true pauses the run cleanly (resume by replaying the stored rounds). */
  shouldPause?(): boolean;
}

/** The wide tables of one condition (warm-up columns included), as the published CSVs lay them out. */
export interface ConditionTables {
  name: string;
  /** Column labels, firstRound…lastRound. */
  rounds: number[];
  /** n × rounds, likelihood stated in that round or −1. */
  stated: Int8Array;
  /** n × rounds, treatment assignment 0/1. */
  treated: Uint8Array;
  /** n × rounds, 1 where the agent was active. */
  active: Uint8Array;
  /** Election-day vote per agent (0/1, −1 minors/invalid); null until election day has run. */
  votes: Int8Array | null;
  /** Activations whose answer was invalid after retries (the agent kept its previous state). */
  invalidDecisions: number;
  invalidVotes: number;
  llm: LlmTotals;
  posts: number;
}

export interface ExperimentResult {
  status: 'complete' | 'paused';
  seed: number;
  roundsDone: number;
  roundsTotal: number;
  conditions: ConditionTables[];
  /** LLM accounting of the shared warm-up. */
  warmupLlm: LlmTotals;
  invalidWarmup: number;
}

/** Total record count of a run: warm-up rounds + main rounds × conditions + one election per condition. */
export function roundsTotal(config: SimConfig): number {
  const c = config.conditions.length;
  return 1 - config.firstRound + config.lastRound * c + c;
}

function cancelled(): SpilloverError {
  return new SpilloverError('Cancelled', 'run cancelled: it stopped at a round boundary; start it again or resume it from the run list');
}

/** Uniform draw in [0,1) for a single labelled event (`head` = hashHead(seed, label)), without building a generator. */
function uniform(head: number, a: number, b: number): number {
  return hashTail(head, a, b) / 4294967296;
}

/** The reasons a decision cannot be applied to its request, or null when it can. */
export function checkDecision(decision: Decision, request: ActivationRequest, persona: Persona, maxChars: number): string | null {
  if (!decision || typeof decision !== 'object') return 'the answer is not an object';
  if (!Number.isInteger(decision.nextDelay) || decision.nextDelay < 1 || decision.nextDelay > 5) {
    return `nextDelay ${decision.nextDelay} is not a whole number in 1…5`;
  }
  if (request.vote) {
    const l = decision.likelihood;
    if (l === null || !Number.isInteger(l) || l < 0 || l > 4) return `likelihood ${l} is not a whole number in 0…4`;
  }
  if (!Array.isArray(decision.actions)) return 'actions is not a list';
  const actions = decision.actions;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    if (feedIndex(request.feed, a.postId) < 0) return `action on post ${a.postId}, which is not in the feed`;
    for (let j = 0; j < i; j++) if (actions[j].postId === a.postId) return `two actions on post ${a.postId}`;
    if (a.engagement !== 'none' && a.engagement !== 'like' && a.engagement !== 'reply') return `engagement '${a.engagement}' is unknown`;
    if (a.engagement === 'reply' && (typeof a.replyText !== 'string' || a.replyText.trim() === '')) return `reply to post ${a.postId} has no text`;
    if (a.follow !== 'none' && a.follow !== 'follow' && a.follow !== 'unfollow') return `follow '${a.follow}' is unknown`;
  }
  if (decision.newPost) {
    if (!request.invitedToPost) return 'a new post was written without an invitation';
    if (typeof decision.newPost.text !== 'string' || decision.newPost.text.trim() === '') return 'the new post has no text';
    if (decision.newPost.text.length > maxChars) return `the new post has ${decision.newPost.text.length} characters; at most ${maxChars}`;
    if (!persona.interests.includes(decision.newPost.topic)) return `the new post's topic '${decision.newPost.topic}' is not one of the agent's interests`;
  }
  return null;
}

/** Position of `postId` in a feed, or −1. */
function feedIndex(feed: readonly FeedItem[], postId: number): number {
  for (let k = 0; k < feed.length; k++) if (feed[k].postId === postId) return k;
  return -1;
}

/** Ascending in place; for the handful of faces a social message shows (Array.prototype.sort allocates). */
function sortSmall(ids: number[]): number[] {
  for (let i = 1; i < ids.length; i++) {
    const x = ids[i];
    let j = i - 1;
    while (j >= 0 && ids[j] > x) {
      ids[j + 1] = ids[j];
      j--;
    }
    ids[j + 1] = x;
  }
  return ids;
}

interface ConditionRun {
  spec: ConditionSpec | null;
  name: string;
  state: WorldState;
  tables: ConditionTables;
  treatedEver: Uint8Array;
}

export async function runExperiment(
  inputs: ExperimentInputs,
  hooks: ExperimentHooks = {},
  signal?: AbortSignal,
): Promise<ExperimentResult> {
  const { config, seed, personas, network, port } = inputs;
  validateConfig(config);
  const n = network.n;
  if (personas.length !== n) {
    throw new SpilloverError('ConfigError', `config: the population has ${personas.length} agents but the network has ${n} accounts; generate one persona per network account`, 'agents');
  }
  const rounds: number[] = [];
  for (let r = config.firstRound; r <= config.lastRound; r++) rounds.push(r);
  const R = rounds.length;
  const col = (r: number) => r - config.firstRound;
  const total = roundsTotal(config);
  let done = 0;

  await port.init({ seed, config, personas });

  // Streams derived per agent and round: the labels are hashed once, and one generator per label is reseeded.
  const feedHead = hashHead(seed, 'feed');
  const facesHead = hashHead(seed, 'faces');
  const inviteHead = hashHead(seed, 'invite');
  const gapHead = hashHead(seed, 'gap');
  const feedRng = new Rng(0);
  const profiles = personas.map((p) => p.publicProfile);
  const feeds = new FeedBuilder(profiles, config.feed, personas);
  const facesRng = new Rng(0);

  // One uniform per adult per run, shared by every condition: the nested, absorbing roll-out (treated in period k
  // iff u < p_k) and common random numbers across arms.
  const assignment = assignmentUniforms(seed, personas);
  // Whose statements the social message pictures and the peer signal counts (protocol A: followed accounts; Bond
  // 2012: close friends).
  const closeFriends = config.friendsChannel === 'closeFriends' ? personas.map((p) => Int32Array.from(p.closeFriends).sort()) : null;

  const warm = createState(network);
  for (let a = 0; a < n; a++) warm.nextActive[a] = config.firstRound + Rng.derive(seed, 'first-active', a).int(config.firstActiveWithin);
  const seedPosts: Post[] = [];
  const postRng = Rng.derive(seed, 'seed-posts');
  for (let i = 0; i < config.seedPosts; i++) {
    const author = postRng.int(n);
    const topic = postRng.pick(personas[author].interests);
    const text = seedPostText(topic, postRng, config.postMaxChars);
    const id = addPost(warm, author, config.firstRound, topic, text, true);
    seedPosts.push({ id, author, round: config.firstRound, topic, text, seed: true });
  }

  const newTables = (name: string): ConditionTables => ({
    name,
    rounds,
    stated: new Int8Array(n * R).fill(-1),
    treated: new Uint8Array(n * R),
    active: new Uint8Array(n * R),
    votes: null,
    invalidDecisions: 0,
    invalidVotes: 0,
    llm: emptyLlmTotals(),
    posts: 0,
  });

  const warmRun: ConditionRun = { spec: null, name: WARMUP, state: warm, tables: newTables(WARMUP), treatedEver: new Uint8Array(n) };
  const resultOf = (status: ExperimentResult['status'], runs: ConditionRun[]): ExperimentResult => ({
    status,
    seed,
    roundsDone: done,
    roundsTotal: total,
    conditions: runs.map((x) => x.tables),
    warmupLlm: warmRun.tables.llm,
    invalidWarmup: warmRun.tables.invalidDecisions,
  });

  const playRound = async (run: ConditionRun, round: number, extraPosts: Post[]): Promise<RoundRecord> => {
    if (signal?.aborted) throw cancelled();
    const { state } = run;
    const active: number[] = [];
    for (let a = 0; a < n; a++) if (state.nextActive[a] === round) active.push(a);
    const trending = trendingPosts(state);
    let likelyCount = 0;
    for (let a = 0; a < n; a++) if (state.current[a] >= 3) likelyCount++;
    // 0 no message, 1 informational, 2 social; `treated` is its 0/1 shadow, as the published CSVs record it.
    const treated = new Uint8Array(n);
    const message = new Uint8Array(n);
    const spec = run.spec;
    if (spec && round >= 1 && (spec.arms || spec.message !== 'none')) {
      const p = spec.schedule[periodOf(config, round)];
      for (let a = 0; a < n; a++) {
        const m = messageFor(spec, assignment[a], p);
        if (m !== 'none') {
          treated[a] = 1;
          message[a] = m === 'info' ? 1 : 2;
        }
      }
    }
    const socialText = `${config.messages.info} ${config.messages.social.replace('{count}', likelyCount.toLocaleString('en-US'))}`;
    const requests: ActivationRequest[] = new Array(active.length);
    for (let i = 0; i < active.length; i++) {
      requests[i] = buildRequest(run, active[i], round, message[active[i]], likelyCount, socialText, trending);
    }
    const outcomes = await port.decideRound({ condition: run.name, round, requests }, signal);
    if (signal?.aborted) throw cancelled();
    if (!Array.isArray(outcomes) || outcomes.length !== requests.length) {
      throw new SpilloverError('LlmError', `decision port '${port.kind}' returned ${outcomes?.length} outcomes for ${requests.length} requests in round ${round}; every request needs exactly one outcome`);
    }
    return applyRound(run, round, requests, outcomes, treated, likelyCount, extraPosts);
  };

  const buildRequest = (
    run: ConditionRun,
    a: number,
    round: number,
    messageKind: number,
    likelyCount: number,
    socialText: string,
    trending: number[],
  ): ActivationRequest => {
    const { state } = run;
    const persona = personas[a];
    const feed = feeds.build(state, persona, trending, feedRng.reseed(hashTail(feedHead, a, round)));
    const invitedToPost = uniform(inviteHead, a, round) < config.postInvitation;
    let vote: ActivationRequest['vote'] = null;
    if (persona.adult) {
      const follow = followingNow(state, a);
      const peers = closeFriends ? closeFriends[a] : follow;
      // The peer signal counts only peers that have said something, so it does not rise merely because more accounts
      // have spoken (early in the warm-up).
      let likely = 0;
      let stated = 0;
      for (let k = 0; k < peers.length; k++) {
        const v = state.current[peers[k]];
        if (v >= 0) {
          stated++;
          if (v >= 3) likely++;
        }
      }
      let treatment: TreatmentMessage | null = null;
      if (messageKind !== 0) {
        if (messageKind === 1) {
          treatment = { kind: 'info', text: config.messages.info };
        } else {
          const eligible: number[] = [];
          for (let k = 0; k < peers.length; k++) if (state.current[peers[k]] >= 3) eligible.push(peers[k]);
          const shown = facesRng.reseed(hashTail(facesHead, a, round)).sample(eligible, config.maxFollowedLikelyShown);
          sortSmall(shown);
          treatment = {
            kind: 'social',
            text: socialText,
            likelyCount,
            followedLikely: shown.map((id) => ({ id, profile: profiles[id] })),
          };
        }
      }
      const cur = state.current[a];
      vote = {
        roundsToElection: config.lastRound - round,
        previousLikelihood: cur >= 0 ? (cur as Likelihood) : null,
        treatment,
        followedCount: follow.length,
        followedLikelyShare: stated ? likely / stated : 0,
      };
    }
    return { agentId: a, round, condition: run.name, memory: state.memory[a], feed, invitedToPost, vote };
  };

  let seenSlot = new Uint8Array(1024);
  const engagedScratch: Memory['engaged'] = [];
  const followedScratch: number[] = [];
  const unfollowedScratch: number[] = [];

  const applyRound = (
    run: ConditionRun,
    round: number,
    requests: ActivationRequest[],
    outcomes: DecisionOutcome[],
    treated: Uint8Array,
    likelyCount: number,
    extraPosts: Post[],
  ): RoundRecord => {
    const { state, tables } = run;
    const c = col(round);
    const stated = new Int8Array(n).fill(-1);
    const activity = new Uint16Array(n * ACTIVITY_WIDTH);
    const engagements: EngagementEvent[] = [];
    const posts: Post[] = extraPosts.slice();
    const replies: Reply[] = [];
    const invalidAgents: number[] = [];
    const llm = emptyLlmTotals();
    const decisions: DecisionOutcome[] = new Array(requests.length);
    for (let i = 0; i < requests.length; i++) {
      const req = requests[i];
      const a = req.agentId;
      const persona = personas[a];
      let outcome = outcomes[i];
      addMeta(llm, outcome.meta);
      if (outcome.ok) {
        const problem = checkDecision(outcome.decision, req, persona, config.postMaxChars);
        if (problem) outcome = { ok: false, error: `invalid decision: ${problem}`, meta: outcome.meta, exchange: outcome.exchange };
      }
      decisions[i] = outcome;
      tables.active[a * R + c] = 1;
      const feed = req.feed;
      if (seenSlot.length < state.posts.count) seenSlot = new Uint8Array(state.posts.count * 2);
      markFeedSeen(state, a, feed, seenSlot);
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
      for (const act of d.actions) {
        const item = feed[feedIndex(feed, act.postId)];
        const pid = act.postId;
        if (act.engagement === 'like') {
          state.posts.likes[pid]++;
          recordEngagement(state, pid, a, 0);
          activity[base]++;
          engagements.push({ round, agent: a, kind: 'like', postId: pid, target: item.authorId });
          engagedScratch[nEngaged++] = { postId: pid, topic: item.topic, text: item.text, action: 'like' };
        } else if (act.engagement === 'reply') {
          const text = (act.replyText as string).slice(0, config.postMaxChars);
          state.posts.replies[pid]++;
          recordEngagement(state, pid, a, 1);
          state.posts.latestReplyAuthor[pid] = a;
          state.posts.latestReplyText[pid] = text;
          activity[base + 1]++;
          engagements.push({ round, agent: a, kind: 'reply', postId: pid, target: item.authorId, text });
          replies.push({ postId: pid, author: a, round, text });
          engagedScratch[nEngaged++] = { postId: pid, topic: item.topic, text: item.text, action: 'reply', replyText: text };
        }
        if (act.follow === 'follow' && setFollow(state, a, item.authorId, true)) {
          activity[base + 3]++;
          engagements.push({ round, agent: a, kind: 'follow', postId: pid, target: item.authorId });
          followedScratch[nFollowed++] = item.authorId;
        } else if (act.follow === 'unfollow' && setFollow(state, a, item.authorId, false)) {
          activity[base + 4]++;
          engagements.push({ round, agent: a, kind: 'unfollow', postId: pid, target: item.authorId });
          unfollowedScratch[nUnfollowed++] = item.authorId;
        }
      }
      if (d.newPost) {
        const id = addPost(state, a, round, d.newPost.topic, d.newPost.text, false);
        posts.push({ id, author: a, round, topic: d.newPost.topic, text: d.newPost.text, seed: false });
        activity[base + 2]++;
        engagements.push({ round, agent: a, kind: 'post', postId: id, target: a, text: d.newPost.text });
        posted = d.newPost.text;
        tables.posts++;
      }
      if (req.vote && d.likelihood !== null) {
        stated[a] = d.likelihood;
        state.current[a] = d.likelihood;
        tables.stated[a * R + c] = d.likelihood;
      }
      const memory: Memory = {
        round,
        engaged: engagedScratch.slice(0, nEngaged),
        followed: followedScratch.slice(0, nFollowed),
        unfollowed: unfollowedScratch.slice(0, nUnfollowed),
        posted,
        likelihood: req.vote && d.likelihood !== null ? d.likelihood : state.current[a] >= 0 ? (state.current[a] as Likelihood) : null,
        followedLikelyShare: req.vote ? req.vote.followedLikelyShare : 0,
        sawMessage: req.vote?.treatment != null,
      };
      state.memory[a] = memory;
      state.delay[a] = d.nextDelay;
      state.nextActive[a] = round + d.nextDelay + Math.floor(uniform(gapHead, a, round) * (d.nextDelay + 2));
    }
    for (let a = 0; a < n; a++) {
      if (treated[a]) {
        tables.treated[a * R + c] = 1;
        run.treatedEver[a] = 1;
      }
    }
    tables.invalidDecisions += invalidAgents.length;
    addTotals(tables.llm, llm);
    return {
      condition: run.name,
      round,
      active: activeIds(requests),
      stated,
      current: state.current.slice(),
      treated,
      activity,
      engagements,
      posts,
      replies,
      likelyCount,
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
  for (let r = config.firstRound; r <= 0; r++) {
    const record = await playRound(warmRun, r, r === config.firstRound ? seedPosts : []);
    await emit(record);
    if (hooks.shouldPause?.()) return resultOf('paused', [warmRun]);
  }

  const runs: ConditionRun[] = config.conditions.map((spec) => {
    const tables = newTables(spec.name);
    tables.stated.set(warmRun.tables.stated);
    tables.active.set(warmRun.tables.active);
    return { spec, name: spec.name, state: forkState(warm), tables, treatedEver: new Uint8Array(n) };
  });

  for (let r = 1; r <= config.lastRound; r++) {
    for (const run of runs) {
      const record = await playRound(run, r, []);
      await emit(record);
      if (hooks.shouldPause?.()) return resultOf('paused', runs);
    }
  }

  // Election day: each adult is asked once whether it voted.
  for (const run of runs) {
    if (signal?.aborted) throw cancelled();
    const requests: VoteRequest[] = [];
    for (let a = 0; a < n; a++) {
      if (!personas[a].adult) continue;
      const cur = run.state.current[a];
      requests.push({ agentId: a, condition: run.name, lastLikelihood: cur >= 0 ? (cur as Likelihood) : null, treatedEver: run.treatedEver[a] === 1 });
    }
    const outcomes = await port.decideVotes({ condition: run.name, requests }, signal);
    if (signal?.aborted) throw cancelled();
    if (!Array.isArray(outcomes) || outcomes.length !== requests.length) {
      throw new SpilloverError('LlmError', `decision port '${port.kind}' returned ${outcomes?.length} votes for ${requests.length} adults; every adult needs exactly one outcome`);
    }
    const votes = new Int8Array(n).fill(-1);
    const invalidAgents: number[] = [];
    const llm = emptyLlmTotals();
    outcomes.forEach((o, i) => {
      addMeta(llm, o.meta);
      const a = requests[i].agentId;
      if (o.ok && (o.voted === 0 || o.voted === 1)) votes[a] = o.voted;
      else {
        invalidAgents.push(a);
        llm.invalid++;
      }
    });
    run.tables.votes = votes;
    run.tables.invalidVotes = invalidAgents.length;
    addTotals(run.tables.llm, llm);
    done++;
    const record: ElectionRecord = { condition: run.name, votes: votes.slice(), invalidAgents, outcomes, llm };
    await hooks.onElection?.(record, { roundsDone: done, roundsTotal: total, condition: run.name, round: config.lastRound });
    if (done < total && hooks.shouldPause?.()) return resultOf('paused', runs);
  }

  return resultOf('complete', runs);
}

function activeIds(requests: readonly ActivationRequest[]): Int32Array {
  const ids = new Int32Array(requests.length);
  for (let i = 0; i < requests.length; i++) ids[i] = requests[i].agentId;
  return ids;
}
