/**
 * The JSON run bundle: configuration, seeds, network, personas, every round and end-of-run record and the LLM cache of
 * a run, so another browser can import it and replay it with zero calls. It never holds an API key: the run row has
 * no key field and the LLM settings are copied field by field. Typed arrays travel as base64 to keep bundles small.
 */
import { SpilloverError } from '../engine/errors';
import type { AgentProfile } from '../engine/protocol';
import type { FinalRecord, LlmTotals, RoundRecord } from '../engine/types';
import type { AgentsKind, LlmSettings, NetworkSource } from './db';
import type { SimConfig } from '../engine/config';
import type { AppInfo } from '../app-info';
import { upgradeConfigV1, upgradeElectionV1, upgradePost, upgradeRoundV1 } from './migrations';

export const BUNDLE_FORMAT = 'spillover-run-bundle';
/** 2: protocol and params in the configuration, named columns in rounds, `finals` (1: SocioPol only; still imported). */
export const BUNDLE_VERSION = 2;

export interface BundleSeed {
  seed: number;
  personas: AgentProfile[];
  rounds: RoundRecord[];
  finals: FinalRecord[];
}

export interface RunBundle {
  format: typeof BUNDLE_FORMAT;
  version: number;
  exportedAt: string;
  /** The build that exported it (absent in bundles exported before builds were recorded). */
  app?: AppInfo;
  /** Hash of the run's defining settings (storage/provenance.ts). */
  configHash?: string;
  run: {
    name: string;
    config: SimConfig;
    seeds: number[];
    agentsKind: AgentsKind;
    /** Endpoint and models only. */
    llm?: Omit<LlmSettings, never>;
    network: NetworkSource;
  };
  network: { n: number; src: Int32Array; dst: Int32Array; labels?: string[] };
  seeds: BundleSeed[];
  llmCache: Array<[string, unknown]>;
  /** The run's LLM calls, tokens and spend over its whole life (every resume) when it was exported; informational. */
  totals?: LlmTotals;
}

const TYPED = {
  Int8Array,
  Uint8Array,
  Uint16Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedName = keyof typeof TYPED;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function replacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name as TypedName;
    if (name in TYPED) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      return { $typed: name, b64: toBase64(bytes) };
    }
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && '$typed' in value && 'b64' in value) {
    const { $typed, b64 } = value as { $typed: TypedName; b64: string };
    const Ctor = TYPED[$typed];
    if (!Ctor) return value;
    const bytes = fromBase64(b64);
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return new Ctor(copy.buffer);
  }
  return value;
}

/** Keys a bundle must never carry, wherever they appear: a last guard in case a future field leaks one. */
const SECRET_KEYS = new Set(['apiKey', 'api_key', 'authorization', 'Authorization', 'key_secret']);

export function encodeBundle(bundle: RunBundle): string {
  return JSON.stringify(bundle, (k, v) => (SECRET_KEYS.has(k) ? undefined : replacer(k, v)));
}

/** What a file that is not JSON looks like, in words (never its bytes). */
function notJsonWhat(text: string): string {
  if (text.startsWith('PK')) return 'is a zip file, not a run bundle (the "CSV" button saves a zip of tables, which cannot be imported)';
  if (text.trim() === '') return 'is empty';
  if (/^\s*[\w"-]+(,[^,\n]*)+\n/.test(text)) return 'looks like a CSV table, not a run bundle';
  return 'is not valid JSON (damaged, cut short, or another kind of file)';
}

export function decodeBundle(text: string, source = 'run bundle'): RunBundle {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, reviver);
  } catch {
    throw new SpilloverError('BundleError', `${source}: ${notJsonWhat(text)}; choose a .json file saved with the "Bundle" button in "Your runs"`);
  }
  const b = parsed as Partial<RunBundle>;
  if (!b || b.format !== BUNDLE_FORMAT) {
    throw new SpilloverError('BundleError', `${source}: is not a Spillover run bundle (format field missing); choose a .json file saved with the "Bundle" button in "Your runs"`);
  }
  if (b.version !== 1 && b.version !== BUNDLE_VERSION) {
    throw new SpilloverError('BundleError', `${source}: bundle version ${b.version} is not supported (this app reads versions 1 and ${BUNDLE_VERSION}); export it again with this version of the app`);
  }
  if (!b.run || !b.network || !Array.isArray(b.seeds) || !(b.network.src instanceof Int32Array)) {
    throw new SpilloverError('BundleError', `${source}: the run, network or seeds section is missing or damaged; export the run again`);
  }
  if (b.version === 1) upgradeBundleV1(b as RunBundle);
  // Posts of bundles written before the seed-post flag was renamed carry it as `seed`.
  for (const seed of b.seeds) if (Array.isArray(seed.rounds)) for (const r of seed.rounds) if (Array.isArray(r.posts)) r.posts = r.posts.map((p) => upgradePost(p));
  return b as RunBundle;
}

/** A version-1 bundle read as version 2, in place (the same upgrade stored runs get). */
function upgradeBundleV1(b: RunBundle): void {
  b.run.config = upgradeConfigV1(b.run.config);
  for (const seed of b.seeds as Array<BundleSeed & { elections?: Array<FinalRecord & { votes?: Int8Array }> }>) {
    if (Array.isArray(seed.rounds)) for (const r of seed.rounds) upgradeRoundV1(r);
    seed.finals = Array.isArray(seed.elections) ? seed.elections.map((e) => upgradeElectionV1(e)) : [];
    delete seed.elections;
  }
  b.version = BUNDLE_VERSION;
}
