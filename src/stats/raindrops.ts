/**
 * Raindrops: unsigned 64-bit counters in shared memory, seen by every worker
 * thread, cluster worker and child of an application (by name), by
 * unrelated processes (by path), and by children given the descriptor.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { pageAlign } from '../sys/index.js';
import { IndexOutOfRangeError, StatsClosedError } from './errors.js';
import { KIND, MAX_STRIPES, Region } from './region.js';

const TWO32 = 4294967296;
/** Bytes per counter in plain mode: one cache line each, so two counters never share a line. */
export const RAINDROPS_SLOT_BYTES = 64;
/** Default stripe count of a striped set (writers beyond it share stripe 0 with atomic adds). */
export const DEFAULT_STRIPES = 64;

/** Options of {@link Raindrops}. */
export interface RaindropsOptions {
  /**
   * Share by name with every process and thread of the application: the
   * cluster primary, every cluster worker (even when the primary never
   * creates it) and their worker threads. See docs/stats.md.
   */
  name?: string;
  /** Share through a file (raindrops' `io:`); unrelated processes open the same path. */
  path?: string;
  /** Attach to an inherited descriptor (e.g. stdio slot of a child given `raindrops.fd`). */
  fd?: number;
  /** Clear existing contents of a file/named set on open (raindrops' `zero: true`). */
  zero?: boolean;
  /**
   * Striped mode for hot counters: each process/thread adds to its own cache
   * line with plain stores, readers sum the stripes. Exact by construction;
   * a stripe left by a dead thread is reused with its total intact.
   */
  striped?: boolean;
  /** Stripes of a striped set (default 64, at most 448); writers beyond share stripe 0 atomically. */
  stripes?: number;
  /** Join the named sets of this pid's group instead of the default (cluster primary, else this process). */
  group?: number;
}

/** Split a number/bigint increment into (lo, hi) words of its value modulo 2^64. */
function split(n: number | bigint, out: [number, number]): void {
  if (typeof n === 'number') {
    if (!Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`increment must be an integer (a safe integer or a bigint), got ${n}`, n);
    }
    const m = Math.abs(n);
    let lo = m % TWO32;
    let hi = Math.floor(m / TWO32);
    if (n < 0) {
      // two's complement of (hi, lo)
      lo = (~lo >>> 0) + 1;
      hi = ~hi >>> 0;
      if (lo === TWO32) {
        lo = 0;
        hi = (hi + 1) >>> 0;
      }
    }
    out[0] = lo;
    out[1] = hi;
    return;
  }
  if (typeof n !== 'bigint')
    throw new InvalidArgumentError(`increment must be a number or a bigint, got ${typeof n}`, n);
  const x = BigInt.asUintN(64, n);
  out[0] = Number(x & 0xffffffffn);
  out[1] = Number(x >> 32n);
}

const parts: [number, number] = [0, 0];

/**
 * A fixed array of unsigned 64-bit counters in shared memory (raindrops'
 * `Raindrops`), one cache line per counter. `incr`/`decr` are atomic and
 * wrap modulo 2^64. Values are plain numbers (exact below 2^53); use
 * {@link Raindrops.getBigInt} above that.
 *
 * Atomicity detail: a counter is two 32-bit words updated with `Atomics.add`
 * (a locked add; a carry or borrow is a second locked add), so totals are
 * always exact; a reader racing a carry across a 2^32 boundary can see the
 * value off by 2^32 for the instant between the two adds.
 */
export class Raindrops {
  private _u32: Uint32Array;
  /** u32 index of slot 0 of the summed layout (plain: line stride; striped: stripe 0). */
  private _base: number;
  /** u32 index of slot 0 of this writer's own stripe (striped), or -1 for atomic writes. */
  private _own: number;
  private _size: number;
  private _capacity: number;
  private readonly _striped: boolean;
  /** u32 words between stripes (striped). */
  private readonly _strideWords: number;
  private _stripe: number;
  private _region: Region | null;

