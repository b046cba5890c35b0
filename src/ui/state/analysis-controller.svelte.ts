/**
 * Owner of the analysis worker: results of a stored run or of the authors' published CSVs, and the export files.
 * Results are computed off the page thread; the page only draws them.
 */
import { wrap, type Remote } from 'comlink';
import type { AnalysisApi, Results } from '../../workers/analysis.worker';
import type { EstimatorRequest, EstimatorView } from '../../analysis/tte/view';
import { memoryWorkerPort, onMemoryWorkerFailed } from './storage-mode';
import { toUiError, type UiError } from './run-controller.svelte';
import type { RunFit } from '../../protocols/sociopol/fitted/fit-run';
import type { S3RunFit } from '../../protocols/s3/fit/from-record';
import type { S3GraphData, S3Results } from './s3-views';

export class AnalysisController {
  results = $state<Results | null>(null);
  /** Which run the results are of (null for published results). */
  runId = $state<number | null>(null);
  loading = $state(false);
  /** Results shown beside the main ones (another run, or the published runs), or null. */
  compare = $state<Results | null>(null);
  /** What `compare` holds: a run id, 'published', or null. */
  compareWith = $state<number | 'published' | null>(null);
  /** The last published results analysed in this tab, kept to compare runs with. */
  published = $state<Results | null>(null);
  error = $state<UiError | null>(null);

  /** The estimator testbed's view ("Which estimator recovers the truth?"), computed on request. */
  estimator = $state<EstimatorView | null>(null);
  estimating = $state(false);
  estimatorError = $state<UiError | null>(null);

  #api: Remote<AnalysisApi> | null = null;
  #worker: Worker | null = null;
  #latest = 0;

  private api(): Remote<AnalysisApi> {
    if (!this.#api) {
      // Storage refused: the analysis runs in the worker that keeps the runs in memory (storage-mode.ts).
      const inMemory = memoryWorkerPort('analysis');
      if (inMemory) {
        onMemoryWorkerFailed((message) => {
          this.error = { name: 'WorkerFailed', message };
          this.loading = false;
        });
      }
      this.#worker = inMemory ? null : new Worker(new URL('../../workers/analysis.worker.ts', import.meta.url), { type: 'module', name: 'spillover-analysis' });
      this.#api = wrap<AnalysisApi>(inMemory ?? this.#worker!);
    }
    return this.#api;
  }

  /** Start the worker now (a run is starting): its code loads meanwhile, so the run's results do not wait for it. */
  prepare(): void {
    this.api();
  }

  /** Only the latest request's answer is shown, so a slow early answer never overwrites a newer one. */
  private async load(work: () => Promise<Results>, runId: number | null): Promise<void> {
    const ticket = ++this.#latest;
    this.loading = true;
    try {
      const r = await work();
      if (ticket !== this.#latest) return;
      // The estimator comparison belongs to its source: a different run or upload starts without one.
      if (runId === null || runId !== this.runId) {
        this.estimator = null;
        this.estimatorError = null;
      }
      this.results = r;
      this.runId = runId;
      if (runId === null) this.published = r;
      this.error = null;
    } catch (err) {
      if (ticket === this.#latest) this.error = toUiError(err);
    } finally {
      if (ticket === this.#latest) this.loading = false;
    }
  }

  showRun(runId: number): Promise<void> {
    return this.load(() => this.api().runResults(runId), runId);
  }

  showPublishedFiles(files: Array<[string, string]>, rootName: string): Promise<void> {
    return this.load(() => this.api().analysePublishedFiles(files, rootName), null);
  }

  showPublishedZip(bytes: Uint8Array, name: string): Promise<void> {
    return this.load(() => this.api().analysePublishedZip(bytes, name), null);
  }

  /** Run the estimators on a stored run or on the last published files / causalmp panels opened. */
  async estimate(target: { runId: number } | 'last', req: EstimatorRequest = {}): Promise<void> {
    this.estimating = true;
    try {
      this.estimator = await this.api().estimate(target, $state.snapshot(req) as EstimatorRequest);
      this.estimatorError = null;
    } catch (err) {
      this.estimatorError = toUiError(err);
    } finally {
      this.estimating = false;
    }
  }

  /** Causalmp panels (folder files or a zip's bytes): they have no condition charts, only the estimator comparison. */
  async openCausalmp(source: { files: Array<[string, string]> } | { bytes: Uint8Array }, name: string): Promise<void> {
    this.clear();
    this.estimating = true;
    try {
      this.estimator = await this.api().openCausalmp(source, name);
      this.estimatorError = null;
    } catch (err) {
      this.estimatorError = toUiError(err);
    } finally {
      this.estimating = false;
    }
  }

  /** "Fit agents from this run": the fitted agents and the report text (the panel shows it; Setup can use the agents). */
  fitAgents(runId: number): Promise<RunFit> {
    return this.api().fitAgents(runId);
  }

  /** The same for an S3 run: fitted S3 agents (estimates with standard errors) and their curves against the run's. */
  fitS3Agents(runId: number): Promise<S3RunFit> {
    return this.api().fitS3Agents(runId);
  }

  zipIsCausalmp(bytes: Uint8Array): Promise<boolean> {
    return this.api().zipIsCausalmp(bytes);
  }

  /** Show another run, or the last published results, beside the main results (null: none). */
  async setCompare(choice: number | 'published' | null): Promise<void> {
    this.compareWith = choice;
    if (choice === null) this.compare = null;
    else if (choice === 'published') this.compare = this.published;
    else {
      try {
        const r = await this.api().runResults(choice);
        if (this.compareWith === choice) this.compare = r;
      } catch (err) {
        this.error = toUiError(err);
      }
    }
  }

  clear(): void {
    this.estimator = null;
    this.estimatorError = null;
    this.#latest++;
    this.results = null;
    this.runId = null;
    this.error = null;
    this.loading = false;
  }

  exportCsvZip(runId: number): Promise<Uint8Array> {
    return this.api().exportCsvZip(runId);
  }

  exportBundle(runId: number): Promise<string> {
    return this.api().exportBundle(runId);
  }

  /** S3's views of a stored run, computed in the analysis worker like every run's results. */
  s3Results(runId: number): Promise<S3Results> {
    return this.api().s3Results(runId);
  }

  s3Graph(runId: number, seedIndex: number): Promise<S3GraphData> {
    return this.api().s3Graph(runId, seedIndex);
  }

  s3CsvZip(runId: number): Promise<Uint8Array> {
    return this.api().s3CsvZip(runId);
  }
}
