/**
 * The analysis worker: results, exports and published-results reading run here so the page never blocks, even while
 * the simulation worker is busy. It reads stored rounds from IndexedDB, runs the same estimators as the CLI
 * (summarize, compareWithBond) and builds the export files (published CSV layout as a zip, the JSON run bundle).
 */
import { exposeInWorker } from './expose';
import { APP_INFO } from '../app-info';
import { configHash, settingsJson } from '../storage/provenance';
import { unzipSync, zipSync, strToU8 } from 'fflate';
import { spreadsheetSafeCsv } from '../analysis/spreadsheet-safe';
import { compareWithBond, type BondComparison } from '../analysis/bond2012';
import { readPublishedFromFiles, readPublishedZip } from '../analysis/published-files';
import { designFor, publishedDesign, type DesignFor } from '../analysis/design';
import { seedDataAsOf } from '../analysis/from-run';
import { summarize } from '../analysis/summary';
import { turnoutWithCi, type TurnoutEstimate } from '../analysis/turnout-ci';
import type { SeedData, Summary } from '../analysis/types';
import { SpilloverError } from '../engine/errors';
import { conditionViews } from '../engine/record';
import { conditionFiles } from '../engine/reporters';
import { getProtocol, protocolIdOf } from '../protocols/registry';
import { BUNDLE_FORMAT, BUNDLE_VERSION, decodeBundle, encodeBundle, type RunBundle } from '../storage/bundle';
import { fitRun, type RunFit } from '../protocols/sociopol/fitted/fit-run';
import { fitS3Run, type S3RunFit } from '../protocols/s3/fit/from-record';
import { createDb, DexieResponseCache, getRun, loadFinals, loadFollowNetwork, loadPersonas, loadRoundRecords, loadNetwork, type RunRow } from '../storage/db';
import { loadRunRecord } from '../storage/run-record';
import { s3CsvZip, s3Graph, s3Results, type S3GraphData, type S3Results } from '../ui/state/s3-views';
import { readCausalmpFiles, readCausalmpZip } from '../analysis/tte/causalmp-files';
import type { TteRun } from '../analysis/tte/run';
import { estimatorViewFromCausalmp, estimatorViewFromSeeds, isCausalmpLayout, type EstimatorRequest, type EstimatorView } from '../analysis/tte/view';

const db = createDb();

/** The last published files or causalmp panels opened, so the estimator panel can re-estimate without a new upload. */
let lastSource: { kind: 'published'; seeds: SeedData[]; name: string } | { kind: 'causalmp'; runs: TteRun[]; name: string } | null = null;

/** Chart-ready series per condition (pooled over seeds): round labels and values aligned. */
export interface Series {
  rounds: number[];
  meanLikelihood: Record<string, Array<number | null>>;
  shareLikely: Record<string, Array<number | null>>;
  /** Turnout with a 95 % interval per condition, or per `condition:arm` in an arm design. */
  turnout: Record<string, TurnoutEstimate>;
}

export interface Results {
  title: string;
  summary: Summary;
  series: Series;
  bond: BondComparison | null;
  notes: string[];
  /** The round the results are as of (the last stored round of a partial run); null before any main round. */
  round: number | null;
  /** The round the run was set to end at (its election day). */
  plannedRound: number | null;
  /** Seeds in these results, and seeds the run has (partial seeds behind the others are left out). */
  seedsUsed: number;
  seedsPlanned: number;
  /** The stored run's status ('complete', 'running', 'paused', …); null for published data. */
  status: RunRow['status'] | null;
  /** The run's full settings (as in its bundle; never a key); null for published data. */
  settings: RunBundle['run'] | null;
}

/** A run's settings as exported: copied field by field so nothing else that might sit on the row (a key) can leak. */
function runSettings(run: RunRow): RunBundle['run'] {
  return {
    name: run.name,
    config: run.config,
    seeds: run.seeds,
    agentsKind: run.agentsKind,
    llm: run.llm
      ? { baseUrl: run.llm.baseUrl, models: { ...run.llm.models }, budgetUsd: run.llm.budgetUsd, concurrency: run.llm.concurrency, ...(run.llm.prices ? { prices: structuredClone(run.llm.prices) } : {}) }
      : undefined,
    network: run.network,
  };
}

