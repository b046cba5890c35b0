/**
 * One configuration type for a run, as sigma does it: `SimConfig` and `validateConfig()`, whose messages name the
 * field and the fix. The engine's fields are checked here; the protocol's own (`params`, which messages exist) by the
 * protocol's `validateParams`, and each protocol's `defaults()` is a complete configuration. Everything a run depends
 * on is in it, so a stored configuration plus a seed reproduces the run.
 */
import { configError } from './errors';

/** 'none', or the id of one of the protocol's messages (`Protocol.messages`). */
export type MessageId = string;

/** One arm of a condition that randomises its own adults (e.g. 98 % one message, 1 % another, 1 % none). */
export interface ArmSpec {
  /** e.g. 'social', 'info', 'control'. */
  name: string;
  message: MessageId;
  /** Share of adults in this arm; the arms' shares sum to 1. */
  share: number;
}

export interface ConditionSpec {
  /** Folder and column name, e.g. 'treatment_soc_message'. */
  name: string;
  /** The message of a condition without arms (ignored when `arms` is set). */
  message: MessageId;
  /**
   * Treatment probability per period (one entry per `periodEnds` entry). With arms, 1 means "every adult of an arm
   * with a message sees it in that period" and 0 "nobody does".
   */
  schedule: number[];
  /**
   * Arms randomised within this condition: each adult's assignment uniform u falls in one arm by cumulative share
   * (the same u as the roll-outs use, so assignment is reproducible from the seed). Absent: one arm, `message`.
   */
  arms?: ArmSpec[];
}

export type FeedMode = 'described' | 'as-published';

export interface FeedConfig {
  /** Posts per feed (L). @default 4 */
  size: number;
  /** Mix of sources when `mode` is 'described'. @default { interest: 0.6, followed: 0.2, trending: 0.15, random: 0.05 } */
  mix: { interest: number; followed: number; trending: number; random: number };
  /** 'described' (the paper's mix) or 'as-published' (up to two interest posts plus random fill, as the code ran). @default 'described' */
  mode: FeedMode;
}

export interface SimConfig {
  /** Registry key of the experiment module that runs (src/protocols/registry.ts). */
  protocol: string;
  /** The protocol's own parameters, checked by its `validateParams`. */
  params: Record<string, unknown>;
  /** Number of agents (adults and minors). @default 2000 */
  agents: number;
  /** Share of agents who are minors (13–17): the paper has 215 of 20,000. @default 0.01075 */
  minorShare: number;
  /** First warm-up round (the warm-up runs firstRound…0). @default -15 */
  firstRound: number;
  /** Last main round; the end-of-run question follows it. @default 30 */
  lastRound: number;
  /** Last round of each treatment period. @default [10, 20, 29, 30] */
  periodEnds: number[];
  /** @default the protocol's conditions */
  conditions: ConditionSpec[];
  /** Agents are first active at a uniform round among `firstActiveWithin` rounds, starting `firstActiveAfter` rounds after the first. @default 5 */
  firstActiveWithin: number;
  /**
   * Rounds after the first (seed-post) round before first activations begin: 1 since wave 2, so nobody acts in round
   * −15, as in the published runs. Absent in runs stored before, which meant 0; they replay as they ran. @default 1
   */
  firstActiveAfter?: number;
  /** Number of seed posts, by random authors. @default 20 */
  seedPosts: number;
  /** Chance per activation of being invited to write a post. @default 0.01 */
  postInvitation: number;
  /** Maximum characters of a post. @default 140 */
  postMaxChars: number;
  feed: FeedConfig;
  /** LLM sampling temperature. @default 0.5 */
  temperature: number;
}

/** The engine's defaults: what every protocol starts from before setting its rounds, conditions and params. */
export const ENGINE_DEFAULTS: Omit<SimConfig, 'protocol' | 'params' | 'conditions' | 'periodEnds' | 'lastRound'> = {
  agents: 2000,
  minorShare: 0.01075,
  firstRound: -15,
  firstActiveWithin: 5,
  firstActiveAfter: 1,
  seedPosts: 20,
  postInvitation: 0.01,
  postMaxChars: 140,
  feed: { size: 4, mix: { interest: 0.6, followed: 0.2, trending: 0.15, random: 0.05 }, mode: 'described' },
  temperature: 0.5,
};

