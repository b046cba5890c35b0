/**
 * S3 as a protocol module on the generic engine's interface (src/engine/protocol.ts): the state is a ConditionWorld,
 * the hooks are its round steps, who acts comes from `activeAgents` (every aware user with new messages), and S3 uses
 * none of the engine's feed, likes or follows (its feed is part of the request). Each round's messages and removals
 * go into the round record's `extra`, from which the S3 tables (record.ts) are read.
 */
import { ENGINE_DEFAULTS, withOverrides, type ConditionSpec, type SimConfig } from '../../engine/config';
import { configError } from '../../engine/errors';
import { buildNetwork } from '../../engine/network';
import type { ActivationRequest, ColumnDecl, DecisionBase, ConditionView, ContrastDecl, CsvFile, Decision, LlmPrompts, OutcomeDecl, Protocol, RoundContext } from '../../engine/protocol';
import type { PortContext, DecisionPort as ProtocolPort } from '../../engine/ports';
import type { Persona } from '../../population/types';
import { DEFAULT_S3_CONFIG, validateS3Config, type S3Condition, type S3Config } from './config';
import { S3_STATES, wideStateCsv } from './csv';
import { checkS3Fitted, createS3FittedPort } from './fit/fitted-port';
import { createS3OfflinePort } from './offline';
import { s3Outcomes, S3_OUTCOME_COLUMNS } from './outcomes';
import { s3Messages } from './prompts';
import { s3Schema, validateS3Answer } from './schema';
import { ACTIONS, type S3Decision, type S3Port, type S3Request, type SeenMessage } from './types';
import { RankedFeed } from '../../engine/feed';
import type { S3RoundExtra } from './record';
export type { S3RoundExtra } from './record';
import { ConditionWorld, sharedParts, type PackedConditionWorld, type S3Scratch } from './world';

/** The engine's decision part S3 always gives: no engine feed actions, no engine post, delay unused (a fresh copy). */
const enginePart = (): DecisionBase => ({ actions: [], newPost: null, nextDelay: 1 });

type Q = Omit<S3Request, 'agentId' | 'round' | 'condition'>;
/** The world is built on first use (from the round's network view); `packed` is a shipped state it then takes over. */
type S3State = { world: ConditionWorld | null; packed?: PackedConditionWorld | null };


function params(config: SimConfig): S3Config {
  return { ...structuredClone(DEFAULT_S3_CONFIG), ...((config.params ?? {}) as Partial<S3Config>) };
}

function conditionOf(p: S3Config, name: string): S3Condition {
  const c = p.conditions.find((x) => x.name === name);
  if (!c) throw configError('params.conditions', `has no condition '${name}'`, 'name every engine condition in params.conditions (e.g. { name: "baseline" })');
  return c;
}

/** The world of a condition, built on first use from the engine's view of the graph (S3 follows are fixed). */
function worldOf(ctx: RoundContext<S3State, Persona>): ConditionWorld {
  if (ctx.state.world) return ctx.state.world;
  const n = ctx.world.n;
  const src: number[] = [];
  const dst: number[] = [];
  for (let a = 0; a < n; a++) for (const b of ctx.world.following(a)) {
    src.push(a);
    dst.push(b);
  }
  const network = buildNetwork(n, src, dst);
  const config = params(ctx.config);
  const { roles: _roles, ...shared } = sharedParts(config, ctx.seed, ctx.agents, network);
  const world = new ConditionWorld({ config, personas: ctx.agents, network }, shared);
  if (ctx.state.packed) world.restore(ctx.state.packed);
  ctx.state.packed = null;
  ctx.state.world = world;
  return world;
}

/** An S3 agent (the classical models, or agents fitted from a run) behind the engine's port shape. */
function enginePort(kind: string, make: (ctx: PortContext<Persona>) => S3Port): ProtocolPort<Q, S3Decision> {
  let inner: S3Port | null = null;
  return {
    kind,
    // S3's feed is its own request part; the engine's feed items are never read.
    readsFeedItems: false,
    init(ctx) {
      inner = make(ctx as PortContext<Persona>);
    },
    async decideRound(batch) {
      const out = await inner!.decideRound({ condition: batch.condition, round: batch.round, requests: batch.requests as unknown as S3Request[] });
      return out.map((o) => (o.ok ? { ...o, decision: { ...enginePart(), ...o.decision } } : o));
    },
    async decideFinal() {
      return [];
    },
  };
}

const offlinePort = () => enginePort('offline', (ctx) => createS3OfflinePort(params(ctx.config), ctx.seed));

