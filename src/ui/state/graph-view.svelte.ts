/**
 * The graph view's logic, kept out of the component (as bits-ui keeps logic in `.svelte.ts` classes): it loads a
 * stored run's network, personas and rounds, computes exposure (share of followed accounts treated), and fills
 * per-agent colour and size arrays from the one colour table (ui/graph-colors.ts). What it colours by is the protocol's
 * declared state column (the first carried one, e.g. SocioPol's last stated likelihood) with its declared levels; the
 * spillover colouring compares each untreated agent with the same agent in the condition the protocol's contrasts
 * compare the shown one with (conditions share their random numbers, so that difference is the message's doing), and
 * the view never shows a round past the last one stored.
 */
import Graph from 'graphology';
import type { RoundRow, RunRow } from '../../storage/db';
import { edgeArrays } from '../../engine/network';
import type { Persona } from '../../population/types';
import { pageStore } from './runs-store.svelte';
import { EXPOSURE_SCALE, EXPOSURE_SWATCHES, GRAPH_COLORS, levelSwatches, VALUE_SCALE, type GraphColorKey, type Swatch } from '../graph-colors';
import type { AnyProtocol, ColumnDecl } from '../../engine/protocol';
import { getProtocol, protocolIdOf } from '../../protocols/registry';

export type GraphMode = 'treatment' | 'vsControl' | 'change' | 'exposure' | 'value';

/**
 * The condition a condition is compared with, agent by agent: the baseline of the first contrast the protocol declares
 * for it between two whole conditions (e.g. SocioPol's control); null when it has none (a baseline itself, an arm design).
 */
export function baselineOf(protocol: Pick<AnyProtocol, 'contrasts'>, config: RunRow['config'], condition: string): string | null {
  const c = protocol.contrasts(config).find((x) => x.treatment.condition === condition && x.baseline.condition !== condition && x.baseline.arm === undefined && (x.baseline.who ?? 'all') === 'all');
  return c ? c.baseline.condition : null;
}

/** The column the graph colours by: the protocol's first carried (state) column, else its first. */
export function stateColumn(protocol: Pick<AnyProtocol, 'columns'>): ColumnDecl {
  return protocol.columns.find((c) => c.carried) ?? protocol.columns[0];
}

/** Above this many edges only a sample is added to the graph; above EDGES_SHOWN (or AGENTS_SHOWN) they start hidden. */
const EDGE_CAP = 100_000;
const EDGES_SHOWN = 30_000;
const AGENTS_SHOWN = 10_000;

export interface LegendEntry extends Swatch {
  /** How many agents have this colour at the shown round (absent for continuous scales). */
  count?: number;
  key: string;
}

export class GraphViewController {
  loading = $state('Loading the network…');
  failure = $state<string | null>(null);
  n = $state(0);
  m = $state(0);
  sampledEdges = $state(0);
  condition = $state('');
  round = $state(0);
  mode = $state<GraphMode>('treatment');
  highlightSpill = $state(true);
  showEdges = $state(false);
  playing = $state(false);
  selected = $state<number | null>(null);
  personas = $state.raw<Persona[]>([]);
  /** Agents per colour key at the shown round. */
  counts = $state<Partial<Record<GraphColorKey, number>>>({});
  /** The last round stored for the shown condition (and for control, which it is compared with). */
  through = $state(0);
  storedRows = $state(0);

