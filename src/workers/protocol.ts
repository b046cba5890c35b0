/**
 * The plain data that crosses between the page and the workers: what to run, and the small per-round progress the
 * page shows. Round records never cross here; the worker stores them and the page reads them from IndexedDB.
 */
import type { SimConfig } from '../engine/config';
import type { LlmSettings, OfflineAgentsChoice, RunStatus } from '../storage/db';
import type { LlmTotals } from '../engine/types';

export type NetworkChoice =
  | { kind: 'bundled' }
  | { kind: 'uploaded'; name: string; text: string }
  | { kind: 'generated' };

export type AgentsChoice =
  | { kind: 'offline'; agents?: OfflineAgentsChoice }
  /** The key lives in worker memory for this run only; it is never stored or echoed. */
  | { kind: 'llm'; settings: LlmSettings; apiKey: string };

export interface RunSpec {
  name: string;
  config: SimConfig;
  seeds: number[];
  network: NetworkChoice;
  agents: AgentsChoice;
  /** Absolute URL of the app's data folder (resolved against document.baseURI so any sub-path works). */
  dataUrl: string;
  /** Web Workers an offline run's conditions run on (`?workers=N`; 1: in the simulation worker). @default the browser's cores */
  workers?: number;
}

export interface ProgressUpdate {
  runId: number;
  phase: 'preparing' | 'running' | 'done';
  /** Plain-language note for the preparing phase ("laying out the graph…"). */
  message?: string;
  seedIndex: number;
  seeds: number;
  condition: string;
  round: number;
  roundsDone: number;
  roundsTotal: number;
  /** Estimated seconds left, null until a few rounds have run. */
  etaSeconds: number | null;
  llm: LlmTotals;
  /** Mean of the protocol's carried column (`meanOf` names it) over adults with a value, per condition, at the latest round seen. */
  means: Record<string, number>;
  meanOf: string;
  /** Rounds answered from storage (resume / replay) so far. */
  replayed: number;
  /** LLM requests far slower than the endpoint usually answers: the page offers "retry now" (request-watch.ts). */
  slow?: { count: number; timeoutS: number };
}

export interface RunOutcome {
  runId: number;
  status: RunStatus;
  error?: { name: string; message: string };
  /** Replayed records that differed from the bundle's (imports only; 0 means identical). */
  mismatches?: number;
  /** Imports only: set when the bundle was made by another build of the app. */
  versionNote?: string;
}

export interface Estimate {
  activations: number;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  note: string;
  /** Models with no known price: their spend counts as $0 until the user enters one. */
  unpriced?: string[];
}

export interface UploadCheck {
  nodes: number;
  edges: number;
  selfLoops: number;
  duplicates: number;
}
