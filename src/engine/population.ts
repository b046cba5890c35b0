/**
 * The seeded persona generator of protocol A: U.S.-like adults (plus a few minors) whose marginals match the census
 * shares in census.json at every seed, because each attribute is dealt out by quota (largest remainder, then a
 * seeded shuffle) rather than drawn independently. Correlated attributes (education by age, party by race, ideology
 * by party, occupation by age and education…) come from propensity tables fitted to the published marginals by
 * iterative proportional fitting, so the correlation never moves a marginal.
 */
import { dataError, configError } from './errors';
import { following, followers, type FollowNetwork } from './network';
import { Rng } from './rng';
import type { Education, Ideology, Party, Persona, Sex, Tier, TurnoutHabit } from './types';

// ---------------------------------------------------------------------------------------------------- vocabulary

export const AGE_BRACKETS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBracket = (typeof AGE_BRACKETS)[number];
/** Lower and upper age of each closed bracket; the last one ends at `assumptions.age_within_bracket.max_age`. */
const BRACKET_BOUNDS: Array<[number, number]> = [[18, 24], [25, 34], [35, 44], [45, 54], [55, 64], [65, Infinity]];

export const EDUCATION_LEVELS: readonly Education[] = [
  'less_than_high_school',
  'high_school',
  'some_college',
  'associate',
  'bachelors',
  'masters',
  'professional',
  'doctorate',
];
/** The five categories of the census education table (adults 25+). */
export const CENSUS_EDUCATION = ['less_than_high_school', 'high_school', 'some_college_or_associate', 'bachelors', 'graduate'] as const;
export const SEXES: readonly Sex[] = ['female', 'male'];
export const PARTIES: readonly Party[] = ['democrat', 'republican', 'independent'];
export const IDEOLOGIES: readonly Ideology[] = ['liberal', 'moderate', 'conservative'];
export const TURNOUT_HABITS: readonly TurnoutHabit[] = ['consistent', 'occasional', 'low-turnout'];
export const WORK_SCHEDULES = ['part-time flexible', 'part-time regular', 'full-time standard', 'full-time long', 'full-time very long'] as const;

// ---------------------------------------------------------------------------------------------------- census types

export type Shares = Record<string, number>;

/** Where a published block comes from; kept with the numbers so that every figure can be traced. */
export interface SourceInfo {
  publisher?: string;
  table?: string;
  url?: string;
  reference_date?: string;
  copy_read?: string;
  verification?: string;
}

export interface SharesBlock {
  universe?: string;
  source?: SourceInfo;
  shares: Shares;
  note?: string;
}

export type OccupationGroup = 'not_working' | 'analytic' | 'managerial' | 'other';

export interface OccupationSpec {
  name: string;
  /** Share of adults 18+. */
  share: number;
  group: OccupationGroup;
  /** The word shown in the public profile ("nurse", "looking for work"). */
  profile: string;
  /** Keys of `education_classes`, `age_classes` and `work_schedule.hours_classes` ('none' for non-workers). */
  education: string;
  age: string;
  hours: string;
}

export interface WorkScheduleSpec {
  name: string;
  min_hours: number;
  max_hours: number;
  typical_hours: number;
  typical_share: number;
}

export interface TopicSpec {
  label: string;
  liberal: number;
  moderate: number;
  conservative: number;
  /** Weight multiplier for agents under 30 / over 55. */
  under_30?: number;
  over_55?: number;
}