/** Agents fitted from a run (`npm run fit -- --preset s3`); `data` is the fitted-agents file, checked here. */
function fittedPort(data?: unknown): ProtocolPort<Q, S3Decision> {
  const fitted = checkS3Fitted(data, 'the fitted S3 agents');
  return enginePort('fitted', (ctx) => createS3FittedPort(fitted, ctx.seed, ctx.agents.map((p) => p.ideology)));
}

/** The check S3 applies to any decision, offline or LLM (the LLM validator already says it to the model). */
function checkS3(d: Decision<S3Decision>, req: ActivationRequest<Q>): string | null {
  if (![0, 1, 2].includes(d.emotion)) return `emotion ${d.emotion} is not 0, 1 or 2`;
  if (d.attitude !== 0 && d.attitude !== 1) return `attitude ${d.attitude} is not 0 or 1`;
  if (!ACTIONS.includes(d.action)) return `action '${d.action}' is unknown`;
  if (d.action === 'repost' && !req.messages.some((m) => m.id === d.repostId)) return `repost of message ${d.repostId}, which is not in the feed`;
  if (d.action === 'post' && !(typeof d.postText === 'string' && d.postText.trim())) return 'a post without text';
  return null;
}

/** A representative decision for cost estimates: a full feed and a full memory pool of messages about the event. */
function typicalS3Activation(p: S3Config): { request: ActivationRequest<Q>; agent: Persona } {
  const text = p.event.text;
  const seen = (id: number, source: SeenMessage['source']): SeenMessage => ({
    id, author: id, authorProfile: '34-year-old woman, education, regular account', source, round: 3, kind: 'repost', emotion: 1, attitude: 1, opinion: 1, text,
  });
  const request = {
    agentId: 0, round: 4, condition: p.conditions[0].name, memory: null, feed: [], ranked: RankedFeed.of([]), invitedToPost: false,
    profile: '41-year-old man, engineer, regular account', newlyAware: false, emotion: 1 as const, attitude: 1 as const, opinion: 1, spread: false,
    messages: Array.from({ length: p.feedSize }, (_, i) => seen(10 + i, i % 2 ? 'mutual' : 'followee')),
    arrivals: p.feedSize,
    remembered: Array.from({ length: p.memory.size }, (_, i) => seen(i, 'recommended')),
    spreadFolloweeShare: 0.2,
  };
  return { request, agent: { id: 0, adult: true, tier: 'nano', interests: [], closeFriends: [], publicProfile: '' } as unknown as Persona };
}

const llm: LlmPrompts<Q, S3Decision, object, object, object, Persona> = {
  activationMessages: (req, _agent, config) => s3Messages(req as unknown as S3Request, req.profile, params(config).event),
  activationSchema: () => s3Schema(),
  validateActivation(raw, req) {
    const v = validateS3Answer(raw, req);
    return v.ok ? { ok: true, value: { ...enginePart(), ...v.value } } : v;
  },
  typicalActivation: (config) => typicalS3Activation(params(config)),
  // Measured: the classical models on 2,000 generated users, default settings, decide 0.128 per user and round.
  activityRate: () => 0.13,
};

/**
 * The engine configuration of an S3 experiment: its parameters in `params`, one engine condition per S3 condition,
 * rounds 0…R (no warm-up: round 0 is the seed users posting), adults only, no engine seed posts or invitations.
 */
export function s3SimConfig(p: S3Config, agents = ENGINE_DEFAULTS.agents): SimConfig {
  const params = structuredClone(p);
  const conditions: ConditionSpec[] = params.conditions.map((c) => ({ name: c.name, message: 'none', schedule: [0] }));
  return withOverrides(
    { ...ENGINE_DEFAULTS, protocol: 's3', params: {}, lastRound: 1, periodEnds: [1], conditions: [] },
    { protocol: 's3', agents, params: params as unknown as Record<string, unknown>, minorShare: 0, firstRound: 0, lastRound: params.rounds, periodEnds: [params.rounds], conditions, seedPosts: 0, postInvitation: 0 },
  );
}

/** The S3 parameters of an engine configuration (defaults filled in). */
export function s3Params(config: SimConfig): S3Config {
  return params(config);
}