function plain(err: unknown): never {
  const e = err as { name?: string; message?: string };
  throw new SpilloverError((e?.name ?? 'DataError') as SpilloverError['name'], e?.message ?? String(err));
}

function seriesFrom(summary: Summary, seeds: SeedData[]): Series {
  const roundSet = new Set<number>();
  for (const c of Object.values(summary.conditions)) for (const r of Object.keys(c.meanLikelihoodByRound)) roundSet.add(Number(r));
  const rounds = [...roundSet].sort((a, b) => a - b);
  const out: Series = { rounds, meanLikelihood: {}, shareLikely: {}, turnout: turnoutWithCi(seeds) };
  for (const [name, c] of Object.entries(summary.conditions)) {
    out.meanLikelihood[name] = rounds.map((r) => c.meanLikelihoodByRound[String(r)] ?? null);
    out.shareLikely[name] = rounds.map((r) => c.shareLikelyByRound[String(r)] ?? null);
  }
  return out;
}

/** The last round of a seed's tables (every condition of a stored seed is cut at the same round). */
function seedRound(seed: SeedData): number | null {
  const cd = seed.conditions[0];
  return cd ? cd.rounds[cd.rounds.length - 1] : null;
}

function results(title: string, seeds: SeedData[], source: string, run?: RunRow): Results {
  const design: DesignFor = run ? designFor(getProtocol(protocolIdOf(run.config)), run.config) : publishedDesign(seeds);
  // Pool only the seeds that reached the furthest round, so every estimate is of one round.
  const withRounds = seeds.filter((s) => s.conditions.length > 0 && (seedRound(s) ?? 0) >= 1);
  const round = withRounds.length ? Math.max(...withRounds.map((s) => seedRound(s) as number)) : null;
  const used = withRounds.filter((s) => seedRound(s) === round);
  const summary = summarize(used, source, design);
  const behind = withRounds.filter((s) => seedRound(s) !== round);
  if (behind.length) {
    summary.notes.unshift(`${behind.map((s) => `${s.label} (round ${seedRound(s)})`).join(', ')} left out until ${behind.length === 1 ? 'it reaches' : 'they reach'} round ${round}`);
  }
  let bond: BondComparison | null = null;
  try {
    bond = compareWithBond(summary);
  } catch {
    bond = null;
  }
  return {
    title, summary, series: seriesFrom(summary, used), bond, notes: [...summary.notes], round,
    plannedRound: run ? run.config.lastRound : round, seedsUsed: used.length, seedsPlanned: run ? run.seeds.length : used.length,
    status: run ? run.status : null, settings: run ? runSettings(run) : null,
  };
}

/**
 * Every seed of a stored run as the analysis reads it: a view of the seed's run record as of its last stored round
 * (the same record the CSV export writes from).
 */
async function storedSeeds(run: RunRow): Promise<SeedData[]> {
  const runId = run.id as number;
  const protocol = getProtocol(protocolIdOf(run.config));
  const network = (await loadFollowNetwork(db, runId))?.network;
  const seeds: SeedData[] = [];
  for (const [i, seed] of run.seeds.entries()) {
    const personas = await loadPersonas(db, runId, seed);
    if (!personas) {
      // A seed that has not started yet: its agents are stored when it starts.
      seeds.push({ label: `seed_${i + 1}`, conditions: [], notes: [`seed ${seed}: not started yet`] });
      continue;
    }
    const record = await loadRunRecord(db, run, seed, protocol.columns);
    seeds.push(seedDataAsOf(`seed_${i + 1}`, record, run.config, personas, seed, network));
  }
  return seeds;
}

