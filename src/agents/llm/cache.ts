/**
 * The response cache: every answer stored under a SHA-256 of what determines it (endpoint, model, messages, schema,
 * temperature, seed), so a run replays from its cache with zero calls and identical decisions. Entries hold the raw
 * answer text and its usage only — never the key or headers — so a cache can travel in an exported run bundle. The
 * endpoint is hashed into the key so answers from one server are never served for requests to another.
 */
import { isCachedCall, type CachedCall, type ResponseCacheStore } from '../../engine/ports';
import type { ChatMessage } from '../../engine/protocol';

export { isCachedCall };
export type { CachedCall, ResponseCacheStore };

/**
 * What the LLM port needs of a store: any object whose `get` may return unchecked data (an IndexedDB row, an imported
 * bundle). Entries that are not a CachedCall are treated as missing, so a damaged cache costs a call, not a wrong answer.
 */
export interface CacheLike {
  get(key: string): Promise<unknown>;
  put(key: string, value: CachedCall): Promise<void>;
}

export interface CacheKeyInput {
  /** The endpoint's base URL as `endpointId` normalises it. */
  endpoint: string;
  model: string;
  messages: ChatMessage[];
  schema: unknown;
  temperature: number;
  seed: number;
}

/** JSON with sorted object keys, so equal inputs hash equally however they were built. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The SDK's default endpoint, used when no base URL is given. */
export const DEFAULT_ENDPOINT = 'https://api.openai.com/v1';

/** One spelling per endpoint: the default when empty, lower-case scheme and host, no trailing slashes. */
export function endpointId(baseURL: string | undefined): string {
  const raw = (baseURL ?? '').trim() || DEFAULT_ENDPOINT;
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return raw.replace(/\/+$/, '');
  }
}

/** Hex SHA-256 via WebCrypto (Node 20 and browsers alike). Version 2 added the endpoint (v1 keys never match). */
export async function cacheKey(input: CacheKeyInput): Promise<string> {
  const bytes = new TextEncoder().encode(canonical({ v: 2, ...input }));
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class MemoryCacheStore implements ResponseCacheStore {
  private readonly map = new Map<string, CachedCall>();

  async get(key: string): Promise<CachedCall | undefined> {
    const v = this.map.get(key);
    return v && structuredClone(v);
  }

  async put(key: string, value: CachedCall): Promise<void> {
    this.map.set(key, structuredClone(value));
  }

  async *entries(): AsyncIterable<[string, CachedCall]> {
    for (const [k, v] of this.map) yield [k, structuredClone(v)];
  }

  get size(): number {
    return this.map.size;
  }
}
