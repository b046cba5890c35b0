/**
 * Provenance of exported files: a hash of what defines a run (configuration, seeds, network, agents and models; never a
 * key, never the name) so two files can be seen to come from the same setup, and the note shown when a bundle made
 * by another build of the app is imported.
 */
import { APP_INFO, appLabel, type AppInfo } from '../app-info';
import type { RunBundle } from './bundle';

/** JSON with object keys sorted, so the hash does not depend on property order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (ArrayBuffer.isView(value)) return canonical(Array.from(value as unknown as ArrayLike<number>));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex, first 16 characters) of the run's defining settings. */
export async function configHash(run: RunBundle['run']): Promise<string> {
  const defining = {
    config: run.config,
    seeds: run.seeds,
    agentsKind: run.agentsKind,
    models: run.llm?.models,
    network: { label: run.network.label, nodes: run.network.nodes, edges: run.network.edges },
  };
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical(defining))));
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A sentence when a bundle was made by another build of the app (or by one that did not record its build). */
export function versionNote(made: AppInfo | undefined, current: AppInfo = APP_INFO): string | null {
  if (!made) return `This bundle does not say which version of Spillover made it (older export); it was replayed with ${appLabel(current)}.`;
  if (made.version === current.version && made.commit === current.commit) return null;
  return `This bundle was made by ${appLabel(made)}; this is ${appLabel(current)}. If records differ on replay, the code changed between the two.`;
}

/** The settings file: what was run (configuration, seeds, network, agents; never a key) and what version ran it. */
export function settingsJson(settings: unknown, app: AppInfo, configHash: string): string {
  return `${JSON.stringify({ format: 'spillover-run-settings', app, configHash, run: settings }, null, 2)}\n`;
}