/** Arm index of each agent under a condition's arms (−1 for minors and for conditions without arms). */
export function armIndex(spec: ConditionSpec, u: number): number {
  if (!spec.arms) return -1;
  let acc = 0;
  for (let k = 0; k < spec.arms.length; k++) {
    acc += spec.arms[k].share;
    if (u < acc) return k;
  }
  return spec.arms.length - 1;
}

/** The message an adult with assignment uniform u sees in `spec` when its period's schedule entry is p ('none' for none). */
export function messageFor(spec: ConditionSpec, u: number, p: number): MessageId {
  if (spec.arms) {
    const arm = spec.arms[armIndex(spec, u)];
    return p >= 1 ? arm.message : 'none';
  }
  return spec.message !== 'none' && u < p ? spec.message : 'none';
}

/** A deep copy of `base` with `overrides` applied at the top level (and inside `feed` / `params`). */
export function withOverrides(base: SimConfig, overrides: Partial<SimConfig> = {}): SimConfig {
  const b = structuredClone(base);
  return {
    ...b,
    ...structuredClone(overrides),
    feed: { ...b.feed, ...(overrides.feed ? structuredClone(overrides.feed) : {}) },
    params: { ...b.params, ...(overrides.params ? structuredClone(overrides.params) : {}) },
  };
}