  /**
   * @param size number of counters (≥ 1; may later grow with `size =`)
   * @throws {InvalidArgumentError} for a size that is not a positive integer or needs more than 4 GiB
   * @throws {SharedMemoryError} / {PermissionError} when the name, path or descriptor cannot be used
   */
  constructor(size: number, opts: RaindropsOptions = {}) {
    if (!Number.isInteger(size) || size < 1) {
      throw new InvalidArgumentError(`Raindrops size must be an integer >= 1, got ${String(size)}`, size);
    }
    if (opts === null || typeof opts !== 'object')
      throw new InvalidArgumentError('Raindrops options must be an object', opts);
    const striped = opts.striped ?? false;
    const stripes = striped ? (opts.stripes ?? DEFAULT_STRIPES) : 1;
    if (striped && (!Number.isInteger(stripes) || stripes < 2 || stripes > MAX_STRIPES)) {
      throw new InvalidArgumentError(`stripes must be an integer in [2, ${MAX_STRIPES}], got ${stripes}`, stripes);
    }
    if (size > 2 ** 26) {
      throw new InvalidArgumentError(
        `Raindrops size ${size} needs ${size * RAINDROPS_SLOT_BYTES} bytes; at most 2^26 counters (4 GiB) can be mapped`,
        size,
      );
    }
    const strideBytes = striped ? pageAlign(size * 8) : 0;
    const dataBytes = striped ? strideBytes * stripes : pageAlign(size * RAINDROPS_SLOT_BYTES);
    const region = Region.open(
      {
        kind: KIND.raindrops,
        dataBytes,
        stripes,
        params: [striped ? 1 : 0, strideBytes / 8],
        checkParams: 1,
        what: 'Raindrops',
      },
      opts,
    );
    const existingStride = region.param(1) * 8;
    if (striped && existingStride < size * 8) {
      region.close();
      throw new InvalidArgumentError(
        `the striped set ${opts.name ?? opts.path ?? ''} exists with capacity ${existingStride / 8}; ${size} counters were asked for`,
        size,
      );
    }
    this._region = region;
    this._striped = striped;
    this._strideWords = existingStride / 4;
    this._u32 = region.u32;
    this._base = region.dataOffset / 4;
    this._size = size;
    this._capacity = striped ? existingStride / 8 : (region.length - region.dataOffset) / RAINDROPS_SLOT_BYTES;
    this._stripe = striped && !region.readOnly ? region.claimStripe() : 0;
    this._own = striped && this._stripe > 0 ? this._base + this._stripe * this._strideWords : -1;
    if (opts.zero && opts.fd !== undefined && !region.readOnly) region.zeroData();
  }

  /** Slots allocated (page-aligned); `size` may be raised up to it without remapping. */
  get capacity(): number {
    this.live();
    return this._capacity;
  }

  /** Whether this set is striped. */
  get striped(): boolean {
    return this._striped;
  }

  /** Number of counters in use. Setting it within capacity is free; beyond capacity a plain set is remapped larger. */
  get size(): number {
    this.live();
    return this._size;
  }

