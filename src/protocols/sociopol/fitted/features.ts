/**
 * Decision data for the fit, from either source: the published wide CSVs (SeedData: statements and treatment only) or
 * a stored run (a run bundle: statements, treatment, chosen delays, votes, personas, the follower graph). Each
 * activation becomes one observation of each choice; identical covariate vectors are pooled into weighted cells, so
 * millions of published activations fit in seconds.
 */
import type { SeedData } from '../../../analysis/types';
import type { SimConfig } from '../../../engine/config';
import type { Persona, TurnoutHabit } from '../../../population/types';
import type { RunBundle } from '../../../storage/bundle';
import { DELAY_FEATURES, FIRST_FEATURES, TRANSITION_FEATURES, delayFeatures, firstFeatures, transitionFeatures, type MessageCode } from './model';

export interface FitCondition {
  name: string;
  message: MessageCode;
  /** rows × rounds: stated likelihood or −1. */
  stated: Int8Array;
  /** rows × rounds: treated 0/1 (null: unknown, read as untreated). */
  treatment: Uint8Array | null;
  /** rows × rounds: the delay n chosen at that activation, −1 where unknown (published data: always unknown). */
  delays?: Int8Array;
  /** Election-day vote per row (0/1, −1 unknown). */
  votes?: Int8Array;
}

export interface FitSeed {
  label: string;
  rounds: number[];
  agentIds: Int32Array;
  conditions: FitCondition[];
  /** Per row; absent in the published data. */
  habits?: Array<TurnoutHabit | null>;
  /** Per row: rows of the accounts it follows (adults only); absent in the published data. */
  following?: Int32Array[];
}

/** The model's code of condition `name`'s message (0 none, 1 info, 2 social), from the configuration, never the name. */
function messageCode(config: SimConfig, name: string): MessageCode {
  const message = config.conditions.find((c) => c.name === name)?.message ?? 'none';
  return Math.max(0, (['none', 'info', 'social'] as readonly string[]).indexOf(message)) as MessageCode;
}

/** Published wide tables (or any SeedData) run with `config` (published files: `publishedConfig()`). */
export function fromSeedData(seeds: readonly SeedData[], config: SimConfig): FitSeed[] {
  return seeds.map((s) => {
    const first = s.conditions[0];
    const conditions = s.conditions
      .filter((cd) => !cd.arms && cd.agentIds.length === first.agentIds.length && cd.rounds.length === first.rounds.length)
      .map((cd) => ({ name: cd.name, message: messageCode(config, cd.name), stated: cd.stated, treatment: cd.treatmentFinalOnly ? null : cd.treatment, votes: cd.votes }));
    return { label: s.label, rounds: first.rounds.slice(), agentIds: first.agentIds, conditions };
  });
}

/** The adults of a stored run, per seed, with what the LLM agents chose (delays, votes) and who they follow. */
export function fromBundle(bundle: RunBundle): { seeds: FitSeed[]; notes: string[] } {
  const cfg = bundle.run.config;
  const notes: string[] = [];
  const rounds: number[] = [];
  for (let r = cfg.firstRound; r <= cfg.lastRound; r++) rounds.push(r);
  const R = rounds.length;
  const net = bundle.network;
  const seeds: FitSeed[] = [];
  for (const bs of bundle.seeds) {
    const adults = bs.personas.filter((p) => p.adult).map((p) => p.id);
    const rowOf = new Int32Array(net.n).fill(-1);
    adults.forEach((a, i) => (rowOf[a] = i));
    const follows: number[][] = adults.map(() => []);
    for (let e = 0; e < net.src.length; e++) {
      const i = rowOf[net.src[e]];
      const j = rowOf[net.dst[e]];
      if (i >= 0 && j >= 0) follows[i].push(j);
    }
    const names = cfg.conditions.filter((c) => !c.arms).map((c) => c.name);
    if (cfg.conditions.some((c) => c.arms)) notes.push(`${bs.seed}: conditions with arms (Bond 2012 design) are left out of the fit`);
    const conditions: FitCondition[] = names.map((name) => ({
      name,
      message: messageCode(cfg, name),
      stated: new Int8Array(adults.length * R).fill(-1),
      treatment: new Uint8Array(adults.length * R),
      delays: new Int8Array(adults.length * R).fill(-1),
    }));
    for (const rec of bs.rounds) {
      const j = rec.round - cfg.firstRound;
      const targets = rec.condition === 'warmup' ? conditions : conditions.filter((c) => c.name === rec.condition);
      for (const c of targets) {
        for (let i = 0; i < adults.length; i++) {
          const a = adults[i];
          c.stated[i * R + j] = rec.columns.stated[a];
          c.treatment![i * R + j] = rec.treated[a];
        }
        rec.active.forEach((a, k) => {
          const i = rowOf[a];
          const d = rec.decisions[k];
          if (i >= 0 && d?.ok) c.delays![i * R + j] = d.decision.nextDelay;
        });
      }
    }
    for (const el of bs.finals) {
      const c = conditions.find((x) => x.name === el.condition);
      if (c) c.votes = Int8Array.from(adults, (a) => el.values[a]);
    }
    seeds.push({
      label: `seed_${bs.seed}`,
      rounds,
      agentIds: Int32Array.from(adults),
      conditions,
      habits: adults.map((a) => (bs.personas[a] as Persona).turnoutHabit),
      following: follows.map((f) => Int32Array.from(f)),
    });
  }
  return { seeds, notes };
}

