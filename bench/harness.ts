/**
 * The benchmark harness: every `bench/*.bench.ts` module default-exports a
 * function that receives a {@link BenchContext}, measures, and reports rows.
 * `bench/run.ts` runs them all in one process and prints a side-by-side table
 * with ratios and whether each target was met.
 */

export interface BenchRow {
  /** What was measured, e.g. "all-listener stats, 100k conns". */
  name: string;
  /** Our figure. */
  value: number;
  /** Its unit, e.g. "ms", "µs/query", "events/s". */
  unit: string;
  /** The peer's figure for the same work, if measured in this run. */
  peer?: { name: string; value: number };
  /** `lower` when smaller is better (times), `higher` for rates. */
  better: 'lower' | 'higher';
  /** Human-readable target, e.g. "≥ 2× faster than raindrops" or "≤ 0.2 ms". */
  target?: string;
  /** Whether the target was met (computed by the bench). */
  met?: boolean;
  /** Extra details (sizes, commands). */
  note?: string;
}

export interface BenchContext {
  /** Quick pass for CI: tiny sizes, no peers that need installing. */
  smoke: boolean;
  report(row: BenchRow): void;
  log(msg: string): void;
}

export type Bench = (ctx: BenchContext) => Promise<void>;

/** Run `fn` `n` times (after `warmup` runs) and return per-call times in ms, sorted. */
export async function timeIt(fn: () => unknown, n: number, warmup = Math.min(3, n)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out.sort((a, b) => a - b);
}

/** Median of a sorted array. */
export function median(sorted: number[]): number {
  if (sorted.length === 0) return Number.NaN;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** Ratio "how many times better we are than the peer" (>1 = we win). */
export function advantage(row: BenchRow): number | undefined {
  if (!row.peer) return undefined;
  return row.better === 'lower' ? row.peer.value / row.value : row.value / row.peer.value;
}
