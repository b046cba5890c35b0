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

  /** Opens (or creates on first write) the cache file; a damaged line is refused with its line number. */
  static open(path: string): FileCacheStore {
    const store = new FileCacheStore(path);
    if (existsSync(path)) {
      let text = readFileSync(path, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) {
        // A crash mid-append left a partial last line: cut it off so later appends start on a clean line.
        text = text.slice(0, text.lastIndexOf('\n') + 1);
        truncateSync(path, Buffer.byteLength(text));
      }
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        let row: unknown;
        try {
          row = JSON.parse(line);
        } catch {
          throw dataError(path, `line ${i + 1}`, 'is not JSON', 'delete the line or the file (answers not in the cache are asked again)');
        }
        if (!Array.isArray(row) || typeof row[0] !== 'string' || !isCachedCall(row[1])) {
          throw dataError(path, `line ${i + 1}`, 'is not a [key, answer] pair', 'delete the line or the file (answers not in the cache are asked again)');
        }
        store.map.set(row[0], row[1]);
      });
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
