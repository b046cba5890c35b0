/**
 * Builds testbed runs from the wide per-condition tables (SeedData) that the published LLM-SocioPol files, our
 * `replicate --out` folders, run bundles and stored runs all become: outcome = each adult's last stated likelihood
 * carried forward, from round 0 (the end of the shared warm-up) to the last round; truth from the contrast's
 * all-treated and none-treated conditions; the follower graph over panel rows when the run knows it.
 */
import type { SimConfig } from '../../engine/config';
import { following } from '../../engine/network';
import { carryForward } from '../estimators';
import type { ConditionData, SeedData } from '../types';
import { tteContrasts, type TteContrast } from './contrasts';
import { columnMeans, type Panel, type StageDesign } from './panel';
import type { RowGraph, TteRun } from './run';

/** Seed number from a folder name such as 'seed_3' (else its position, from 1). */
function seedNumber(label: string, index: number): number {
  const m = /(\d+)\s*$/.exec(label);
  return m ? Number(m[1]) : index + 1;
}

/** Columns from round 0 on, and the rows whose carried-forward outcome is defined in all of them. */
function panelOf(cd: ConditionData): { panel: Panel; rows: number[]; rounds: number[]; dropped: number } {
  const R = cd.rounds.length;
  const cols = cd.rounds.map((r, j) => [r, j] as const).filter(([r]) => r >= 0);
  const carried = carryForward(cd);
  const rows: number[] = [];
  for (let i = 0; i < cd.agentIds.length; i++) if (cols.every(([, j]) => carried[i * R + j] >= 0)) rows.push(i);
  const t = cols.length;
  const y = new Float64Array(rows.length * t);
  const w = new Uint8Array(rows.length * t);
  rows.forEach((i, k) => cols.forEach(([, j], s) => {
    y[k * t + s] = carried[i * R + j];
    w[k * t + s] = cd.treatment ? cd.treatment[i * R + j] : 0;
  }));
  return { panel: { n: rows.length, t, y, w }, rows, rounds: cols.map(([r]) => r), dropped: cd.agentIds.length - rows.length };
}

function graphOf(seed: SeedData, cd: ConditionData, rows: number[]): RowGraph | undefined {
  const net = seed.network;
  if (!net) return undefined;
  const rowOfAgent = new Map<number, number>();
  rows.forEach((i, k) => rowOfAgent.set(cd.agentIds[i], k));
  const offsets = new Int32Array(rows.length + 1);
  const list: number[] = [];
  const outside = new Int32Array(rows.length);
  rows.forEach((i, k) => {
    for (const b of following(net, cd.agentIds[i])) {
      const r = rowOfAgent.get(b);
      if (r === undefined) outside[k]++;
      else list.push(r);
    }
    offsets[k + 1] = list.length;
  });
  return { offsets, followees: Int32Array.from(list), outside };
}

/** The testbed runs of one contrast across seeds; seeds without the roll-out condition are skipped with a note. */
export function runsFromSeeds(seeds: SeedData[], contrast: TteContrast): TteRun[] {
  const out: TteRun[] = [];
  seeds.forEach((seed, idx) => {
    const byName = new Map(seed.conditions.map((c) => [c.name, c]));
    const roll = byName.get(contrast.rollout);
    if (!roll) return;
    const notes: string[] = [];
    const { panel, rows, rounds, dropped } = panelOf(roll);
    if (dropped) notes.push(`${seed.label}/${contrast.rollout}: ${dropped} adult(s) without a stated likelihood by round ${rounds[0]} left out`);
    if (!roll.treatment) notes.push(`${seed.label}/${contrast.rollout}: no treatment file, so every row reads as untreated`);
    if (roll.treatmentFinalOnly) notes.push(`${seed.label}/${contrast.rollout}: per-round treatment is unreliable (only its final column could be trusted); DM, HT and CMP use it anyway`);
    const all = byName.get(contrast.allTreated);
    const none = byName.get(contrast.noneTreated);
    const meansOf = (cd: ConditionData) => {
      const p = panelOf(cd);
      return { y: columnMeans(p.panel.y, p.panel.n, p.panel.t), w: columnMeans(p.panel.w, p.panel.n, p.panel.t), rounds: p.rounds };
    };
    const a = all ? meansOf(all) : null;
    const z = none ? meansOf(none) : null;
    const aligned = a && z && a.rounds.join() === rounds.join() && z.rounds.join() === rounds.join();
    if (a && z && !aligned) notes.push(`${seed.label}: ${contrast.allTreated} and ${contrast.noneTreated} do not cover rounds ${rounds[0]}…${rounds[rounds.length - 1]}; no truth`);
    out.push({
      run: seedNumber(seed.label, idx),
      label: seed.label,
      panel,
      rounds,
      truth: aligned ? { treated: a!.y, control: z!.y } : null,
      desired: aligned
        ? { treated: a!.w, control: z!.w }
        : { treated: Float64Array.from(rounds, (r) => (r >= 1 ? 1 : 0)), control: new Float64Array(rounds.length) },
      graph: graphOf(seed, roll, rows),
      notes,
    });
  });
  return out;
}

/** Every contrast with a roll-out among these seeds' conditions, each with its runs. */
export function contrastsOfSeeds(seeds: SeedData[], config: SimConfig): Array<{ contrast: TteContrast; runs: TteRun[] }> {
  const names = [...new Set(seeds.flatMap((s) => s.conditions.map((c) => c.name)))];
  return tteContrasts(names, config).map((contrast) => ({ contrast, runs: runsFromSeeds(seeds, contrast) })).filter((c) => c.runs.length > 0);
}

/**
 * The stage design of a roll-out from its schedule (one probability per period, periods ending at `periodEnds`),
 * on panel columns that start at round `firstRound` (0): probability 0 before round 1, then one stage per period.
 */
export function designFromSchedule(schedule: readonly number[], periodEnds: readonly number[], firstRound = 0): StageDesign {
  const probabilities = [0];
  const stages = [1 - firstRound];
  schedule.forEach((p, k) => {
    probabilities.push(p);
    stages.push(periodEnds[k] + 1 - firstRound);
  });
  return { probabilities, stages };
}
