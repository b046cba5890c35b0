/**
 * Turnout per condition (and per arm of an arm design) with a 95 % interval, for the turnout chart: the share of adults
 * with a known vote who voted, pooled over seeds as the mean of the seed shares, with the binomial SE of each seed
 * combined as for pooled effects (sqrt(mean SE²)/sqrt(S)).
 */
import { adultMask, Z95 } from './estimators';
import type { SeedData } from './types';

export interface TurnoutEstimate {
  share: number;
  ci95: [number, number];
  /** Adults with a known vote (mean over seeds). */
  n: number;
}

function share(votes: Int8Array, mask: Uint8Array): { p: number; n: number } | null {
  let n = 0;
  let v = 0;
  for (let i = 0; i < votes.length; i++) {
    if (!mask[i] || votes[i] < 0) continue;
    n++;
    v += votes[i];
  }
  return n ? { p: v / n, n } : null;
}

/** Keys as in the turnout chart: the condition name, or `condition:arm` for a condition with arms. */
export function turnoutWithCi(seeds: readonly SeedData[]): Record<string, TurnoutEstimate> {
  const acc = new Map<string, Array<{ p: number; n: number }>>();
  const add = (key: string, s: { p: number; n: number } | null) => {
    if (!s) return;
    if (!acc.has(key)) acc.set(key, []);
    acc.get(key)!.push(s);
  };
  for (const seed of seeds) {
    for (const cd of seed.conditions) {
      if (!cd.votes) continue;
      const adult = adultMask(cd);
      if (cd.arms) {
        const arms = cd.arms;
        arms.names.forEach((arm, k) => add(`${cd.name}:${arm}`, share(cd.votes!, Uint8Array.from(adult, (x, i) => (x && arms.byRow[i] === k ? 1 : 0)))));
      } else add(cd.name, share(cd.votes, adult));
    }
  }
  const out: Record<string, TurnoutEstimate> = {};
  for (const [key, list] of acc) {
    const S = list.length;
    const p = list.reduce((a, s) => a + s.p, 0) / S;
    const se = Math.sqrt(list.reduce((a, s) => a + (s.p * (1 - s.p)) / s.n, 0) / S) / Math.sqrt(S);
    out[key] = { share: p, ci95: [Math.max(0, p - Z95 * se), Math.min(1, p + Z95 * se)], n: list.reduce((a, s) => a + s.n, 0) / S };
  }
  return out;
}
