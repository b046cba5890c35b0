/**
 * What the progress line says while LLM requests are out: the first answers being awaited (instead of the last
 * preparation step, e.g. "generating personas…", left on screen), and requests that take far longer than this endpoint
 * usually does ("waiting on 3 slow requests (timeout 60 s)"), which the page offers to retry now.
 */
import type { RequestsNow } from '../agents/llm/client';

export interface RequestNote {
  message: string;
  /** Set when requests are slow: the page shows "retry now". */
  slow?: { count: number; timeoutS: number };
}

/** The note for the requests in flight now, or null when there is nothing to say. */
export function requestNote(r: RequestsNow, endpoint: string): RequestNote | null {
  if (r.slow > 0) {
    const timeoutS = Math.round(r.timeoutMs / 1000);
    return { message: `waiting on ${r.slow} slow request${r.slow === 1 ? '' : 's'} (timeout ${timeoutS} s)`, slow: { count: r.slow, timeoutS } };
  }
  if (r.answered === 0 && r.inFlight > 0) return { message: `asking the LLM at ${endpoint}: ${r.inFlight} request${r.inFlight === 1 ? '' : 's'} in flight, waiting for the first answers…` };
  return null;
}

/**
 * Every `everyMs`, report the note for the port's requests (null once there is nothing more to say after a note).
 * Returns the function that stops watching.
 */
export function watchRequests(
  port: { requests(): RequestsNow },
  endpoint: string,
  report: (note: RequestNote | null) => void,
  everyMs = 1000,
): () => void {
  let shown = '';
  const handle = setInterval(() => {
    const note = requestNote(port.requests(), endpoint);
    if (note) {
      if (note.message !== shown) report(note);
      shown = note.message;
    } else if (shown) {
      shown = '';
      report(null);
    }
  }, everyMs);
  return () => clearInterval(handle);
}
