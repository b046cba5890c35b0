/**
 * Text reporters shared by every protocol, in the layout the LLM-agent studies publish (wide CSVs: an unnamed id
 * column, then one column per round), plus long tables for engagement and posts. Pure string builders over the run
 * record's views, shared by the CLI and the app's exports, so both write byte-identical files that pandas and R read
 * directly. A protocol writes its own files with the same helpers.
 */
import type { AgentProfile, ConditionView } from './protocol';
import type { EngagementEvent, Post } from './types';

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: Array<string | number | boolean | null | undefined>): string {
  return values.map(csvField).join(',');
}

/** A wide table: header `,r0,r1,…`, then one line per id with `cell(id, column)`. */
export function wideCsv(ids: ArrayLike<number>, rounds: readonly number[], cell: (id: number, col: number) => string): string {
  const lines: string[] = [',' + rounds.join(',')];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    let line = String(id);
    for (let c = 0; c < rounds.length; c++) line += ',' + cell(id, c);
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

/** Adult ids ascending: the rows of files about treatment (minors are never treated). */
export function adultIds(agents: readonly AgentProfile[]): Int32Array {
  return Int32Array.from(agents.filter((p) => p.adult).map((p) => p.id));
}

/** `<condition>_treatment_data.csv`: treatment assignment 0/1 per round. */
export function treatmentCsv(t: ConditionView, ids: ArrayLike<number>): string {
  const R = t.rounds.length;
  return wideCsv(ids, t.rounds, (id, c) => String(t.treated[id * R + c]));
}

/** `<condition>_activity_data.csv`: 1 where the agent was active that round, else 0 (every agent, minors included). */
export function activityCsv(t: ConditionView): string {
  const R = t.rounds.length;
  return wideCsv(Int32Array.from(t.agents.map((p) => p.id)), t.rounds, (id, c) => String(t.active[id * R + c]));
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
  for (const p of posts) lines.push(csvRow([p.id, p.author, p.round, p.topic, p.seedPost ? 1 : 0, p.text]));
  return lines.join('\n') + '\n';
}

/** Every file of one condition: the generic ones, then the protocol's (`<condition>_<suffix>`). */
export function conditionFiles(view: ConditionView, protocolFiles: ReadonlyArray<{ suffix: string; text: string }>): Array<[string, string]> {
  const name = view.name;
  return [
    ...protocolFiles.map((f): [string, string] => [`${name}_${f.suffix}`, f.text]),
    [`${name}_activity_data.csv`, activityCsv(view)],
    [`${name}_engagement_data.csv`, engagementCsv(view.events)],
    [`${name}_posts.csv`, postsCsv(view.posts)],
  ];
}
