/**
 * Deltas and rates between two samples of the network counters.
 *
 * Rules (the same as nstat's, made explicit):
 * - a counter's delta is `next − prev`; a counter that went **down** (its
 *   network namespace was re-created, the kernel wrapped it, or the history
 *   came from elsewhere) is taken to have started over: its delta is its new
 *   value and `restarted` is set. Rates are therefore never negative;
 * - a counter missing from `prev` counts from zero (the kernel prints
 *   `IcmpMsg InType<N>` only once that type was seen, so absence means 0);
 * - a gauge (`Tcp CurrEstab`, `Tcp MaxConn`, …, see {@link counterKind}) is
 *   reported with its current value and its signed change, never a rate;
 * - counters present in `prev` but not in `next` are left out.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { type CounterKind, counterKind } from './meta.js';
import type { CounterValue, NetCounterSet } from './parse.js';

/** How one counter changed between two samples. */
export interface CounterChange {
  /** Counter or gauge. */
  kind: CounterKind;
  /** The value in the newer sample. */
  value: CounterValue;
  /**
   * Counter: how much it grew (≥ 0; its new value when it restarted).
   * Gauge: `next − prev`, which may be negative.
   */
  delta: CounterValue;
  /** Counter only: `delta / seconds` when `seconds` was given and > 0. */
  ratePerSecond?: number;
  /** Counter only: set when the counter went backwards and was taken to have started over. */
  restarted?: true;
}

/** Changes by protocol section then name, like the counters themselves. */
export type NetCounterDelta = Record<string, Record<string, CounterChange>>;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function normalize(v: bigint): CounterValue {
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
}

/** `a − b` exactly, for number or bigint operands (result normalised like parsed values). */
export function subtractCounterValues(a: CounterValue, b: CounterValue): CounterValue {
  if (typeof a === 'number' && typeof b === 'number') {
    const d = a - b;
    if (Number.isSafeInteger(d)) return d;
  }
  return normalize(BigInt(a) - BigInt(b));
}

/** `a < b` for number or bigint operands. */
function less(a: CounterValue, b: CounterValue): boolean {
  return a < b;
}

/**
 * The change of every counter between two samples of {@link netCounters}
 * (or any `{ proto: { name: value } }` sets), with rates per second when
 * `seconds` (the time between the samples) is given.
 *
 * @example
 * const a = netCounters(); await sleep(1000); const b = netCounters();
 * counterDelta(a, b, 1).TcpExt.ListenOverflows; // { kind: 'counter', value, delta, ratePerSecond }
 */
export function counterDelta(prev: NetCounterSet, next: NetCounterSet, seconds?: number): NetCounterDelta {
  if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0)) {
    throw new InvalidArgumentError(`seconds must be a finite number ≥ 0, got ${String(seconds)}`, seconds);
  }
  const out: NetCounterDelta = {};
  for (const proto of Object.keys(next)) {
    const n = next[proto]!;
    const p = Object.hasOwn(prev, proto) ? prev[proto]! : undefined;
    const sec: Record<string, CounterChange> = {};
    for (const name of Object.keys(n)) {
      const value = n[name]!;
      const before = p !== undefined && Object.hasOwn(p, name) ? p[name]! : undefined;
      const kind = counterKind(proto, name);
      if (kind === 'gauge') {
        sec[name] = { kind, value, delta: before === undefined ? 0 : subtractCounterValues(value, before) };
        continue;
      }
      let delta: CounterValue;
      let restarted = false;
      if (before === undefined) delta = value;
      else if (less(value, before)) {
        delta = value;
        restarted = true;
      } else delta = subtractCounterValues(value, before);
      const c: CounterChange = { kind, value, delta };
      if (seconds !== undefined && seconds > 0) c.ratePerSecond = Number(delta) / seconds;
      if (restarted) c.restarted = true;
      sec[name] = c;
    }
    out[proto] = sec;
  }
  return out;
}

/**
 * Collapse a {@link NetCounterDelta} into the counters' shape: counters
 * become their delta, gauges their current value. This is what
 * `raingauge netstat --delta --json` prints.
 */
export function deltaValues(d: NetCounterDelta): NetCounterSet {
  const out: NetCounterSet = {};
  for (const proto of Object.keys(d)) {
    const sec: Record<string, CounterValue> = {};
    const src = d[proto]!;
    for (const name of Object.keys(src)) {
      const c = src[name]!;
      sec[name] = c.kind === 'gauge' ? c.value : c.delta;
    }
    out[proto] = sec;
  }
  return out;
}
