/**
 * The setup form as one state class: every field has a default, so a single click on Run starts the bundled
 * LLM-SocioPol preset with offline agents at 2,000 agents. `spec()` snapshots the runes into the plain RunSpec the
 * worker takes. The API key stays in memory unless the user ticks "remember on this device", and then it goes to
 * localStorage on this page only, never into a run.
 */
import { withOverrides, type ConditionSpec, type FeedMode } from '../../engine/config';
import type { Tier } from '../../engine/types';
import { MAX_SEEDS, validateSeeds } from '../../engine/seeds';
import { DEFAULT_MODELS } from '../../agents/llm/models';
import { BOND_2012_CONFIG, BOND_2012_PARAMS } from '../../protocols/bond2012/protocol';
import { checkConfig } from '../../protocols/registry';
import { DEFAULT_CONFIG, makeConfig, SOCIOPOL_PARAMS } from '../../protocols/sociopol/defaults';
import { DEFAULT_PRICES, unpricedModels, userPrices } from '../../agents/llm/cost';
import type { NetworkChoice, RunSpec } from '../../workers/protocol';
import type { OfflineAgentsChoice } from '../../storage/db';
import { FITTED_PUBLISHED_LABEL, type FittedAgents } from '../../protocols/sociopol/fitted/model';
import { dataFolderUrl } from './run-controller.svelte';
import { payloadOf, readSetupParam, type SetupPayload } from './setup-link';
import type { RunBundle } from '../../storage/bundle';

const KEY_STORAGE = 'spillover.apiKey';

export interface ConditionRow extends ConditionSpec {
  enabled: boolean;
}

export const PRESETS = {
  sociopol: 'LLM-SocioPol (5 conditions, 30 rounds, election in round 30)',
  bond2012: 'Bond et al. 2012 (one election-day message; arms 98/1/1 in one population)',
} as const;
export type PresetId = keyof typeof PRESETS;

/** A distinct default name: preset, agents, agent kind, network upload, seeds and the date and time it started. */
export function defaultRunName(
  p: { preset: PresetId; agents: number; agentsKind: 'offline' | 'llm'; conditions: number; seeds: number[]; network: string | null },
  at: Date,
): string {
  const preset = p.preset === 'bond2012' ? 'Bond 2012' : 'SocioPol';
  const who = p.agentsKind === 'llm' ? 'LLM' : 'offline';
  const on = p.network ? ` on ${p.network}` : '';
  const seeds = `seed${p.seeds.length === 1 ? '' : 's'} ${p.seeds.join(', ')}`;
  const when = at.toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const conds = p.preset === 'bond2012' ? '' : ` · ${p.conditions} condition${p.conditions === 1 ? '' : 's'}`;
  return `${preset} · ${p.agents.toLocaleString('en-US')} ${who} agents${on}${conds} · ${seeds} · ${when}`;
}

export function conditionLabel(name: string): string {
  const labels: Record<string, string> = {
    control: 'Control (no message)',
    treatment_info_message: 'Info message, everyone',
    treatment_soc_message: 'Social message, everyone',
    experiment_info_message: 'Info message, staggered roll-out',
    experiment_soc_message: 'Social message, staggered roll-out',
    warmup: 'Warm-up',
    bond2012: 'Bond 2012 arms',
    'bond2012:social': 'Social message (arm)',
    'bond2012:info': 'Info message (arm)',
    'bond2012:control': 'No message (arm)',
  };
  return labels[name] ?? name.replace(/_/g, ' ');
}

