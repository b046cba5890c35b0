/**
 * A round's lists of small objects (decision outcomes, engagement events, replies) packed into typed arrays before they
 * go into IndexedDB, and unpacked to equal values when read. Chromium's structured clone of thousands of small
 * objects per round cost more than running the round (about 1 s of a 2,000-agent run's 2.3 s in the app), while
 * typed arrays and a few strings are copied almost for free. Exact for plain data: key order, `undefined`, −0 and NaN
 * survive; anything that is not plain (a typed array inside a decision, a Map) is kept as it is, cloned by IndexedDB.
 */

/** The stored form of a packed list: one tag and one int per value, tree order (arrays and objects before their items). */
export interface PackedValues {
  packed: 1;
  tags: Uint8Array;
  ints: Int32Array;
  floats: Float64Array;
  strings: string[];
  /** Key lists of the objects, in order; an object's int is the index of its key list. */
  shapes: string[][];
  /** Values that are not plain data, stored as they are. */
  others: unknown[];
}

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT = 4;
const FLOAT = 5;
const STRING = 6;
const ARRAY = 7;
const OBJECT = 8;
const OTHER = 9;

class Writer {
  tags = new Uint8Array(1024);
  ints = new Int32Array(1024);
  n = 0;
  floats: number[] = [];
  strings: string[] = [];
  stringIndex = new Map<string, number>();
  shapes: string[][] = [];
  shapeIndex = new Map<string, number>();
  others: unknown[] = [];

  push(tag: number, int: number): void {
    if (this.n === this.tags.length) {
      const tags = new Uint8Array(this.n * 2);
      tags.set(this.tags);
      this.tags = tags;
      const ints = new Int32Array(this.n * 2);
      ints.set(this.ints);
      this.ints = ints;
    }
    this.tags[this.n] = tag;
    this.ints[this.n++] = int;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'undefined':
        return this.push(UNDEFINED, 0);
      case 'boolean':
        return this.push(v ? TRUE : FALSE, 0);
      case 'number':
        if ((v | 0) === v && !Object.is(v, -0)) return this.push(INT, v);
        this.floats.push(v);
        return this.push(FLOAT, this.floats.length - 1);
      case 'string': {
        let i = this.stringIndex.get(v);
        if (i === undefined) {
          i = this.strings.push(v) - 1;
          this.stringIndex.set(v, i);
        }
        return this.push(STRING, i);
      }
      case 'object':
        if (v === null) return this.push(NULL, 0);
        if (Array.isArray(v)) return this.array(v);
        if (Object.getPrototypeOf(v) === Object.prototype) return this.object(v as Record<string, unknown>);
    }
    this.others.push(v);
    this.push(OTHER, this.others.length - 1);
  }

  array(a: unknown[]): void {
    // A sparse array would come back dense: keep it as it is.
    if (Object.keys(a).length !== a.length) {
      this.others.push(a);
      return this.push(OTHER, this.others.length - 1);
    }
    this.push(ARRAY, a.length);
    for (let i = 0; i < a.length; i++) this.value(a[i]);
  }

  object(o: Record<string, unknown>): void {
    const keys = Object.keys(o);
    const id = keys.join('\u0000');
    let i = this.shapeIndex.get(id);
    if (i === undefined) {
      // A key '__proto__' would set the prototype when read back: such an object is kept as it is (-1).
      i = keys.includes('__proto__') ? -1 : this.shapes.push(keys) - 1;
      this.shapeIndex.set(id, i);
    }
    if (i < 0) {
      this.others.push(o);
      return this.push(OTHER, this.others.length - 1);
    }
    this.push(OBJECT, i);
    for (let k = 0; k < keys.length; k++) this.value(o[keys[k]]);
  }
}

/** Pack a list of plain values (what `unpackValues` turns back into an equal list). */
export function packValues(values: readonly unknown[]): PackedValues {
  const w = new Writer();
  w.array(values as unknown[]);
  return { packed: 1, tags: w.tags.slice(0, w.n), ints: w.ints.slice(0, w.n), floats: Float64Array.from(w.floats), strings: w.strings, shapes: w.shapes, others: w.others };
}

/** The list `packValues` packed. */
export function unpackValues<T = unknown>(p: PackedValues): T[] {
  const { tags, ints, floats, strings, shapes, others } = p;
  let at = 0;
  const read = (): unknown => {
    const tag = tags[at];
    const int = ints[at++];
    switch (tag) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case INT:
        return int;
      case FLOAT:
        return floats[int];
      case STRING:
        return strings[int];
      case ARRAY: {
        const a: unknown[] = new Array(int);
        for (let i = 0; i < int; i++) a[i] = read();
        return a;
      }
      case OBJECT: {
        const keys = shapes[int];
        const o: Record<string, unknown> = {};
        for (let k = 0; k < keys.length; k++) o[keys[k]] = read();
        return o;
      }
      case OTHER:
        return others[int];
    }
    throw new Error(`stored round: value tag ${tag} is unknown; the database was written by a newer version of the app, open it there`);
  };
  return read() as T[];
}

/** A stored list in either form: as written before packing (a plain array), or packed. */
export type StoredList<T> = T[] | PackedValues;

/** The list a row holds, whichever form it was stored in. */
export function storedList<T>(v: StoredList<T> | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : unpackValues<T>(v);
}
