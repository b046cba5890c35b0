/**
 * The page's reads and writes of the run database as one object of async methods. Normally the page builds it on its
 * own connection; when the browser refuses this page storage, the worker that owns the in-memory database builds it
 * there and serves it over comlink (workers/memory-store.worker.ts), so the page reads the same rounds without ever
 * holding the database. Results of runs are computed in the analysis worker, never here.
 */
import type { AgentProfile } from '../../engine/protocol';
import { deleteRun, listRuns, loadConditionRows, loadEvents, loadFinals, loadFollowNetwork, loadPersonas, loadPosts, markInterrupted, updateRun, type RunRow, type SpilloverDb } from '../../storage/db';

export function pageStoreOn(db: SpilloverDb) {
  return {
    listRuns: () => listRuns(db),
    /** Runs left 'running' become 'interrupted', except those whose ids are listed (a live tab holds their lock). */
    markInterrupted: (alive: number[]) => markInterrupted(db, (id) => alive.includes(id)),
    updateRun: (runId: number, changes: Partial<RunRow>) => updateRun(db, runId, changes),
    deleteRun: (runId: number) => deleteRun(db, runId),
    loadConditionRows: (runId: number, seed: number, condition: string) => loadConditionRows(db, runId, seed, condition),
    loadEvents: (runId: number, seed: number) => loadEvents(db, runId, seed),
    loadFinals: (runId: number, seed: number) => loadFinals(db, runId, seed),
    loadPosts: (runId: number, seed: number, condition: string) => loadPosts(db, runId, seed, condition),
    loadFollowNetwork: (runId: number) => loadFollowNetwork(db, runId),
    loadPersonas: (runId: number, seed: number): Promise<AgentProfile[] | undefined> => loadPersonas(db, runId, seed),
  };
}

/** What the page may ask of the run database; every answer is structured-cloneable. */
export type PageStore = ReturnType<typeof pageStoreOn>;
