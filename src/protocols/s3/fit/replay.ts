/**
 * Turns a recorded S3 run (per-user emotion, attitude and action for every round and condition — the wide CSVs or the
 * stored round records) into the decisions the fit reads: it replays the run through the S3 world with the recorded
 * answers, so each decision comes with what the user saw (arrivals, feed, spread status) exactly as in the run. The
 * replay checks itself: if the network, population or settings differ from the run's, awareness diverges and the
 * error names the round and the fix.
 */
import { dataError } from '../../../engine/errors';
import type { FollowNetwork } from '../../../engine/network';
import type { Persona } from '../../../population/types';
import type { S3Config } from '../config';
import { offlinePostText } from '../offline';
import { s3Outcomes, type S3OutcomeRow } from '../outcomes';
import type { AttitudeValue, EmotionLevel, S3Decision } from '../types';
import { ConditionWorld, sharedParts } from '../world';
import type { S3Observation } from './estimate';

/** One condition's recorded states, users × rounds 0…R, user-major (as `S3ConditionTable`). */
export interface S3StateTable {
  name: string;
  n: number;
  /** −1 unaware, else 0 calm / 1 moderate / 2 intense. */
  emotion: Int8Array;
  /** −1 unaware, else 0 negative / 1 positive. */
  attitude: Int8Array;
  /** 0 nothing, 1 post, 2 repost. */
  action: Uint8Array;
  /** Users whose answer was invalid, by round (known from stored round records, not from CSVs): the world left them as
   * they were, so they are replayed unchanged and give no observation (an invalid answer is not a decision). */
  invalidAnswers?: ReadonlyMap<number, ReadonlySet<number>>;
}

export interface S3RecordedSeed {
  seed: number;
  tables: S3StateTable[];
}

export interface ReplayInputs {
  config: S3Config;
  network: FollowNetwork;
  personas: readonly Persona[];
  /** Names the source in error messages (a folder or run name). */
  source: string;
}

/** Last recorded round of a table. */
export function lastRound(t: S3StateTable): number {
  return t.emotion.length / t.n - 1;
}

/** One round's columns of a table. */
function column(t: S3StateTable, arr: Int8Array | Uint8Array, r: number): Int8Array {
  const R = lastRound(t) + 1;
  const out = new Int8Array(t.n);
  for (let a = 0; a < t.n; a++) out[a] = arr[a * R + r];
  return out;
}

/** The population curves of a recorded table, rounds 0…R. */
export function tableOutcomes(t: S3StateTable): S3OutcomeRow[] {
  const out: S3OutcomeRow[] = [];
  for (let r = 0; r <= lastRound(t); r++) {
    out.push(s3Outcomes({ round: r, emotion: column(t, t.emotion, r), attitude: column(t, t.attitude, r), action: Uint8Array.from(column(t, t.action, r)) }));
  }
  return out;
}

function awareDiff(world: Int8Array, recorded: Int8Array): { world: number; recorded: number; first: number } {
  let w = 0;
  let rec = 0;
  let first = -1;
  for (let a = 0; a < world.length; a++) {
    if (world[a] >= 0) w++;
    if (recorded[a] >= 0) rec++;
    if (first < 0 && (world[a] >= 0) !== (recorded[a] >= 0)) first = a;
  }
  return { world: w, recorded: rec, first };
}

/** Replay one seed's conditions with the recorded answers; every decision becomes one observation. */
export function replaySeed(inputs: ReplayInputs, rec: S3RecordedSeed): S3Observation[] {
  const { config, network, personas, source } = inputs;
  if (personas.length !== network.n) throw dataError(source, 'the population', `has ${personas.length} users but the network ${network.n}`, 'give the network the run used (--network FILE)');
  const { roles: _roles, ...shared } = sharedParts(config, rec.seed, personas, network);
  const obs: S3Observation[] = [];
  const fix = 'give the network the run used (--network FILE.edges if it ran on one; otherwise the same --agents count and first --seed) and its settings (--summary run.json, the --json file of the run)';
  for (const t of rec.tables) {
    const where = `seed ${rec.seed}, condition '${t.name}'`;
    if (t.n !== network.n) throw dataError(source, where, `has ${t.n} users but the network has ${network.n}`, fix);
    const cond = config.conditions.find((c) => c.name === t.name);
    if (!cond) throw dataError(source, where, 'is not a condition of the settings used for the replay', `${fix}; conditions known: ${config.conditions.map((c) => c.name).join(', ')}`);
    const world = new ConditionWorld({ config, personas, network }, shared);
    world.roundZero(t.name);
    const R = lastRound(t);
    const check = (r: number) => {
      const recorded = column(t, t.emotion, r);
      const d = awareDiff(world.emotion, recorded);
      if (d.first >= 0) {
        throw dataError(source, `${where}, round ${r}`, `replays to ${d.world} aware users where the run recorded ${d.recorded} (first difference: user ${d.first})`, fix);
      }
      world.emotion.set(recorded);
      world.attitude.set(column(t, t.attitude, r));
    };
    check(0);
    for (let r = 1; r <= R; r++) {
      const scratch = world.beginRound(r, cond);
      const users = world.activeAgents(scratch);
      const asked = new Set(users);
      for (let a = 0; a < t.n; a++) {
        if (t.action[a * (R + 1) + r] !== 0 && !asked.has(a)) {
          throw dataError(source, `${where}, round ${r}`, `user ${a} acted without a new message in the replay`, fix);
        }
      }
      const invalid = t.invalidAnswers?.get(r);
      const requests = Array.from(users, (a) => world.request(scratch, a)).filter((req) => !invalid?.has(req.agentId));
      const decisions: S3Decision[] = requests.map((req) => {
        const a = req.agentId;
        const i = a * (R + 1) + r;
        const emotion = t.emotion[i] as EmotionLevel;
        const attitude = t.attitude[i] as AttitudeValue;
        if (emotion < 0 || attitude < 0) throw dataError(source, `${where}, round ${r}`, `user ${a} read the event but is recorded as unaware`, fix);
        const act = t.action[i];
        const feed = req.messages;
        let intensity = 0;
        let positive = 0;
        for (const m of feed) {
          intensity += m.emotion;
          positive += m.attitude;
        }
        obs.push({
          fromEmotion: req.emotion, toEmotion: emotion, fromAttitude: req.attitude, toAttitude: attitude,
          newlyAware: req.newlyAware, spread: req.spread, arrivals: req.arrivals, feedSize: feed.length,
          feedIntensity: feed.length ? intensity / feed.length / 2 : 0, feedPositive: feed.length ? positive / feed.length : 0,
          action: act, ideology: personas[a].ideology,
        });
        return {
          emotion, attitude, opinion: attitude,
          action: act === 1 ? 'post' : act === 2 ? 'repost' : 'none',
          repostId: act === 2 ? feed[0].id : null,
          postText: act === 1 ? offlinePostText(attitude, emotion) : null,
        };
      });
      requests.forEach((req, i) => world.applyDecision(scratch, req.agentId, decisions[i]));
      world.endRound(scratch);
      check(r);
    }
  }
  return obs;
}
