/**
 * The census figures personas are drawn from (public/data/census.json): their types, the vocabulary of persona
 * attributes, and the validator whose messages name the block and the fix. Kept apart from the generator so the CLI
 * and the worker can check a file before generating anything.
 */
import { dataError, configError } from '../engine/errors';
import type { Education, Ideology, Party, Sex, TurnoutHabit } from './types';

// ---------------------------------------------------------------------------------------------------- vocabulary

export const AGE_BRACKETS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBracket = (typeof AGE_BRACKETS)[number];
/** Lower and upper age of each closed bracket; the last one ends at `assumptions.age_within_bracket.max_age`. */
export const BRACKET_BOUNDS: Array<[number, number]> = [[18, 24], [25, 34], [35, 44], [45, 54], [55, 64], [65, Infinity]];

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