/** Weighted cells: identical covariate vectors (and, for delays, identical gap evidence) pooled with class counts. */
export class Cells {
  readonly x: number[] = [];
  readonly y: number[] = [];
  /** Per cell: observed gap, or −(censor bound + 2) when only "gap > bound" is known; 0 when not used. */
  readonly gap: number[] = [];
  /** Observations per cell. */
  readonly weights: number[] = [];
  private readonly index = new Map<string, number>();
  count = 0;
  constructor(readonly p: number, readonly K: number) {}

  /** `key` must identify x (and gap) exactly; by default it is spelled out from them. */
  add(x: Float64Array, cls: number, gap = 0, key?: string): void {
    if (key === undefined) {
      key = `${gap}`;
      for (let j = 0; j < this.p; j++) key += `,${x[j]}`;
    }
    let c = this.index.get(key);
    if (c === undefined) {
      c = this.index.size;
      this.index.set(key, c);
      for (let j = 0; j < this.p; j++) this.x.push(x[j]);
      for (let k = 0; k < this.K; k++) this.y.push(0);
      this.gap.push(gap);
      this.weights.push(0);
    }
    this.weights[c]++;
    if (cls >= 0) this.y[c * this.K + cls] += 1;
    this.count++;
  }

  get n(): number {
    return this.index.size;
  }
}

export interface Observations {
  /** Per previous level 0…4: next level (classes 0…4). */
  transition: Cells[];
  /** Delays with the chosen n unknown: class weights left at zero, `gap` holds the evidence. */
  delayLatent: Cells;
  /** Delays with the chosen n known (own runs): classes n − 1. */
  delayKnown: Cells;
  first: Cells;
  /** Election day: [not voted, voted] counts by last level 0…4, then adults without a statement. */
  votes: number[][];
  activations: number;
  /** Which covariates were non-zero somewhere (the rest are absent from the data). */
  present: { transition: boolean[] };
}

export function emptyObservations(): Observations {
  return {
    transition: Array.from({ length: 5 }, () => new Cells(TRANSITION_FEATURES.length, 5)),
    delayLatent: new Cells(DELAY_FEATURES.length, 5),
    delayKnown: new Cells(DELAY_FEATURES.length, 5),
    first: new Cells(FIRST_FEATURES.length, 5),
    votes: Array.from({ length: 6 }, () => [0, 0]),
    activations: 0,
    present: { transition: new Array<boolean>(TRANSITION_FEATURES.length).fill(false) },
  };
}

function warmupKey(seed: FitSeed, c: FitCondition): string {
  const R = seed.rounds.length;
  const warm = seed.rounds.filter((r) => r <= 0).length;
  let h = 2166136261;
  for (let i = 0; i < seed.agentIds.length; i++) {
    h = Math.imul(h ^ seed.agentIds[i], 16777619);
    for (let j = 0; j < warm; j++) h = Math.imul(h ^ (c.stated[i * R + j] + 2), 16777619);
  }
  return `${seed.agentIds.length}:${warm}:${h >>> 0}`;
}

export interface CollectOptions {
  /** Only main-stage activations (held-out scoring: the warm-up is shared by every seed of the published runs). */
  mainOnly?: boolean;
  /** Warm-ups already collected (by content), so a warm-up shared by several seeds counts once. */
  seenWarmups?: Set<string>;
}

/**
 * Add every activation of some seeds. Warm-up activations (and the delays chosen in them) count once per distinct
 * warm-up: the conditions of a seed share it, and the published seeds even share one warm-up.
 */
