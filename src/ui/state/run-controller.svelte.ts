/**
 * The one owner of the simulation worker on the page: it creates the worker on first use, queues calls, keeps the
 * latest per-round progress in runes for the views, and has idempotent start/stop/kill. Everything posted is a plain
 * snapshot (Svelte proxies cannot be structured-cloned).
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { SimulationApi } from '../../workers/simulation.worker';
import { memoryWorkerPort, onMemoryWorkerFailed } from './storage-mode';
import type { Estimate, ProgressUpdate, RunOutcome, RunSpec, UploadCheck } from '../../workers/protocol';

export interface UiError {
  name: string;
  message: string;
}

/** Errors cross comlink with name and message kept; the UI reads err.name, never instanceof. */
export function toUiError(err: unknown): UiError {
  const e = err as { name?: unknown; message?: unknown };
  return { name: typeof e?.name === 'string' ? e.name : 'Error', message: typeof e?.message === 'string' ? e.message : String(err) };
}

/** The app's data folder, resolved against the page so the build works from any sub-path. */
export function dataFolderUrl(): string {
  return new URL('data/', document.baseURI).href;
}

export class RunController {
  progress = $state<ProgressUpdate | null>(null);
  busy = $state(false);
  pausing = $state(false);
  runId = $state<number | null>(null);
  outcome = $state<RunOutcome | null>(null);
  error = $state<UiError | null>(null);

  #worker: Worker | null = null;
  #api: Remote<SimulationApi> | null = null;
  /** Calls that start work run one after another, never interleaved. */
  #queue: Promise<unknown> = Promise.resolve();
  #listeners = new Set<(u: ProgressUpdate) => void>();
  #done = new Set<(o: RunOutcome) => void>();
  /** Rejects the call being tracked when the worker itself fails (its promise would otherwise never settle). */
  #workerFailed: ((err: UiError) => void) | null = null;

  private api(): Remote<SimulationApi> {
    if (!this.#api) {
      // Storage refused: the simulation runs in the worker that keeps the runs in memory (storage-mode.ts).
      const inMemory = memoryWorkerPort('simulation');
      if (inMemory) {
        onMemoryWorkerFailed((message) => this.#workerFailed?.({ name: 'WorkerFailed', message }));
        this.#api = wrap<SimulationApi>(inMemory);
        return this.#api;
      }
      this.#worker = new Worker(new URL('../../workers/simulation.worker.ts', import.meta.url), { type: 'module', name: 'spillover-simulation' });
      const failed = (what: string) => () => {
        const fail = this.#workerFailed;
        this.kill();
        fail?.({ name: 'WorkerFailed', message: `the simulation worker stopped (${what}); the run's stored rounds are kept: reload the page and press Resume in the run list` });
      };
      this.#worker.addEventListener('error', (ev) => failed(ev.message || 'an error in the worker')());
      this.#worker.addEventListener('messageerror', failed('a message it could not read'));
      this.#api = wrap<SimulationApi>(this.#worker);
    }
    return this.#api;
  }

  onProgress(fn: (u: ProgressUpdate) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  onDone(fn: (o: RunOutcome) => void): () => void {
    this.#done.add(fn);
    return () => this.#done.delete(fn);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task, task);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  private handle = (u: ProgressUpdate) => {
    this.progress = u;
    if (u.runId >= 0) this.runId = u.runId;
    for (const fn of this.#listeners) fn(u);
  };

  private async track(work: () => Promise<RunOutcome>): Promise<RunOutcome | null> {
    this.busy = true;
    this.pausing = false;
    this.error = null;
    this.outcome = null;
    try {
      const failed = new Promise<never>((_, reject) => {
        this.#workerFailed = reject;
      });
      const outcome = await Promise.race([work(), failed]);
      this.outcome = outcome;
      this.runId = outcome.runId;
      if (outcome.error) this.error = outcome.error;
      for (const fn of this.#done) fn(outcome);
      return outcome;
    } catch (err) {
      this.error = toUiError(err);
      return null;
    } finally {
      this.#workerFailed = null;
      this.busy = false;
      this.pausing = false;
    }
  }

  /** Start a run; a second call while one runs is ignored (idempotent). `spec` must already be a plain snapshot. */
  start(spec: RunSpec): Promise<RunOutcome | null> {
    if (this.busy) return Promise.resolve(null);
    this.progress = null;
    this.runId = null;
    return this.enqueue(() => this.track(() => this.api().start(spec, proxy(this.handle))));
  }

  /** `budgetUsd`: the budget for the whole run from Setup (an LLM run's stored one is replaced); undefined keeps it. */
  /** `workers`: Web Workers for an offline run's conditions (`?workers=N`), as at the start; undefined: the browser's cores. */
  resume(runId: number, apiKey?: string, budgetUsd?: number | null, continueWith?: Parameters<SimulationApi['resume']>[5], workers?: number): Promise<RunOutcome | null> {
    if (this.busy) return Promise.resolve(null);
    this.progress = null;
    this.runId = runId;
    return this.enqueue(() => this.track(() => this.api().resume(runId, dataFolderUrl(), proxy(this.handle), apiKey, budgetUsd, continueWith, workers)));
  }

  importBundle(text: string, name: string): Promise<RunOutcome | null> {
    if (this.busy) return Promise.resolve(null);
    this.progress = null;
    return this.enqueue(() => this.track(() => this.api().importBundle(text, name, proxy(this.handle))));
  }

  /** Pause at the next round boundary (idempotent). */
  async stop(): Promise<void> {
    if (!this.busy || !this.#api) return;
    this.pausing = true;
    await this.#api.pause();
  }

  /** Cancel now; stored rounds are kept and the run can resume. */
  async cancel(): Promise<void> {
    if (!this.busy || !this.#api) return;
    await this.#api.cancel();
  }

  /** "Retry now" for the LLM requests shown as slow. */
  async retrySlow(): Promise<void> {
    if (!this.busy || !this.#api) return;
    await this.#api.retrySlow();
  }

  /** Terminate the worker outright (idempotent); a run it held shows as interrupted and can resume. */
  kill(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
    this.busy = false;
    this.pausing = false;
  }

  estimate(spec: Omit<RunSpec, 'network' | 'dataUrl'>): Promise<Estimate> {
    return this.api().estimate(spec);
  }

  /** Move the S3 page's former database into the one database (once); how many runs were moved. */
  migrateLegacyS3(): Promise<number> {
    return this.api().migrateLegacyS3(dataFolderUrl());
  }

  checkUpload(text: string, name: string): Promise<UploadCheck> {
    return this.api().checkUpload(text, name);
  }
}
