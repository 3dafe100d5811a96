/**
 * Aggregate statistics with a histogram, compatible with the Ruby
 * `aggregate` gem that raindrops uses (`Raindrops::Aggregate`):
 * count, sum, min, max, mean, sample standard deviation, outliers and a
 * binary-logarithmic histogram (buckets 2^0 … 2^127) or linear buckets,
 * with `toString()` byte-identical to the gem's `to_s`.
 *
 * Beyond the gem: quantiles from finer sub-buckets, `merge`, `reset`.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';

/** Buckets of the log2 histogram (2^0 … 2^127), as in the gem. */
export const LOG_BUCKETS = 128;
/**
 * Linear sub-buckets per log2 bucket, used only for quantiles. A quantile
 * estimate lies in the same sub-bucket as the true sample of that rank, so
 * its relative error is below 1/32 (3.125 %) for values in [1, 2^127).
 */
export const SUB_BUCKETS = 32;
const LOG2 = Math.log(2);

/** Linear histogram of the gem: `[low, high)` in steps of `width`. */
export interface LinearBuckets {
  low: number;
  high: number;
  width: number;
}

/** The gem's bucket index for a value in [1, 2^127): `(Math.log(x) / Math.log(2)).to_i`. */
export function log2Index(v: number): number {
  return Math.trunc(Math.log(v) / LOG2);
}

/** Sub-bucket of `v` within log2 bucket `k` (clamped: the gem's floating log may misplace exact powers of 2). */
export function log2SubIndex(v: number, k: number): number {
  const j = Math.floor((v / 2 ** k - 1) * SUB_BUCKETS);
  return j < 0 ? 0 : j >= SUB_BUCKETS ? SUB_BUCKETS - 1 : j;
}

/**
 * Sub-bucket cell of `v` in [1, 2^127): `k * SUB_BUCKETS + j` with `k` the
 * gem's log2 bucket. Integers below 2^31 take an exact integer path
 * (floor(log2) by clz32 equals the gem's floating formula for all of them:
 * checked at every power-of-two boundary); others use the gem's formula.
 */
export function log2Cell(v: number): number {
  if (v < 2147483648 && (v | 0) === v) {
    const k = 31 - Math.clz32(v);
    const d = v - (1 << k);
    return (k << 5) | (k >= 5 ? d >>> (k - 5) : d << (5 - k));
  }
  const k = log2Index(v);
  return k * SUB_BUCKETS + log2SubIndex(v, k);
}

/** Ruby's `Float#round` for the values aggregates produce (half away from zero). */
export function rubyRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

const pad = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

/**
 * An in-process aggregate (the gem's `Aggregate`). Add samples with
 * {@link Aggregate.add}; every statistic is computed as the gem computes it.
 */
export class Aggregate {
  /** Number of samples. */
  count = 0;
  /** Sum of all samples (a float, as in the gem: exact for integers below 2^53). */
  sum = 0;
  /** Sum of squares (for the standard deviation). */
  sum2 = 0;
  /** Smallest sample, undefined when empty. */
  min: number | undefined = undefined;
  /** Largest sample, undefined when empty. */
  max: number | undefined = undefined;
  /** Samples below the lowest bucket (log2: below 1, so 0 and negatives count here). */
  outliersLow = 0;
  /** Samples at or above the highest bucket's end (log2: ≥ 2^127). */
  outliersHigh = 0;
  /** Bucket counts (128 log2 buckets, or (high − low) / width linear ones). */
  readonly buckets: Float64Array;
  /** Sub-bucket counts for quantiles (log2 only: SUB_BUCKETS per bucket). */
  readonly subBuckets: Float64Array | undefined;
  /** The linear layout, when asked for. */
  readonly linear: LinearBuckets | undefined;
  private readonly low: number;
  private readonly high: number;

