/**
 * Output rules shared by every CLI command:
 *
 * - **A closed pipe ends quietly.** {@link guardStdout} turns EPIPE on
 *   stdout (`raingauge netstat --interval 1 | head -1`) into a quiet stop:
 *   every loop's stop signal fires, cleanup runs (tracing instances are
 *   removed), later writes are dropped, and the process exits 0.
 * - **Control characters from the kernel are escaped** in human-readable
 *   output ({@link escapeControl}): a socket bound as `@x\e]0;pwned\a` cannot
 *   set the terminal's title and a newline in a name cannot split a row.
 * - **One JSON shape rule** ({@link jsonLine}): one object per line; u64
 *   counters are JSON numbers with every digit (a `bigint` is written exactly,
 *   never quoted or rounded: read them with a big-integer-aware parser such as
 *   jq ≥ 1.7 or Python's json); kernel addresses are `"0x…"` strings
 *   ({@link hexAddress}); every sample carries `time` (ISO 8601 UTC wall
 *   clock), every event also `timestampNs` (the kernel's clock, ns); the same
 *   thing has the same field name in every command (`event`, `pid`, `comm`,
 *   `time`, `timestampNs`).
 *
 * No heavy imports: loaded by every command.
 * @module
 */
import { stopAll } from './util.js';

let stdoutClosed = false;
let guarded = false;

/** True once stdout was closed by its reader (EPIPE). */
export function stdoutIsClosed(): boolean {
  return stdoutClosed;
}

/**
 * Install the EPIPE handling on stdout and stderr (idempotent). On EPIPE:
 * stop every loop ({@link stopAll}), drop further output, and exit 0 once
 * the command's cleanup had 2 s (a fallback for a command blocked elsewhere).
 */
export function guardStdout(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    closedPipe();
  });
  process.stderr.on('error', () => {
    /* nobody reads our diagnostics: nothing to do */
  });
}

function closedPipe(): void {
  if (stdoutClosed) return;
  stdoutClosed = true;
  if (process.exitCode === undefined) process.exitCode = 0;
  stopAll();
  setTimeout(() => process.exit(), 2000).unref();
}

/**
 * Write `text` to stdout unless the reader went away. Returns false when the
 * output is closed (callers that loop should stop).
 */
export function write(text: string): boolean {
  if (stdoutClosed) return false;
  try {
    process.stdout.write(text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') closedPipe();
    else throw err;
  }
  return !stdoutClosed;
}

/** {@link write} `text` and a newline. */
export function writeLine(text: string): boolean {
  return write(`${text}\n`);
}

const NAMED: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 13: '\\r', 27: '\\e' };

/**
 * Escape what a terminal would interpret in text that came from the kernel or
 * another user (socket paths, command names, command lines): C0 controls
 * (`\n`, `\t`, `\e`, `\xNN`), DEL, the C1 range U+0080–U+009F and the
 * bidirectional overrides U+202A–U+202E, U+2066–U+2069 (`\u{…}`). Everything
 * else (including other Unicode) is kept. JSON output needs none of this.
 */
export function escapeControl(text: string): string {
  // fast path: most names have nothing to escape
  if (!/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f) out += NAMED[c] ?? `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      out += `\\u{${c.toString(16)}}`;
    } else out += ch;
  }
  return out;
}

/** A kernel address (`struct sock *`) as the JSON rule writes it: `"0x…"`. */
export function hexAddress(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}

const BIG = '\u0000bigint:';

function replacer(this: unknown, _key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${BIG}${v.toString()}`;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (
    v &&
    typeof v === 'object' &&
    (v as { type?: string }).type === 'Buffer' &&
    Array.isArray((v as { data?: unknown }).data)
  ) {
    return Buffer.from((v as { data: number[] }).data).toString('hex');
  }
  return v;
}

/**
 * Serialize `value` by the CLI's JSON rule: `bigint` as an exact JSON number,
 * bytes as hex, `Date` as ISO 8601 (its `toJSON`). One line unless `space`.
 */
export function jsonText(value: unknown, space?: number): string {
  const text = JSON.stringify(value, replacer, space);
  return text === undefined ? 'null' : text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/** {@link jsonText} plus a newline: one JSON line. */
export function jsonLine(value: unknown): string {
  return `${jsonText(value)}\n`;
}

/** True when stdout is a terminal (live views redraw, tables fit the width, colours allowed). */
export function stdoutIsTTY(): boolean {
  return process.stdout.isTTY === true;
}

/** The terminal's width in columns when stdout is a terminal, else undefined (no fitting when piped). */
export function terminalColumns(): number | undefined {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined;
}

/** The terminal's height in rows when stdout is a terminal, else undefined. */
export function terminalRows(): number | undefined {
  return process.stdout.isTTY && process.stdout.rows > 0 ? process.stdout.rows : undefined;
}

/** Colours on: stdout is a terminal and `NO_COLOR` is unset or empty. */
export function useColor(): boolean {
  if (!stdoutIsTTY()) return false;
  return process.env.NO_COLOR === undefined || process.env.NO_COLOR === '';
}
