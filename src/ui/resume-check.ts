/**
 * What the page asks before it resumes an LLM run: where the API key is about to be sent (the run's stored endpoint,
 * not necessarily the one in Setup), a warning when that is plain http:// to another computer, what the run has spent
 * so far over all its sessions, and the budget the resume will use (Setup's, which may differ from the stored one).
 */
import type { RunRow } from '../storage/db';
import { DEFAULT_ENDPOINT } from '../agents/llm/cache';

/** True for http:// to a host other than this computer (the key and the prompts would cross a network unencrypted). */
export function plainHttpToRemote(baseUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return !(host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

const usd = (x: number | null) => (x === null ? 'no cap' : `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`);

/** The confirmation text for resuming `run` with Setup's budget `budget` (null: no cap). */
export function resumeConfirmText(run: RunRow, budget: number | null): string {
  const endpoint = run.llm?.baseUrl?.trim() || DEFAULT_ENDPOINT;
  const lines = [`Resume "${run.name}" with LLM agents: your API key will be sent to ${endpoint}.`];
  if (plainHttpToRemote(endpoint)) {
    lines.push('Warning: this endpoint uses plain http:// to another computer; the key and every prompt would travel unencrypted. Use https://, or a server on this computer.');
  }
  const stored = run.llm?.budgetUsd ?? null;
  const change = stored === budget ? '' : ` (changed in Setup; the run had ${usd(stored)})`;
  lines.push(`Spent so far over the whole run: $${run.totals.costUsd.toFixed(4)}. Budget for the whole run: ${usd(budget)}${change}.`);
  lines.push('Continue?');
  return lines.join('\n\n');
}
