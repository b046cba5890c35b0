/**
 * The response cache as a file, for the CLI: one JSON line per answer (`[key, {text, model, usage}]`), appended as
 * answers arrive. Appending keeps a crash from losing earlier answers and costs no rewrite of a growing file; the whole
 * file is read once at start, so a rerun with `--cache FILE` replays every stored answer without a call.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { dataError } from '../engine/errors';
import { isCachedCall, type CachedCall, type ResponseCacheStore } from '../agents/llm/cache';

export class FileCacheStore implements ResponseCacheStore {
  private readonly map = new Map<string, CachedCall>();
  private constructor(readonly path: string) {}

  /**
   * Opens (or creates on first write) the cache file. Every complete line is checked before anything is written, so a
   * file that is not a cache (a summary.json, a CSV) is refused untouched; a damaged line is refused with its number.
   * Only a cut-off last line after valid lines (a crash mid-append) is trimmed, so later appends start on a clean line.
   */
  static open(path: string): FileCacheStore {
    const store = new FileCacheStore(path);
    if (!existsSync(path)) return store;
    const text = readFileSync(path, 'utf8');
    const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
    const partial = text.slice(complete.length);
    const notCache = (where: string, problem: string): never => {
      throw dataError(
        path,
        where,
        problem,
        'this file was left unchanged; pass --cache a new file name or an existing Spillover cache (one [key, answer] JSON line per answer), or delete the damaged line',
      );
    };
    complete.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        notCache(`line ${i + 1}`, 'is not JSON');
      }
      if (!Array.isArray(row) || typeof row[0] !== 'string' || !isCachedCall(row[1])) notCache(`line ${i + 1}`, 'is not a [key, answer] pair');
      const [key, value] = row as [string, CachedCall];
      store.map.set(key, value);
    });
    if (partial) {
      // A crash mid-append leaves the start of a cache line after valid ones; anything else is not our file.
      if (store.map.size === 0 || !partial.startsWith('["')) notCache('its last line', 'is not a complete [key, answer] pair and follows no cache line');
      truncateSync(path, Buffer.byteLength(complete));
    }
    return store;
  }

  async get(key: string): Promise<CachedCall | undefined> {
    const v = this.map.get(key);
    return v && structuredClone(v);
  }

  async put(key: string, value: CachedCall): Promise<void> {
    if (this.map.has(key)) return;
    const clean: CachedCall = { text: value.text, model: value.model, usage: { ...value.usage } };
    this.map.set(key, clean);
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, JSON.stringify([key, clean]) + '\n');
  }

  async *entries(): AsyncIterable<[string, CachedCall]> {
    for (const [k, v] of this.map) yield [k, structuredClone(v)];
  }

  get size(): number {
    return this.map.size;
  }
}
