/**
 * The persona of a census-drawn agent: U.S. demographics, a political leaning and turnout habit, interests, close
 * friends, a public profile and an LLM tier. It extends the engine's AgentProfile, so any protocol can run on it.
 */
import type { AgentProfile } from '../engine/protocol';

export type Sex = 'female' | 'male';
export type Party = 'democrat' | 'republican' | 'independent';
export type Ideology = 'liberal' | 'moderate' | 'conservative';
/** Habitual turnout, from the CPS turnout-by-age rates; feeds the stance phrase ("low-turnout conservative"). */
export type TurnoutHabit = 'consistent' | 'occasional' | 'low-turnout';
export type Education =
  | 'less_than_high_school'
  | 'high_school'
  | 'some_college'
  | 'associate'
  | 'bachelors'
  | 'masters'
  | 'professional'
  | 'doctorate';

export interface Persona extends AgentProfile {
  age: number;
  sex: Sex;
  /** A key of census.json `race_ethnicity` (e.g. 'white_nh', 'hispanic_any_race'). */
  raceEthnicity: string;
  education: Education;
  occupation: string;
  maritalStatus: string;
  hoursPerWeek: number;
  /** Derived from weekly hours: part-time flexible/regular, full-time standard/long/very long, or not working. */
  workSchedule: string;
  countryOfBirth: string;
  state: string;
  party: Party;
  ideology: Ideology;
  turnoutHabit: TurnoutHabit;
  /** Free text shown to the agent in the second person ("a consistent progressive voter"). */
  politicalStance: string;
}
