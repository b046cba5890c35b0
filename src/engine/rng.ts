/**
 * Seeded randomness for the whole engine. Every random draw comes from an `Rng` passed in (never Math.random), and
 * independent streams are derived by hashing (seed, labels…), so a draw for "agent 17 in round 4" is the same in every
 * condition and on every machine: that is what makes arms differ only by treatment (common random numbers) and runs
 * byte-identical in Node and in the browser.
 */

/** 32-bit mix (murmur3 finaliser). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fold one integer (up to 2^53, negative allowed) into a running hash. */
function mixNumber(h: number, p: number): number {
  // Integers up to 2^53: mix both halves so large seeds stay distinct.
  const lo = p >>> 0;
  const hi = Math.floor(p / 4294967296) >>> 0;
  h = fmix32(h ^ lo) + 0x6d2b79f5;
  return fmix32(h ^ hi ^ 0x27d4eb2f);
}

function mixString(h: number, p: string): number {
  for (let i = 0; i < p.length; i++) h = fmix32(h ^ p.charCodeAt(i)) + 0x165667b1;
  return fmix32(h ^ p.length ^ 0x85ebca77);
}

const HASH_START = 0x9e3779b9;

/** Hash any sequence of integers and strings to a 32-bit seed. Stable across platforms. */
export function hashSeed(...parts: Array<number | string>): number {
  let h = HASH_START;
  for (const p of parts) h = typeof p === 'number' ? mixNumber(h, p) : mixString(h, p);
  return h >>> 0;
}

/**
 * The hash of `(seed, label)`, to be continued by `hashTail`: `hashTail(hashHead(s, l), a, b) === hashSeed(s, l, a, b)`.
 * The engine derives one stream per agent and round under a handful of labels, so hashing the label once saves most
 * of the work of each derivation.
 */
export function hashHead(seed: number, label: string): number {
  return mixString(mixNumber(HASH_START, seed), label);
}

/** Continue a `hashHead` with two integers; equals `hashSeed(seed, label, a, b)`. */
export function hashTail(head: number, a: number, b: number): number {
  return mixNumber(mixNumber(head, a), b) >>> 0;
}

/** Serializable generator state (sfc32). */
export type RngState = [number, number, number, number];

/**
 * sfc32: small, fast, passes PractRand to 2^40+; state is four 32-bit words so it can be saved and restored.
 */
export class Rng {
  // The four words are held as signed 32-bit integers: V8 keeps those unboxed in fields, whereas a value ≥ 2^31 in a
  // field is a heap-allocated number, which used to cost up to four allocations per draw. The bits are those of sfc32.
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | RngState) {
    if (Array.isArray(seed)) {
      this.a = seed[0] | 0;
      this.b = seed[1] | 0;
      this.c = seed[2] | 0;
      this.d = seed[3] | 0;
    } else {
      this.a = this.b = this.c = this.d = 0;
      this.reseed(seed);
    }
  }

  /** A generator for an independent stream labelled by `parts` under `seed`. */
  static derive(seed: number, ...parts: Array<number | string>): Rng {
    return new Rng(hashSeed(seed, ...parts));
  }

  /**
   * Restart this generator as `new Rng(seed)` would start. Hot loops reuse one generator per stream label instead of
   * allocating one per agent and round; the draws are the same.
   */
  reseed(seed: number): this {
    this.a = fmix32(seed ^ 0xa341316c) | 0;
    this.b = fmix32(seed ^ 0xc8013ea4) | 0;
    this.c = fmix32(seed ^ 0xad90777d) | 0;
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
    return this;
  }

  /** The four words, as earlier versions gave them (`a` signed, the others unsigned); `new Rng(state)` accepts either. */
  state(): RngState {
    return [this.a, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  nextUint32(): number {
    const b = this.b;
    const c = this.c;
    const t = (((this.a + b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = ((((c << 21) | (c >>> 11)) + t) | 0);
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] inclusive. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Index drawn from unnormalised non-negative weights. */
  weighted(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** k distinct items drawn without replacement (order random). */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const m = Math.min(k, copy.length);
    for (let i = 0; i < m; i++) {
      const j = i + this.int(copy.length - i);
      const t = copy[i];
      copy[i] = copy[j];
      copy[j] = t;
    }
    return copy.slice(0, m);
  }
}
