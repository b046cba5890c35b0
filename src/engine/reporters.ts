/**
 * Text reporters for a run's tables in the layout the LLM-SocioPol authors published (wide CSVs: an unnamed id column,
 * then one column per round −15…30), plus long tables for engagement, posts and personas. Pure string builders, shared
 * by the CLI and the app's exports, so both write byte-identical files that pandas and R read directly.
 */
import type { ConditionTables } from './simulation';
import type { EngagementEvent, Persona, Post } from './types';

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: Array<string | number | boolean | null | undefined>): string {
  return values.map(csvField).join(',');
}

function wide(ids: ArrayLike<number>, rounds: number[], cell: (id: number, col: number) => string): string {
  const lines: string[] = [',' + rounds.join(',')];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    let line = String(id);
    for (let c = 0; c < rounds.length; c++) line += ',' + cell(id, c);
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

/** Adult ids ascending: the rows of the published files (minors never vote and are never treated). */
export function adultIds(personas: readonly Persona[]): Int32Array {
  return Int32Array.from(personas.filter((p) => p.adult).map((p) => p.id));
}

/** `<condition>_voting_data.csv`: the likelihood stated when active ("3.0"), else empty. */
export function votingCsv(t: ConditionTables, ids: ArrayLike<number>): string {
  const R = t.rounds.length;
  return wide(ids, t.rounds, (id, c) => {
    const v = t.stated[id * R + c];
    return v < 0 ? '' : `${v}.0`;
  });
}

/** `<condition>_treatment_data.csv`: treatment assignment 0/1 per round. */
export function treatmentCsv(t: ConditionTables, ids: ArrayLike<number>): string {
  const R = t.rounds.length;
  return wide(ids, t.rounds, (id, c) => String(t.treated[id * R + c]));
}

/** `<condition>_activity_data.csv`: 1 where the agent was active that round, else 0 (every agent, minors included). */
export function activityCsv(t: ConditionTables, ids: ArrayLike<number>): string {
  const R = t.rounds.length;
  return wide(ids, t.rounds, (id, c) => String(t.active[id * R + c]));
}

/** `<condition>_engagement_data.csv`: one row per like, reply, follow, unfollow or post. */
export function engagementCsv(events: readonly EngagementEvent[]): string {
  const lines = ['round,agent_id,kind,post_id,target_id,text'];
  for (const e of events) lines.push(csvRow([e.round, e.agent, e.kind, e.postId, e.target, e.text ?? '']));
  return lines.join('\n') + '\n';
}

/** `<condition>_posts.csv`: every post of the run in that condition (seed posts first). */
export function postsCsv(posts: readonly Post[]): string {
  const lines = ['post_id,author_id,round,topic,seed,text'];
  for (const p of posts) lines.push(csvRow([p.id, p.author, p.round, p.topic, p.seed ? 1 : 0, p.text]));
  return lines.join('\n') + '\n';
}

/** `<condition>_personas.csv`: every agent's persona and its election-day vote in that condition (empty for minors). */
export function personasCsv(personas: readonly Persona[], votes: Int8Array | null, models?: Record<string, string>): string {
  const lines = [
    'user_id,adult,age,sex,race_ethnicity,education,occupation,marital_status,native_country,state,hours_per_week,work_schedule,party,ideology,turnout_habit,political_stance,interests,close_friends,public_profile,tier,model,voted',
  ];
  for (const p of personas) {
    const v = votes ? votes[p.id] : -1;
    lines.push(
      csvRow([
        p.id,
        p.adult ? 1 : 0,
        p.age,
        p.sex,
        p.raceEthnicity,
        p.education,
        p.occupation,
        p.maritalStatus,
        p.countryOfBirth,
        p.state,
        p.hoursPerWeek,
        p.workSchedule,
        p.party,
        p.ideology,
        p.turnoutHabit,
        p.politicalStance,
        p.interests.join(';'),
        p.closeFriends.join(';'),
        p.publicProfile,
        p.tier,
        models?.[p.tier] ?? '',
        v < 0 ? '' : v,
      ]),
    );
  }
  return lines.join('\n') + '\n';
}