  /**
   * @param linear linear buckets `[low, high)` of `width` (the gem's
   *   `Aggregate.new(low, high, width)`); default: log2 buckets 2^0 … 2^127.
   * @throws {InvalidArgumentError} with the gem's three rules for linear buckets
   */
  constructor(linear?: LinearBuckets) {
    if (linear !== undefined) {
      const { low, high, width } = linear;
      for (const [k, v] of Object.entries({ low, high, width })) {
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new InvalidArgumentError(`linear ${k} must be a finite number, got ${v}`, v);
      }
      if (high <= low) throw new InvalidArgumentError(`high bucket (${high}) must be > low bucket (${low})`, linear);
      if (!(width > 0) || high - low < width) {
        throw new InvalidArgumentError(
          `histogram width (${width}) must be > 0 and <= the range high - low (${high - low})`,
          linear,
        );
      }
      if ((high - low) % width !== 0) {
        throw new InvalidArgumentError(
          `histogram range high - low (${high - low}) must be a multiple of width (${width})`,
          linear,
        );
      }
      this.linear = { low, high, width };
      this.low = low;
      this.high = high;
      this.buckets = new Float64Array((high - low) / width);
      this.subBuckets = undefined;
    } else {
      this.linear = undefined;
      this.low = 1;
      this.high = 2 ** (LOG_BUCKETS - 1);
      this.buckets = new Float64Array(LOG_BUCKETS);
      this.subBuckets = new Float64Array(LOG_BUCKETS * SUB_BUCKETS);
    }
  }

  /** Include a sample (the gem's `<<`). NaN and non-numbers are refused. */
  add(v: number): void {
    if (typeof v !== 'number' || Number.isNaN(v))
      throw new InvalidArgumentError(`an aggregate sample must be a number, got ${String(v)}`, v);
    if (this.count === 0) {
      this.min = v;
      this.max = v;
    } else {
      if (v > this.max!) this.max = v;
      if (v < this.min!) this.min = v;
    }
    this.count++;
    this.sum += v;
    this.sum2 += v * v;
    if (v < this.low) this.outliersLow++;
    else if (v >= this.high) this.outliersHigh++;
    else if (this.linear) this.buckets[Math.floor((v - this.low) / this.linear.width)]!++;
    else {
      const c = log2Cell(v);
      this.buckets[c >> 5]!++;
      this.subBuckets![c]!++;
    }
  }

  /** Mean of the samples (sum / count; NaN when empty). */
  get mean(): number {
    return this.sum / this.count;
  }

  /**
   * Sample standard deviation (n − 1), the gem's formula
   * `sqrt((sum2 − sum²/count) / (count − 1))`; NaN below 2 samples. A
   * rounding-negative radicand gives 0 (the gem raises Math::DomainError).
   */
  get stdDev(): number {
    if (this.count < 2) return Number.NaN;
    const r = (this.sum2 - (this.sum * this.sum) / this.count) / (this.count - 1);
    return Math.sqrt(Math.max(0, r));
  }

  /** Lower bound of bucket `i` (the gem's `to_bucket`). */
  bucketLow(i: number): number {
    return this.linear ? this.linear.low + i * this.linear.width : 2 ** i;
  }

  /** Every bucket, as `[lowerBound, count]` (the gem's `each`). */
  each(): [number, number][] {
    return Array.from(this.buckets, (c, i) => [this.bucketLow(i), c]);
  }

  /** The buckets that hold samples (the gem's `each_nonzero`). */
  nonzero(): [number, number][] {
    return this.each().filter(([, c]) => c !== 0);
  }