  set size(n: number) {
    this.live();
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`size must be an integer >= 0, got ${String(n)}`, n);
    if (n > this._capacity) {
      if (this._striped) {
        throw new InvalidArgumentError(
          `a striped Raindrops cannot grow beyond its capacity ${this._capacity} (stripes are laid out at creation); create it with a larger size`,
          n,
        );
      }
      if (n > 2 ** 26) throw new InvalidArgumentError(`size ${n}: at most 2^26 counters (4 GiB) can be mapped`, n);
      const r = this._region!;
      r.grow(r.dataOffset + pageAlign(n * RAINDROPS_SLOT_BYTES));
      this._u32 = r.u32;
      this._capacity = (r.length - r.dataOffset) / RAINDROPS_SLOT_BYTES;
    }
    this._size = n;
  }

  /**
   * A descriptor of the shared memory, to hand to a child process (as an
   * extra stdio slot; the child passes its number as `{ fd }`). It has
   * FD_CLOEXEC set, so programs started with exec never inherit it unasked.
   */
  get fd(): number {
    this.live();
    return this._region!.fd;
  }

  /** Add `n` (default 1; negative or bigint allowed, modulo 2^64) to counter `i` and return its new value. */
  incr(i: number, n?: number | bigint): number {
    if (!(typeof i === 'number' && i >>> 0 === i && i < this._size)) throw this.badIndex(i);
    if (this._striped) return this.stripedAdd(i, n ?? 1, true);
    const u = this._u32;
    const k = this._base + (i << 4);
    if (n === undefined || n === 1) {
      const old = Atomics.add(u, k, 1);
      if (old === 0xffffffff) Atomics.add(u, k + 1, 1);
      return u[k + 1]! * TWO32 + ((old + 1) >>> 0);
    }
    return this.atomicAdd(k, n);
  }

  /** Subtract `n` (default 1) from counter `i` and return its new value (wrapping below 0 to 2^64 − n). */
  decr(i: number, n?: number | bigint): number {
    if (!(typeof i === 'number' && i >>> 0 === i && i < this._size)) throw this.badIndex(i);
    if (this._striped) return this.stripedAdd(i, n === undefined ? -1 : -n, true);
    const u = this._u32;
    const k = this._base + (i << 4);
    if (n === undefined || n === 1) {
      const old = Atomics.sub(u, k, 1);
      if (old === 0) Atomics.sub(u, k + 1, 1);
      return u[k + 1]! * TWO32 + ((old - 1) >>> 0);
    }
    return this.atomicAdd(k, typeof n === 'bigint' ? -n : -n);
  }

  /**
   * Add `n` (default 1) to counter `i` without computing the new value: the
   * hot-path form, which in striped mode never reads other writers' lines.
   */
  add(i: number, n?: number): void {
    if (!(typeof i === 'number' && i >>> 0 === i && i < this._size)) throw this.badIndex(i);
    const u = this._u32;
    if (this._own >= 0) {
      const k = this._own + (i << 1);
      if (n === undefined) n = 1;
      else if (!(n >= 0 && n < TWO32 && n === Math.floor(n))) {
        this.stripedAdd(i, n, false);
        return;
      }
      const lo = u[k]! + n;
      if (lo >= TWO32) {
        u[k] = lo - TWO32;
        u[k + 1] = u[k + 1]! + 1;
      } else u[k] = lo;
      return;
    }
    const k = this._striped ? this._base + (i << 1) : this._base + (i << 4);
    if (n === undefined || n === 1) {
      if (Atomics.add(u, k, 1) === 0xffffffff) Atomics.add(u, k + 1, 1);
      return;
    }
    this.atomicAdd(k, n);
  }

  /** Subtract `n` (default 1) from counter `i` without computing the new value. */
  sub(i: number, n?: number): void {
    this.add(i, n === undefined ? -1 : -n);
  }

  private atomicAdd(k: number, n: number | bigint): number {
    split(n, parts);
    const u = this._u32;
    const lo = parts[0];
    const hi = parts[1];
    const old = Atomics.add(u, k, lo);
    const carry = old + lo >= TWO32 ? 1 : 0;
    const h = (hi + carry) >>> 0;
    if (h !== 0) Atomics.add(u, k + 1, h);
    return u[k + 1]! * TWO32 + ((old + lo) >>> 0);
  }

  private stripedAdd(i: number, n: number | bigint, wantValue: boolean): number {
    const u = this._u32;
    if (this._own >= 0) {
      split(n, parts);
      const k = this._own + (i << 1);
      const lo = u[k]! + parts[0];
      const carry = lo >= TWO32 ? 1 : 0;
      u[k] = lo >>> 0;
      u[k + 1] = (u[k + 1]! + parts[1] + carry) >>> 0;
    } else {
      this.atomicAdd(this._base + (i << 1), n);
    }
    return wantValue ? this.get(i) : 0;
  }

  /** Current value of counter `i` (exact below 2^53; in striped mode the sum over all stripes). */
  get(i: number): number {
    if (!(typeof i === 'number' && i >>> 0 === i && i < this._size)) throw this.badIndex(i);
    const u = this._u32;
    if (!this._striped) {
      const k = this._base + (i << 4);
      for (;;) {
        const hi = u[k + 1]!;
        const lo = u[k]!;
        if (u[k + 1] === hi) return hi * TWO32 + lo;
      }
    }
    let lo = 0;
    let hi = 0;
    const n = this._region!.stripeHwm;
    const stride = this._strideWords;
    for (let s = 0, k = this._base + (i << 1); s < n; s++, k += stride) {
      lo += u[k]!;
      hi += u[k + 1]!;
    }
    return ((hi + Math.floor(lo / TWO32)) % TWO32) * TWO32 + (lo % TWO32);
  }

  /** Exact value of counter `i` as a bigint (all 64 bits). */
  getBigInt(i: number): bigint {
    if (!(typeof i === 'number' && i >>> 0 === i && i < this._size)) throw this.badIndex(i);
    const u = this._u32;
    if (!this._striped) {
      const k = this._base + (i << 4);
      for (;;) {
        const hi = u[k + 1]!;
        const lo = u[k]!;
        if (u[k + 1] === hi) return (BigInt(hi) << 32n) | BigInt(lo);
      }
    }
    let sum = 0n;
    const n = this._region!.stripeHwm;
    for (let s = 0, k = this._base + (i << 1); s < n; s++, k += this._strideWords) {
      sum += (BigInt(u[k + 1]!) << 32n) | BigInt(u[k]!);
    }
    return BigInt.asUintN(64, sum);
  }

  /**
   * Store `v` (modulo 2^64) in counter `i`, atomically (one 64-bit store).
   * Striped: stripe 0 is set so that the sum equals `v` at that moment; adds
   * racing with the set may or may not be included.
   */
  set(i: number, v: number | bigint): void {
    if (!(typeof i === 'number' && i >>> 0 === i && i < this._size)) throw this.badIndex(i);
    let x: bigint;
    if (typeof v === 'bigint') x = BigInt.asUintN(64, v);
    else if (Number.isSafeInteger(v)) x = BigInt.asUintN(64, BigInt(v));
    else throw new InvalidArgumentError(`value must be an integer (a safe integer or a bigint), got ${v}`, v);
    const r = this._region!;
    if (!this._striped) {
      Atomics.store(r.u64, (this._base + (i << 4)) >> 1, x);
      return;
    }
    const others = this.getBigInt(i) - this.stripeWord(0, i);
    Atomics.store(r.u64, (this._base + (i << 1)) >> 1, BigInt.asUintN(64, x - others));
  }

  private stripeWord(s: number, i: number): bigint {
    const u = this._u32;
    const k = this._base + s * this._strideWords + (i << 1);
    return (BigInt(u[k + 1]!) << 32n) | BigInt(u[k]!);
  }

  /** Every counter's value, `size` of them. */
  toArray(): number[] {
    this.live();
    const out = new Array<number>(this._size);
    for (let i = 0; i < this._size; i++) out[i] = this.get(i);
    return out;
  }

  /** An independent, unshared copy of the current values (raindrops' `dup`). */
  snapshot(): Raindrops {
    this.live();
    const copy = new Raindrops(this._size);
    for (let i = 0; i < this._size; i++) copy.set(i, this.getBigInt(i));
    return copy;
  }

  /** Whether {@link Raindrops.close} was called. */
  get closed(): boolean {
    return this._region === null;
  }

  /**
   * Unmap (raindrops' `evaporate!`): afterwards every call throws
   * {@link StatsClosedError}. The shared values stay for the other holders;
   * a striped writer's stripe is given back with its total. Idempotent.
   */
  close(): void {
    const r = this._region;
    if (!r) return;
    this._region = null;
    this._size = 0;
    this._u32 = new Uint32Array(0);
    this._own = -1;
    r.releaseStripe(this._stripe);
    r.close();
  }

  private live(): void {
    if (!this._region) throw new StatsClosedError('Raindrops');
  }

  private badIndex(i: unknown): Error {
    if (!this._region) return new StatsClosedError('Raindrops');
    return new IndexOutOfRangeError(i, this._size);
  }
}

