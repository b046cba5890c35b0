/**
 * Reader and writer for the wide CSV layout that LLM-SocioPol published (one row per adult, an unnamed agent-id
 * column, then one column per round): the analysis reads the authors' files with it and the CLI can write runs in the
 * same layout, so published and replicated results go through one parser. Pure: strings in, typed arrays out.
 */
import { dataError } from '../engine/errors';

export type WideKind = 'voting' | 'treatment';

export interface WideTable {
  /** File name or upload path, used in error messages and notes. */
  source: string;
  kind: WideKind;
  /** Row labels, ascending (rows are reordered when the file is not sorted). */
  agentIds: Int32Array;
  /** Round of each column, strictly ascending (e.g. −15…30). */
  rounds: number[];
  /** Row-major agents × rounds. voting: 0–4, −1 where empty; treatment: 0/1. */
  values: Int8Array;
  /** Quirks met and handled (relabelled header, missing rounds). */
  notes: string[];
}

const ROUND_LABEL = /^(round_)?(-?\d+)(?:\.0+)?$/;

function stripQuotes(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

/**
 * Parse one wide CSV. Accepts round labels '-15' or 'round_-14' (seed 2's header quirk), cells '3.0', '3' or empty
 * (voting) and '0'/'1' (treatment), CRLF line ends, a byte-order mark and blank lines. Anything else (wrong field
 * count, a non-numeric or out-of-range cell, a duplicated agent id) throws a DataError naming the file and line.
 */
export function parseWideCsv(text: string, source: string, kind: WideKind): WideTable {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let eol = text.indexOf('\n', pos);
  if (eol < 0) eol = text.length;
  const header = text.slice(pos, eol).replace(/\r$/, '');
  const labels = header.split(',').map(stripQuotes);
  const fixHeader = "expected a header like ',-15,-14,…,30' (agent id column, then one column per round)";
  if (labels.length < 2 || header.trim() === '') throw dataError(source, 'line 1', 'has no round columns', fixHeader);
  const rounds: number[] = [];
  let prefixed = 0;
  for (let j = 1; j < labels.length; j++) {
    const m = ROUND_LABEL.exec(labels[j]);
    if (!m) throw dataError(source, 'line 1', `column ${j + 1} is labelled '${labels[j]}', not a round`, fixHeader);
    if (m[1]) prefixed++;
    const r = Number(m[2]);
    if (rounds.length && r <= rounds[rounds.length - 1]) {
      throw dataError(source, 'line 1', `round ${r} follows round ${rounds[rounds.length - 1]}`, 'round columns must be unique and ascending');
    }
    rounds.push(r);
  }
  const notes: string[] = [];
  if (prefixed) notes.push(`${source}: header uses 'round_<r>' labels (${prefixed} columns); read as rounds ${rounds[0]}…${rounds[rounds.length - 1]}`);
  for (let j = 1; j < rounds.length; j++) {
    if (rounds[j] - rounds[j - 1] > 1) {
      const a = rounds[j - 1] + 1;
      const b = rounds[j] - 1;
      notes.push(`${source}: no column for round${a === b ? ` ${a}` : `s ${a}…${b}`}`);
    }
  }

  const R = rounds.length;
  const fields = R + 1;
  let cap = 1024;
  let ids = new Int32Array(cap);
  let values = new Int8Array(cap * R);
  let n = 0;
  let lineNo = 1;
  pos = eol + 1;
  const len = text.length;
  const cellError = (line: number, col: number, raw: string, problem: string): never => {
    const fix = kind === 'voting'
      ? 'voting cells must be empty or a likelihood 0–4 such as 3 or 3.0'
      : 'treatment cells must be 0 or 1';
    throw dataError(source, `line ${line}`, `column '${labels[col]}' holds '${raw}' (${problem})`, fix);
  };
  while (pos < len) {
    lineNo++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    let stop = end;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop === pos || text.slice(pos, stop).trim() === '') {
      pos = end + 1;
      continue;
    }
    if (n === cap) {
      cap *= 2;
      const ids2 = new Int32Array(cap);
      ids2.set(ids);
      ids = ids2;
      const v2 = new Int8Array(cap * R);
      v2.set(values);
      values = v2;
    }
    // Walk the cells by character code: the published files hold ~46 M cells, so split() per line is too slow.
    let col = 0;
    let a = pos;
    const base = n * R;
    for (let i = pos; i <= stop; i++) {
      if (i < stop && text.charCodeAt(i) !== 44) continue;
      if (col >= fields) {
        col++;
        a = i + 1;
        continue;
      }
      if (col === 0) {
        const raw = stripQuotes(text.slice(a, i));
        const id = Number(raw);
        if (raw === '' || !Number.isInteger(id) || id < -2147483648 || id > 2147483647) {
          throw dataError(source, `line ${lineNo}`, `has agent id '${raw}'`, 'the first column must hold an integer agent id');
        }
        ids[n] = id;
      } else {
        let v: number;
        const w = i - a;
        const c0 = w > 0 ? text.charCodeAt(a) - 48 : -1;
        if (w === 0) v = -1;
        else if (w === 1 && c0 >= 0 && c0 <= 9) v = c0;
        else if (w === 3 && c0 >= 0 && c0 <= 9 && text.charCodeAt(a + 1) === 46 && text.charCodeAt(a + 2) === 48) v = c0;
        else {
          const raw = stripQuotes(text.slice(a, i));
          if (raw === '') v = -1;
          else {
            const x = Number(raw);
            if (!Number.isFinite(x)) cellError(lineNo, col, raw, 'not a number');
            if (!Number.isInteger(x)) cellError(lineNo, col, raw, 'not a whole number');
            if (x < 0) cellError(lineNo, col, raw, kind === 'voting' ? 'outside 0–4' : 'not 0 or 1');
            v = x;
          }
        }
        if (kind === 'voting') {
          if (v > 4 || v < -1) cellError(lineNo, col, text.slice(a, i), 'outside 0–4');
        } else if (v !== 0 && v !== 1) {
          cellError(lineNo, col, text.slice(a, i), v === -1 ? 'empty' : 'not 0 or 1');
        }
        values[base + col - 1] = v;
      }
      col++;
      a = i + 1;
    }
    if (col !== fields) {
      throw dataError(source, `line ${lineNo}`, `has ${col} fields; expected ${fields}`, `each row needs an agent id and one cell per round (${rounds[0]}…${rounds[R - 1]}), empty cells included`);
    }
    n++;
    pos = end + 1;
  }
  if (n === 0) throw dataError(source, 'line 2', 'is missing: the file has no agent rows', 'export at least one agent row under the header');
  ids = ids.slice(0, n);
  values = values.slice(0, n * R);

  let sorted = true;
  for (let i = 1; i < n; i++) if (ids[i] <= ids[i - 1]) { sorted = false; break; }
  if (!sorted) {
    const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => ids[x] - ids[y]);
    const ids2 = new Int32Array(n);
    const v2 = new Int8Array(n * R);
    for (let k = 0; k < n; k++) {
      ids2[k] = ids[order[k]];
      v2.set(values.subarray(order[k] * R, order[k] * R + R), k * R);
      if (k > 0 && ids2[k] === ids2[k - 1]) {
        throw dataError(source, `line ${order[k] + 2}`, `repeats agent id ${ids2[k]}`, 'each agent must appear on one row only');
      }
    }
    ids = ids2;
    values = v2;
  }
  return { source, kind, agentIds: ids, rounds, values, notes };
}

/**
 * Write a wide CSV in exactly the published layout: header ',-15,…,30', voting cells '3.0' (empty when nothing was
 * stated, i.e. value < 0), treatment cells '0'/'1', '\n' line ends and a final newline. `matrix` is row-major
 * ids.length × rounds.length. The lead's `replicate --out` may reuse this.
 */
export function writeWideCsv(ids: ArrayLike<number>, rounds: readonly number[], matrix: ArrayLike<number>, kind: WideKind): string {
  const R = rounds.length;
  const parts: string[] = [',' + rounds.join(',') + '\n'];
  const cell = kind === 'voting'
    ? (v: number) => (v < 0 ? '' : `${v}.0`)
    : (v: number) => (v ? '1' : '0');
  for (let i = 0; i < ids.length; i++) {
    let line = String(ids[i]);
    for (let j = 0; j < R; j++) line += ',' + cell(matrix[i * R + j]);
    parts.push(line + '\n');
  }
  return parts.join('');
}
