/**
 * Node entry to the causalmp panel reader: walks a folder of `seed{k}/` folders (or one seed folder) and hands the
 * panel CSVs to readCausalmpFiles, the same code the app runs on a chosen folder or zip. Node only (fs).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { dataError } from '../../engine/errors';
import { CAUSALMP_FILE_RE, readCausalmpFiles } from './causalmp-files';
import type { TteRun } from './run';

function walk(dir: string, root: string, out: Map<string, string>, depth: number): void {
  if (depth > 3) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, root, out, depth + 1);
    else if (entry.isFile() && CAUSALMP_FILE_RE.test(entry.name)) out.set(relative(root, full), readFileSync(full, 'utf8'));
  }
}

export function loadCausalmp(dir: string): TteRun[] {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw dataError(dir, 'path', 'is not a folder', 'pass --panel with a folder of seed{k}/ folders (e.g. ../shared/data/causalmp/belief-adoption-krupina)');
  }
  const files = new Map<string, string>();
  walk(root, root, files, 0);
  return readCausalmpFiles(files, dir);
}
