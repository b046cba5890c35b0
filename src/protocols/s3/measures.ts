/**
 * S3's population-level measures for comparing two curves (Gao et al. 2023 §3.5): MSED, the mean over rounds of the
 * squared difference, and the Pearson correlation. Also the reader for an observed curve a user uploads as CSV
 * (`round,value`), with messages that say which line is wrong and how to fix it.
 */
import { SpilloverError } from '../../engine/errors';

export function msed(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) throw new SpilloverError('ConfigError', `curve comparison: the curves have ${a.length} and ${b.length} rounds; compare curves over the same rounds`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** Pearson correlation; NaN when either curve is constant (the correlation is undefined, shown as such). */
export function pearson(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) throw new SpilloverError('ConfigError', `curve comparison: the curves have ${a.length} and ${b.length} rounds; compare curves of the same length, at least 2 rounds`);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

export interface Curve {
  rounds: number[];
  values: number[];
}

/** Both measures over the rounds the two curves share (an uploaded curve may cover fewer rounds than a run). */
export function compareCurves(a: Curve, b: Curve): { rounds: number[]; msed: number; cor: number } {
  const bAt = new Map(b.rounds.map((r, i) => [r, b.values[i]]));
  const rounds: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  a.rounds.forEach((r, i) => {
    const v = bAt.get(r);
    if (v === undefined) return;
    rounds.push(r);
    x.push(a.values[i]);
    y.push(v);
  });
  if (rounds.length < 2) throw new SpilloverError('ConfigError', `curve comparison: the curves share ${rounds.length} round(s); give curves that cover at least 2 of the same rounds`);
  return { rounds, msed: msed(x, y), cor: pearson(x, y) };
}

/** Read an observed curve: lines `round,value` (a header line is allowed), rounds whole numbers, each once. */
export function parseCurveCsv(text: string, name = 'curve file'): Curve {
  const rows: Array<[number, number]> = [];
  const seen = new Set<number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const cells = line.split(/[,;\t]/).map((c) => c.trim());
    if (i === 0 && cells.length === 2 && Number.isNaN(Number(cells[0]))) return;
    const where = `${name}: line ${i + 1}`;
    if (cells.length !== 2) throw new SpilloverError('DataError', `${where} has ${cells.length} fields; expected 'round,value' (e.g. '3,0.42')`);
    const round = Number(cells[0]);
    const value = Number(cells[1]);
    if (cells[0] === '' || !Number.isInteger(round)) throw new SpilloverError('DataError', `${where}: round '${cells[0]}' is not a whole number; write rounds as 0, 1, 2…`);
    if (cells[1] === '' || !Number.isFinite(value)) throw new SpilloverError('DataError', `${where}: value '${cells[1]}' is not a number; write values like 0.42`);
    if (seen.has(round)) throw new SpilloverError('DataError', `${where}: round ${round} appears twice; give each round once`);
    seen.add(round);
    rows.push([round, value]);
  });
  if (rows.length < 2) throw new SpilloverError('DataError', `${name}: has ${rows.length} data line(s); give at least 2 lines 'round,value'`);
  rows.sort((x, y) => x[0] - y[0]);
  return { rounds: rows.map((r) => r[0]), values: rows.map((r) => r[1]) };
}