export function collect(seeds: readonly FitSeed[], obs: Observations, options: CollectOptions = {}): Observations {
  const seen = options.seenWarmups ?? new Set<string>();
  const tx = new Float64Array(TRANSITION_FEATURES.length);
  const dx = new Float64Array(DELAY_FEATURES.length);
  const fx = new Float64Array(FIRST_FEATURES.length);
  for (const seed of seeds) {
    const R = seed.rounds.length;
    const last = seed.rounds[R - 1];
    const n = seed.agentIds.length;
    let warmDone = true;
    if (seed.conditions.length) {
      const key = warmupKey(seed, seed.conditions[0]);
      warmDone = seen.has(key) || !!options.mainOnly;
      seen.add(key);
    }
    seed.conditions.forEach((c, ci) => {
      const useWarm = ci === 0 && !warmDone;
      const current = carried(c.stated, n, R);
      for (let i = 0; i < n; i++) {
        const habit = seed.habits?.[i] ?? null;
        let prevJ = -1;
        let firstTreated = -1;
        let prevTreated = false;
        for (let j = 0; j < R; j++) {
          const r = seed.rounds[j];
          const treatedNow = !!c.treatment && r >= 1 && c.treatment[i * R + j] === 1;
          if (treatedNow && firstTreated < 0) firstTreated = r;
          const y = c.stated[i * R + j];
          if (y < 0) continue;
          const take = r >= 1 || useWarm;
          const msg: MessageCode = treatedNow ? c.message : 0;
          if (take) {
            obs.activations++;
            if (prevJ < 0) {
              firstFeatures(habit, fx);
              obs.first.add(fx, y);
            } else {
              const prev = c.stated[i * R + prevJ];
              const share = seed.following ? likelyShare(seed.following[i], current, R, j - 1) : 0;
              const before = seed.following ? likelyShare(seed.following[i], current, R, prevJ - 1) : 0;
              const input = {
                message: msg,
                firstExposure: treatedNow && !prevTreated,
                exposureRounds: treatedNow ? r - firstTreated : 0,
                gap: r - seed.rounds[prevJ],
                round: r,
                peerShare: share,
                peerChange: share - before,
                habit,
              };
              transitionFeatures(input, tx);
              for (let k = 0; k < tx.length; k++) if (tx[k] !== 0) obs.present.transition[k] = true;
              // Every covariate is a function of these fields, so they identify the cell (cheaper than the floats).
              const key = `${msg}${input.firstExposure ? 1 : 0}|${input.exposureRounds}|${input.gap}|${r}|${share}|${before}|${habit}`;
              obs.transition[prev].add(tx, y, 0, key);
            }
          }
          // The delay chosen at this activation, with the next activation (or its absence) as evidence.
          let next = -1;
          for (let k = j + 1; k < R; k++) if (c.stated[i * R + k] >= 0) { next = k; break; }
          if (take) {
            delayFeatures(y, msg, r, dx);
            const chosen = c.delays ? c.delays[i * R + j] : -1;
            const gap = next >= 0 ? seed.rounds[next] - r : -(last - r + 2);
            const key = `${y}|${msg}|${r}|${gap}`;
            if (chosen >= 1) obs.delayKnown.add(dx, chosen - 1, 0, key);
            else obs.delayLatent.add(dx, -1, gap, key);
          }
          prevJ = j;
          prevTreated = treatedNow;
        }
        if (c.votes && c.votes[i] >= 0) {
          const lv = current[i * R + R - 1];
          obs.votes[lv >= 0 ? lv : 5][c.votes[i]]++;
        }
      }
    });
  }
  return obs;
}

/** Share of followed accounts with a statement whose last one is ≥ 3, at column j (0 before any statement). */
function likelyShare(follows: Int32Array, current: Int8Array, R: number, j: number): number {
  if (j < 0) return 0;
  let stated = 0;
  let likely = 0;
  for (let k = 0; k < follows.length; k++) {
    const v = current[follows[k] * R + j];
    if (v >= 0) {
      stated++;
      if (v >= 3) likely++;
    }
  }
  return stated ? likely / stated : 0;
}

function carried(stated: Int8Array, n: number, R: number): Int8Array {
  const out = new Int8Array(n * R);
  for (let i = 0; i < n; i++) {
    let last = -1;
    for (let j = 0; j < R; j++) {
      const v = stated[i * R + j];
      if (v >= 0) last = v;
      out[i * R + j] = last;
    }
  }
  return out;
}
