/**
 * Argument parsing and signal helpers shared by every CLI command: the ONE
 * duration parser (seconds), strict integer parsers and the stop signal
 * (Ctrl-C, SIGTERM, SIGHUP, a closed stdout, `q` in a live view).
 *
 * No heavy imports here: this module is loaded by every command at start-up.
 * @module
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../errors.js';

/** A bad command-line argument: the CLI prints the message and exits 2. */
export class UsageError extends InvalidArgumentError {}

/**
 * The longest delay Node's timers accept: 2^31 − 1 ms (about 24.8 days).
 * A larger `setTimeout` delay is silently replaced by 1 ms, which would turn
 * `--interval 3000000` into a busy loop.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The smallest duration the CLI accepts: 1 ms (timers have millisecond resolution). */
export const MIN_DURATION_S = 0.001;

const DURATION_RE = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)?$/;
const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Parse a duration option. A bare number is **seconds** (`--interval 0.5`);
 * the suffixes `ms`, `s`, `m` and `h` are accepted too (`250ms`, `2m`).
 * Only plain decimal notation: hexadecimal (`0x10`), exponents (`1e3`),
 * signs, `Infinity` and empty strings are rejected, as are durations under
 * 1 ms (`0.0001`), zero (unless `allowZero`), and anything above Node's timer
 * maximum ({@link MAX_TIMER_MS}).
 * @returns seconds (a finite number, ≥ 0.001 or exactly 0 with `allowZero`)
 * @throws {UsageError} naming the option, the value and what is accepted.
 */
export function parseDuration(name: string, value: string, { allowZero = false } = {}): number {
  const m = DURATION_RE.exec(value.trim());
  const accepted = `seconds such as 1, 0.5 or 250ms (from 0.001 s to ${MAX_TIMER_MS / 1000} s)`;
  if (!m) throw new UsageError(`${name} must be a duration in ${accepted}, got ${JSON.stringify(value)}`, value);
  const seconds = Number(m[1]) * UNIT_S[m[2] ?? 's']!;
  if (seconds === 0) {
    if (allowZero) return 0;
    throw new UsageError(`${name} must be more than 0 (${accepted}), got ${JSON.stringify(value)}`, value);
  }
  // compare in integer milliseconds so 0.001 passes despite floating point
  const ms = Math.round(seconds * 1e6) / 1e3;
  if (ms < 1) throw new UsageError(`${name} must be at least 1 ms, got ${JSON.stringify(value)}`, value);
  if (ms > MAX_TIMER_MS) {
    throw new UsageError(
      `${name} must be at most ${MAX_TIMER_MS / 1000} s (Node's timer limit, about 24.8 days), got ${JSON.stringify(value)}`,
      value,
    );
  }
  return seconds;
}

/** Parse a duration option when given; `undefined` stays `undefined`. */
export function parseOptionalDuration(name: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseDuration(name, value);
}

const UINT_RE = /^\d+$/;

/**
 * Parse a non-negative decimal integer (`--threshold 0`). Only digits: no
 * sign, no hexadecimal, no exponent, at most 2^53 − 1.
 * @throws {UsageError} naming the option.
 */
export function parseNonNegativeInt(name: string, value: string): number {
  const v = value.trim();
  const n = Number(v);
  if (!UINT_RE.test(v) || !Number.isSafeInteger(n)) {
    throw new UsageError(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`, value);
  }
  return n;
}

/** Parse a positive decimal integer (`--count 3`, `--pid 42`). @throws {UsageError} naming the option. */
export function parsePositiveInt(name: string, value: string): number {
  const v = value.trim();
  const n = Number(v);
  if (!UINT_RE.test(v) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`${name} must be a positive integer, got ${JSON.stringify(value)}`, value);
  }
  return n;
}

/**
 * Parse a positive number option that is not a duration (`--rcvbuf`):
 * decimal notation only. Durations use {@link parseDuration}.
 * @throws {UsageError} naming the option.
 */
export function parsePositive(name: string, value: string, { integer = false } = {}): number {
  if (integer) return parsePositiveInt(name, value);
  const v = value.trim();
  const n = Number(v);
  if (!/^(\d+(\.\d+)?|\.\d+)$/.test(v) || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${name} must be a positive number, got ${JSON.stringify(value)}`, value);
  }
  return n;
}

/** Parse `--pid`: a positive integer. @throws {UsageError} */
export function parsePid(name: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : parsePositiveInt(name, value);
}

/** Reject an empty string option (`--comm ''`), which would otherwise match nothing or everything. */
export function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === '') {
    throw new UsageError(`${name} must not be empty`, value);
  }
  return value;
}

/** Pick one of `choices` (`--sort`); @throws {UsageError} listing them. */
export function parseChoice<const C extends readonly string[]>(name: string, value: string, choices: C): C[number] {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`, value);
  }
  return value as C[number];
}

/** `/proc/<pid>/comm` (the command name; a live process's tgid taskstats record carries no ac_comm), or undefined. */
export function readProcComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** True when `/proc/<pid>` exists (the process is alive or a zombie). */
export function processExists(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}

/** One controller for the whole process: a closed stdout (EPIPE) or `q` in a live view stop every loop. */
const processStop = new AbortController();

/** Stop every running command loop (EPIPE on stdout, `q` in a live view). */
export function stopAll(): void {
  processStop.abort();
}

/** True once {@link stopAll} ran. */
export function stoppedAll(): boolean {
  return processStop.signal.aborted;
}

/** The signals that end a command the same way: Ctrl-C, `kill`, and a closed terminal. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * An AbortSignal that fires on SIGINT, SIGTERM or SIGHUP (a closed terminal:
 * handled like SIGTERM, so tracing instances are removed and the process
 * exits promptly), on a closed stdout, on `q` in a live view, and, if given,
 * after `durationS` seconds. Call `dispose()` to remove the handlers.
 */
export function stopSignal(durationS?: number): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSig = () => ac.abort();
  for (const s of STOP_SIGNALS) process.on(s, onSig);
  if (processStop.signal.aborted) ac.abort();
  else processStop.signal.addEventListener('abort', onSig, { once: true });
  const t = durationS !== undefined ? setTimeout(onSig, durationS * 1000) : undefined;
  return {
    signal: ac.signal,
    dispose() {
      for (const s of STOP_SIGNALS) process.off(s, onSig);
      processStop.signal.removeEventListener('abort', onSig);
      if (t) clearTimeout(t);
    },
  };
}
