/**
 * The seeded persona generator of protocol A: U.S.-like adults (plus a few minors) whose marginals match the census
 * shares in census.json at every seed, because each attribute is dealt out by quota (largest remainder, then a
 * seeded shuffle) rather than drawn independently. Correlated attributes (education by age, party by race, ideology
 * by party, occupation by age and education…) come from propensity tables fitted to the published marginals by
 * iterative proportional fitting, so the correlation never moves a marginal.
 */
import { configError, dataError } from '../engine/errors';
import { following, followers, type FollowNetwork } from '../engine/network';
import { Rng } from '../engine/rng';
import type { Tier } from '../engine/types';
import { assignConditional, assignJoint, assignQuota, ipf, largestRemainder } from './allocation';
import { AGE_BRACKETS, BRACKET_BOUNDS, EDUCATION_LEVELS, IDEOLOGIES, PARTIES, SEXES, TURNOUT_HABITS, WORK_SCHEDULES, validateCensus, type CensusData, type Shares, type WorkScheduleSpec } from './census';
import { listPhrase, politicalStance } from './stance';
import { adultTargets, education25Targets, normalise, scheduleForNonWorker } from './targets';
import { tierProbabilities, TIERS } from './tiers';
import type { Persona } from './types';

export interface PopulationOptions {
  /** Number of agents; must equal `network.n`. */
  n: number;
  /** Share of agents who are minors (13–17); round(n × minorShare) of them. */
  minorShare: number;
  census: CensusData;
  network: FollowNetwork;
  seed: number;
}

/** Sorted-array intersection (rows of a FollowNetwork are ascending). */
function intersectSorted(a: Int32Array, b: Int32Array): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]);
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return out;
}

/**
 * 1–7 close friends: the first non-empty of mutual follows, accounts followed, followers, everyone else; never
 * itself, no repeats. The count is uniform in 1…7 and capped by the candidates, so an agent with two mutual
 * follows has at most two close friends (the reciprocated ties are the ones that carry spillover).
 */
function chooseCloseFriends(net: FollowNetwork, id: number, rng: Rng): number[] {
  const want = rng.between(1, 7);
  const out = following(net, id);
  const inc = followers(net, id);
  let pool: ArrayLike<number> = intersectSorted(out, inc);
  if (pool.length === 0) pool = out.length > 0 ? out : inc;
  if (pool.length > 0) return rng.sample(Array.from(pool), want).sort((x, y) => x - y);
  // No edges at all: random other agents, drawn by rejection (k ≤ 7, so this is cheap).
  const k = Math.min(want, net.n - 1);
  const chosen = new Set<number>();
  while (chosen.size < k) {
    const j = rng.int(net.n);
    if (j !== id) chosen.add(j);
  }
  return [...chosen].sort((x, y) => x - y);
}

/** Draw k distinct indices with probability proportional to weight (successive draws without replacement). */
function weightedDistinct(weights: readonly number[], k: number, rng: Rng): number[] {
  const w = weights.slice();
  let total = 0;
  let left = 0;
  for (let i = 0; i < w.length; i++) {
    total += w[i];
    if (w[i] > 0) left++;
  }
  const picked: number[] = [];
  for (let j = 0; j < k && left > 0; j++, left--) {
    let x = rng.next() * total;
    let i = 0;
    // Skip zero weights so a draw can never land on an exhausted topic, even at x = 0.
    while (i < w.length - 1 && (w[i] === 0 || x >= w[i])) x -= w[i++];
    while (w[i] === 0) i--;
    picked.push(i);
    total -= w[i];
    w[i] = 0;
  }
  return picked;
}

/** Weights of single years 65…maxAge: falling linearly to the cap (assumptions.age_within_bracket). */
function oldAgeWeights(maxAge: number): number[] {
  const weights: number[] = [];
  for (let a = 65; a <= maxAge; a++) weights.push(maxAge + 1 - a);
  return weights;
}

function drawAge(bracket: number, oldWeights: number[], rng: Rng): number {
  const [lo, hi] = BRACKET_BOUNDS[bracket];
  return Number.isFinite(hi) ? rng.between(lo, hi) : lo + rng.weighted(oldWeights);
}