export const s3Protocol: Protocol<S3State, S3Scratch, Q, S3Decision, object, object, object, Persona, S3Config> = {
  id: 's3',
  title: 'S3: how news, emotion and attitude spread',
  summary: 'Gao et al. 2023: users hear about an event, feel calm / moderate / intense, lean negative or positive, and repost, post or stay quiet; interventions: a correction, removing the top spreaders.',

  defaults: () => s3SimConfig(DEFAULT_S3_CONFIG),
  validateParams(config) {
    const p = params(config);
    validateS3Config(p);
    if (p.rounds !== config.lastRound) throw configError('params.rounds', `is ${p.rounds} but lastRound is ${config.lastRound}`, 'make them equal');
    if (config.firstRound !== 0) throw configError('firstRound', `is ${config.firstRound}`, 'S3 has no warm-up: use 0 (round 0 is the seed users posting)');
    for (const c of config.conditions) conditionOf(p, c.name);
    return p;
  },

  messages: [],
  columns: [
    { name: 'emotion', label: 'emotion (−1 unaware, 0 calm, 1 moderate, 2 intense)', missing: -1, type: 'int8', carried: true },
    { name: 'attitude', label: 'attitude (−1 unaware, 0 negative, 1 positive)', missing: -1, type: 'int8', carried: true },
    { name: 'action', label: 'action (0 nothing, 1 post, 2 repost)', missing: 0, type: 'int8', carried: false },
  ] satisfies ColumnDecl[],
  scalars: S3_OUTCOME_COLUMNS.map((name) => ({ name, label: name })),
  outcomes(config): OutcomeDecl[] {
    const r = config.lastRound;
    return [
      { id: `aware_r${r}`, label: 'aware at the last round', column: 'emotion', round: 'last', threshold: 0 },
      { id: `positive_r${r}`, label: 'positive at the last round', column: 'attitude', round: 'last', threshold: 1 },
    ];
  },
  contrasts(config): ContrastDecl[] {
    const names = config.conditions.map((c) => c.name).filter((n) => n !== 'baseline');
    return names.flatMap((name) => this.outcomes(config).map((o) => ({ id: `s3:${name}:${o.id}`, treatment: { condition: name }, baseline: { condition: 'baseline' }, outcome: o.id, kind: 'total' as const })));
  },
  totalEffects: () => [],

  createState: () => ({ world: null }),
  forkState: (state) => ({ world: state.world ? state.world.clone() : null, packed: state.packed }),
  // A pool ships the state after round 0 (and a condition cut between two threads) instead of replaying it.
  packState: (state) => state.world?.pack() ?? state.packed ?? null,
  unpackState: (packed) => ({ world: null, packed: packed as PackedConditionWorld | null }),
  beginRound(ctx) {
    const world = worldOf(ctx);
    if (ctx.round <= 0) {
      const zero = world.roundZero(ctx.condition);
      return { round: 0, condition: ctx.condition, inbox: new Map(), fresh: zero.messages, removed: [], users: new Int32Array(0), newly: new Uint8Array(ctx.world.n), action: zero.action };
    }
    return world.beginRound(ctx.round, conditionOf(params(ctx.config), ctx.condition));
  },
  activeAgents: (ctx, scratch) => worldOf(ctx).activeAgents(scratch),
  request: (ctx, scratch, a) => worldOf(ctx).requestPart(scratch, a),
  checkDecision: checkS3,
  applyDecision(ctx, scratch, a, decision) {
    worldOf(ctx).applyDecision(scratch, a, decision);
    return {};
  },
  endRound(ctx, scratch) {
    const world = worldOf(ctx);
    const cols = ctx.round <= 0 ? { emotion: world.emotion.slice(), attitude: world.attitude.slice(), action: scratch.action } : world.endRound(scratch);
    const row = s3Outcomes({ round: ctx.round, ...cols });
    const { round: _round, ...scalars } = row;
    const extra: S3RoundExtra = { messages: scratch.fresh.map((m) => ({ ...m })), removed: scratch.removed.slice() };
    return { columns: { emotion: cols.emotion, attitude: cols.attitude, action: Int8Array.from(cols.action) }, scalars, extra };
  },

  writeCsv(view: ConditionView<Persona>): CsvFile[] {
    const n = view.agents.length;
    const table = {
      name: view.name, rounds: [...view.rounds], n, messages: [], removed: [], outcomes: [], invalid: 0,
      llm: { calls: 0, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, costUsd: 0, cacheHits: 0, retries: 0, invalid: 0 },
      emotion: view.column('emotion') as Int8Array, attitude: view.column('attitude') as Int8Array, action: Uint8Array.from(view.column('action') as Int8Array),
    };
    return S3_STATES.map((s) => ({ suffix: `${s}_wide.csv`, text: wideStateCsv(table, s) }));
  },

  offlineAgents: { models: offlinePort, fitted: fittedPort },
  defaultOffline: 'models',
  llm,
};
