/**
 * Node entry to the published-results reader: walks a seed folder (condition subfolders) or a folder of seed folders
 * on disk, reads the layout's CSVs as text, and hands them to readPublishedFromFiles, the same code the app runs on a
 * chosen folder or zip. Node only (fs); the app imports published-files.ts instead.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { dataError } from '../engine/errors';
import { readPublishedFromFiles } from './published-files';
import type { SeedData } from './types';

const FILE_RE = /_(voting|treatment)_data\.csv$/i;

function walk(dir: string, root: string, out: Map<string, string>, depth: number): void {
  if (depth > 4) return; // the layout is at most seeds/seed/condition/file
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, root, out, depth + 1);
    else if (entry.isFile() && FILE_RE.test(entry.name)) out.set(relative(root, full), readFileSync(full, 'utf8'));
  }
}

/** Read `dir` (e.g. ../shared/data/llm-sociopol or one of its seed folders) into SeedData[], seeds in natural order. */
export function loadPublished(dir: string): SeedData[] {
  const root = resolve(dir);
  if (!existsSync(root)) throw dataError(dir, 'path', 'does not exist', 'pass --sociopol with a seed folder or a folder of seed folders');
  if (!statSync(root).isDirectory()) throw dataError(dir, 'path', 'is not a folder', 'pass --sociopol with a folder, not a file');
  const files = new Map<string, string>();
  walk(root, root, files, 0);
  if (files.size === 0) {
    throw dataError(dir, 'folder', 'holds no <condition>_voting_data.csv file (no seed or condition folders found)',
      'pass a seed folder with condition subfolders (control/control_voting_data.csv, …) or a folder of seed folders');
  }
  return readPublishedFromFiles(files, basename(root));
}
