/**
 * Turns files in the published LLM-SocioPol layout (`seed_<n>/<condition>/<condition>_{voting,treatment}_data.csv`)
 * into SeedData, from a map of path → text or from a zip. Browser-capable (no fs), so the app's "analyse published
 * results" and `npm run analyze` share this code and give identical numbers. Known quirks are repaired or reported in
 * notes, never crashed on; malformed CSVs throw a DataError.
 */
import { unzipSync } from 'fflate';
import { publishedConfig } from './design';
import { dataError } from '../engine/errors';
import type { ConditionData, SeedData } from './types';
import { parseWideCsv, type WideTable } from './wide-csv';

const FILE_RE = /^(.+)_(voting|treatment)_data\.csv$/i;

/** Build one condition from its voting table and (optionally) its treatment table, aligned on agent ids and rounds. */
export function conditionFromTables(name: string, voting: WideTable, treatment: WideTable | null): ConditionData {
  const notes = [...voting.notes];
  const n = voting.agentIds.length;
  const R = voting.rounds.length;
  let treat: Uint8Array | null = null;
  if (treatment) {
    notes.push(...treatment.notes);
    const rowOf = new Map<number, number>();
    treatment.agentIds.forEach((id, i) => rowOf.set(id, i));
    const colOf = new Map<number, number>();
    treatment.rounds.forEach((r, j) => colOf.set(r, j));
    const missingRows = Array.from(voting.agentIds).filter((id) => !rowOf.has(id));
    if (missingRows.length) {
      throw dataError(treatment.source, 'rows', `lack ${missingRows.length} agent ids of the voting file (first: ${missingRows[0]})`,
        'use the treatment file written by the same run as the voting file');
    }
    const missingCols = voting.rounds.filter((r) => !colOf.has(r));
    if (missingCols.some((r) => r >= 1)) {
      notes.push(`${treatment.source}: no treatment column for main round(s) ${missingCols.filter((r) => r >= 1).join(', ')}; read as untreated`);
    }
    treat = new Uint8Array(n * R);
    const TR = treatment.rounds.length;
    for (let i = 0; i < n; i++) {
      const ti = rowOf.get(voting.agentIds[i])!;
      for (let j = 0; j < R; j++) {
        const tj = colOf.get(voting.rounds[j]);
        treat[i * R + j] = tj === undefined ? 0 : treatment.values[ti * TR + tj];
      }
    }
  }
  return { name, agentIds: voting.agentIds, rounds: voting.rounds, stated: voting.values, treatment: treat, notes };
}

/**
 * Check a roll-out's treatment columns against its schedule: per period the treated share should be p_k (within
 * binomial noise) and assignment nested and absorbing (treated once, treated after). Returns the first problem, or
 * null. Only main rounds are checked; periods end at `periodEnds`.
 */
