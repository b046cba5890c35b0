/**
 * Reading and writing follower graphs as SNAP-style edge lists ("a b" = a follows b), so a run can use a real
 * Twitter graph instead of a generated one. The parser is incremental (chunks may split lines anywhere) so the
 * browser can stream a 30 MB upload, and it counts what it drops (self-loops, duplicate edges) instead of hiding it.
 */
import { dataError } from './errors';
import { buildNetwork, edgeCount, type FollowNetwork } from './network';

/** The most accounts an imported graph may have: the most agents a run can have (validateConfig). */
export const MAX_IMPORT_NODES = 200_000;

export interface EdgeListStats {
  /** Lines read, including comments and blank lines (a last line without a newline counts). */
  lines: number;
  /** Comment lines (first non-blank character `#` or `%`). */
  comments: number;
  /** Directed edges kept: distinct, no self-loops. */
  edges: number;
  /** Lines "a a", dropped. */
  selfLoops: number;
  /** Repeated "a b" lines beyond the first, dropped. */
  duplicates: number;
  /** Distinct labels seen (including labels that occur only in self-loops). */
  nodes: number;
}

export interface EdgeListResult {
  network: FollowNetwork;
  stats: EdgeListStats;
}

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const VT = 11;
const FF = 12;
const HASH = 35;
const PERCENT = 37;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === VT || c === FF;
}

