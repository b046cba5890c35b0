/**
 * The one summary that `replicate`, `analyze` and the app print: per-seed and pooled condition tables plus every
 * effect (per seed and pooled), as the `--json` Summary shape, and a plain-text rendering of it.
 */
import type { ContrastDecl } from '../engine/protocol';
import type { DesignFor } from './design';
import { conditionSummary, contrastLabels, lastRoundOf, poolEffects, seedEffects, shareThreshold } from './estimators';
import type { ConditionSummary, Effect, SeedData, Summary } from './types';

/**
 * Summarise seeds: per-seed condition summaries, pooled means over seeds, per-seed and pooled effects of the
 * contrasts `design` declares (as of each seed's last round), all notes.
 */
export function summarize(seeds: SeedData[], source: string, design: DesignFor): Summary {
  const perSeed: Record<string, Record<string, ConditionSummary>> = {};
  const effects: Effect[] = [];
  const contrasts: ContrastDecl[] = [];
  const notes: string[] = [];
  for (const seed of seeds) {
    notes.push(...(seed.notes ?? []));
    perSeed[seed.label] = {};
    const d = design(Math.max(...seed.conditions.map(lastRoundOf)));
    for (const cd of seed.conditions) {
      notes.push(...cd.notes);
      perSeed[seed.label][cd.name] = conditionSummary(cd, shareThreshold(d.outcomes));
    }
    contrasts.push(...d.contrasts);
    const se = seedEffects(seed, d);
    effects.push(...se.effects);
    notes.push(...se.notes);
  }
  effects.push(...poolEffects(effects));
  return { source, seeds: seeds.map((s) => s.label), conditions: poolConditions(Object.values(perSeed)), perSeed, effects, contrasts: contrastLabels(contrasts), notes };
}

/** Means over seeds of each condition's per-seed values (rounds a seed lacks are averaged over the seeds that have them). */
export function poolConditions(seeds: Record<string, ConditionSummary>[]): Record<string, ConditionSummary> {
  const names: string[] = [];
  for (const s of seeds) for (const n of Object.keys(s)) if (!names.includes(n)) names.push(n);
  const out: Record<string, ConditionSummary> = {};
  for (const name of names) {
    const present = seeds.map((s) => s[name]).filter((c): c is ConditionSummary => !!c);
    const avg = (key: 'meanLikelihoodByRound' | 'shareLikelyByRound') => {
      const acc = new Map<string, [number, number]>();
      for (const c of present) {
        for (const [r, v] of Object.entries(c[key])) {
          const a = acc.get(r) ?? [0, 0];
          acc.set(r, [a[0] + v, a[1] + 1]);
        }
      }
      const res: Record<string, number> = {};
      for (const r of [...acc.keys()].sort((a, b) => Number(a) - Number(b))) res[r] = acc.get(r)![0] / acc.get(r)![1];
      return res;
    };
    const mean = (xs: Array<number | null>) => (xs.every((t): t is number => t !== null) ? xs.reduce((a, t) => a + t, 0) / xs.length : null);
    out[name] = {
      adults: present.reduce((a, c) => a + c.adults, 0) / present.length,
      meanLikelihoodByRound: avg('meanLikelihoodByRound'),
      shareLikelyByRound: avg('shareLikelyByRound'),
      turnout: mean(present.map((c) => c.turnout)),
    };
    if (present.every((c) => c.turnoutByArm)) {
      const arms = Object.keys(present[0].turnoutByArm as Record<string, number | null>);
      out[name].turnoutByArm = Object.fromEntries(arms.map((a) => [a, mean(present.map((c) => c.turnoutByArm?.[a] ?? null))]));
    }
  }
  return out;
}

function lastKey(rec: Record<string, number>): string | undefined {
  const keys = Object.keys(rec).map(Number).sort((a, b) => a - b);
  return keys.length ? String(keys[keys.length - 1]) : undefined;
}

function table(header: string[], rows: string[][], rightFrom = 1): string {
  const w = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => (j >= rightFrom ? c.padStart(w[j]) : c.padEnd(w[j]))).join('  ').trimEnd();
  return [line(header), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

const f = (x: number | null | undefined, d = 3) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));

function conditionTable(conds: Record<string, ConditionSummary>): string {
  const rows = Object.entries(conds).map(([name, c]) => {
    const r = lastKey(c.meanLikelihoodByRound);
    const r0 = c.meanLikelihoodByRound['0'];
    return [
      name, c.adults % 1 === 0 ? String(c.adults) : c.adults.toFixed(1), f(r0), r === undefined ? '—' : f(c.meanLikelihoodByRound[r]),
      r === undefined ? '—' : f(c.shareLikelyByRound[r]), c.turnout === null ? '—' : f(c.turnout),
    ];
  });
  const arms = Object.entries(conds)
    .filter(([, c]) => c.turnoutByArm)
    .map(([name, c]) => `turnout by arm in ${name}: ${Object.entries(c.turnoutByArm as Record<string, number | null>).map(([a, t]) => `${a} ${f(t)}`).join(', ')}`);
  return [table(['condition', 'adults', 'mean r0', 'mean last', 'share ≥3 last', 'turnout'], rows), ...arms].join('\n');
}

function effectName(e: Effect): string {
  return `${e.treatment} vs ${e.baseline}`;
}

/**
 * Plain-text tables: per-seed condition tables, the pooled condition table, the pooled effects (estimate, SE, 95 %
 * interval, seed SD and between-seed SE), the per-seed estimates of the likelihood effects, and the notes.
 */
export function formatTables(summary: Summary): string {
  const out: string[] = [`Source: ${summary.source}  (seeds: ${summary.seeds.join(', ') || 'none'})`, ''];
  for (const s of summary.seeds) {
    out.push(`== ${s}: conditions (likelihood 0–4, last stated value carried forward; 'last' = last round)`);
    out.push(conditionTable(summary.perSeed[s]), '');
  }
  out.push(`== pooled over ${summary.seeds.length} seed(s): conditions (means of seed values)`);
  out.push(conditionTable(summary.conditions), '');
  const pooled = summary.effects.filter((e) => e.seed === 'pooled');
  out.push('== pooled effects (difference in means; se = within-seed SEs combined; se between = seed SD/√S)');
  out.push(table(
    ['contrast', 'outcome', 'method', 'estimate', 'se', '95 % CI', 'seed SD', 'se between', 'n'],
    pooled.map((e) => [
      effectName(e), e.outcome, e.method, f(e.estimate, 4), f(e.se, 4), `[${f(e.ci95[0], 4)}, ${f(e.ci95[1], 4)}]`,
      f(e.seedSd, 4), f(e.seBetweenSeeds, 4), `${e.nTreatment}/${e.nBaseline}`,
    ]),
    3,
  ), '');
  const likelihood = pooled.filter((e) => e.outcome.startsWith('likelihood_r'));
  if (summary.seeds.length > 1 && likelihood.length) {
    out.push(`== per-seed estimates, ${likelihood[0].outcome}`);
    const bySeed = new Map(summary.effects.filter((e) => e.seed !== 'pooled').map((e) => [`${e.seed}|${effectName(e)}|${e.outcome}|${e.method}`, e]));
    out.push(table(
      ['contrast', 'method', ...summary.seeds],
      likelihood.map((p) => [effectName(p), p.method, ...summary.seeds.map((s) => f(bySeed.get(`${s}|${effectName(p)}|${p.outcome}|${p.method}`)?.estimate, 4))]),
      2,
    ), '');
  }
  if (summary.notes.length) out.push('Notes:', ...summary.notes.map((n) => `- ${n}`), '');
  return out.join('\n');
}
