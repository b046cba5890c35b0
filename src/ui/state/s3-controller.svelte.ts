/**
 * The page's owner of the S3 worker: creates it on first use, queues calls, keeps progress, the run list and the
 * selected run's results in runes for the S3 views. Everything posted is a plain snapshot.
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { S3Api, S3GraphData, S3Progress, S3Results, S3RunOutcome } from '../../workers/s3.worker';
import type { S3RunRow } from '../../storage/s3-db';
import type { S3RunSpec } from '../../protocols/s3/spec';
import { dataFolderUrl, toUiError, type UiError } from './run-controller.svelte';

export class S3Controller {
  progress = $state<S3Progress | null>(null);
  busy = $state(false);
  runs = $state.raw<S3RunRow[]>([]);
  results = $state.raw<S3Results | null>(null);
  selected = $state<number | null>(null);
  error = $state<UiError | null>(null);
  notice = $state<string | null>(null);

  #api: Remote<S3Api> | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #lastShown = 0;

  private api(): Remote<S3Api> {
    if (!this.#api) {
      const worker = new Worker(new URL('../../workers/s3.worker.ts', import.meta.url), { type: 'module', name: 'spillover-s3' });
      this.#api = wrap<S3Api>(worker);
      void this.#api.setDataUrl(dataFolderUrl());
    }
    return this.#api;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task, task);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async refresh(): Promise<void> {
    this.runs = await this.api().listRuns();
  }

  async show(runId: number): Promise<void> {
    this.selected = runId;
    try {
      this.results = await this.api().results(runId);
    } catch (err) {
      this.error = toUiError(err);
    }
  }

  private onProgress = (p: S3Progress) => {
    this.progress = p;
    this.selected = p.runId;
    const now = performance.now();
    if (now - this.#lastShown > 2000) {
      this.#lastShown = now;
      void this.show(p.runId);
      void this.refresh();
    }
  };

  private async track(work: () => Promise<S3RunOutcome>): Promise<void> {
    this.busy = true;
    this.error = null;
    this.notice = null;
    try {
      const out = await work();
      if (out.error) this.error = out.error;
      if (out.mismatches !== undefined) {
        this.notice = out.mismatches === 0 ? 'Imported run replayed with zero calls: every round matches the bundle.' : `Imported run replayed, but ${out.mismatches} rounds differ from the bundle.`;
      }
      await this.refresh();
      await this.show(out.runId);
    } catch (err) {
      this.error = toUiError(err);
    } finally {
      this.busy = false;
    }
  }

  start(spec: S3RunSpec, apiKey: string | null): Promise<void> {
    return this.enqueue(() => this.track(() => this.api().start(spec, apiKey, proxy(this.onProgress))));
  }

  resume(runId: number, apiKey: string | null): Promise<void> {
    return this.enqueue(() => this.track(() => this.api().resume(runId, apiKey, proxy(this.onProgress))));
  }

  importBundle(text: string, fileName: string): Promise<void> {
    return this.enqueue(() => this.track(() => this.api().importBundle(text, fileName, proxy(this.onProgress))));
  }

  /** Idempotent: stops at the next round boundary; the stored rounds stay and the run can resume. */
  stop(): void {
    void this.#api?.stop();
  }

  async remove(runId: number): Promise<void> {
    await this.api().remove(runId);
    if (this.selected === runId) {
      this.selected = null;
      this.results = null;
    }
    await this.refresh();
  }

  graph(runId: number, seedIndex: number): Promise<S3GraphData> {
    return this.api().graph(runId, seedIndex);
  }

  exportCsvZip(runId: number): Promise<Uint8Array> {
    return this.api().exportCsvZip(runId);
  }

  exportBundle(runId: number): Promise<string> {
    return this.api().exportBundle(runId);
  }
}