/** A non-negative integer written without sign, leading zeros or exponent, small enough to be exact. */
function isCanonicalInteger(label: string): boolean {
  const len = label.length;
  if (len === 0 || len > 15) return false;
  if (len > 1 && label.charCodeAt(0) === 48) return false;
  for (let i = 0; i < len; i++) {
    const c = label.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Incremental edge-list parser. Fields are separated by runs of spaces or tabs (so an empty field cannot occur);
 * `#` and `%` start comment lines; blank lines and CRLF endings are accepted. Any other line must have exactly two
 * fields, or `push`/`finish` throw a DataError naming the source and the line.
 *
 * Node ids: labels are kept as strings and numbered in **sorted label order** — numerically when every label is a
 * non-negative integer, else by UTF-16 code units — so the result does not depend on line order, and a file whose
 * labels are exactly 0…n−1 keeps its ids (then `labels` is omitted from the network, as for a generated graph).
 */
export class EdgeListParser {
  private readonly labelIds = new Map<string, number>();
  /** Labels that are canonical integers, keyed by value: no substring is made for them (most SNAP lines). */
  private readonly numericIds = new Map<number, number>();
  private readonly labelList: string[] = [];
  private src = new Int32Array(1 << 16);
  private dst = new Int32Array(1 << 16);
  private m = 0;
  private carry = '';
  private lineNo = 0;
  private commentLines = 0;
  private selfLoopLines = 0;
  private finished = false;

  /**
   * `source` names the file or upload in error messages, e.g. "my.edges"; parsing stops with a DataError as soon as
   * more than `maxNodes` distinct accounts appear (a run cannot use them, and holding them exhausts memory).
   */
  constructor(
    readonly source: string,
    private readonly maxNodes = MAX_IMPORT_NODES,
  ) {}

  /** Feed the next piece of text; it may end in the middle of a line or of a CRLF pair. */
  push(chunk: string): void {
    if (this.finished) throw new Error(`network import (${this.source}): push() after finish(); create a new EdgeListParser`);
    const lastLf = chunk.lastIndexOf('\n');
    if (lastLf < 0) {
      this.carry += chunk;
      return;
    }
    const text = this.carry.length > 0 ? this.carry + chunk.slice(0, lastLf + 1) : chunk.slice(0, lastLf + 1);
    this.carry = chunk.slice(lastLf + 1);
    this.parseLines(text, text.length);
  }

  /** Parse any trailing line and build the network. The parser cannot be used afterwards. */
  finish(): EdgeListResult {
    if (this.finished) throw new Error(`network import (${this.source}): finish() called twice; create a new EdgeListParser`);
    if (this.carry.length > 0) {
      const text = this.carry + '\n';
      this.carry = '';
      this.parseLines(text, text.length);
    }
    this.finished = true;
    const m = this.m;
    if (m === 0) {
      throw dataError(`network import (${this.source})`, `line ${this.lineNo}`, 'reached the end without any edge',
        "expected lines 'follower followee' (a follows b), one edge per line");
    }
    const n = this.labelList.length;
    const { order, identity } = this.sortedOrder();
    // rank[firstSeenId] = final id.
    const rank = new Int32Array(n);
    for (let i = 0; i < n; i++) rank[order[i]] = i;
    const src = this.src.subarray(0, m);
    const dst = this.dst.subarray(0, m);
    for (let k = 0; k < m; k++) {
      src[k] = rank[src[k]];
      dst[k] = rank[dst[k]];
    }
    let labels: string[] | undefined;
    if (!identity) {
      labels = new Array<string>(n);
      for (let i = 0; i < n; i++) labels[i] = this.labelList[order[i]];
    }
    const network = buildNetwork(n, src, dst, labels);
    const edges = edgeCount(network);
    // Self-loop lines were never stored, so every stored pair beyond the kept edges is a repeat.
    const stats: EdgeListStats = {
      lines: this.lineNo,
      comments: this.commentLines,
      edges,
      selfLoops: this.selfLoopLines,
      duplicates: m - edges,
      nodes: n,
    };
    return { network, stats };
  }

  private sortedOrder(): { order: Int32Array; identity: boolean } {
    const list = this.labelList;
    const n = list.length;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let numeric = true;
    for (let i = 0; i < n && numeric; i++) numeric = isCanonicalInteger(list[i]);
    if (numeric) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = Number(list[i]);
      order.sort((a, b) => values[a] - values[b]);
      let identity = true;
      for (let i = 0; i < n && identity; i++) identity = values[order[i]] === i;
      return { order, identity };
    }
    order.sort((a, b) => (list[a] < list[b] ? -1 : list[a] > list[b] ? 1 : 0));
    return { order, identity: false };
  }

  private idOf(label: string): number {
    let id = this.labelIds.get(label);
    if (id === undefined) {
      id = this.newId(label);
      this.labelIds.set(label, id);
    }
    return id;
  }

  /** Number a new account, stopping at once when the file has more accounts than a run can use. */
  private newId(label: string): number {
    if (this.labelList.length >= this.maxNodes) {
      throw dataError(`network import (${this.source})`, `line ${this.lineNo}`, `brings the number of accounts past ${this.maxNodes.toLocaleString('en-US')}, the most a run can have`,
        'use a sample of the graph with fewer accounts (e.g. one ego network), or generate a network of the size you need');
    }
    this.labelList.push(label);
    return this.labelList.length - 1;
  }

  private addEdge(a: number, b: number): void {
    if (this.m === this.src.length) {
      const grown = this.src.length * 2;
      const s = new Int32Array(grown);
      s.set(this.src);
      this.src = s;
      const d = new Int32Array(grown);
      d.set(this.dst);
      this.dst = d;
    }
    this.src[this.m] = a;
    this.dst[this.m] = b;
    this.m++;
  }

  private refuse(fields: number): never {
    const what = fields === 1 ? 'has 1 field' : `has ${fields} fields`;
    throw dataError(`network import (${this.source})`, `line ${this.lineNo}`, what,
      "expected 'follower followee' (two labels separated by spaces or a tab); mark comment lines with # or %");
  }

  /** Parse complete lines in text[0, end); text ends with '\n'. */
  private parseLines(text: string, end: number): void {
    let i = 0;
    while (i < end) {
      this.lineNo++;
      // Skip leading blanks.
      let c = text.charCodeAt(i);
      while (isBlank(c)) c = text.charCodeAt(++i);
      if (c === LF) {
        i++;
        continue;
      }
      if (c === HASH || c === PERCENT) {
        this.commentLines++;
        i = text.indexOf('\n', i) + 1;
        continue;
      }
      // Each field is read as an integer on the way; -1 marks a label that is not a canonical integer.
      const aStart = i;
      let aValue = 0;
      while (!isBlank(c) && c !== LF) {
        aValue = aValue >= 0 && c >= 48 && c <= 57 ? aValue * 10 + (c - 48) : -1;
        c = text.charCodeAt(++i);
      }
      const aEnd = i;
      while (isBlank(c)) c = text.charCodeAt(++i);
      if (c === LF) this.refuse(1);
      const bStart = i;
      let bValue = 0;
      while (!isBlank(c) && c !== LF) {
        bValue = bValue >= 0 && c >= 48 && c <= 57 ? bValue * 10 + (c - 48) : -1;
        c = text.charCodeAt(++i);
      }
      const bEnd = i;
      while (isBlank(c)) c = text.charCodeAt(++i);
      if (c !== LF) {
        let fields = 2;
        while (c !== LF) {
          fields++;
          while (!isBlank(c) && c !== LF) c = text.charCodeAt(++i);
          while (isBlank(c)) c = text.charCodeAt(++i);
        }
        this.refuse(fields);
      }
      i++;
      const a = this.fieldId(text, aStart, aEnd, aValue);
      const b = this.fieldId(text, bStart, bEnd, bValue);
      if (a === b) {
        // Still an account: SNAP counts accounts that appear only in a self-loop.
        this.selfLoopLines++;
        continue;
      }
      this.addEdge(a, b);
    }
  }

  /** Id of the field text[start, end); `value` is its value when it is all digits, else −1. */
  private fieldId(text: string, start: number, end: number, value: number): number {
    // Only canonical integers share the numeric map ("007" and "7" are different accounts).
    if (value >= 0 && end - start <= 15 && (end - start === 1 || text.charCodeAt(start) !== 48)) {
      let id = this.numericIds.get(value);
      if (id === undefined) {
        id = this.newId(text.slice(start, end));
        this.numericIds.set(value, id);
      }
      return id;
    }
    return this.idOf(text.slice(start, end));
  }
}

/** Parse a whole edge list held in memory. */
export function parseEdgeList(text: string, source: string, maxNodes = MAX_IMPORT_NODES): EdgeListResult {
  const parser = new EdgeListParser(source, maxNodes);
  parser.push(text);
  return parser.finish();
}

export interface EdgeListWriteOptions {
  /** Lines written first, each prefixed with "# ". */
  header?: string[];
  /** Write the network's labels (when it has them) instead of ids 0…n−1. @default true */
  useLabels?: boolean;
}

/**
 * Write a network as "a b\n" lines, rows in id order. Isolated accounts cannot be expressed in an edge list and are
 * lost; parsing the output gives back the same network when labels are 0…n−1 or were written.
 */
export function networkToEdgeList(net: FollowNetwork, options: EdgeListWriteOptions = {}): string {
  const useLabels = options.useLabels ?? true;
  const names: string[] = new Array<string>(net.n);
  for (let i = 0; i < net.n; i++) names[i] = useLabels && net.labels ? net.labels[i] : String(i);
  const parts: string[] = [];
  for (const line of options.header ?? []) parts.push(`# ${line}\n`);
  // Joining per row keeps the intermediate array small for million-edge graphs.
  for (let a = 0; a < net.n; a++) {
    const lo = net.outOffsets[a];
    const hi = net.outOffsets[a + 1];
    if (lo === hi) continue;
    const prefix = names[a] + ' ';
    let row = '';
    for (let k = lo; k < hi; k++) row += prefix + names[net.outTargets[k]] + '\n';
    parts.push(row);
  }
  return parts.join('');
}
