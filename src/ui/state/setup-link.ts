/**
 * "Copy link to this setup": a run's settings as one URL parameter (`?setup=`, base64url JSON) that fills the setup
 * form with the same agents, seeds, conditions and schedules, messages, feed, network choice and agents (endpoint and
 * models; never a key). An uploaded network cannot travel in a URL, so the link says to upload it again.
 */
import type { RunBundle } from '../../storage/bundle';

export const SETUP_PARAM = 'setup';

export interface SetupPayload {
  v: 1;
  preset: 'sociopol' | 'bond2012';
  agents: number;
  seeds: number[];
  conditions: Array<{ name: string; message: 'none' | 'info' | 'social'; schedule: number[] }>;
  arms?: { social: number; info: number; control: number };
  messages: { info: string; social: string };
  feedMode: 'described' | 'as-published';
  network: 'bundled' | 'generated';
  agentsKind: 'offline' | 'llm';
  llm?: { baseUrl: string; models: { full: string; mini: string; nano: string }; budgetUsd: number | null; concurrency: number };
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

/** The payload of a run's settings, and a note when part of the setup cannot travel in a link. */
export function payloadOf(run: RunBundle['run']): { payload: SetupPayload; note: string | null } {
  const c = run.config;
  const armed = c.conditions.find((x) => x.arms);
  const share = (n: string) => armed?.arms?.find((a) => a.name === n)?.share ?? 0;
  let note: string | null = null;
  let network: SetupPayload['network'] = run.network.kind === 'generated' ? 'generated' : 'bundled';
  if (run.network.kind === 'uploaded' || run.network.kind === 'imported') {
    note = `The network (${run.network.label}) is not in the link: upload it again after opening it.`;
    network = 'bundled';
  }
  const payload: SetupPayload = {
    v: 1,
    preset: armed ? 'bond2012' : 'sociopol',
    agents: c.agents,
    seeds: [...run.seeds],
    conditions: c.conditions.map((x) => ({ name: x.name, message: x.message as 'none' | 'info' | 'social', schedule: [...x.schedule] })),
    messages: { ...(c.params as { messages: { info: string; social: string } }).messages },
    feedMode: c.feed.mode,
    network,
    agentsKind: run.agentsKind === 'llm' ? 'llm' : 'offline',
  };
  if (armed) payload.arms = { social: share('social'), info: share('info'), control: share('control') };
  // Field by field: endpoint and models only, whatever else the settings object holds.
  if (run.llm && run.agentsKind === 'llm') {
    payload.llm = { baseUrl: run.llm.baseUrl, models: { full: run.llm.models.full, mini: run.llm.models.mini, nano: run.llm.models.nano }, budgetUsd: run.llm.budgetUsd, concurrency: run.llm.concurrency };
  }
  return { payload, note };
}

/** The app's URL (same page, same sub-path) with the setup parameter and nothing else. */
export function setupLink(run: RunBundle['run'], href: string): { url: string; note: string | null } {
  const { payload, note } = payloadOf(run);
  const url = new URL(href);
  url.search = '';
  url.hash = '';
  url.searchParams.set(SETUP_PARAM, toBase64Url(JSON.stringify(payload)));
  return { url: url.toString(), note };
}

/** The payload in a URL, or a message naming what is wrong with it. */
export function readSetupParam(params: URLSearchParams): SetupPayload | { error: string } | null {
  const raw = params.get(SETUP_PARAM);
  if (!raw) return null;
  let p: SetupPayload;
  try {
    p = JSON.parse(fromBase64Url(raw)) as SetupPayload;
  } catch {
    return { error: 'The setup link is damaged (it could not be decoded); copy it again from "Copy link to this setup".' };
  }
  const okNumbers = (xs: unknown) => Array.isArray(xs) && xs.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (
    !p || p.v !== 1 || (p.preset !== 'sociopol' && p.preset !== 'bond2012') || !Number.isInteger(p.agents) || !okNumbers(p.seeds) ||
    !Array.isArray(p.conditions) || !p.conditions.every((c) => typeof c.name === 'string' && okNumbers(c.schedule)) ||
    typeof p.messages?.info !== 'string' || typeof p.messages?.social !== 'string'
  ) {
    return { error: 'The setup link is from another version of the app or incomplete; the form keeps its defaults. Copy the link again.' };
  }
  return p;
}
