/**
 * An aggregate in shared memory, fed by every worker and thread of an
 * application and readable by anyone at any time — what raindrops'
 * `Aggregate::PMQ` does over a POSIX message queue, without its batching,
 * its flush that does nothing, or its losses at exit.
 *
 * Layout: each writer (process + thread) claims its own stripe of the
 * mapping and updates it with plain stores bracketed by a sequence word
 * (a seqlock with a single writer: no lock, no contended cache line);
 * {@link SharedAggregate.read} sums every stripe, retrying a stripe caught
 * mid-update, so it returns a consistent copy. A stripe whose owner died
 * keeps its samples and is reused by the next writer. Writers beyond the
 * stripe count share stripe 0 under a short spin lock whose holder is
 * recorded, so a holder that died is detected and the lock taken over.
 *
 * Exact: for integer samples, `count`, `min`, `max`, outliers and every
 * bucket always; `sum` while every partial sum stays below 2^53. Computed
 * in floating point (so approximate): `mean`, `stdDev` (sum of squares in a
 * double), and `sum` for fractional samples (summed per stripe, then across
 * stripes: the rounding differs from one sequential sum).
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { gettid, pageAlign } from '../sys/index.js';
import { Aggregate, type LinearBuckets, LOG_BUCKETS, log2Cell, SUB_BUCKETS } from './aggregate.js';
import { StatsClosedError } from './errors.js';
import { KIND, Region, threadAlive } from './region.js';

/** Options of {@link SharedAggregate}. */
export interface SharedAggregateOptions {
  /** Share by name within the application (see {@link Raindrops}). */
  name?: string;
  /** Share through a file. */
  path?: string;
  /** Attach to a passed descriptor. */
  fd?: number;
  /** Clear existing samples on open. */
  zero?: boolean;
  /** Join this pid's group instead of the default. */
  group?: number;
  /** Linear buckets (integers, within ±2^31) instead of log2. */
  linear?: LinearBuckets;
  /** Writer stripes (default 64). */
  stripes?: number;
}

// cells (f64) of a stripe
// cell 0: u32 lo = sequence, u32 hi = epoch
const C_COUNT = 1;
const C_SUM = 2;
const C_SUM2 = 3;
const C_MIN = 4;
const C_MAX = 5;
const C_OLOW = 6;
const C_OHIGH = 7;
const C_LOCK = 8; // u32 lo: pid, hi: tid of the stripe-0 lock holder
const C_BUCKETS = 16;

/** A cross-process aggregate; see the module documentation for what is exact. */
export class SharedAggregate {
  private region: Region | null;
  private readonly nb: number;
  private readonly subs: boolean;
  private readonly low: number;
  private readonly high: number;
  private readonly width: number;
  private readonly linear: LinearBuckets | undefined;
  private readonly strideCells: number;
  private readonly stripes0: number;
  private stripe: number;
  /** f64 index of this writer's stripe. */
  private base: number;
  private seq = 0;
  private epoch = 0;
  private f64: Float64Array;
  private u32: Uint32Array;
  /** u32 index of the global epoch word. */
  private readonly epochIdx: number;

