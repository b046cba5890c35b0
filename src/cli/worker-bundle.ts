/**
 * A worker thread's entry bundled into one CommonJS script, for the CLI running from source (under tsx): a thread then
 * starts in tens of milliseconds instead of loading the TypeScript loader and transpiling every module (~0.4 s of CPU
 * per thread). Bundling takes esbuild 60–200 ms, which a run waits for before its warm-up can start, so the bundle is
 * kept in node_modules/.cache/spillover with a hash of its input files' contents and reused while they are unchanged.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildSync, version } from 'esbuild';

interface CacheEntry {
  /** esbuild's version and the options, so that a change of either rebuilds. */
  key: string;
  /** Input files (absolute) and the hash of their contents, in the order esbuild listed them. */
  inputs: string[];
  hash: string;
  code: string;
}

const OPTIONS = { bundle: true, platform: 'node', format: 'cjs', target: 'node20' } as const;
const bundles = new Map<string, string>();

function hashOf(files: readonly string[]): string | null {
  const h = createHash('sha256');
  try {
    for (const f of files) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  } catch {
    return null;
  }
  return h.digest('hex');
}

/** The bundled script of `entry` (an absolute path): from this process's memory, the cache, or esbuild. */
export function workerBundle(entry: string): string {
  let code = bundles.get(entry);
  if (code === undefined) bundles.set(entry, (code = cachedBundle(entry)));
  return code;
}

/** The bundled script of `entry` from the cache next to its repository's node_modules, or bundled (and cached) now. */
export function cachedBundle(entry: string): string {
  const key = `${version} ${JSON.stringify(OPTIONS)}`;
  const root = resolve(dirname(entry), '../..');
  const file = join(root, 'node_modules', '.cache', 'spillover', `${createHash('sha256').update(entry).digest('hex').slice(0, 16)}.json`);
  let code: string | null = null;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
    if (cached.key === key && hashOf(cached.inputs) === cached.hash) code = cached.code;
  } catch {
    // No cache yet, or an unreadable one: bundle below.
  }
  if (code === null) {
    const out = buildSync({ entryPoints: [entry], ...OPTIONS, write: false, metafile: true, logLevel: 'silent' });
    code = out.outputFiles[0].text;
    const inputs = Object.keys(out.metafile.inputs).map((p) => resolve(p));
    const hash = hashOf(inputs);
    if (hash !== null) {
      try {
        mkdirSync(dirname(file), { recursive: true });
        // Written aside and renamed, so that a process reading it meanwhile never sees half a file.
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ key, inputs, hash, code } satisfies CacheEntry));
        renameSync(tmp, file);
      } catch {
        // A read-only checkout: bundle again next time.
      }
    }
  }
  return code;
}