export function checkRollout(cd: ConditionData, schedule: readonly number[], periodEnds: readonly number[]): string | null {
  if (!cd.treatment) return null;
  const n = cd.agentIds.length;
  const R = cd.rounds.length;
  const t = cd.treatment;
  const main = cd.rounds.map((r, j) => [r, j] as const).filter(([r]) => r >= 1);
  for (const [r, j] of main) {
    let k = periodEnds.findIndex((e) => r <= e);
    if (k < 0) k = periodEnds.length - 1;
    const p = schedule[Math.min(k, schedule.length - 1)];
    let treated = 0;
    for (let i = 0; i < n; i++) treated += t[i * R + j];
    const share = treated / n;
    const tol = Math.max(0.05, 4 * Math.sqrt((p * (1 - p)) / Math.max(n, 1)));
    if (Math.abs(share - p) > tol) {
      return `round ${r} marks ${(100 * share).toFixed(1)} % as treated where the schedule gives ${(100 * p).toFixed(0)} %`;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let m = 1; m < main.length; m++) {
      if (t[i * R + main[m - 1][1]] === 1 && t[i * R + main[m][1]] === 0) {
        return `agent ${cd.agentIds[i]} is treated in round ${main[m - 1][0]} but not in round ${main[m][0]} (the roll-out should be absorbing)`;
      }
    }
  }
  return null;
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function lastColumn(cd: ConditionData): Uint8Array {
  const R = cd.rounds.length;
  const out = new Uint8Array(cd.agentIds.length);
  for (let i = 0; i < out.length; i++) out[i] = cd.treatment![i * R + R - 1];
  return out;
}

/**
 * Validate each roll-out condition of a seed against its published schedule and repair what can be repaired.
 * Seed 2's `experiment_soc_message` treatment file marks the final 80 % as treated from round 1. In seeds 1, 3, 4 and
 * 5 both experiments share one assignment at every round (one u per adult, common random numbers), and in seed 2 the
 * two files' round-30 columns are identical; the voting file agrees (in rounds 1–10 only experiment_info's period-1
 * cohort moves 2 → 3 at the social-message rate, 25.6 % vs ≈ 13 % for the rest). So when a sibling roll-out with the
 * same schedule is consistent and has the same final column, its per-round assignment is used, with a note; otherwise
 * only the final column is trusted (`treatmentFinalOnly`) and cohort estimates are skipped.
 */
export function repairRollouts(seed: SeedData, periodEnds: readonly number[] = publishedConfig().periodEnds): void {
  const specOf = new Map(publishedConfig().conditions.map((c) => [c.name, c]));
  const bad: ConditionData[] = [];
  const good: ConditionData[] = [];
  for (const cd of seed.conditions) {
    const spec = specOf.get(cd.name);
    if (!spec || !cd.treatment) continue;
    const problem = checkRollout(cd, spec.schedule, periodEnds);
    if (problem) {
      cd.notes.push(`${seed.label}/${cd.name}: treatment file contradicts its schedule [${spec.schedule.join(', ')}]: ${problem}`);
      bad.push(cd);
    } else if (spec.schedule.some((p) => p > 0 && p < 1)) good.push(cd);
  }
  for (const cd of bad) {
    const spec = specOf.get(cd.name)!;
    const last = lastColumn(cd);
    const donor = good.find((g) => {
      const gs = specOf.get(g.name)!;
      if (gs.schedule.join() !== spec.schedule.join() || !sameIds(g.agentIds, cd.agentIds)) return false;
      const gl = lastColumn(g);
      return gl.every((v, i) => v === last[i]);
    });
    if (donor) {
      const R = cd.rounds.length;
      const DR = donor.rounds.length;
      const dcol = new Map(donor.rounds.map((r, j) => [r, j]));
      const rebuilt = new Uint8Array(cd.treatment!.length);
      for (let i = 0; i < cd.agentIds.length; i++) {
        for (let j = 0; j < R; j++) {
          const dj = dcol.get(cd.rounds[j]);
          rebuilt[i * R + j] = dj === undefined ? 0 : donor.treatment![i * DR + dj];
        }
      }
      cd.treatment = rebuilt;
      cd.notes.push(`${seed.label}/${cd.name}: per-round assignment rebuilt from ${donor.name} (same final column for every agent; the two roll-outs share one assignment in the other published seeds); the file's own final column is kept as is`);
    } else {
      cd.treatmentFinalOnly = true;
      cd.notes.push(`${seed.label}/${cd.name}: only the final-round treatment column is used; cohort (treated-from-period) estimates are unavailable for this condition`);
    }
  }
}

/** Note rounds that a condition lacks but its siblings have (seed 2's experiment_soc_message has no −15 column). */
function noteMissingRounds(seed: SeedData): void {
  const all = new Set<number>();
  for (const cd of seed.conditions) for (const r of cd.rounds) all.add(r);
  for (const cd of seed.conditions) {
    const have = new Set(cd.rounds);
    const missing = [...all].filter((r) => !have.has(r)).sort((a, b) => a - b);
    if (missing.length) {
      cd.notes.push(`${seed.label}/${cd.name}: no column for round${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (other conditions have it); its statements there are unknown${missing.every((r) => r <= 0) ? ', which only affects warm-up carry-forward' : ''}`);
    }
  }
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * Read every `<condition>_{voting,treatment}_data.csv` in `files` (path → text; paths relative to the chosen folder
 * or zip root). Files sit in `<seed>/<condition>/`; when a single seed folder was chosen the files sit in
 * `<condition>/` and the seed is named `rootName`. Missing conditions or treatment files become notes; no voting file
 * at all is a DataError.
 */
export function readPublishedFromFiles(files: Map<string, string>, rootName = 'seed'): SeedData[] {
  type Pair = { voting?: [string, string]; treatment?: [string, string] };
  const seeds = new Map<string, Map<string, Pair>>();
  for (const [rawPath, text] of files) {
    const segs = rawPath.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
    if (segs.some((s) => s === '__MACOSX' || s.startsWith('._'))) continue;
    const fname = segs.pop();
    const m = fname ? FILE_RE.exec(fname) : null;
    if (!m) continue;
    const cond = m[1];
    const kind = m[2].toLowerCase() as 'voting' | 'treatment';
    if (segs.length && segs[segs.length - 1] === cond) segs.pop();
    const key = segs.join('/');
    if (!seeds.has(key)) seeds.set(key, new Map());
    const conds = seeds.get(key)!;
    if (!conds.has(cond)) conds.set(cond, {});
    conds.get(cond)![kind] = [rawPath, text];
  }
  if (seeds.size === 0) {
    throw dataError('published results', 'folder', 'holds no <condition>_voting_data.csv file',
      'choose a seed folder with condition subfolders (control/control_voting_data.csv, …) or a folder of seed folders');
  }
  const lastSegs = [...seeds.keys()].map((k) => k.split('/').pop() || rootName);
  const out: SeedData[] = [];
  for (const [idx, [key, conds]] of [...seeds.entries()].entries()) {
    const name = lastSegs.filter((s) => s === lastSegs[idx]).length > 1 ? key || rootName : lastSegs[idx];
    const notes: string[] = [];
    const conditions: ConditionData[] = [];
    const known = publishedConfig().conditions.map((c) => c.name);
    const names = [...conds.keys()].sort((a, b) => {
      const ia = known.indexOf(a);
      const ib = known.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
    });
    for (const c of known) if (!conds.has(c)) notes.push(`${name}: no ${c} files; its estimates are left out`);
    for (const c of names) {
      const pair = conds.get(c)!;
      if (!pair.voting) {
        notes.push(`${name}/${c}: treatment file without ${c}_voting_data.csv; condition left out`);
        continue;
      }
      const voting = parseWideCsv(pair.voting[1], pair.voting[0], 'voting');
      const treatment = pair.treatment ? parseWideCsv(pair.treatment[1], pair.treatment[0], 'treatment') : null;
      const cd = conditionFromTables(c, voting, treatment);
      if (!treatment && c !== 'control') cd.notes.push(`${name}/${c}: no ${c}_treatment_data.csv; treated/untreated estimates unavailable`);
      conditions.push(cd);
    }
    const seed: SeedData = { label: name, conditions, notes };
    noteMissingRounds(seed);
    repairRollouts(seed);
    out.push(seed);
  }
  return out.sort((a, b) => naturalCompare(a.label, b.label));
}

/** The most CSV bytes a zip may unpack to (declared sizes, summed before inflating): 3× the published runs' 84 MB. */
export const MAX_ZIP_INFLATED_BYTES = 256 * 2 ** 20;

/** What a file that should be a zip actually looks like, from its first bytes, so the error can say what to do. */
function notAZip(bytes: Uint8Array): string | null {
  const b = bytes;
  if (b.length === 0) return 'is empty';
  // Local file header (PK\3\4), or an empty archive's end record (PK\5\6).
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6))) return null;
  if (b[0] === 0x1f && b[1] === 0x8b) return 'is a gzip file (.gz or .tar.gz), not a zip';
  if (b.length > 261 && String.fromCharCode(...b.subarray(257, 262)) === 'ustar') return 'is a tar archive, not a zip';
  if (b[0] === 0x52 && b[1] === 0x61 && b[2] === 0x72 && b[3] === 0x21) return 'is a RAR archive, not a zip';
  if (b[0] === 0x37 && b[1] === 0x7a && b[2] === 0xbc && b[3] === 0xaf) return 'is a 7-Zip archive, not a zip';
  return 'is not a zip archive (it does not start with the zip signature "PK")';
}