function isProbability(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

/**
 * Upper bounds on every size-like field, so a configuration from a stranger's bundle or link cannot exhaust memory
 * (seedPosts: 1e9 once took 4 GB before failing). Generous next to the protocols: 30 rounds, 5 conditions, 20 posts.
 */
export const LIMITS = {
  warmupRounds: 100,
  rounds: 365,
  conditions: 20,
  nameChars: 64,
  seedPosts: 10_000,
  textChars: 2_000,
  shownFriends: 1_000,
} as const;

/**
 * Throws a ConfigError naming the first impossible engine field; returns the config unchanged when it is valid. The
 * protocol checks its params and which messages exist (`Protocol.validateParams`; `checkConfig` in the registry runs
 * both).
 */
export function validateConfig(config: SimConfig): SimConfig {
  if (!config || typeof config !== 'object') throw configError('config', 'is missing', 'export the run again, or start a new run');
  if (typeof config.protocol !== 'string' || config.protocol === '') {
    throw configError('protocol', `is ${JSON.stringify(config.protocol)}`, "name the experiment, e.g. 'sociopol'");
  }
  for (const part of ['feed', 'params'] as const) {
    if (!config[part] || typeof config[part] !== 'object') throw configError(part, 'is missing', 'export the run again, or start a new run');
  }
  if (!config.feed.mix || typeof config.feed.mix !== 'object') throw configError('feed.mix', 'is missing', 'give the four feed shares');
  if (!isInt(config.agents) || config.agents <= 0) {
    throw configError('agents', `is ${config.agents}`, 'use a whole number of agents ≥ 1 (e.g. 2000)');
  }
  if (config.agents > 200_000) {
    throw configError('agents', `is ${config.agents}`, 'use at most 200,000 agents');
  }
  if (!isProbability(config.minorShare)) {
    throw configError('minorShare', `is ${config.minorShare}, outside [0, 1]`, 'use a share such as 0.01');
  }
  if (!isInt(config.firstRound) || config.firstRound > 0 || config.firstRound < -LIMITS.warmupRounds) {
    throw configError('firstRound', `is ${config.firstRound}`, `use a whole number between −${LIMITS.warmupRounds} and 0 (the warm-up runs firstRound…0)`);
  }
  if (!isInt(config.lastRound) || config.lastRound < 1 || config.lastRound > LIMITS.rounds) {
    throw configError('lastRound', `is ${config.lastRound}`, `use a whole number between 1 and ${LIMITS.rounds} (the last main round)`);
  }
  const ends = config.periodEnds;
  if (!Array.isArray(ends) || ends.length === 0) {
    throw configError('periodEnds', 'is empty', 'give the last round of each treatment period, e.g. [10, 20, 29, 30]');
  }
  for (let i = 0; i < ends.length; i++) {
    if (!isInt(ends[i]) || ends[i] < 1 || (i > 0 && ends[i] <= ends[i - 1])) {
      throw configError(`periodEnds[${i}]`, `is ${ends[i]}`, 'period ends must be increasing whole rounds ≥ 1');
    }
  }
  if (ends[ends.length - 1] !== config.lastRound) {
    throw configError('periodEnds', `ends at ${ends[ends.length - 1]} but lastRound is ${config.lastRound}`, 'make the last period end on the last round');
  }
  if (!Array.isArray(config.conditions) || config.conditions.length === 0) {
    throw configError('conditions', 'is empty', "name at least one condition (the protocol's defaults list them)");
  }
  if (config.conditions.length > LIMITS.conditions) {
    throw configError('conditions', `has ${config.conditions.length} entries`, `use at most ${LIMITS.conditions} conditions per run`);
  }
  const seen = new Set<string>();
  config.conditions.forEach((c, i) => {
    const field = `conditions[${i}]`;
    if (typeof c.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(c.name) || c.name.length > LIMITS.nameChars) {
      throw configError(`${field}.name`, `is ${JSON.stringify(String(c.name).slice(0, 80))}`, `use up to ${LIMITS.nameChars} letters, digits, _ or - (it names a folder)`);
    }
    if (seen.has(c.name)) throw configError(`${field}.name`, `repeats '${c.name}'`, 'give each condition a distinct name');
    seen.add(c.name);
    if (typeof c.message !== 'string' || c.message === '') {
      throw configError(`${field}.message`, `is ${JSON.stringify(c.message)}`, "use 'none' or one of the protocol's messages");
    }
    if (!Array.isArray(c.schedule) || c.schedule.length !== ends.length) {
      throw configError(`${field}.schedule`, `has ${Array.isArray(c.schedule) ? c.schedule.length : 0} entries`, `give one probability per period (${ends.length}: periods end at rounds ${ends.join(', ')})`);
    }
    c.schedule.forEach((p, k) => {
      if (!isProbability(p)) throw configError(`${field}.schedule[${k}]`, `is ${p}, outside [0, 1]`, 'use a probability between 0 and 1');
      if (k > 0 && p < c.schedule[k - 1]) {
        throw configError(`${field}.schedule[${k}]`, `is ${p}, below the previous period's ${c.schedule[k - 1]}`, 'the roll-out is nested and absorbing: probabilities must not decrease');
      }
    });
    if (!c.arms && c.message === 'none' && c.schedule.some((p) => p > 0)) {
      throw configError(`${field}.schedule`, "treats agents but the message is 'none'", "set one of the protocol's messages, or the schedule to zeros");
    }
    if (c.arms !== undefined) {
      if (!Array.isArray(c.arms) || c.arms.length < 2) throw configError(`${field}.arms`, 'has fewer than two arms', 'give at least two arms, e.g. social 0.98, info 0.01, control 0.01');
      if (c.arms.length > LIMITS.conditions) throw configError(`${field}.arms`, `has ${c.arms.length} arms`, `use at most ${LIMITS.conditions} arms`);
      const names = new Set<string>();
      let total = 0;
      c.arms.forEach((arm, k) => {
        if (typeof arm.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(arm.name) || arm.name.length > LIMITS.nameChars || names.has(arm.name)) {
          throw configError(`${field}.arms[${k}].name`, `is ${JSON.stringify(arm.name)}`, 'give each arm a distinct name of letters, digits, _ or -');
        }
        names.add(arm.name);
        if (typeof arm.message !== 'string' || arm.message === '') throw configError(`${field}.arms[${k}].message`, `is ${JSON.stringify(arm.message)}`, "use 'none' or one of the protocol's messages");
        if (!isProbability(arm.share) || arm.share === 0) throw configError(`${field}.arms[${k}].share`, `is ${arm.share}`, 'use a share in (0, 1]');
        total += arm.share;
      });
      if (Math.abs(total - 1) > 1e-6) throw configError(`${field}.arms`, `shares sum to ${total}`, 'make the arms\' shares sum to 1');
      if (c.schedule.some((p) => p !== 0 && p !== 1)) {
        throw configError(`${field}.schedule`, 'has a value other than 0 or 1 in a condition with arms', 'use 1 for periods in which each arm sees its message and 0 otherwise');
      }
    }
  });
  if (config.firstActiveAfter !== undefined && config.firstActiveAfter !== 0 && config.firstActiveAfter !== 1) {
    throw configError('firstActiveAfter', `is ${config.firstActiveAfter}`, 'use 1 (first activations after the seed-post round) or 0 (runs made before that change)');
  }
  if (!isInt(config.firstActiveWithin) || config.firstActiveWithin < 1 || config.firstActiveWithin > LIMITS.warmupRounds + LIMITS.rounds) {
    throw configError('firstActiveWithin', `is ${config.firstActiveWithin}`, `use a whole number of rounds between 1 and ${LIMITS.warmupRounds + LIMITS.rounds}`);
  }
  if (!isInt(config.seedPosts) || config.seedPosts < 0 || config.seedPosts > LIMITS.seedPosts) {
    throw configError('seedPosts', `is ${config.seedPosts}`, `use a whole number between 0 and ${LIMITS.seedPosts.toLocaleString('en-US')} (20 as published)`);
  }
  if (!isProbability(config.postInvitation)) {
    throw configError('postInvitation', `is ${config.postInvitation}, outside [0, 1]`, 'use a probability such as 0.01');
  }
  if (!isInt(config.postMaxChars) || config.postMaxChars < 1 || config.postMaxChars > LIMITS.textChars) {
    throw configError('postMaxChars', `is ${config.postMaxChars}`, `use a whole number between 1 and ${LIMITS.textChars} (140 as published)`);
  }
  if (!isInt(config.feed.size) || config.feed.size < 1 || config.feed.size > 50) {
    throw configError('feed.size', `is ${config.feed.size}`, 'use a whole number of posts between 1 and 50');
  }
  const mix = config.feed.mix;
  for (const k of ['interest', 'followed', 'trending', 'random'] as const) {
    if (!isProbability(mix[k])) throw configError(`feed.mix.${k}`, `is ${mix[k]}, outside [0, 1]`, 'use a share between 0 and 1');
  }
  const total = mix.interest + mix.followed + mix.trending + mix.random;
  if (Math.abs(total - 1) > 1e-6) throw configError('feed.mix', `sums to ${total}`, 'make the four shares sum to 1');
  if (config.feed.mode !== 'described' && config.feed.mode !== 'as-published') {
    throw configError('feed.mode', `is ${JSON.stringify(config.feed.mode)}`, "use 'described' or 'as-published'");
  }
  if (typeof config.temperature !== 'number' || !(config.temperature >= 0 && config.temperature <= 2)) {
    throw configError('temperature', `is ${config.temperature}`, 'use a number between 0 and 2 (0.5 as published)');
  }
  return config;
}

/** Index of the treatment period a main round belongs to (−1 in the warm-up). */
export function periodOf(config: SimConfig, round: number): number {
  if (round < 1) return -1;
  for (let k = 0; k < config.periodEnds.length; k++) if (round <= config.periodEnds[k]) return k;
  return config.periodEnds.length - 1;
}

/** Every round in order, warm-up included. */
export function allRounds(config: SimConfig): number[] {
  const out: number[] = [];
  for (let r = config.firstRound; r <= config.lastRound; r++) out.push(r);
  return out;
}