function readStoredKey(): string {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export class SetupState {
  preset = $state<PresetId>('sociopol');
  name = $state('');
  agents = $state(DEFAULT_CONFIG.agents);
  seedsText = $state('1');
  /** Web Workers for an offline run's conditions, from `?workers=N`; null: the browser's cores. */
  workers: number | null = null;
  conditions = $state<ConditionRow[]>(DEFAULT_CONFIG.conditions.map((c) => ({ ...structuredClone(c), enabled: true })));
  infoMessage = $state(SOCIOPOL_PARAMS.messages.info);
  socialMessage = $state(SOCIOPOL_PARAMS.messages.social);
  feedMode = $state<FeedMode>(DEFAULT_CONFIG.feed.mode);
  networkKind = $state<'bundled' | 'uploaded' | 'generated'>('bundled');
  upload = $state<{ name: string; text: string; nodes: number; edges: number; note: string } | null>(null);
  uploadError = $state<string | null>(null);
  /** 'offline': fitted to the published runs (default); 'rules': the hand-set rules; 'custom': `customFit`. */
  agentsKind = $state<'offline' | 'rules' | 'custom' | 'llm'>('offline');
  /** Agents fitted in "Fit agents from this run", with the run they came from. */
  customFit = $state.raw<{ label: string; agents: FittedAgents } | null>(null);
  apiKey = $state(readStoredKey());
  rememberKey = $state(readStoredKey() !== '');
  baseUrl = $state('https://api.openai.com/v1');
  models = $state<Record<Tier, string>>({ ...DEFAULT_MODELS });
  /** Empty (null or undefined from the number input) means no cap; 0 spends nothing. */
  budgetUsd = $state<number | null | undefined>(5);
  /** $/1M tokens the user entered for models the built-in table does not price. */
  prices = $state<Record<string, { input: number | null; output: number | null }>>({});
  concurrency = $state(8);
  /** Bond 2012 preset: shares of adults per arm (Bond: 98 / 1 / 1; equal thirds give a small run power). */
  armShares = $state({ social: 0.98, info: 0.01, control: 0.01 });

  seeds = $derived(
    this.seedsText
      .split(/[\s,;]+/)
      .filter((s) => s !== '')
      .map(Number),
  );

  /** The budget as the run takes it: a number ≥ 0, or null for no cap. */
  budget = $derived(typeof this.budgetUsd === 'number' && Number.isFinite(this.budgetUsd) ? this.budgetUsd : null);

  /** Prices entered for unpriced models, as the run takes them (incomplete entries left out). */
  enteredPrices = $derived.by(() => {
    const out: Record<string, { input: number; output: number }> = {};
    for (const [model, p] of Object.entries(this.prices)) {
      if (typeof p.input === 'number' && typeof p.output === 'number') out[model] = { input: p.input, output: p.output };
    }
    return userPrices(out);
  });

  /** Models of the run the built-in price table does not know (OpenRouter names, newer models, local ones). */
  unknownPrices = $derived(this.agentsKind === 'llm' ? unpricedModels(this.models, DEFAULT_PRICES) : []);
  /** …and of those, the ones still without an entered price. */
  unpriced = $derived(this.agentsKind === 'llm' ? unpricedModels(this.models, { ...DEFAULT_PRICES, ...this.enteredPrices }) : []);

  /** The first problem with the form in plain words, or null when Run can start. */
  problem = $derived.by((): string | null => {
    if (this.seeds.length === 0 || this.seeds.some((s) => !Number.isInteger(s) || s < 0)) return 'Seeds: write whole numbers separated by commas, e.g. 1, 2, 3.';
    const repeated = this.seeds.find((s, i) => this.seeds.indexOf(s) !== i);
    if (repeated !== undefined) return `Seeds: ${repeated} appears twice; each seed is one independent run, so use distinct seeds (e.g. 1, 2, 3).`;
    if (this.seeds.length > MAX_SEEDS) return `Seeds: ${this.seeds.length} seeds; use at most ${MAX_SEEDS} per run.`;
    if (this.networkKind === 'uploaded' && !this.upload) return 'Network: choose an edge-list file, or pick the bundled network.';
    if (this.agentsKind === 'llm' && this.apiKey.trim() === '') return 'LLM agents: enter an API key (or use offline agents).';
    if (this.agentsKind === 'llm' && this.budgetUsd !== null && this.budgetUsd !== undefined && this.budget === null) {
      return 'Budget: write a number of US dollars ≥ 0 (0 spends nothing), or leave it empty for no cap.';
    }
    if (this.agentsKind === 'llm' && this.budget !== null && this.unpriced.length) {
      return `Budget: the price of ${this.unpriced.join(', ')} is unknown, so the budget could not be enforced — enter its $/1M tokens under the models, or clear the budget (no cap).`;
    }
    try {
      checkConfig(this.config());
    } catch (err) {
      return (err as Error).message;
    }
    return null;
  });

  /** Agents in the run: an uploaded network brings its own count (one agent per account). */
  agentCount = $derived(this.networkKind === 'uploaded' && this.upload ? this.upload.nodes : Number(this.agents));

  /** The bundled file has 2,000 accounts: other sizes are generated. */
  effectiveNetwork = $derived(this.networkKind === 'bundled' && this.agents !== 2000 ? 'generated' : this.networkKind);

  /** Switch the preset: its own messages and design; the agents, seeds, network and agent choices stay. */
  applyPreset(): void {
    const messages = this.preset === 'bond2012' ? BOND_2012_PARAMS.messages : SOCIOPOL_PARAMS.messages;
    this.infoMessage = messages.info;
    this.socialMessage = messages.social;
  }

  config() {
    if (this.preset === 'bond2012') {
      const bond = structuredClone(BOND_2012_CONFIG);
      const spec = bond.conditions[0];
      spec.arms = [
        { name: 'social', message: 'social', share: Number(this.armShares.social) },
        { name: 'info', message: 'info', share: Number(this.armShares.info) },
        { name: 'control', message: 'none', share: Number(this.armShares.control) },
      ];
      return withOverrides(bond, {
        agents: this.agentCount,
        params: { messages: { info: this.infoMessage, social: this.socialMessage } },
        feed: { ...bond.feed, mode: this.feedMode },
      });
    }
    return makeConfig({
      agents: this.agentCount,
      conditions: this.conditions.filter((c) => c.enabled).map(({ enabled: _e, ...c }) => ({ ...c, schedule: c.schedule.map(Number) })),
      params: { messages: { info: this.infoMessage, social: this.socialMessage } },
      feed: { ...DEFAULT_CONFIG.feed, mode: this.feedMode },
    });
  }

  /** Enter one side of an unpriced model's price ($/1M tokens); an emptied field clears it. */
  setPrice(model: string, side: 'input' | 'output', value: number | null | undefined): void {
    const entry = this.prices[model] ?? { input: null, output: null };
    this.prices[model] = { ...entry, [side]: typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null };
  }

  /** Keep or forget the key on this device, as the user chose. */
  persistKey(): void {
    try {
      if (this.rememberKey && this.apiKey) localStorage.setItem(KEY_STORAGE, this.apiKey);
      else localStorage.removeItem(KEY_STORAGE);
    } catch {
      // Storage can be disabled (private mode); the key then simply stays in memory.
    }
  }

  /** A plain RunSpec (no runes, no proxies) for the worker. */
  spec(): RunSpec {
    // Snapshot field by field: a class instance is not cloned by $state.snapshot, its rune fields are.
    const upload = $state.snapshot(this.upload);
    const models = $state.snapshot(this.models);
    const network: NetworkChoice =
      this.effectiveNetwork === 'uploaded' && upload
        ? { kind: 'uploaded', name: upload.name, text: upload.text }
        : this.effectiveNetwork === 'generated'
          ? { kind: 'generated' }
          : { kind: 'bundled' };
    const config = $state.snapshot(this.config());
    const k = config.conditions.length;
    const seeds = [...this.seeds];
    return {
      name: this.name.trim() || defaultRunName({ preset: this.preset, agents: config.agents, agentsKind: this.agentsKind === 'llm' ? 'llm' : 'offline', conditions: k, seeds, network: upload && network.kind === 'uploaded' ? upload.name : null }, new Date()),
      config,
      seeds,
      network,
      agents:
        this.agentsKind === 'llm'
          ? {
              kind: 'llm',
              apiKey: this.apiKey.trim(),
              settings: {
                baseUrl: this.baseUrl.trim(),
                models: { ...models },
                budgetUsd: this.budget,
                concurrency: Number(this.concurrency),
                ...(Object.keys(this.enteredPrices).length ? { prices: Object.fromEntries(Object.entries(this.enteredPrices).map(([m, p]) => [m, { input: p.input, output: p.output }])) } : {}),
              },
            }
          : { kind: 'offline', agents: this.offlineAgents() },
      dataUrl: dataFolderUrl(),
      ...(this.workers !== null ? { workers: this.workers } : {}),
    };
  }

  /** The offline agents a run will use, labelled with their source. */
  offlineAgents(): OfflineAgentsChoice {
    if (this.agentsKind === 'rules') return { kind: 'rules', label: 'hand-set rules' };
    if (this.agentsKind === 'custom' && this.customFit) return { kind: 'fitted', label: `fitted to ${this.customFit.label}`, fitted: this.customFit.agents };
    return { kind: 'fitted', label: FITTED_PUBLISHED_LABEL };
  }

  /** Offer agents fitted from a stored run in the form, and select them. */
  useFit(label: string, agents: FittedAgents): void {
    this.customFit = { label, agents };
    this.agentsKind = 'custom';
  }

  /** What a `?setup=` link did to the form (applied, or why not), shown above the form. */
  linkNote = $state<string | null>(null);

  /** The run whose settings the form shows (started from it, or resumed): edits to its budget apply on its resume. */
  shownRunId = $state<number | null>(null);

  /** Show a stored run's own settings (endpoint, models, agents, conditions) when it is resumed; never a key. */
  showRun(run: RunBundle['run']): void {
    this.applySetup(payloadOf(run).payload);
    this.linkNote = `Showing the settings of “${run.name}”${run.agentsKind === 'llm' && run.llm ? ` (endpoint ${run.llm.baseUrl})` : ''}, which is being resumed.`;
  }

  /** Fill the form from a setup link (never a key: an LLM setup still asks for one). */
  applySetup(p: SetupPayload): void {
    this.preset = p.preset;
    this.agents = p.agents;
    this.seedsText = p.seeds.join(', ');
    if (p.preset === 'sociopol') {
      this.conditions = DEFAULT_CONFIG.conditions.map((d) => {
        const linked = p.conditions.find((c) => c.name === d.name);
        return { ...structuredClone(d), ...(linked ? { message: linked.message, schedule: [...linked.schedule] } : {}), enabled: !!linked };
      });
    }
    if (p.arms) this.armShares = { ...p.arms };
    this.infoMessage = p.messages.info;
    this.socialMessage = p.messages.social;
    this.feedMode = p.feedMode === 'as-published' ? 'as-published' : 'described';
    this.networkKind = p.network === 'generated' ? 'generated' : 'bundled';
    this.agentsKind = p.agentsKind === 'llm' ? 'llm' : 'offline';
    if (p.llm) {
      this.baseUrl = p.llm.baseUrl;
      this.models = { ...p.llm.models };
      this.budgetUsd = p.llm.budgetUsd;
      this.concurrency = p.llm.concurrency;
    }
    this.linkNote = `Setup filled in from a link${p.agentsKind === 'llm' ? '; enter your API key to run it (keys never travel in links)' : ''}.`;
  }

  /**
   * Apply URL parameters (?preset=sociopol&agents=500&seeds=1,2&network=generated&workers=1, or ?setup=… from a copied link). A value out of range is not used,
   * and said: the returned notes name each ignored parameter, what it was and what was used instead.
   */
  applyParams(params: URLSearchParams): string[] {
    const notes: string[] = [];
    // A copied setup link (?setup=…) fills the whole form; other parameters are then not read.
    const linked = readSetupParam(params);
    if (linked && 'error' in linked) this.linkNote = linked.error;
    else if (linked) {
      this.applySetup(linked);
      return notes;
    }
    const raw = params.get('agents');
    if (raw !== null) {
      const agents = Number(raw);
      if (Number.isInteger(agents) && agents >= 10 && agents <= 200_000) this.agents = agents;
      else notes.push(`agents=${raw} is not a whole number between 10 and 200,000; using ${this.agents.toLocaleString('en-US')}`);
    }
    const seeds = params.get('seeds');
    if (seeds !== null) {
      const list = seeds.split(/[\s,;]+/).filter((s) => s !== '').map(Number);
      try {
        validateSeeds(list);
        this.seedsText = list.join(', ');
      } catch (err) {
        notes.push(`seeds=${seeds.length > 40 ? `${seeds.slice(0, 40)}…` : seeds} was not used (${(err as Error).message.replace(/^config: /, '')}); using ${this.seedsText}`);
      }
    }
    const workers = params.get('workers');
    if (workers !== null) {
      const w = Number(workers);
      if (Number.isInteger(w) && w >= 1 && w <= 64) this.workers = w;
      else notes.push(`workers=${workers} is not a whole number between 1 and 64; using the browser's cores`);
    }
    const net = params.get('network');
    if (net === 'generated' || net === 'bundled') this.networkKind = net;
    else if (net !== null) notes.push(`network=${net} is not 'generated' or 'bundled'; using the ${this.networkKind} network`);
    const preset = params.get('preset');
    if (preset && preset in PRESETS) {
      this.preset = preset as PresetId;
      this.applyPreset();
    } else if (preset !== null) notes.push(`preset=${preset} is not one of ${Object.keys(PRESETS).join(', ')}; using ${this.preset}`);
    return notes;
  }
}