  readonly run: RunRow;
  readonly seed: number;
  readonly firstRound: number;
  readonly lastRound: number;
  readonly protocol: AnyProtocol;
  /** The declared column the colours show. */
  readonly column: ColumnDecl;
  /** The condition the shown one is compared with, agent by agent (null: none). */
  baseline = $derived.by(() => baselineOf(this.protocol, this.run.config, this.condition));
  /** The colourings, named for this protocol's column and the baseline. */
  modes = $derived.by((): Record<GraphMode, string> => ({
    treatment: `Who got the message (and spillover vs ${this.baseline ?? 'a baseline'})`,
    vsControl: `Difference from the same agent in ${this.baseline ?? 'a baseline'}`,
    change: `Change in ${this.column.label} since round 0`,
    exposure: 'Share of followed accounts that got the message',
    value: this.column.levels ? `${this.column.label} (0–${this.column.levels.length - 1})` : this.column.label,
  }));
  /** Lowest and highest value at the shown round, for a column without declared levels. */
  range = $state<[number, number]>([0, 1]);

  /** Set by the view: repaint the nodes (reorder = the draw order may change), or the nodes/edges of some agents. */
  onRepaint: (reorder: boolean) => void = () => {};
  onRepaintAgents: (agents: number[]) => void = () => {};

  graph: Graph | null = null;
  // Per-agent display arrays, plain and non-reactive: the sigma reducers read them for every node on every refresh,
  // so they hold palette strings by reference and allocate nothing.
  nodeKeys: string[] = [];
  colors: string[] = [];
  sizes = new Float32Array(0);
  baseSize = new Float32Array(0);
  edgeSrc: Int32Array<ArrayBufferLike> = new Int32Array(0);
  edgeDst: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** The selected agent for the reducers (−1: none), mirrored from `selected` to keep rune reads out of them. */
  focus = -1;

  #adult = new Uint8Array(0);
  #outOff: Int32Array<ArrayBufferLike> = new Int32Array(0);
  #outTgt: Int32Array<ArrayBufferLike> = new Int32Array(0);
  #rows = new Map<number, RoundRow>();
  #control = new Map<number, RoundRow>();
  /** The baseline whose rows `#control` holds. */
  #controlOf: string | null = null;
  #warm = new Map<number, RoundRow>();
  /** Share of followed accounts treated (0–255) per stored round row: O(edges) once per row, then reused. */
  #exposure = new WeakMap<RoundRow, Uint8Array>();
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(run: RunRow, seedIndex = 0) {
    this.run = run;
    this.seed = run.seeds[seedIndex] ?? run.seeds[0];
    this.firstRound = run.config.firstRound;
    this.lastRound = run.config.lastRound;
    this.protocol = getProtocol(protocolIdOf(run.config));
    this.column = stateColumn(this.protocol);
  }