export interface CensusData {
  format?: string;
  age: SharesBlock;
  sex: SharesBlock;
  race_ethnicity: SharesBlock & { labels?: Record<string, string> };
  /** Adults 25+, five categories (CENSUS_EDUCATION). */
  education: SharesBlock;
  state: SharesBlock;
  party: SharesBlock;
  ideology: SharesBlock;
  household_income?: SharesBlock;
  turnout_by_age?: Record<string, unknown>;
  assumptions: {
    age_within_bracket: { max_age: number };
    minors: { age_min: number; age_max: number };
    education_18_24: { shares: Shares };
    education_split: { some_college_or_associate: Shares; graduate: Shares };
    education_by_age: { propensity: Record<string, Shares> };
    party_by_race: { propensity: Record<string, Shares> };
    ideology_by_party: { propensity: Record<string, Shares> };
    turnout_rate_by_age: { rates: Record<string, number> };
    turnout_habit: { shares: Shares };
    occupations: { list: OccupationSpec[]; education_classes: Record<string, Shares>; age_classes: Record<string, Shares> };
    marital_status: { shares: Shares; by_age: Record<string, Shares> };
    work_schedule: {
      schedules: WorkScheduleSpec[];
      employed_shares: Shares;
      hours_classes: Record<string, Shares>;
      not_working: { retired: string; student: string; other: string };
    };
    country_of_birth: { shares: Shares; race_affinity: Record<string, string[]>; other_race_weight: number };
    topics: Record<string, TopicSpec>;
    interests_count: { shares: Shares };
    names: Record<'female' | 'male' | 'hispanic_female' | 'hispanic_male' | 'asian_female' | 'asian_male', string[]>;
  };
}

// ---------------------------------------------------------------------------------------------------- validation

const FIX_SHARES = 'shares must be non-negative numbers summing to 1 ± 0.01; correct or renormalise them';

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

class CensusChecker {
  constructor(private readonly source: string) {}

  fail(where: string, problem: string, fix: string): never {
    throw dataError(this.source, where, problem, fix);
  }

  record(parent: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
    const v = parent[key];
    if (v === undefined) this.fail(path, 'is missing', `add the '${key}' block (see public/data/census.json for its shape)`);
    if (!isRecord(v)) this.fail(path, 'is not an object', `make '${key}' a JSON object`);
    return v;
  }

  number(v: unknown, path: string, min = 0): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `is ${JSON.stringify(v)}, not a number`, 'use a finite number');
    if (v < min) this.fail(path, `is ${v}, below ${min}`, min === 0 ? 'use a non-negative number' : `use a number of at least ${min}`);
    return v;
  }

  /** Non-negative weights with the required keys (extra keys allowed only when `required` is undefined). */
  weights(v: unknown, path: string, required?: readonly string[]): Shares {
    if (v === undefined) this.fail(path, 'is missing', 'add it (see public/data/census.json for its shape)');
    if (!isRecord(v)) this.fail(path, 'is not an object of numbers', 'write it as { "key": number, … }');
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(`${path}.${k}`, `is ${JSON.stringify(x)}, not a number`, 'use a number');
      if (x < 0) this.fail(`${path}.${k}`, `is negative (${x})`, path.endsWith('shares') ? FIX_SHARES : 'weights must be non-negative');
    }
    if (required) {
      for (const k of required) if (!(k in v)) this.fail(`${path}.${k}`, 'is missing', `give every one of: ${required.join(', ')}`);
    }
    if (Object.keys(v).length === 0) this.fail(path, 'is empty', 'list at least one category');
    return v as Shares;
  }

  /** Weights that are shares: they must also sum to 1 ± 0.01. */
  shares(v: unknown, path: string, required?: readonly string[]): Shares {
    const w = this.weights(v, path, required);
    const sum = Object.values(w).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 0.01) this.fail(path, `sum to ${round4(sum)}`, FIX_SHARES);
    return w;
  }

  block(raw: Record<string, unknown>, key: string, required?: readonly string[]): void {
    const b = this.record(raw, key, key);
    this.shares(b.shares, `${key}.shares`, required);
  }

  table(v: unknown, path: string, rows: readonly string[], cols: readonly string[]): void {
    if (!isRecord(v)) this.fail(path, v === undefined ? 'is missing' : 'is not an object', 'add a table of { row: { column: weight } }');
    for (const r of rows) this.weights(v[r], `${path}.${r}`, cols);
  }

  stringList(v: unknown, path: string): string[] {
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s.length > 0)) {
      this.fail(path, 'is not a non-empty list of strings', 'give at least one non-empty string');
    }
    return v as string[];
  }
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/**
 * Check a parsed census file and return it typed. Throws a DataError naming the first bad field (a missing block,
 * shares that do not sum to 1 ± 0.01, a negative share, a propensity table without a row the generator needs…).
 */