/**
 * Same as readPublishedFromFiles, from the bytes of a zip archive (only the CSVs of the layout are inflated).
 * `fileName` names the upload in errors.
 */
export function readPublishedZip(bytes: Uint8Array, rootName = 'seed', fileName = `${rootName}.zip`): SeedData[] {
  const source = `published results '${fileName}'`;
  const FIX = 'choose a .zip of the seed folders (or of one seed folder), or unpack the archive and choose its seed folder with "Folder" instead';
  const problem = notAZip(bytes);
  if (problem) throw dataError(source, 'the file', problem, FIX);
  let entries: Record<string, Uint8Array>;
  // Declared sizes are summed before anything is inflated: a zip bomb is refused, not unpacked into memory.
  let declared = 0;
  let tooBig: string | null = null;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        const wanted = FILE_RE.test(f.name.split('/').pop() ?? '') && !f.name.includes('__MACOSX');
        if (!wanted) return false;
        declared += f.originalSize;
        if (declared > MAX_ZIP_INFLATED_BYTES || f.originalSize > MAX_ZIP_INFLATED_BYTES) {
          tooBig = f.name;
          throw new Error('declared size over the cap');
        }
        return true;
      },
    });
  } catch (err) {
    if (tooBig !== null) {
      throw dataError(source, 'the zip', `would unpack to more than ${MAX_ZIP_INFLATED_BYTES / 2 ** 20} MB of CSV files (at '${tooBig}'; the authors' published runs unpack to 84 MB)`,
        'choose a zip with only the seed folders you need, or analyse the folders with "Folder" from the command line: npm run analyze -- --sociopol DIR');
    }
    throw dataError(source, 'the zip', `could not be opened (${(err as Error).message}; the download may be incomplete)`, `download it again, or ${FIX}`);
  }
  const dec = new TextDecoder();
  const files = new Map<string, string>();
  for (const [path, data] of Object.entries(entries)) files.set(path, dec.decode(data));
  return readPublishedFromFiles(files, rootName);
}
