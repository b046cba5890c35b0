/**
 * S3's files: per-round wide CSVs of each state (one row per user, one column per round), a tidy long CSV of the
 * population outcomes (condition, round, measure, value), the messages with their repost chains, and the users
 * (profile, role, occupation group). All are views of the run record.
 */
import type { Persona } from '../../population/types';
import type { S3ConditionTable } from './record';
import { S3_OUTCOME_COLUMNS } from './outcomes';
import { occupationGroup, type Role } from './users';

function cell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const S3_STATES = ['aware', 'emotion', 'attitude', 'action'] as const;
export type S3State = (typeof S3_STATES)[number];

/** One state as a users × rounds table; unaware users' emotion and attitude are empty cells. */
export function wideStateCsv(t: S3ConditionTable, state: S3State): string {
  const R = t.emotion.length / t.n;
  const lines = [['user_id', ...t.rounds.map((r) => `round_${r}`)].join(',')];
  for (let a = 0; a < t.n; a++) {
    const row: string[] = [String(a)];
    for (const r of t.rounds) {
      const i = a * R + r;
      const e = t.emotion[i];
      if (state === 'aware') row.push(e >= 0 ? '1' : '0');
      else if (state === 'emotion') row.push(e >= 0 ? String(e) : '');
      else if (state === 'attitude') row.push(t.attitude[i] >= 0 ? String(t.attitude[i]) : '');
      else row.push(String(t.action[i]));
    }
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Tidy long outcomes of several conditions and seeds: one row per (seed, condition, round, measure). */
export function tidyOutcomesCsv(tables: Array<{ seed: number; table: S3ConditionTable }>): string {
  const lines = ['seed,condition,round,measure,value'];
  for (const { seed, table } of tables) {
    for (const row of table.outcomes) {
      for (const m of S3_OUTCOME_COLUMNS) lines.push(`${seed},${cell(table.name)},${row.round},${m},${row[m]}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function messagesCsv(t: S3ConditionTable): string {
  const lines = ['message_id,round,author,kind,parent,origin,emotion,attitude,text'];
  for (const m of t.messages) lines.push([m.id, m.round, m.author, m.kind, m.parent, m.origin, m.emotion, m.attitude, cell(m.text)].join(','));
  return lines.join('\n') + '\n';
}

export function usersCsv(personas: readonly Persona[], roles: readonly Role[], followers: (a: number) => number, followees: (a: number) => number): string {
  const lines = ['user_id,age,gender,occupation,occupation_group,ideology,role,followers,followees'];
  for (const p of personas) {
    lines.push([p.id, p.age, p.sex, cell(p.occupation), cell(occupationGroup(p.occupation)), p.ideology, roles[p.id], followers(p.id), followees(p.id)].join(','));
  }
  return lines.join('\n') + '\n';
}

/** The files of one condition, as `<condition>_<suffix>`. */
export function conditionFiles(t: S3ConditionTable): Array<{ suffix: string; text: string }> {
  return [...S3_STATES.map((s) => ({ suffix: `${s}_wide.csv`, text: wideStateCsv(t, s) })), { suffix: 'messages.csv', text: messagesCsv(t) }];
}
