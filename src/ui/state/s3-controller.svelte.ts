/**
 * The S3 page's controller: S3 runs go through the one simulation worker (the page's RunController) and live in the
 * one database with every other run (the RunsStore lists them); this class turns the S3 form into a run spec, keeps
 * the selected run's S3 results in runes, and shows S3's views of the stored rounds (s3-views.ts), which the analysis
 * worker computes.
 */
import type { RunRow } from '../../storage/db';
import type { NetworkChoice, ProgressUpdate, RunOutcome, RunSpec } from '../../workers/protocol';
import { s3SimConfig } from '../../protocols/s3/protocol';
import type { S3RunSpec } from '../../protocols/s3/spec';
import { dataFolderUrl, toUiError, type RunController, type UiError } from './run-controller.svelte';
import type { RunsStore } from './runs-store.svelte';
import type { S3GraphData, S3Results } from './s3-views';

/** What the S3 run list shows of a stored run. */
export interface S3ListItem {
  id: number;
  name: string;
  status: RunRow['status'];
  roundsDone: number;
  roundsTotal: number;
  agentsKind: RunRow['agentsKind'];
  /** Records that differed from the bundle when this run was imported in this tab (0: identical). */
  mismatches?: number;
}

/** The offline agents S3 runs with: its classical models (the protocol's default offline agents). */
const CLASSICAL = { kind: 'rules' as const, label: 'classical models (cascade, voter or DeGroot, emotion chain)' };

/** The engine run spec of an S3 form: generated network (or an uploaded edge list), one model for every user. */
export function s3RunSpec(spec: S3RunSpec, apiKey: string | null, network: NetworkChoice = { kind: 'generated' }): RunSpec {
  const config = s3SimConfig(spec.config, spec.users);
  const agents: RunSpec['agents'] =
    spec.agents === 'llm' && spec.llm
      ? { kind: 'llm', apiKey: apiKey ?? '', settings: { baseUrl: spec.llm.baseUrl, models: { full: spec.llm.model, mini: spec.llm.model, nano: spec.llm.model }, budgetUsd: spec.llm.budgetUsd, concurrency: spec.llm.concurrency } }
      : // A stored choice's `fitted` holds the fitted agents of the run's protocol; S3's port checks its own on resume.
        { kind: 'offline', agents: spec.fitted ? { kind: 'fitted', label: `fitted to ${spec.fitted.label}`, fitted: spec.fitted.agents } : CLASSICAL };
  return { name: spec.name, config, seeds: spec.seeds, network, agents, dataUrl: dataFolderUrl() };
}

/** What the S3 page asks of the analysis worker. */
export interface S3Analysis {
  exportBundle(runId: number): Promise<string>;
  s3Results(runId: number): Promise<S3Results>;
  s3Graph(runId: number, seedIndex: number): Promise<S3GraphData>;
  s3CsvZip(runId: number): Promise<Uint8Array>;
}

export class S3Controller {
  results = $state.raw<S3Results | null>(null);
  selected = $state<number | null>(null);
  error = $state<UiError | null>(null);
  notice = $state<string | null>(null);
  #mismatches = $state<Record<number, number>>({});
  /** This page's S3 runs, newest first, from the shared run list. */
  runs = $derived.by((): S3ListItem[] =>
    this.store.runs
      .filter((r) => r.config.protocol === 's3')
      .map((r) => ({ id: r.id as number, name: r.name, status: r.status, roundsDone: r.progress.roundsDone, roundsTotal: r.progress.roundsTotal, agentsKind: r.agentsKind, mismatches: this.#mismatches[r.id as number] })),
  );
  #lastShown = 0;
  #mine = new Set<number>();

  constructor(
    readonly run: RunController,
    readonly store: RunsStore,
    /** The analysis worker's exports and S3 views of stored runs (AnalysisController). */
    readonly analysis: S3Analysis,
  ) {
    run.onProgress((u) => this.onProgress(u));
  }

  /** The run bundle of any stored run (the analysis worker writes it). */
  exportBundle(runId: number): Promise<string> {
    return this.analysis.exportBundle(runId);
  }

  get busy(): boolean {
    return this.run.busy;
  }

  /** The progress of the run going on, when it is one of the S3 page's. */
  get progress(): ProgressUpdate | null {
    const p = this.run.progress;
    return p && this.#mine.has(p.runId) ? p : null;
  }

  async refresh(): Promise<void> {
    await this.store.refresh();
  }

  async show(runId: number): Promise<void> {
    this.selected = runId;
    try {
      this.results = await this.analysis.s3Results(runId);
    } catch (err) {
      this.error = toUiError(err);
    }
  }

  private onProgress(u: ProgressUpdate): void {
    if (u.runId < 0 || !this.#mine.has(u.runId)) return;
    this.selected = u.runId;
    const now = performance.now();
    if (now - this.#lastShown > 2000 || u.phase === 'done') {
      this.#lastShown = now;
      void this.show(u.runId);
      void this.refresh();
    }
  }

  private async track(work: () => Promise<RunOutcome | null>): Promise<void> {
    this.error = null;
    this.notice = null;
    const out = await work();
    if (!out) {
      this.error = this.run.error;
      return;
    }
    if (out.error) this.error = out.error;
    if (out.mismatches !== undefined) {
      this.#mismatches = { ...this.#mismatches, [out.runId]: out.mismatches };
      this.notice = out.mismatches === 0 ? 'Imported run replayed with zero calls: every round matches the bundle.' : `Imported run replayed, but ${out.mismatches} rounds differ from the bundle.`;
    }
    await this.refresh();
    await this.show(out.runId);
  }

  /** Whether a run's progress belongs to this page (started, resumed or imported here). */
  owns(runId: number): boolean {
    return this.#mine.has(runId);
  }

  /** Progress of a run started here reaches this page (the RunController's first update names the new run). */
  private claim = (u: ProgressUpdate) => {
    if (u.runId >= 0) this.#mine.add(u.runId);
  };

  start(spec: S3RunSpec, apiKey: string | null, network?: NetworkChoice): Promise<void> {
    const off = this.run.onProgress(this.claim);
    return this.track(() => this.run.start(s3RunSpec(spec, apiKey, network))).finally(off);
  }

  resume(runId: number, apiKey: string | null): Promise<void> {
    this.#mine.add(runId);
    return this.track(() => this.run.resume(runId, apiKey ?? undefined));
  }

  importBundle(text: string, fileName: string): Promise<void> {
    const off = this.run.onProgress(this.claim);
    return this.track(() => this.run.importBundle(text, fileName)).finally(off);
  }

  /** Idempotent: stops at the next round boundary; the stored rounds stay and the run can resume. */
  stop(): void {
    void this.run.stop();
  }

  async remove(runId: number): Promise<void> {
    const refused = await this.store.remove(runId);
    if (refused) {
      this.notice = refused;
      return;
    }
    if (this.selected === runId) {
      this.selected = null;
      this.results = null;
    }
  }

  graph(runId: number, seedIndex: number): Promise<S3GraphData> {
    return this.analysis.s3Graph(runId, seedIndex);
  }

  exportCsvZip(runId: number): Promise<Uint8Array> {
    return this.analysis.s3CsvZip(runId);
  }
}
