/**
 * SocioPol's files in the layout the LLM-SocioPol authors published: `voting_data.csv` (the likelihood stated when
 * active, "3.0", else empty) and `treatment_data.csv`, one row per adult and one column per round; and
 * `personas.csv` with the election-day vote. The generic activity, engagement and posts files come from the engine.
 */
import type { ConditionView, CsvFile } from '../../engine/protocol';
import { adultIds, csvRow, treatmentCsv, wideCsv } from '../../engine/reporters';
import type { Persona } from '../../population/types';

/** `<condition>_voting_data.csv`: the likelihood stated when active ("3.0"), else empty. */
export function votingCsv(t: ConditionView, ids: ArrayLike<number>): string {
  const R = t.rounds.length;
  const stated = t.column('stated');
  return wideCsv(ids, t.rounds, (id, c) => {
    const v = stated[id * R + c];
    return v < 0 ? '' : `${v}.0`;
  });
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

export function writeSocioPolCsv(view: ConditionView<Persona>, options: { models?: Record<string, string> }): CsvFile[] {
  const adults = adultIds(view.agents);
  return [
    { suffix: 'voting_data.csv', text: votingCsv(view, adults) },
    { suffix: 'treatment_data.csv', text: treatmentCsv(view, adults) },
    { suffix: 'personas.csv', text: personasCsv(view.agents, view.final, options.models) },
  ];
}