export function validateCensus(raw: unknown, source = 'census.json'): CensusData {
  // Explicit type: TypeScript narrows after a `never` call only through explicitly typed references.
  const c: CensusChecker = new CensusChecker(source);
  if (!isRecord(raw)) c.fail('the file', 'is not a JSON object', 'load public/data/census.json or a file of the same shape');
  c.block(raw, 'age', AGE_BRACKETS);
  c.block(raw, 'sex', SEXES);
  c.block(raw, 'race_ethnicity');
  c.block(raw, 'education', CENSUS_EDUCATION);
  c.block(raw, 'state');
  c.block(raw, 'party', PARTIES);
  c.block(raw, 'ideology', IDEOLOGIES);
  if (raw.household_income !== undefined) c.block(raw, 'household_income');
  const races = Object.keys((raw.race_ethnicity as { shares: Shares }).shares);

  const a = c.record(raw, 'assumptions', 'assumptions');
  const A = (key: string) => c.record(a, key, `assumptions.${key}`);
  const ab = A('age_within_bracket');
  c.number(ab.max_age, 'assumptions.age_within_bracket.max_age', 65);
  const minors = A('minors');
  const minAge = c.number(minors.age_min, 'assumptions.minors.age_min', 0);
  const maxAge = c.number(minors.age_max, 'assumptions.minors.age_max', minAge);
  if (maxAge > 17) c.fail('assumptions.minors.age_max', `is ${maxAge}`, 'minors are under 18; use at most 17');
  c.shares(A('education_18_24').shares, 'assumptions.education_18_24.shares', EDUCATION_LEVELS);
  const split = A('education_split');
  c.shares(split.some_college_or_associate, 'assumptions.education_split.some_college_or_associate', ['some_college', 'associate']);
  c.shares(split.graduate, 'assumptions.education_split.graduate', ['masters', 'professional', 'doctorate']);
  c.table(A('education_by_age').propensity, 'assumptions.education_by_age.propensity', AGE_BRACKETS.slice(1), EDUCATION_LEVELS);
  c.table(A('party_by_race').propensity, 'assumptions.party_by_race.propensity', races, PARTIES);
  c.table(A('ideology_by_party').propensity, 'assumptions.ideology_by_party.propensity', PARTIES, IDEOLOGIES);
  const rates = c.weights(A('turnout_rate_by_age').rates, 'assumptions.turnout_rate_by_age.rates', AGE_BRACKETS);
  for (const [k, r] of Object.entries(rates)) {
    if (r > 1) c.fail(`assumptions.turnout_rate_by_age.rates.${k}`, `is ${r}`, 'a turnout rate is a share in [0, 1]');
  }
  c.shares(A('turnout_habit').shares, 'assumptions.turnout_habit.shares', TURNOUT_HABITS);

  // Occupations: a list with shares, each naming classes that exist.
  const occ = A('occupations');
  const eduClasses = c.record(occ, 'education_classes', 'assumptions.occupations.education_classes');
  const ageClasses = c.record(occ, 'age_classes', 'assumptions.occupations.age_classes');
  for (const k of Object.keys(eduClasses)) c.weights(eduClasses[k], `assumptions.occupations.education_classes.${k}`, EDUCATION_LEVELS);
  for (const k of Object.keys(ageClasses)) c.weights(ageClasses[k], `assumptions.occupations.age_classes.${k}`, AGE_BRACKETS);
  const ws = A('work_schedule');
  const hoursClasses = c.record(ws, 'hours_classes', 'assumptions.work_schedule.hours_classes');
  for (const k of Object.keys(hoursClasses)) c.weights(hoursClasses[k], `assumptions.work_schedule.hours_classes.${k}`, WORK_SCHEDULES);
  c.shares(ws.employed_shares, 'assumptions.work_schedule.employed_shares', WORK_SCHEDULES);
  const nw = c.record(ws, 'not_working', 'assumptions.work_schedule.not_working');
  for (const k of ['retired', 'student', 'other']) {
    if (typeof nw[k] !== 'string') c.fail(`assumptions.work_schedule.not_working.${k}`, 'is missing', 'name the schedule label for this group');
  }
  if (!Array.isArray(ws.schedules)) c.fail('assumptions.work_schedule.schedules', 'is not a list', 'list the five schedules with their hour bands');
  for (const name of WORK_SCHEDULES) {
    const i = (ws.schedules as unknown[]).findIndex((s) => isRecord(s) && s.name === name);
    if (i < 0) c.fail('assumptions.work_schedule.schedules', `has no '${name}'`, `add { "name": "${name}", "min_hours", "max_hours", "typical_hours", "typical_share" }`);
    const s = (ws.schedules as Record<string, unknown>[])[i];
    const p = `assumptions.work_schedule.schedules[${i}]`;
    const lo = c.number(s.min_hours, `${p}.min_hours`, 1);
    const hi = c.number(s.max_hours, `${p}.max_hours`, lo);
    const typ = c.number(s.typical_hours, `${p}.typical_hours`, lo);
    if (typ > hi) c.fail(`${p}.typical_hours`, `is ${typ}, above max_hours ${hi}`, 'keep it inside the band');
    const ts = c.number(s.typical_share, `${p}.typical_share`);
    if (ts > 1) c.fail(`${p}.typical_share`, `is ${ts}`, 'use a probability in [0, 1]');
  }
  if (!Array.isArray(occ.list) || occ.list.length === 0) {
    c.fail('assumptions.occupations.list', 'is not a non-empty list', 'list occupations as { name, share, group, profile, education, age, hours }');
  }
  const list = occ.list as unknown[];
  const occShares: Shares = {};
  list.forEach((o, i) => {
    const p = `assumptions.occupations.list[${i}]`;
    if (!isRecord(o) || typeof o.name !== 'string' || o.name === '') c.fail(p, 'has no name', 'give each occupation a "name"');
    if (o.name in occShares) c.fail(`${p}.name`, `repeats '${o.name}'`, 'list each occupation once');
    occShares[o.name] = c.number(o.share, `${p}.share`);
    if (!['not_working', 'analytic', 'managerial', 'other'].includes(o.group as string)) {
      c.fail(`${p}.group`, `is ${JSON.stringify(o.group)}`, "use 'not_working', 'analytic', 'managerial' or 'other'");
    }
    if (typeof o.profile !== 'string') c.fail(`${p}.profile`, 'is missing', 'give the word shown in public profiles');
    if (!(String(o.education) in eduClasses)) c.fail(`${p}.education`, `names no education class (${JSON.stringify(o.education)})`, `use one of: ${Object.keys(eduClasses).join(', ')}`);
    if (!(String(o.age) in ageClasses)) c.fail(`${p}.age`, `names no age class (${JSON.stringify(o.age)})`, `use one of: ${Object.keys(ageClasses).join(', ')}`);
    if (o.group !== 'not_working' && !(String(o.hours) in hoursClasses)) {
      c.fail(`${p}.hours`, `names no hours class (${JSON.stringify(o.hours)})`, `use one of: ${Object.keys(hoursClasses).join(', ')}`);
    }
  });
  c.shares(occShares, 'assumptions.occupations.list[].share');
  if (!list.some((o) => (o as OccupationSpec).group !== 'not_working')) {
    c.fail('assumptions.occupations.list', 'has no working occupation', 'add at least one occupation with a group other than not_working');
  }

  const ms = A('marital_status');
  const maritalShares = c.shares(ms.shares, 'assumptions.marital_status.shares');
  c.table(ms.by_age, 'assumptions.marital_status.by_age', AGE_BRACKETS, Object.keys(maritalShares));

  const cob = A('country_of_birth');
  const countries = c.shares(cob.shares, 'assumptions.country_of_birth.shares');
  if (!('United States' in countries)) c.fail('assumptions.country_of_birth.shares', "has no 'United States'", 'add the U.S.-born share');
  const aff = c.record(cob, 'race_affinity', 'assumptions.country_of_birth.race_affinity');
  for (const [country, rs] of Object.entries(aff)) {
    const p = `assumptions.country_of_birth.race_affinity.${country}`;
    if (!(country in countries)) c.fail(p, 'names a country without a share', 'add it to country_of_birth.shares or remove it');
    for (const r of c.stringList(rs, p)) if (!races.includes(r)) c.fail(p, `names '${r}', not a race_ethnicity key`, `use one of: ${races.join(', ')}`);
  }
  c.number(cob.other_race_weight, 'assumptions.country_of_birth.other_race_weight');

  const topics = A('topics');
  if (Object.keys(topics).length < 4) c.fail('assumptions.topics', `has ${Object.keys(topics).length} topics`, 'list at least 4 (agents have up to 4 distinct interests)');
  for (const [k, t] of Object.entries(topics)) {
    const p = `assumptions.topics.${k}`;
    if (!isRecord(t) || typeof t.label !== 'string') c.fail(p, 'has no label', 'give each topic a "label"');
    let positive = false;
    for (const ideo of IDEOLOGIES) positive = c.number(t[ideo], `${p}.${ideo}`) > 0 || positive;
    if (!positive) c.fail(p, 'has zero weight for every ideology', 'give it a positive weight for at least one ideology');
    for (const m of ['under_30', 'over_55']) if (t[m] !== undefined) c.number(t[m], `${p}.${m}`);
  }
  const ic = c.shares(A('interests_count').shares, 'assumptions.interests_count.shares');
  for (const k of Object.keys(ic)) {
    if (!['2', '3', '4'].includes(k)) c.fail(`assumptions.interests_count.shares.${k}`, 'is not 2, 3 or 4', 'agents have 2–4 interests');
  }
  const names = A('names');
  for (const k of ['female', 'male', 'hispanic_female', 'hispanic_male', 'asian_female', 'asian_male']) c.stringList(names[k], `assumptions.names.${k}`);
  return raw as unknown as CensusData;
}

