/**
 * Reader of the CausalMP package's panel layout: per seed folder `seed{k}/`, the files
 * `{experiment,treatment,control}_n{N}_t{T}_seed{k}_{panel,treatment}_data.csv` (one row per unit, one column per time
 * step, with or without a leading index column). Browser-capable (path → text map, or a zip), so the CLI and the app
 * read the same way; shapes are checked and every error names the file and line.
 */
import { unzipSync } from 'fflate';
import { dataError } from '../../engine/errors';
import { columnMeans, type Panel } from './panel';
import type { TteRun } from './run';

export const CAUSALMP_FILE_RE = /(?:^|\/)(experiment|treatment|control)_n(\d+)_t(\d+)_seed(\d+)_(panel|treatment)_data\.csv$/i;

const FIX_LAYOUT = 'choose a folder of seed{k}/ folders holding {experiment,treatment,control}_n{N}_t{T}_seed{k}_{panel,treatment}_data.csv';

/** One matrix file: n × t numbers, row-major. Treatment files must hold 0/1 only. */
export function parsePanelCsv(text: string, source: string, n: number, t: number, binary: boolean): Float64Array {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw dataError(source, 'line 1', 'is missing: the file is empty', `write a header '0,1,…,${t - 1}' and ${n} rows`);
  const header = lines[0].split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
  let skip: number;
  if (header.length === t + 1) skip = 1;
  else if (header.length === t) skip = 0;
  else {
    throw dataError(source, 'line 1', `has ${header.length} columns; the file name says t${t}`,
      `expected ${t} time-step columns, optionally after one index column (header '0,…,${t - 1}' or ',0,…,${t - 1}')`);
  }
  for (let j = 0; j < t; j++) {
    const label = header[j + skip];
    if (label !== String(j) && Number(label) !== j) {
      throw dataError(source, 'line 1', `column ${j + skip + 1} is labelled '${label}', expected time step ${j}`, `label the time-step columns 0…${t - 1} in order`);
    }
  }
  const rows = lines.length - 1;
  if (rows !== n) {
    throw dataError(source, rows < n ? `line ${lines.length + 1}` : `line ${n + 2}`, `${rows < n ? 'is missing' : 'is one row too many'}: the file has ${rows} unit rows where the file name says n${n}`,
      `give exactly ${n} rows (one per unit) or rename the file to _n${rows}_`);
  }
  const out = new Float64Array(n * t);
  for (let i = 0; i < n; i++) {
    const lineNo = i + 2;
    const cells = lines[i + 1].split(',');
    if (cells.length !== t + skip) {
      throw dataError(source, `line ${lineNo}`, `has ${cells.length} fields; expected ${t + skip}`, `each row needs ${skip ? 'an index and ' : ''}${t} values`);
    }
    for (let j = 0; j < t; j++) {
      const raw = cells[j + skip].trim();
      const v = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(v)) {
        throw dataError(source, `line ${lineNo}`, `time step ${j} holds '${raw}', not a number`, 'every cell must be a finite number (no empty cells)');
      }
      if (binary && v !== 0 && v !== 1) {
        throw dataError(source, `line ${lineNo}`, `time step ${j} holds '${raw}'`, 'treatment cells must be 0 or 1');
      }
      out[i * t + j] = v;
    }
  }
  return out;
}

type Key = 'experiment' | 'treatment' | 'control';
type Kind = 'panel' | 'treatment';

/**
 * Read every seed in a path → text map (paths relative to the chosen folder or zip root). Each seed needs all six
 * files with one N and T; a missing file or a mismatch throws a DataError naming it.
 */
export function readCausalmpFiles(files: Map<string, string>, source = 'causalmp panels'): TteRun[] {
  const seeds = new Map<number, Map<string, { path: string; text: string; n: number; t: number }>>();
  for (const [rawPath, text] of files) {
    const path = rawPath.replace(/\\/g, '/');
    if (path.includes('__MACOSX')) continue;
    const m = CAUSALMP_FILE_RE.exec(path);
    if (!m) continue;
    const seed = Number(m[4]);
    if (!seeds.has(seed)) seeds.set(seed, new Map());
    seeds.get(seed)!.set(`${m[1].toLowerCase()}_${m[5].toLowerCase()}`, { path, text, n: Number(m[2]), t: Number(m[3]) });
  }
  if (seeds.size === 0) throw dataError(source, 'folder', 'holds no causalmp panel file', FIX_LAYOUT);
  const out: TteRun[] = [];
  for (const seed of [...seeds.keys()].sort((a, b) => a - b)) {
    const got = seeds.get(seed)!;
    const need: Array<[Key, Kind]> = [['experiment', 'panel'], ['experiment', 'treatment'], ['treatment', 'panel'], ['treatment', 'treatment'], ['control', 'panel'], ['control', 'treatment']];
    const first = [...got.values()][0];
    const matrices = new Map<string, Float64Array>();
    for (const [key, kind] of need) {
      const f = got.get(`${key}_${kind}`);
      if (!f) {
        throw dataError(source, `seed${seed}`, `lacks ${key}_n${first.n}_t${first.t}_seed${seed}_${kind}_data.csv`, 'add the file, or remove the incomplete seed folder');
      }
      if (f.n !== first.n || f.t !== first.t) {
        throw dataError(f.path, 'file name', `says n${f.n}_t${f.t} but ${first.path} says n${first.n}_t${first.t}`, 'all six files of a seed must have the same N and T');
      }
      matrices.set(`${key}_${kind}`, parsePanelCsv(f.text, f.path, f.n, f.t, kind === 'treatment'));
    }
    const { n, t } = first;
    const w = Uint8Array.from(matrices.get('experiment_treatment')!);
    const panel: Panel = { n, t, y: matrices.get('experiment_panel')!, w };
    out.push({
      run: seed,
      label: `seed${seed}`,
      panel,
      rounds: Array.from({ length: t }, (_, j) => j),
      truth: { treated: columnMeans(matrices.get('treatment_panel')!, n, t), control: columnMeans(matrices.get('control_panel')!, n, t) },
      desired: { treated: columnMeans(matrices.get('treatment_treatment')!, n, t), control: columnMeans(matrices.get('control_treatment')!, n, t) },
      notes: [],
    });
  }
  return out;
}

/** Same from the bytes of a zip (of the seed folders, or of a folder holding them). */
export function readCausalmpZip(bytes: Uint8Array, fileName: string): TteRun[] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => CAUSALMP_FILE_RE.test(f.name) && !f.name.includes('__MACOSX') });
  } catch (err) {
    throw dataError(fileName, 'the zip', `could not be opened (${(err as Error).message})`, `choose a .zip of the seed folders, or ${FIX_LAYOUT}`);
  }
  const dec = new TextDecoder();
  const files = new Map<string, string>();
  for (const [path, data] of Object.entries(entries)) files.set(path, dec.decode(data));
  return readCausalmpFiles(files, fileName);
}