async function requireRun(runId: number): Promise<RunRow> {
  const run = await getRun(db, runId);
  if (!run) throw new SpilloverError('StorageError', `storage: run ${runId} does not exist (deleted?); pick another run from the list`);
  return run;
}

/** Says what the for-spreadsheets/ copies are, inside the zip. */
const SPREADSHEET_NOTE = `The files in seed_*/ are the raw tables for pandas and R (read them with pandas.read_csv(path, index_col=0) or read.csv).

Replies and posts are written by the agents (LLM text when LLM agents ran). Text that starts with =, +, - or @ would
be run as a formula if a raw file were opened in Excel, LibreOffice or Google Sheets. The copies of the engagement and
posts files in this folder put an apostrophe before such text, so spreadsheets show it as text. Open these copies in a
spreadsheet; use the raw files for analysis.
`;

const api = {
  /** Results of a stored run (all its seeds, pooled), also while it is still running. */
  async runResults(runId: number): Promise<Results> {
    try {
      const run = await requireRun(runId);
      return results(run.name, await storedSeeds(run), `app run ${runId}`, run);
    } catch (err) {
      plain(err);
    }
  },

  /** Results of the authors' published CSVs from a chosen folder: files as [relative path, text]. */
  analysePublishedFiles(files: Array<[string, string]>, rootName: string): Results {
    try {
      const seeds = readPublishedFromFiles(new Map(files), rootName);
      lastSource = { kind: 'published', seeds, name: rootName };
      return results(`Published results: ${rootName}`, seeds, rootName);
    } catch (err) {
      plain(err);
    }
  },

  analysePublishedZip(bytes: Uint8Array, name: string): Results {
    try {
      const seeds = readPublishedZip(bytes, name.replace(/\.zip$/i, ''), name);
      lastSource = { kind: 'published', seeds, name };
      return results(`Published results: ${name}`, seeds, name);
    } catch (err) {
      plain(err);
    }
  },

  /** Whether a zip holds causalmp panels (true) or the LLM-SocioPol layout (false), from its entry names. */
  zipIsCausalmp(bytes: Uint8Array): boolean {
    const names: string[] = [];
    try {
      unzipSync(bytes, { filter: (f) => (names.push(f.name), false) });
    } catch {
      return false;
    }
    return isCausalmpLayout(names);
  },

  /** Causalmp panels from a chosen folder or zip: read, then run the estimator testbed (issue 11). */
  openCausalmp(source: { files: Array<[string, string]> } | { bytes: Uint8Array }, name: string, req: EstimatorRequest = {}): EstimatorView {
    try {
      const runs = 'files' in source ? readCausalmpFiles(new Map(source.files), name) : readCausalmpZip(source.bytes, name);
      lastSource = { kind: 'causalmp', runs, name };
      return estimatorViewFromCausalmp(runs, `Causal-MP panels: ${name}`, req);
    } catch (err) {
      plain(err);
    }
  },

  /** The estimator testbed on the last published files or causalmp panels opened, or on a stored run. */
  async estimate(target: { runId: number } | 'last', req: EstimatorRequest = {}): Promise<EstimatorView> {
    try {
      if (target !== 'last') {
        const run = await requireRun(target.runId);
        const seeds = await storedSeeds(run);
        return estimatorViewFromSeeds(seeds.filter((s) => s.conditions.length > 0), run.name, req, run.config);
      }
      if (!lastSource) throw new SpilloverError('DataError', 'estimators: no published results are open; choose a folder or zip under "Analyse published results" first');
      return lastSource.kind === 'causalmp'
        ? estimatorViewFromCausalmp(lastSource.runs, `Causal-MP panels: ${lastSource.name}`, req)
        : estimatorViewFromSeeds(lastSource.seeds, `Published results: ${lastSource.name}`, req);
    } catch (err) {
      plain(err);
    }
  },

  /** The published CSV layout (seed_k/condition/condition_*.csv) plus engagement, posts and personas, zipped. */
  async exportCsvZip(runId: number): Promise<Uint8Array> {
    try {
      const run = await requireRun(runId);
      const files: Record<string, Uint8Array> = {};
      for (let i = 0; i < run.seeds.length; i++) {
        const seed = run.seeds[i];
        const personas = (await loadPersonas(db, run.id as number, seed)) ?? [];
        const protocol = getProtocol(run.config.protocol);
        const record = await loadRunRecord(db, run, seed, protocol.columns, true);
        const models = run.llm?.models as Record<string, string> | undefined;
        for (const view of conditionViews(record, run.config, personas, seed)) {
          for (const [file, text] of conditionFiles(view, protocol.writeCsv(view, { models }))) {
            files[`seed_${i + 1}/${view.name}/${file}`] = strToU8(text);
            // Agent-written text can start with =, +, - or @: spreadsheet-safe copies beside the raw files.
            if (file.endsWith('_engagement_data.csv') || file.endsWith('_posts.csv')) files[`for-spreadsheets/seed_${i + 1}/${view.name}/${file}`] = strToU8(spreadsheetSafeCsv(text));
          }
        }
      }
      // The settings without the run's name, so two runs of one setup give identical zips.
      const { name: _name, ...settings } = runSettings(run);
      files['spillover-run.json'] = strToU8(settingsJson(settings, APP_INFO, await configHash({ name: '', ...settings })));
      files['for-spreadsheets/README.txt'] = strToU8(SPREADSHEET_NOTE);
      return zipSync(files, { level: 6 });
    } catch (err) {
      plain(err);
    }
  },

  /** "Fit agents from this run": fitted agents and the fit report from the run's decisions. */
  async fitAgents(runId: number): Promise<RunFit> {
    try {
      return fitRun(decodeBundle(await api.exportBundle(runId), `run ${runId}`));
    } catch (err) {
      plain(err);
    }
  },

  /** "Fit agents from this run" for an S3 run: the fitted agents, their estimates and their curves against the run's. */
  async fitS3Agents(runId: number): Promise<S3RunFit> {
    try {
      return await fitS3Run(decodeBundle(await api.exportBundle(runId), `run ${runId}`));
    } catch (err) {
      plain(err);
    }
  },

  /** S3's views of a stored run (s3-views.ts): its curves and effects, one seed's graph states, its CSV zip. */
  async s3Results(runId: number): Promise<S3Results> {
    return s3Results(db, runId).catch(plain);
  },
  async s3Graph(runId: number, seedIndex: number): Promise<S3GraphData> {
    return s3Graph(db, runId, seedIndex).catch(plain);
  },
  async s3CsvZip(runId: number): Promise<Uint8Array> {
    return s3CsvZip(db, runId).catch(plain);
  },

  /** The JSON run bundle (configuration, seeds, network, personas, records, LLM cache; never a key). */
  async exportBundle(runId: number): Promise<string> {
    try {
      const run = await requireRun(runId);
      const runIdN = run.id as number;
      const net = await loadNetwork(db, runIdN);
      if (!net) throw new SpilloverError('StorageError', `storage: run ${runId} has no stored network; it cannot be exported`);
      const bundle: RunBundle = {
        format: BUNDLE_FORMAT,
        version: BUNDLE_VERSION,
        exportedAt: new Date().toISOString(),
        app: APP_INFO,
        configHash: await configHash(runSettings(run)),
        run: runSettings(run),
        network: { n: net.n, src: net.src, dst: net.dst, labels: net.labels },
        seeds: [],
        llmCache: await new DexieResponseCache(db, runIdN).list(),
        totals: { ...run.totals },
      };
      for (const seed of run.seeds) {
        bundle.seeds.push({
          seed,
          personas: (await loadPersonas(db, runIdN, seed)) ?? [],
          rounds: await loadRoundRecords(db, runIdN, seed, run.config.conditions.map((c) => c.name)),
          finals: await loadFinals(db, runIdN, seed),
        });
      }
      return encodeBundle(bundle);
    } catch (err) {
      plain(err);
    }
  },
};

export type AnalysisApi = typeof api;
export default exposeInWorker(api);
