/**
 * Runs kept in memory when the browser refuses IndexedDB: an app embedded in another site's page (a course site's
 * iframe) under third-party storage blocking, or a browser with site data disabled. The page probes once before it
 * starts; if the probe fails, one worker (workers/memory-store.worker.ts) keeps every Dexie database in one in-memory
 * IndexedDB (fake-indexeddb, a complete implementation of the standard API), so the stored-rounds code runs unchanged
 * off the page thread, and the app says that the runs go when the tab closes.
 */
import Dexie from 'dexie';

let memory = false;

/** True once `useMemoryStorage()` has run: runs live in this tab's memory only. */
export function storageInMemory(): boolean {
  return memory;
}

/**
 * Whether this page may use IndexedDB: opens (then deletes) a probe database. A blocked context throws, fails the
 * request ("The user denied permission to access the database") or, in some browsers, never answers.
 */
export async function indexedDbUsable(timeoutMs = 5000): Promise<boolean> {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory) return false;
  const name = 'spillover-storage-probe';
  let request: IDBOpenDBRequest;
  try {
    request = factory.open(name);
  } catch {
    return false;
  }
  const opened = await new Promise<IDBDatabase | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    request.onsuccess = () => {
      clearTimeout(timer);
      resolve(request.result);
    };
    request.onerror = () => {
      clearTimeout(timer);
      resolve(null);
    };
  });
  if (!opened) return false;
  opened.close();
  await new Promise<void>((resolve) => {
    try {
      const del = factory.deleteDatabase(name);
      del.onsuccess = del.onerror = del.onblocked = () => resolve();
    } catch {
      resolve();
    }
  });
  return true;
}

/** The page's side: runs are kept in memory by the memory-store worker; the page opens no database itself. */
export function markStorageInMemory(): void {
  memory = true;
}

/**
 * The memory-store worker's side: from now on, every Dexie database created in this realm (the simulation's, the
 * analysis's and the one serving the page's reads) opens in one shared in-memory IndexedDB. Call it before any
 * `createDb()`.
 */
export async function useMemoryStorage(): Promise<void> {
  const { IDBFactory, IDBKeyRange } = await import('fake-indexeddb');
  Dexie.dependencies.indexedDB = new IDBFactory();
  Dexie.dependencies.IDBKeyRange = IDBKeyRange;
  memory = true;
}

/**
 * The Web Locks that keep two tabs off one run, or null where there are none to take. Locks are storage too: a
 * context refused IndexedDB is refused locks ("SecurityError: The request was denied"), and runs in this tab's memory
 * cannot be reached by another tab anyway.
 */
export function runLocks(): LockManager | null {
  if (memory) return null;
  return (globalThis.navigator as Navigator | undefined)?.locks ?? null;
}