// ---------------------------------------------------------------------------------------------------- allocation

/**
 * Integer counts summing to `total`, proportional to `weights` (Hamilton's largest-remainder method; ties go to
 * the lower index, so the result is deterministic).
 */
export function largestRemainder(total: number, weights: ArrayLike<number>): Int32Array {
  const k = weights.length;
  const out = new Int32Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += weights[i];
  if (total <= 0 || k === 0) return out;
  if (sum <= 0) {
    // No information: spread evenly (only reached for rows that no fitted table covers).
    for (let i = 0; i < total; i++) out[i % k]++;
    return out;
  }
  const rem = new Float64Array(k);
  let given = 0;
  for (let i = 0; i < k; i++) {
    const exact = (weights[i] / sum) * total;
    out[i] = Math.floor(exact);
    rem[i] = exact - out[i];
    given += out[i];
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => rem[y] - rem[x] || x - y);
  for (let j = 0; given < total; j++, given++) out[order[j % k]]++;
  return out;
}

/**
 * Iterative proportional fitting: scale `seed` (rows × cols) until its row sums are `rowTotals` and its column
 * sums are `colTotals` (rescaled to the same grand total). Zero seed cells stay zero, which is how impossible
 * combinations (a 20-year-old with a doctorate, a retired 18-year-old) are kept out.
 */
