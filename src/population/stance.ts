/**
 * The texts a persona carries: its free-text political stance and the list phrase of its public profile.
 */
import type { Ideology, Party, TurnoutHabit } from './types';

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

export function listPhrase(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