/** Instance type of a {@link defineStruct} class. */
export type RaindropsStructInstance<N extends readonly string[]> = {
  incr(k: N[number], n?: number): number;
  decr(k: N[number], n?: number): number;
  get(k: N[number]): number;
  toObject(): Record<N[number], number>;
  close(): void;
  /** The counters underneath. */
  readonly raindrops: Raindrops;
} & { readonly [K in N[number]]: number };

/** A class made by {@link defineStruct}. */
export interface RaindropsStructClass<N extends readonly string[]> {
  new (): RaindropsStructInstance<N>;
  /** The member names, in order (raindrops' `MEMBERS`). */
  readonly members: N;
}

const RESERVED = new Set(['incr', 'decr', 'get', 'toObject', 'close', 'raindrops', 'constructor', '__proto__']);

/**
 * raindrops' `Raindrops::Struct`: named counters over one {@link Raindrops}.
 * `const Stats = defineStruct(['calling', 'writing'], { name: 'http' })`,
 * then `s.incr('calling')`, `s.calling`, `s.toObject()`.
 * @throws {InvalidArgumentError} for an empty list, duplicate or reserved names
 */
export function defineStruct<const N extends readonly string[]>(
  names: N,
  opts: { name?: string; path?: string; striped?: boolean; zero?: boolean } = {},
): RaindropsStructClass<N> {
  if (!Array.isArray(names) || names.length === 0) {
    throw new InvalidArgumentError('defineStruct needs a non-empty array of member names', names);
  }
  const index: Record<string, number> = Object.create(null);
  names.forEach((n, i) => {
    if (typeof n !== 'string' || n === '') throw new InvalidArgumentError(`member ${i} must be a non-empty string`, n);
    if (RESERVED.has(n)) throw new InvalidArgumentError(`member name ${n} is reserved (a method of the struct)`, n);
    if (n in index) throw new InvalidArgumentError(`member name ${n} appears twice`, n);
    index[n] = i;
  });
  const members = Object.freeze([...names]) as unknown as N;
  const idx = (k: string): number => {
    const i = index[k];
    if (i === undefined)
      throw new InvalidArgumentError(`unknown member ${JSON.stringify(k)}; members: ${members.join(', ')}`, k);
    return i;
  };
  class Struct {
    static readonly members = members;
    readonly raindrops: Raindrops;
    constructor() {
      this.raindrops = new Raindrops(members.length, opts);
    }
    incr(k: string, n?: number): number {
      return this.raindrops.incr(idx(k), n);
    }
    decr(k: string, n?: number): number {
      return this.raindrops.decr(idx(k), n);
    }
    get(k: string): number {
      return this.raindrops.get(idx(k));
    }
    toObject(): Record<string, number> {
      const o: Record<string, number> = {};
      members.forEach((m, i) => {
        o[m] = this.raindrops.get(i);
      });
      return o;
    }
    close(): void {
      this.raindrops.close();
    }
  }
  members.forEach((m, i) => {
    Object.defineProperty(Struct.prototype, m, {
      get(this: Struct) {
        return this.raindrops.get(i);
      },
      enumerable: false,
      configurable: false,
    });
  });
  return Struct as unknown as RaindropsStructClass<N>;
}