export function ipf(seed: number[][], rowTotals: ArrayLike<number>, colTotals: ArrayLike<number>, iterations = 300): number[][] {
  const R = seed.length;
  const C = colTotals.length;
  let rowSum = 0;
  for (let r = 0; r < R; r++) rowSum += rowTotals[r];
  let colSum = 0;
  for (let c = 0; c < C; c++) colSum += colTotals[c];
  const target = Array.from({ length: C }, (_, c) => (colSum > 0 ? (colTotals[c] / colSum) * rowSum : 0));
  const m = seed.map((row) => row.slice());
  for (let it = 0; it < iterations; it++) {
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += m[r][c];
      const f = s > 0 ? rowTotals[r] / s : 0;
      for (let c = 0; c < C; c++) m[r][c] *= f;
    }
    let worst = 0;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += m[r][c];
      if (s > 0) {
        const f = target[c] / s;
        worst = Math.max(worst, Math.abs(s - target[c]));
        for (let r = 0; r < R; r++) m[r][c] *= f;
      }
    }
    if (worst < 1e-9 * Math.max(1, rowSum)) break;
  }
  return m;
}

/**
 * Integer cell counts with exact row totals and column totals within about one agent of the fitted matrix: each
 * row is rounded by largest remainder, carrying every column's rounding error into the next row (controlled
 * rounding), so errors do not pile up over many rows.
 */