  /** A colour-table label with the column and the baseline filled in. */
  #label(label: string): string {
    return label.replace('{value}', this.column.label).replace('{baseline}', this.baseline ?? 'the baseline');
  }

  /** The colours the current mode can show, with their counts, in legend order. */
  legend = $derived.by((): LegendEntry[] => {
    const c = this.counts;
    const keyed = (keys: GraphColorKey[]) => keys.map((k) => ({ key: k, color: GRAPH_COLORS[k].color, label: this.#label(GRAPH_COLORS[k].label), count: c[k] ?? 0 }));
    const vs = this.baseline !== null;
    if (this.mode === 'treatment') {
      if (!this.highlightSpill) return keyed(['treated', 'neither']);
      return vs ? keyed(['treated', 'spillHigher', 'spillSame', 'spillLower', 'neither']) : keyed(['treated', 'exposed', 'neither']);
    }
    if (this.mode === 'vsControl') return vs ? keyed(['vsHigher2', 'vsHigher', 'vsSame', 'vsLower', 'unknown']) : [];
    if (this.mode === 'change') return keyed(['up2', 'up1', 'flat', 'down', 'unknown']);
    if (this.mode === 'exposure') return EXPOSURE_SWATCHES.map((s, i) => ({ ...s, key: `exposure${i}` }));
    const levels = this.column.levels;
    if (levels) return levelSwatches(levels).map((s, i) => ({ ...s, key: `value${i}` }));
    const [lo, hi] = this.range;
    return [{ key: 'value0', color: VALUE_SCALE[0], label: String(lo) }, { key: 'value1', color: VALUE_SCALE[255], label: String(hi) }];
  });

  /** Why the chosen colouring cannot be drawn for this condition, or null. */
  get modeProblem(): string | null {
    if (this.mode !== 'vsControl' || this.baseline !== null) return null;
    const others = this.run.config.conditions.map((c) => c.name).filter((c) => c !== this.condition && baselineOf(this.protocol, this.run.config, c) !== null);
    return others.length
      ? `${this.condition} is not compared with another condition: pick one of ${others.join(', ')} to compare its agents with themselves there.`
      : 'This run has no condition its agents can be compared with (no contrast between two whole conditions).';
  }

  /** The latest stored row at or before round r (agents keep their state between rounds). */
  #stateAt(r: number, main: Map<number, RoundRow>): RoundRow | undefined {
    for (let k = r; k >= this.firstRound; k--) {
      const row = k <= 0 ? this.#warm.get(k) : main.get(k);
      if (row) return row;
    }
    return undefined;
  }

  #exposureOf(row: RoundRow): Uint8Array {
    let out = this.#exposure.get(row);
    if (out) return out;
    const n = this.n;
    out = new Uint8Array(n);
    for (let a = 0; a < n; a++) {
      const lo = this.#outOff[a];
      const hi = this.#outOff[a + 1];
      if (hi === lo) continue;
      let treated = 0;
      for (let k = lo; k < hi; k++) treated += row.treated[this.#outTgt[k]];
      // Any treated followed account counts as exposed, however small the share.
      if (treated) out[a] = Math.max(1, Math.round((255 * treated) / (hi - lo)));
    }
    this.#exposure.set(row, out);
    return out;
  }

  /** The last round stored for the shown condition, and for its baseline when the colouring compares with it. */
  #computeThrough(): number {
    const last = (m: Map<number, RoundRow>) => (m.size ? Math.max(...m.keys()) : 0);
    let t = last(this.#rows);
    if (this.baseline !== null) t = Math.min(t, last(this.#control));
    return Math.max(this.#warm.size ? this.firstRound : 0, t);
  }

  /**
   * Fills the per-agent colours and sizes for the current round and mode, then asks the view to repaint. `reorder`
   * re-sorts the draw order (mode changes); scrubbing skips it.
   */
  recompute(reorder = false): void {
    const n = this.n;
    if (!n) return;
    if (this.round > this.through) this.round = this.through;
    const row = this.#stateAt(this.round, this.#rows);
    const ctl = this.baseline !== null ? this.#stateAt(this.round, this.#control) : undefined;
    const base = this.#stateAt(0, this.#rows);
    const exp = row ? this.#exposureOf(row) : null;
    const counts: Partial<Record<GraphColorKey, number>> = {};
    const mode = this.mode;
    const spill = this.highlightSpill;
    const col = this.column.name;
    const missing = this.column.missing;
    const none = (v: number) => v === missing || Number.isNaN(v);
    const values = row?.columns[col];
    const levels = this.column.levels ? levelSwatches(this.column.levels) : null;
    let lo = Infinity;
    let hi = -Infinity;
    if (values && !levels) for (let a = 0; a < n; a++) if (!none(values[a])) (lo = Math.min(lo, values[a])), (hi = Math.max(hi, values[a]));
    if (!levels) this.range = lo <= hi ? [lo, hi] : [0, 1];
    for (let a = 0; a < n; a++) {
      let key: GraphColorKey | null = null;
      let color: string;
      let large = false;
      const cur = values ? values[a] : missing;
      if (this.#adult[a] !== 1) color = GRAPH_COLORS.minor.color;
      else if (mode === 'treatment') {
        const treated = row ? row.treated[a] === 1 : false;
        const exposed = !treated && !!exp && exp[a] > 0;
        if (treated) key = 'treated';
        else if (exposed && spill && ctl) {
          const c = ctl.columns[col][a];
          key = !none(cur) && !none(c) && cur > c ? 'spillHigher' : !none(cur) && !none(c) && cur < c ? 'spillLower' : 'spillSame';
          large = key === 'spillHigher';
        } else if (exposed && spill) key = 'exposed';
        else key = 'neither';
        color = GRAPH_COLORS[key].color;
      } else if (mode === 'vsControl') {
        const c = ctl ? ctl.columns[col][a] : missing;
        key = none(cur) || none(c) ? 'unknown' : cur - c >= 2 ? 'vsHigher2' : cur > c ? 'vsHigher' : cur < c ? 'vsLower' : 'vsSame';
        color = GRAPH_COLORS[key].color;
      } else if (mode === 'change') {
        const before = base ? base.columns[col][a] : missing;
        key = none(cur) || none(before) ? 'unknown' : cur - before >= 2 ? 'up2' : cur > before ? 'up1' : cur < before ? 'down' : 'flat';
        color = GRAPH_COLORS[key].color;
      } else if (mode === 'exposure') color = EXPOSURE_SCALE[exp ? exp[a] : 0];
      else if (none(cur)) color = GRAPH_COLORS.unknown.color;
      else color = levels ? (levels[cur] ?? levels[levels.length - 1]).color : VALUE_SCALE[hi > lo ? Math.round((255 * (cur - lo)) / (hi - lo)) : 255];
      if (key) counts[key] = (counts[key] ?? 0) + 1;
      this.colors[a] = color;
      this.sizes[a] = this.baseSize[a] * (large ? 1.9 : 1);
    }
    this.counts = counts;
    this.onRepaint(reorder);
  }

  /** Selects an agent (its card opens and its follow links show), or none. */
  select(a: number | null): void {
    const changed = [this.focus, a ?? -1].filter((x) => x >= 0 && x < this.n);
    this.selected = a;
    this.focus = a ?? -1;
    if (changed.length) this.onRepaintAgents(changed);
  }

  /** Opens an agent's card by id (keyboard users, large graphs); ids outside the run are ignored. */
  openAgent(a: number | null): void {
    if (a === null || !Number.isInteger(a) || a < 0 || a >= this.n) return;
    this.select(a);
  }

  async setCondition(name: string): Promise<void> {
    this.condition = name;
    this.#rows = new Map((await pageStore().loadConditionRows(this.run.id!, this.seed, name)).map((r) => [r.round, r]));
    await this.#loadBaseline(false);
    this.#afterLoad();
  }

  /** Re-reads the stored rounds (the run went on or finished while the graph was shown); the graph itself stays. */
  async reloadRounds(): Promise<void> {
    const db = pageStore();
    const id = this.run.id!;
    this.#warm = new Map((await db.loadConditionRows(id, this.seed, 'warmup')).map((r) => [r.round, r]));
    this.#rows = new Map((await db.loadConditionRows(id, this.seed, this.condition)).map((r) => [r.round, r]));
    await this.#loadBaseline(true);
    this.#afterLoad();
  }

  /** The baseline's rows, read when the baseline changes (or always, when the run went on). */
  async #loadBaseline(always: boolean): Promise<void> {
    const b = this.baseline;
    if (!always && b === this.#controlOf) return;
    this.#controlOf = b;
    this.#control = b === null ? new Map() : new Map((await pageStore().loadConditionRows(this.run.id!, this.seed, b)).map((r) => [r.round, r]));
  }

  #afterLoad(): void {
    this.through = this.#computeThrough();
    this.storedRows = this.#rows.size + this.#warm.size;
    this.recompute(true);
  }

  /** Loads the network, personas and rounds, and builds the graph (positions only: colours live in the arrays). */
  async load(): Promise<Graph> {
    const db = pageStore();
    const id = this.run.id!;
    const stored = await db.loadFollowNetwork(id);
    if (!stored) throw new Error('this run has no stored network');
    const { network: follow, layout } = stored;
    const personas = ((await db.loadPersonas(id, this.seed)) as Persona[] | undefined) ?? [];
    const n = follow.n;
    // The edges for sigma, in the network's row order (edge key = index).
    const net = edgeArrays(follow);
    const m = net.src.length;
    this.#adult = Uint8Array.from({ length: n }, (_, a) => (personas[a]?.adult ?? true ? 1 : 0));
    // The engine's rows of "follows" for the exposure computation.
    this.#outOff = follow.outOffsets;
    this.#outTgt = follow.outTargets;
    const inDeg = Int32Array.from({ length: n }, (_, a) => follow.inOffsets[a + 1] - follow.inOffsets[a]);
    let maxIn = 1;
    for (let a = 0; a < n; a++) maxIn = Math.max(maxIn, inDeg[a]);
    const small = n <= 3000;
    this.baseSize = Float32Array.from(inDeg, (d) => (small ? 2.2 : 1.2) + (small ? 7 : 5) * Math.sqrt(d / maxIn));
    this.sizes = this.baseSize.slice();
    this.colors = new Array(n).fill(GRAPH_COLORS.neither.color);
    this.nodeKeys = Array.from({ length: n }, (_, a) => String(a));

    const g = new Graph({ type: 'directed', multi: false, allowSelfLoops: false });
    for (let a = 0; a < n; a++) g.addNode(this.nodeKeys[a], { x: layout ? layout[2 * a] : Math.cos(a), y: layout ? layout[2 * a + 1] : Math.sin(a) });
    // Edge keys are indices into the network's arrays, so the edge reducer finds both ends without allocating.
    this.edgeSrc = net.src;
    this.edgeDst = net.dst;
    const step = m > EDGE_CAP ? Math.ceil(m / EDGE_CAP) : 1;
    for (let i = 0; i < m; i += step) {
      const s = this.nodeKeys[net.src[i]];
      const t = this.nodeKeys[net.dst[i]];
      if (!g.hasEdge(s, t)) g.addDirectedEdgeWithKey(String(i), s, t);
    }
    this.graph = g;
    this.personas = personas;
    this.n = n;
    this.m = m;
    this.sampledEdges = g.size;
    this.showEdges = m <= EDGES_SHOWN && n <= AGENTS_SHOWN;

    // Start where spillover is visible: a staggered roll-out (some agents treated, some not) at the end of its first
    // period, else any social condition.
    const conds = this.run.config.conditions;
    const staggered = conds.filter((c) => c.schedule.some((p) => p > 0 && p < 1));
    this.condition = (staggered.find((c) => c.message === 'social') ?? staggered[0] ?? conds.find((c) => c.message === 'social') ?? conds[0])?.name ?? '';
    await this.reloadRounds();
    this.round = Math.min(this.through, this.run.config.periodEnds[0] ?? this.through);
    this.recompute();
    this.loading = '';
    return g;
  }

  setRound(r: number): void {
    this.round = Math.max(this.firstRound, Math.min(this.through, r));
    this.recompute();
  }

  togglePlay(): void {
    if (this.playing) {
      this.playing = false;
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = null;
      return;
    }
    this.playing = true;
    if (this.round >= this.through) this.round = this.firstRound;
    this.#timer = setInterval(() => {
      if (this.round >= this.through) {
        this.togglePlay();
        return;
      }
      this.setRound(this.round + 1);
    }, 350);
  }

  destroy(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.graph = null;
  }

  /** "Round 12", with (warm-up), (election) or (stored up to here) as it applies. */
  get roundLabel(): string {
    const r = this.round;
    const note = r <= 0 ? ' (warm-up)' : r === this.lastRound ? ' (election)' : r === this.through && this.through < this.lastRound ? ` (last stored of ${this.lastRound})` : '';
    return `Round ${r}${note}`;
  }
}