  /**
   * Estimate of the `q` quantile (0 ≤ q ≤ 1): the sample of rank
   * ⌈q·count⌉ is located in the histogram and interpolated linearly inside
   * its (sub-)bucket, then clamped to [min, max]. Error bound: log2 layout,
   * values in [1, 2^127): relative error < 1/32; linear layout: absolute
   * error < width. A rank among the low outliers (below the lowest bucket)
   * gives min: exact when those samples are equal (e.g. all 0 ms), otherwise
   * off by less than the distance from min to the lowest bucket; a rank
   * among the high outliers gives max. q = 0 → min, q = 1 → max.
   * NaN when empty.
   */
  quantile(q: number): number {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1))
      throw new InvalidArgumentError(`quantile must be in [0, 1], got ${q}`, q);
    if (this.count === 0) return Number.NaN;
    const min = this.min!;
    const max = this.max!;
    if (q === 0) return min;
    if (q === 1) return max;
    const rank = Math.max(1, Math.ceil(q * this.count));
    const clamp = (x: number): number => Math.min(max, Math.max(min, x));
    let cum = this.outliersLow;
    if (rank <= cum) return min;
    const cells = this.subBuckets ?? this.buckets;
    const per = this.subBuckets ? SUB_BUCKETS : 1;
    for (let c = 0; c < cells.length; c++) {
      const n = cells[c]!;
      if (n === 0) continue;
      if (rank <= cum + n) {
        let lo: number;
        let w: number;
        if (this.linear) {
          lo = this.linear.low + c * this.linear.width;
          w = this.linear.width;
        } else {
          const k = Math.floor(c / per);
          w = 2 ** k / SUB_BUCKETS;
          lo = 2 ** k + (c % per) * w;
        }
        return clamp(lo + (w * (rank - cum - 0.5)) / n);
      }
      cum += n;
    }
    return max;
  }

  /**
   * Add another aggregate's samples to this one (same bucket layout).
   * @throws {InvalidArgumentError} when the layouts differ
   */
  merge(o: Aggregate): this {
    if (!(o instanceof Aggregate)) throw new InvalidArgumentError('merge needs an Aggregate', o);
    if (
      o.buckets.length !== this.buckets.length ||
      o.linear?.low !== this.linear?.low ||
      o.linear?.width !== this.linear?.width
    ) {
      throw new InvalidArgumentError('cannot merge aggregates with different bucket layouts', o.linear);
    }
    if (o.count === 0) return this;
    if (this.count === 0) {
      this.min = o.min;
      this.max = o.max;
    } else {
      if (o.max! > this.max!) this.max = o.max;
      if (o.min! < this.min!) this.min = o.min;
    }
    this.count += o.count;
    this.sum += o.sum;
    this.sum2 += o.sum2;
    this.outliersLow += o.outliersLow;
    this.outliersHigh += o.outliersHigh;
    for (let i = 0; i < this.buckets.length; i++) this.buckets[i]! += o.buckets[i]!;
    if (this.subBuckets && o.subBuckets)
      for (let i = 0; i < this.subBuckets.length; i++) this.subBuckets[i]! += o.subBuckets[i]!;
    return this;
  }

  /** Forget every sample. */
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.sum2 = 0;
    this.min = undefined;
    this.max = undefined;
    this.outliersLow = 0;
    this.outliersHigh = 0;
    this.buckets.fill(0);
    this.subBuckets?.fill(0);
  }

  /** A copy with the same samples. */
  clone(): Aggregate {
    return new Aggregate(this.linear).merge(this);
  }

  /**
   * The histogram as text, byte-identical to the gem's `to_s(columns)`
   * (default 80 columns; "Empty histogram" without bucketed samples).
   */
  toString(columns = 80): string {
    if (!Number.isInteger(columns) || columns < 80)
      throw new InvalidArgumentError(`columns must be an integer >= 80, got ${columns}`, columns);
    const disp: [number, string, number][] = [];
    let maxCount = 0;
    let total = 0;
    this.buckets.forEach((c, i) => {
      if (c === 0) return;
      if (c > maxCount) maxCount = c;
      disp.push([i, this.bucketText(i), c]);
      total += c;
    });
    if (disp.length === 0) return 'Empty histogram';
    const valueWidth = Math.max(disp[disp.length - 1]![1].length, 5);
    const countWidth = Math.max(String(total).length, 5);
    const maxBar = columns - (valueWidth + 2 + 2 + countWidth);
    const weight = Math.max(maxCount / maxBar, 1.0);
    const skip = `${' '.repeat(valueWidth)} ~\n`;
    let out = `${pad('value', valueWidth)} |${'-'.repeat(maxBar)}| ${pad('count', countWidth)}\n`;
    let prev = disp[0]![0] - 1;
    for (const [idx, text, c] of disp) {
      if (prev !== idx - 1) out += skip;
      prev = idx;
      const bar = Math.trunc(c / weight);
      out += `${pad(text, valueWidth)} |${'@'.repeat(bar)}${' '.repeat(Math.max(0, maxBar - bar))}| ${pad(String(c), countWidth)}\n`;
    }
    if (disp[disp.length - 1]![0] !== this.buckets.length - 1) out += skip;
    out += `${pad('Total', valueWidth)} |${'-'.repeat(maxBar)}| ${pad(String(total), countWidth)}\n`;
    return out;
  }

  private bucketText(i: number): string {
    if (!this.linear) return (1n << BigInt(i)).toString();
    return String(Math.trunc(this.bucketLow(i)));
  }
}