function roundRows(fitted: number[][], rowCounts: ArrayLike<number>): Int32Array[] {
  const C = fitted.length > 0 ? fitted[0].length : 0;
  const carry = new Float64Array(C);
  return fitted.map((row, r) => {
    const want = row.map((x, c) => (x > 0 ? Math.max(0, x + carry[c]) : 0));
    const counts = largestRemainder(rowCounts[r], want.some((w) => w > 0) ? want : row);
    for (let c = 0; c < C; c++) carry[c] += row[c] - counts[c];
    return counts;
  });
}

/**
 * Deal column values to agents by row: agents in row r (in `agents` order) receive exactly `counts[r][c]` copies of
 * value c, in a seeded random order.
 */
function dealByRows(agents: ArrayLike<number>, rowOf: Int32Array, counts: Int32Array[], out: Int32Array, rng: Rng): void {
  const groups: number[][] = counts.map(() => []);
  for (let i = 0; i < agents.length; i++) groups[rowOf[agents[i]]].push(agents[i]);
  groups.forEach((g, r) => {
    const values: number[] = [];
    counts[r].forEach((k, c) => {
      for (let j = 0; j < k; j++) values.push(c);
    });
    rng.shuffle(values);
    for (let j = 0; j < g.length; j++) out[g[j]] = values[j];
  });
}

function rowCountsOf(agents: ArrayLike<number>, rowOf: Int32Array, rows: number): Int32Array {
  const n = new Int32Array(rows);
  for (let i = 0; i < agents.length; i++) n[rowOf[agents[i]]]++;
  return n;
}

/**
 * Assign a column attribute to `agents` so that, given their row attribute, the joint follows `seed` fitted to the
 * column `shares`. Returns the fitted row-conditional distributions, to deal the same attribute to minors.
 */
function assignJoint(
  agents: ArrayLike<number>,
  rowOf: Int32Array,
  seed: number[][],
  shares: number[],
  out: Int32Array,
  rng: Rng,
): number[][] {
  const rowCounts = rowCountsOf(agents, rowOf, seed.length);
  const colTotals = shares.map((s) => s * agents.length);
  const fitted = ipf(seed, rowCounts, colTotals);
  dealByRows(agents, rowOf, roundRows(fitted, rowCounts), out, rng);
  // Conditional distribution per row; a row no adult fell in keeps its seed shape.
  return fitted.map((row, r) => {
    const s = row.reduce((x, y) => x + y, 0);
    return s > 0 ? row.map((x) => x / s) : seed[r].some((x) => x > 0) ? seed[r] : shares;
  });
}

/** Deal a distribution to agents by row (each row's counts by largest remainder of its conditional distribution). */
function assignConditional(agents: ArrayLike<number>, rowOf: Int32Array, conditional: number[][], out: Int32Array, rng: Rng): void {
  const rowCounts = rowCountsOf(agents, rowOf, conditional.length);
  const counts = conditional.map((dist, r) => largestRemainder(rowCounts[r], dist));
  dealByRows(agents, rowOf, counts, out, rng);
}

/** Quota for one attribute with no conditioning. */
function assignQuota(agents: ArrayLike<number>, shares: number[], out: Int32Array, rng: Rng): void {
  const counts = largestRemainder(agents.length, shares);
  const values: number[] = [];
  counts.forEach((k, c) => {
    for (let j = 0; j < k; j++) values.push(c);
  });
  rng.shuffle(values);
  for (let i = 0; i < agents.length; i++) out[agents[i]] = values[i];
}

// ---------------------------------------------------------------------------------------------------- targets

export type TargetAttribute =
  | 'ageBracket'
  | 'sex'
  | 'raceEthnicity'
  | 'state'
  | 'education'
  | 'party'
  | 'ideology'
  | 'turnoutHabit'
  | 'occupation'
  | 'maritalStatus'
  | 'countryOfBirth'
  | 'workSchedule';

function normalise(w: Shares): Shares {
  const s = Object.values(w).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, s > 0 ? v / s : 0]));
}

