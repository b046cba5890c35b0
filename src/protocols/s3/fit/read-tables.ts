/**
 * Reads an S3 run's wide CSVs (one row per user, one column per round — what `npm run replicate -- --preset s3 --out`
 * and the app's export write) back into the state tables the fit replays, and rebuilds the run's conditions from their
 * names when the run's settings file is not given. Pure text in, tables out; errors name the file, line and fix.
 */
import { dataError } from '../../../engine/errors';
import { DEFAULT_CORRECTION_TEXT, DEFAULT_S3_CONFIG, type S3Condition } from '../config';
import type { S3StateTable } from './replay';

/** A users × rounds table of small integers (empty cell → −1), user-major. */
export function parseWideCsv(text: string, file: string): { n: number; rounds: number; values: Int8Array } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const fix = 'give the files as written by `npm run replicate -- --preset s3 --out DIR` (header user_id,round_0,round_1,…)';
  if (lines.length < 2) throw dataError(file, 'the file', `has ${lines.length} line(s)`, fix);
  const header = lines[0].split(',');
  if (header[0] !== 'user_id' || header.slice(1).some((h, i) => h !== `round_${i}`)) throw dataError(file, 'line 1', `is '${lines[0].slice(0, 60)}'`, fix);
  const R = header.length - 1;
  const n = lines.length - 1;
  const values = new Int8Array(n * R);
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',');
    if (cells.length !== R + 1) throw dataError(file, `line ${i + 1}`, `has ${cells.length} fields, the header ${R + 1}`, fix);
    const a = Number(cells[0]);
    if (a !== i - 1) throw dataError(file, `line ${i + 1}`, `is user '${cells[0]}' where user ${i - 1} was expected`, `${fix}; users are listed 0, 1, 2… in order`);
    for (let r = 0; r < R; r++) {
      const c = cells[r + 1];
      const v = c === '' ? -1 : Number(c);
      if (!Number.isInteger(v) || v < -1 || v > 2) throw dataError(file, `line ${i + 1}, round_${r}`, `is '${c}'`, `${fix}; states are empty, 0, 1 or 2`);
      values[a * R + r] = v;
    }
  }
  return { n, rounds: R - 1, values };
}

/** One condition's table from its emotion, attitude and action wide CSVs (texts with their file names). */
export function tableFromCsv(name: string, files: { emotion: [string, string]; attitude: [string, string]; action: [string, string] }): S3StateTable {
  const e = parseWideCsv(files.emotion[1], files.emotion[0]);
  const at = parseWideCsv(files.attitude[1], files.attitude[0]);
  const ac = parseWideCsv(files.action[1], files.action[0]);
  for (const [f, t] of [[files.attitude[0], at], [files.action[0], ac]] as const) {
    if (t.n !== e.n || t.rounds !== e.rounds) throw dataError(f, 'the file', `has ${t.n} users × rounds 0…${t.rounds}, ${files.emotion[0]} ${e.n} × 0…${e.rounds}`, 'give the files of one run, unchanged');
  }
  for (let i = 0; i < e.values.length; i++) {
    if ((e.values[i] < 0) !== (at.values[i] < 0)) {
      const R = e.rounds + 1;
      throw dataError(files.attitude[0], `user ${Math.floor(i / R)}, round_${i % R}`, 'is aware in one of the emotion and attitude files but not the other', 'give the files of one run, unchanged');
    }
  }
  return { name, n: e.n, emotion: e.values, attitude: at.values, action: Uint8Array.from(ac.values, (v) => Math.max(0, v)) };
}

/**
 * The conditions a run's names stand for, when its settings file is not given: the preset's defaults (baseline,
 * correction, remove_spreaders) and the CLI's `correction_rS` / `removeK_rS`; `null` for a name that says nothing.
 */
export function conditionFromName(name: string): S3Condition | null {
  const preset = DEFAULT_S3_CONFIG.conditions.find((c) => c.name === name);
  if (preset) return structuredClone(preset);
  let m = /^correction_r(\d+)$/.exec(name);
  if (m) return { name, correction: { round: Number(m[1]), text: DEFAULT_CORRECTION_TEXT, attitude: 0 } };
  m = /^remove(\d+)_r(\d+)$/.exec(name);
  if (m) return { name, removeSpreaders: { round: Number(m[2]), k: Number(m[1]) } };
  return null;
}