function drawHours(s: WorkScheduleSpec, rng: Rng): number {
  return rng.bernoulli(s.typical_share) ? s.typical_hours : rng.between(s.min_hours, s.max_hours);
}

/**
 * Generate `n` personas for the agents of `network` (persona i is agent i). Same inputs, same personas, on any
 * machine. Adult marginals hold to within rounding at every seed; see census.json `assumptions` for what is assumed.
 */
export function generatePopulation(opts: PopulationOptions): Persona[] {
  const { n, minorShare, network, seed } = opts;
  // Validated here as well: the worker hands over fetched JSON, and a malformed file must fail as a DataError
  // naming the field, not as a TypeError deep inside the generator. It costs about a millisecond.
  const census = validateCensus(opts.census);
  if (!Number.isInteger(n) || n < 1) throw configError('agents', `is ${n}`, 'use a whole number of agents, at least 1');
  if (!(minorShare >= 0 && minorShare <= 1)) throw configError('minorShare', `is ${minorShare}, outside [0, 1]`, 'use a share such as 0.01075');
  if (network.n !== n) {
    throw configError('agents', `is ${n} but the network has ${network.n} accounts`, 'generate the population for the network it will live on');
  }
  const A = census.assumptions;
  const stream = (label: string) => Rng.derive(seed, 'population', label);

  // Which agents are minors: a seeded choice of ids, so minors are spread over the network.
  const nMinors = Math.round(n * minorShare);
  const isMinor = new Uint8Array(n);
  const allIds = Array.from({ length: n }, (_, i) => i);
  for (const id of stream('minors').sample(allIds, nMinors)) isMinor[id] = 1;
  const adults = allIds.filter((i) => !isMinor[i]);
  const minors = allIds.filter((i) => isMinor[i]);
  const nA = adults.length;

  const keys = (s: Shares) => Object.keys(s);
  const vals = (s: Shares, ks: readonly string[]) => ks.map((k) => s[k] ?? 0);

  // Root attributes: quotas over adults, and over minors separately (same shares).
  const bracket = new Int32Array(n);
  assignQuota(adults, vals(census.age.shares, AGE_BRACKETS), bracket, stream('age-bracket'));
  const sexIdx = new Int32Array(n);
  const sexShares = vals(census.sex.shares, SEXES);
  assignQuota(adults, sexShares, sexIdx, stream('sex'));
  assignQuota(minors, sexShares, sexIdx, stream('sex-minors'));
  const raceKeys = keys(census.race_ethnicity.shares);
  const raceShares = vals(census.race_ethnicity.shares, raceKeys);
  const race = new Int32Array(n);
  assignQuota(adults, raceShares, race, stream('race'));
  assignQuota(minors, raceShares, race, stream('race-minors'));
  const stateKeys = keys(census.state.shares);
  const stateShares = vals(census.state.shares, stateKeys);
  const state = new Int32Array(n);
  assignQuota(adults, stateShares, state, stream('state'));
  assignQuota(minors, stateShares, state, stream('state-minors'));

  // Education by age: 18–24 from the assumed row, 25+ fitted to the census 25+ table.
  const edu = new Int32Array(n);
  const young = adults.filter((i) => bracket[i] === 0);
  const older = adults.filter((i) => bracket[i] > 0);
  assignQuota(young, vals(A.education_18_24.shares, EDUCATION_LEVELS), edu, stream('education-18-24'));
  const olderRow = new Int32Array(n);
  for (const i of older) olderRow[i] = bracket[i] - 1;
  assignJoint(
    older,
    olderRow,
    AGE_BRACKETS.slice(1).map((b) => vals(A.education_by_age.propensity[b], EDUCATION_LEVELS)),
    vals(education25Targets(census), EDUCATION_LEVELS),
    edu,
    stream('education'),
  );
  for (const i of minors) edu[i] = 0; // less_than_high_school: still at school

  /**
   * An attribute that depends on `rowOf`: adults dealt by quota per row, with the row propensities fitted to the
   * census `shares`; minors dealt the adults' resulting shares in their own row, or all in adult row `minorsAsRow`.
   */
  const dependent = (label: string, rowOf: Int32Array, propensity: number[][], shares: number[], minorsAsRow?: number): Int32Array => {
    const values = new Int32Array(n);
    const conditional = assignJoint(adults, rowOf, propensity, shares, values, stream(label));
    if (minorsAsRow === undefined) assignConditional(minors, rowOf, conditional, values, stream(`${label}-minors`));
    else assignConditional(minors, new Int32Array(n), [conditional[minorsAsRow]], values, stream(`${label}-minors`));
    return values;
  };

  // Party by race, ideology by party.
  const party = dependent('party', race, raceKeys.map((r) => vals(A.party_by_race.propensity[r], PARTIES)), vals(census.party.shares, PARTIES));
  const ideology = dependent('ideology', party, PARTIES.map((p) => vals(A.ideology_by_party.propensity[p], IDEOLOGIES)), vals(census.ideology.shares, IDEOLOGIES));

  // Turnout habit by age: two independent elections at the bracket's CPS rate r, fitted to the calibration shares;
  // minors as the youngest adults.
  const habit = dependent(
    'turnout-habit',
    bracket,
    AGE_BRACKETS.map((b) => {
      const r = A.turnout_rate_by_age.rates[b];
      return [r * r, 2 * r * (1 - r), (1 - r) * (1 - r)];
    }),
    vals(A.turnout_habit.shares, TURNOUT_HABITS),
    0,
  );

  // Occupation by (age bracket × education) cell.
  const occList = A.occupations.list;
  const occ = new Int32Array(n);
  const cell = new Int32Array(n);
  for (const i of adults) cell[i] = bracket[i] * EDUCATION_LEVELS.length + edu[i];
  const occSeed: number[][] = [];
  for (let b = 0; b < AGE_BRACKETS.length; b++) {
    for (let e = 0; e < EDUCATION_LEVELS.length; e++) {
      occSeed.push(
        occList.map(
          (o) => (A.occupations.age_classes[o.age][AGE_BRACKETS[b]] ?? 0) * (A.occupations.education_classes[o.education][EDUCATION_LEVELS[e]] ?? 0),
        ),
      );
    }
  }
  assignJoint(adults, cell, occSeed, occList.map((o) => o.share), occ, stream('occupation'));
  const studentIdx = occList.findIndex((o) => o.name === 'student');

  // Work schedule by occupation for the employed; non-workers by their group.
  const schedules = A.work_schedule.schedules;
  const scheduleSpec = WORK_SCHEDULES.map((name) => schedules.find((s) => s.name === name) as WorkScheduleSpec);
  const workingOcc = occList.map((o, k) => (o.group !== 'not_working' ? k : -1)).filter((k) => k >= 0);
  const rowOfOcc = new Int32Array(occList.length).fill(-1);
  workingOcc.forEach((k, row) => (rowOfOcc[k] = row));
  const workingRow = new Int32Array(n).fill(-1);
  for (const i of adults) workingRow[i] = rowOfOcc[occ[i]];
  const employed = adults.filter((i) => workingRow[i] >= 0);
  const sched = new Int32Array(n);
  assignJoint(
    employed,
    workingRow,
    workingOcc.map((k) => vals(A.work_schedule.hours_classes[occList[k].hours], WORK_SCHEDULES)),
    vals(A.work_schedule.employed_shares, WORK_SCHEDULES),
    sched,
    stream('work-schedule'),
  );

  // Marital status by age.
  const maritalKeys = keys(A.marital_status.shares);
  const marital = new Int32Array(n);
  assignJoint(
    adults,
    bracket,
    AGE_BRACKETS.map((b) => vals(A.marital_status.by_age[b], maritalKeys)),
    vals(A.marital_status.shares, maritalKeys),
    marital,
    stream('marital'),
  );

  // Country of birth by race.
  const countryKeys = keys(A.country_of_birth.shares);
  const countrySeed = raceKeys.map((r) =>
    countryKeys.map((c) => {
      if (c === 'United States') return 1;
      const aff = A.country_of_birth.race_affinity[c];
      return aff && aff.includes(r) ? 1 : A.country_of_birth.other_race_weight;
    }),
  );
  const country = new Int32Array(n);
  const countryCond = assignJoint(adults, race, countrySeed, vals(A.country_of_birth.shares, countryKeys), country, stream('country'));
  assignConditional(minors, race, countryCond, country, stream('country-minors'));

  // Per-agent draws, each from its own stream so adding one never shifts another.
  const ageRng = stream('age');
  const hoursRng = stream('hours');
  const interestRng = stream('interests');
  const friendRng = stream('close-friends');
  const nameRng = stream('names');
  const tierRng = stream('tier');
  const topicKeys = Object.keys(A.topics);
  const countKeys = keys(A.interests_count.shares);
  const countWeights = vals(A.interests_count.shares, countKeys);
  const oldWeights = oldAgeWeights(A.age_within_bracket.max_age);
  // Topic weights depend only on ideology and on being under 30 / over 55: nine rows, computed once.
  const topicWeightRows = IDEOLOGIES.map((ideo) =>
    [0, 1, 2].map((band) =>
      topicKeys.map((k) => {
        const t = A.topics[k];
        return t[ideo] * (band === 0 ? (t.under_30 ?? 1) : band === 2 ? (t.over_55 ?? 1) : 1);
      }),
    ),
  );
  const notWorking = A.work_schedule.not_working;

  const personas: Persona[] = new Array(n);
  for (let id = 0; id < n; id++) {
    const adult = !isMinor[id];
    const age = adult ? drawAge(bracket[id], oldWeights, ageRng) : ageRng.between(A.minors.age_min, A.minors.age_max);
    const sex = SEXES[sexIdx[id]];
    const raceEthnicity = raceKeys[race[id]];
    const education = EDUCATION_LEVELS[edu[id]];
    const occSpec = adult ? occList[occ[id]] : studentIdx >= 0 ? occList[studentIdx] : undefined;
    const occupation = occSpec ? occSpec.name : 'student';
    let workSchedule: string;
    let hoursPerWeek = 0;
    if (!adult) workSchedule = notWorking.student;
    else if (occSpec && occSpec.group === 'not_working') workSchedule = scheduleForNonWorker(occSpec.name, notWorking);
    else {
      workSchedule = WORK_SCHEDULES[sched[id]];
      hoursPerWeek = drawHours(scheduleSpec[sched[id]], hoursRng);
    }
    const p = PARTIES[party[id]];
    const ideo = IDEOLOGIES[ideology[id]];
    const turnoutHabit = TURNOUT_HABITS[habit[id]];

    const topicWeights = topicWeightRows[ideology[id]][age < 30 ? 0 : age > 55 ? 2 : 1];
    const interests = weightedDistinct(topicWeights, Number(countKeys[interestRng.weighted(countWeights)]), interestRng).map(
      (k) => topicKeys[k],
    );
    const closeFriends = chooseCloseFriends(network, id, friendRng);

    const names = A.names;
    const ownList = raceEthnicity === 'hispanic_any_race' ? names[`hispanic_${sex}`] : raceEthnicity === 'asian_nh' ? names[`asian_${sex}`] : null;
    const nameList = ownList && nameRng.bernoulli(0.5) ? ownList : names[sex];
    const name = nameRng.pick(nameList);
    const role = adult ? (occSpec?.profile ?? occupation) : 'high-school student';
    const publicProfile = `${name}, ${age}, ${role} in ${stateKeys[state[id]]}, posts about ${listPhrase(interests.map((k) => A.topics[k].label))}`;

    const persona: Persona = {
      id,
      age,
      adult,
      sex,
      raceEthnicity,
      education,
      occupation,
      maritalStatus: adult ? maritalKeys[marital[id]] : 'never married',
      hoursPerWeek,
      workSchedule,
      countryOfBirth: countryKeys[country[id]],
      state: stateKeys[state[id]],
      party: p,
      ideology: ideo,
      turnoutHabit,
      politicalStance: politicalStance(p, ideo, turnoutHabit, adult),
      interests,
      closeFriends,
      publicProfile,
      tier: 'nano',
    };
    const tp = tierProbabilities(persona);
    const u = tierRng.next();
    persona.tier = u < tp.full ? 'full' : u < tp.full + tp.mini ? 'mini' : 'nano';
    personas[id] = persona;
  }
  return personas;
}