/** Education shares of adults 25+ in the eight Persona levels (the census five, split by `education_split`). */
export function education25Targets(census: CensusData): Shares {
  const e = normalise(census.education.shares);
  const sc = normalise(census.assumptions.education_split.some_college_or_associate);
  const g = normalise(census.assumptions.education_split.graduate);
  return {
    less_than_high_school: e.less_than_high_school,
    high_school: e.high_school,
    some_college: e.some_college_or_associate * sc.some_college,
    associate: e.some_college_or_associate * sc.associate,
    bachelors: e.bachelors,
    masters: e.graduate * g.masters,
    professional: e.graduate * g.professional,
    doctorate: e.graduate * g.doctorate,
  };
}

/** Age bracket of an adult's age. */
export function ageBracketOf(age: number): AgeBracket {
  for (let b = 0; b < BRACKET_BOUNDS.length; b++) if (age <= BRACKET_BOUNDS[b][1]) return AGE_BRACKETS[b];
  return '65+';
}

/**
 * The share of adults each attribute value should have: the census shares where published, the assumption shares
 * otherwise, and for education and work schedule the mixtures the generator implies (18+ education = 18–24 share ×
 * the assumed 18–24 row + 25+ share × the census 25+ table; schedules = employed share × employed schedule shares,
 * plus the non-working groups).
 */
export function adultTargets(census: CensusData): Record<TargetAttribute, Shares> {
  const A = census.assumptions;
  const age = normalise(census.age.shares);
  const e18 = normalise(A.education_18_24.shares);
  const e25 = education25Targets(census);
  const young = age['18-24'];
  const education = Object.fromEntries(EDUCATION_LEVELS.map((k) => [k, young * (e18[k] ?? 0) + (1 - young) * e25[k]]));
  const occupation = normalise(Object.fromEntries(A.occupations.list.map((o) => [o.name, o.share])));
  const employed = A.occupations.list.filter((o) => o.group !== 'not_working').reduce((s, o) => s + occupation[o.name], 0);
  const es = normalise(A.work_schedule.employed_shares);
  const workSchedule: Shares = Object.fromEntries(WORK_SCHEDULES.map((k) => [k, employed * es[k]]));
  for (const o of A.occupations.list) {
    if (o.group !== 'not_working') continue;
    const label = scheduleForNonWorker(o.name, A.work_schedule.not_working);
    workSchedule[label] = (workSchedule[label] ?? 0) + occupation[o.name];
  }
  return {
    ageBracket: age,
    sex: normalise(census.sex.shares),
    raceEthnicity: normalise(census.race_ethnicity.shares),
    state: normalise(census.state.shares),
    education,
    party: normalise(census.party.shares),
    ideology: normalise(census.ideology.shares),
    turnoutHabit: normalise(A.turnout_habit.shares),
    occupation,
    maritalStatus: normalise(A.marital_status.shares),
    countryOfBirth: normalise(A.country_of_birth.shares),
    workSchedule,
  };
}

function scheduleForNonWorker(occupation: string, nw: { retired: string; student: string; other: string }): string {
  return occupation === 'retired' ? nw.retired : occupation === 'student' ? nw.student : nw.other;
}

// ---------------------------------------------------------------------------------------------------- LLM tier

/**
 * The tier rule of protocols §A as data: base weights for (full, mini, nano) and multipliers, applied in order and
 * then normalised. A professional degree (law, medicine) counts as a master's: the rule names only doctorate,
 * master's and bachelor's, and a professional degree is a graduate degree of master's-or-more length. An occupation
 * is analytic or managerial when its lower-cased name contains one of the keywords (as LLM-SocioPol lower-cases
 * occupation before comparing); analytic wins when both match.
 */
export const TIER_RULE = {
  base: [0.004, 0.016, 0.98],
  doctorate: [3, 1.5, 0.5],
  masters: [2, 1.3, 0.7],
  bachelors: [1.5, 1.2, 0.8],
  analytic: [2, 1.3, 0.7],
  managerial: [1.5, 1.2, 0.8],
  age40plus: [1.5, 1.2, 0.8],
  age30to39: [1.3, 1.1, 0.9],
  analyticKeywords: ['professor', 'researcher', 'scientist', 'engineer', 'analyst'],
  managerialKeywords: ['manager', 'director', 'specialist', 'consultant'],
} as const;

