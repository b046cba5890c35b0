/**
 * The share of adults each persona attribute should have, from the census and the stated assumptions.
 */
import { AGE_BRACKETS, BRACKET_BOUNDS, EDUCATION_LEVELS, WORK_SCHEDULES, type AgeBracket, type CensusData, type Shares } from './census';

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

export function normalise(w: Shares): Shares {
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

export function scheduleForNonWorker(occupation: string, nw: { retired: string; student: string; other: string }): string {
  return occupation === 'retired' ? nw.retired : occupation === 'student' ? nw.student : nw.other;
}