  constructor(opts: SharedAggregateOptions = {}) {
    const linear = opts.linear;
    if (linear !== undefined) {
      new Aggregate(linear); // validates
      for (const v of [linear.low, linear.high, linear.width]) {
        if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 31) {
          throw new InvalidArgumentError(`shared linear buckets need integers within ±2^31, got ${v}`, linear);
        }
      }
    }
    const nb = linear ? (linear.high - linear.low) / linear.width : LOG_BUCKETS;
    if (nb > 1_000_000) throw new InvalidArgumentError(`${nb} linear buckets are too many (at most 1 000 000)`, linear);
    const subs = !linear;
    const cells = C_BUCKETS + nb + (subs ? nb * SUB_BUCKETS : 0);
    const strideCells = pageAlign(cells * 8) / 8;
    const stripes = opts.stripes ?? 64;
    const region = Region.open(
      {
        kind: KIND.aggregate,
        dataBytes: 64 + strideCells * 8 * stripes,
        stripes,
        params: linear ? [1, linear.low >>> 0, linear.high >>> 0, linear.width >>> 0] : [0, 0, 0, 0],
        what: 'SharedAggregate',
      },
      opts,
    );
    this.region = region;
    this.linear = linear ? { ...linear } : undefined;
    this.nb = nb;
    this.subs = subs;
    this.low = linear ? linear.low : 1;
    this.high = linear ? linear.high : 2 ** (LOG_BUCKETS - 1);
    this.width = linear ? linear.width : 0;
    this.strideCells = strideCells;
    this.stripes0 = (region.dataOffset + 64) / 8;
    this.f64 = region.f64;
    this.u32 = region.u32;
    this.epochIdx = region.dataOffset / 4;
    if (opts.zero && (opts.fd !== undefined || opts.name !== undefined)) this.reset();
    this.stripe = region.readOnly ? 0 : region.claimStripe();
    this.base = this.stripes0 + this.stripe * strideCells;
    if (this.stripe > 0) this.adoptStripe();
  }

  /** Make the claimed stripe ours: even sequence, current epoch (a stale epoch's samples are dropped). */
  private adoptStripe(): void {
    const u = this.u32;
    const si = this.base * 2;
    let seq = u[si]!;
    if (seq & 1) seq++;
    const epoch = Atomics.load(u, this.epochIdx);
    if (u[si + 1] !== epoch) {
      Atomics.store(u, si, seq + 1);
      this.f64.fill(0, this.base + 1, this.base + this.strideCells);
      u[si + 1] = epoch;
    }
    Atomics.store(u, si, seq + 2);
    this.seq = seq + 2;
    this.epoch = epoch;
  }

  /** Include a sample. Wait-free on the writer's own stripe. NaN is refused. */
  add(v: number): void {
    if (typeof v !== 'number' || Number.isNaN(v)) {
      if (!this.region) throw new StatsClosedError('SharedAggregate');
      throw new InvalidArgumentError(`an aggregate sample must be a number, got ${String(v)}`, v);
    }
    const u = this.u32;
    if (this.stripe === 0) {
      this.addLocked(v);
      return;
    }
    if (u[this.epochIdx] !== this.epoch) this.adoptStripe();
    const b = this.base;
    const f = this.f64;
    const si = b * 2;
    Atomics.store(u, si, this.seq + 1);
    this.write(f, b, v);
    this.seq += 2;
    Atomics.store(u, si, this.seq);
  }

  private write(f: Float64Array, b: number, v: number): void {
    const n = f[b + C_COUNT]!;
    if (n === 0) {
      f[b + C_MIN] = v;
      f[b + C_MAX] = v;
    } else {
      if (v < f[b + C_MIN]!) f[b + C_MIN] = v;
      if (v > f[b + C_MAX]!) f[b + C_MAX] = v;
    }
    f[b + C_COUNT] = n + 1;
    f[b + C_SUM]! += v;
    f[b + C_SUM2]! += v * v;
    if (v < this.low) f[b + C_OLOW]!++;
    else if (v >= this.high) f[b + C_OHIGH]!++;
    else if (this.subs) {
      const c = log2Cell(v);
      f[b + C_BUCKETS + (c >> 5)]!++;
      f[b + C_BUCKETS + LOG_BUCKETS + c]!++;
    } else f[b + C_BUCKETS + Math.floor((v - this.low) / this.width)]!++;
  }

  private addLocked(v: number): void {
    const r = this.region;
    if (!r) throw new StatsClosedError('SharedAggregate');
    const u = this.u32;
    const b = this.stripes0;
    const si = b * 2;
    const li = (b + C_LOCK) * 2;
    let spins = 0;
    let seq: number;
    for (;;) {
      seq = Atomics.load(u, si);
      if ((seq & 1) === 0 && Atomics.compareExchange(u, si, seq, seq + 1) === seq) break;
      if (++spins % 100_000 === 0) {
        const pid = Atomics.load(u, li);
        const tid = Atomics.load(u, li + 1);
        if (!threadAlive(pid, tid) && Atomics.compareExchange(u, si, seq, seq + 1) === seq) break; // holder died
      }
    }
    Atomics.store(u, li, process.pid);
    Atomics.store(u, li + 1, gettid());
    const epoch = Atomics.load(u, this.epochIdx);
    if (u[si + 1] !== epoch) {
      this.f64.fill(0, b + 1, b + C_LOCK);
      this.f64.fill(0, b + C_BUCKETS, b + this.strideCells);
      u[si + 1] = epoch;
    }
    this.write(this.f64, b, v);
    Atomics.store(u, si, seq + 2);
  }

  /** A consistent copy of every stripe's samples, as an {@link Aggregate}. */
  read(): Aggregate {
    const r = this.region;
    if (!r) throw new StatsClosedError('SharedAggregate');
    const out = new Aggregate(this.linear);
    const tmp = new Aggregate(this.linear);
    const f = this.f64;
    const u = this.u32;
    const epoch = Atomics.load(u, this.epochIdx);
    const n = r.stripeHwm;
    for (let s = 0; s < n; s++) {
      const b = this.stripes0 + s * this.strideCells;
      const si = b * 2;
      for (let tries = 0; ; tries++) {
        const s1 = Atomics.load(u, si);
        if (s1 & 1 && tries < 1_000_000) {
          if (tries % 10_000 === 9_999 && this.ownerGone(s, b)) {
            // owner died mid-update: take the stripe as it is (at most one sample half-added)
          } else continue;
        }
        if (u[si + 1] !== epoch) break; // samples from before the last reset
        tmp.reset();
        tmp.count = f[b + C_COUNT]!;
        if (tmp.count > 0) {
          tmp.min = f[b + C_MIN]!;
          tmp.max = f[b + C_MAX]!;
        }
        tmp.sum = f[b + C_SUM]!;
        tmp.sum2 = f[b + C_SUM2]!;
        tmp.outliersLow = f[b + C_OLOW]!;
        tmp.outliersHigh = f[b + C_OHIGH]!;
        tmp.buckets.set(f.subarray(b + C_BUCKETS, b + C_BUCKETS + this.nb));
        if (tmp.subBuckets) {
          const o = b + C_BUCKETS + LOG_BUCKETS;
          tmp.subBuckets.set(f.subarray(o, o + LOG_BUCKETS * SUB_BUCKETS));
        }
        if (Atomics.load(u, si) === s1 || tries >= 1_000_000) {
          out.merge(tmp);
          break;
        }
      }
    }
    return out;
  }

  private ownerGone(s: number, b: number): boolean {
    const r = this.region!;
    if (s === 0) {
      const li = (b + C_LOCK) * 2;
      return !threadAlive(this.u32[li]!, this.u32[li + 1]!);
    }
    const o = r.stripeOwner(s);
    return !o || !threadAlive(o.pid, o.tid);
  }

  /**
   * Forget every sample, in every process: a shared epoch is advanced; each
   * writer clears its own stripe at its next add, and readers skip stripes
   * of an older epoch.
   */
  reset(): void {
    if (!this.region) throw new StatsClosedError('SharedAggregate');
    Atomics.add(this.u32, this.epochIdx, 1);
  }

  /** Descriptor of the shared memory, for a child process (FD_CLOEXEC is set). */
  get fd(): number {
    if (!this.region) throw new StatsClosedError('SharedAggregate');
    return this.region.fd;
  }

  /** Unmap; this writer's stripe is given back with its samples. Idempotent. */
  close(): void {
    const r = this.region;
    if (!r) return;
    this.region = null;
    this.f64 = new Float64Array(0);
    this.u32 = new Uint32Array(0);
    r.releaseStripe(this.stripe);
    this.stripe = 0;
    r.close();
  }
}