export const TIERS: readonly Tier[] = ['full', 'mini', 'nano'];

export function occupationKind(occupation: string): 'analytic' | 'managerial' | 'other' {
  const o = occupation.toLowerCase();
  if (TIER_RULE.analyticKeywords.some((k) => o.includes(k))) return 'analytic';
  if (TIER_RULE.managerialKeywords.some((k) => o.includes(k))) return 'managerial';
  return 'other';
}

/** Probability of each tier for a persona under the §A multiplier rule. */
export function tierProbabilities(p: Pick<Persona, 'age' | 'education' | 'occupation'>): Record<Tier, number> {
  const w: number[] = TIER_RULE.base.slice();
  const times = (m: readonly number[]) => {
    for (let i = 0; i < 3; i++) w[i] *= m[i];
  };
  if (p.education === 'doctorate') times(TIER_RULE.doctorate);
  else if (p.education === 'masters' || p.education === 'professional') times(TIER_RULE.masters);
  else if (p.education === 'bachelors') times(TIER_RULE.bachelors);
  const kind = occupationKind(p.occupation);
  if (kind === 'analytic') times(TIER_RULE.analytic);
  else if (kind === 'managerial') times(TIER_RULE.managerial);
  if (p.age >= 40) times(TIER_RULE.age40plus);
  else if (p.age >= 30) times(TIER_RULE.age30to39);
  const s = w[0] + w[1] + w[2];
  return { full: w[0] / s, mini: w[1] / s, nano: w[2] / s };
}

// ---------------------------------------------------------------------------------------------------- stance, profile

const PARTY_IDEOLOGY_PHRASE: Record<Party, Record<Ideology, string>> = {
  democrat: { liberal: 'progressive Democratic', moderate: 'moderate Democratic', conservative: 'conservative-leaning Democratic' },
  republican: { liberal: 'liberal-leaning Republican', moderate: 'moderate Republican', conservative: 'conservative Republican' },
  independent: { liberal: 'progressive independent', moderate: 'moderate independent', conservative: 'conservative independent' },
};

/**
 * The free-text stance shown to the agent ("consistent progressive Democratic voter", "low-turnout conservative
 * independent voter"). Minors get a leaning without a habit, since they cannot vote.
 */
export function politicalStance(party: Party, ideology: Ideology, habit: TurnoutHabit, adult: boolean): string {
  const core = PARTY_IDEOLOGY_PHRASE[party][ideology];
  return adult ? `${habit} ${core} voter` : `${core}-leaning teenager, too young to vote`;
}

function listPhrase(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------------- generator

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

  // Party by race, ideology by party.
  const party = new Int32Array(n);
  const partyCond = assignJoint(
    adults,
    race,
    raceKeys.map((r) => vals(A.party_by_race.propensity[r], PARTIES)),
    vals(census.party.shares, PARTIES),
    party,
    stream('party'),
  );
  assignConditional(minors, race, partyCond, party, stream('party-minors'));
  const ideology = new Int32Array(n);
  const ideoCond = assignJoint(
    adults,
    party,
    PARTIES.map((p) => vals(A.ideology_by_party.propensity[p], IDEOLOGIES)),
    vals(census.ideology.shares, IDEOLOGIES),
    ideology,
    stream('ideology'),
  );
  assignConditional(minors, party, ideoCond, ideology, stream('ideology-minors'));

  // Turnout habit by age: two independent elections at the bracket's CPS rate r, fitted to the calibration shares.
  const habit = new Int32Array(n);
  const habitCond = assignJoint(
    adults,
    bracket,
    AGE_BRACKETS.map((b) => {
      const r = A.turnout_rate_by_age.rates[b];
      return [r * r, 2 * r * (1 - r), (1 - r) * (1 - r)];
    }),
    vals(A.turnout_habit.shares, TURNOUT_HABITS),
    habit,
    stream('turnout-habit'),
  );
  const minorRow = new Int32Array(n); // every minor in row 0 of a one-row table
  assignConditional(minors, minorRow, [habitCond[0]], habit, stream('turnout-habit-minors'));

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
