/**
 * Small private helpers shared by the system-wide procfs parsers: strict
 * number parsing that throws {@link ParseError} naming the file, the line and
 * the text. Not part of the public API.
 * @module
 * @internal
 */
import { ParseError } from '../errors.js';
import { formatIPv6 } from '../util/inet.js';

const DEC = /^\d+$/;
const SDEC = /^-?\d+$/;
const HEX = /^(?:0[xX])?[0-9a-fA-F]+$/;
const FLOAT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Where a value came from, for error messages. */
export interface Where {
  /** The file (e.g. `/proc/net/dev`). */
  file: string;
  /** 1-based line number. */
  line?: number;
  /** The whole line text. */
  text?: string;
}

/** Throw a {@link ParseError} at `w`. */
export function fail(w: Where, reason: string): never {
  throw new ParseError(w.file, reason, { line: w.line, text: w.text });
}

/** Parse an unsigned decimal integer as a number (exact below 2^53). */
export function uint(s: string | undefined, w: Where, what = 'value'): number {
  if (s === undefined || !DEC.test(s)) fail(w, `${what} is not an unsigned integer: ${JSON.stringify(s ?? '')}`);
  return Number(s);
}

/** Parse a signed decimal integer as a number. */
export function sint(s: string | undefined, w: Where, what = 'value'): number {
  if (s === undefined || !SDEC.test(s)) fail(w, `${what} is not an integer: ${JSON.stringify(s ?? '')}`);
  return Number(s);
}

/** Parse an unsigned decimal integer as a bigint (u64 counters that can exceed 2^53). */
export function ubig(s: string | undefined, w: Where, what = 'value'): bigint {
  if (s === undefined || !DEC.test(s)) fail(w, `${what} is not an unsigned integer: ${JSON.stringify(s ?? '')}`);
  return BigInt(s);
}

/** Parse a hexadecimal integer (optional `0x`) as a number. */
export function hex(s: string | undefined, w: Where, what = 'value'): number {
  if (s === undefined || !HEX.test(s)) fail(w, `${what} is not a hexadecimal integer: ${JSON.stringify(s ?? '')}`);
  return Number.parseInt(s.replace(/^0[xX]/, ''), 16);
}

/** Parse a hexadecimal integer (optional `0x`) as a bigint. */
export function hexBig(s: string | undefined, w: Where, what = 'value'): bigint {
  if (s === undefined || !HEX.test(s)) fail(w, `${what} is not a hexadecimal integer: ${JSON.stringify(s ?? '')}`);
  return BigInt(`0x${s.replace(/^0[xX]/, '')}`);
}

/** Parse a decimal floating-point number. */
export function float(s: string | undefined, w: Where, what = 'value'): number {
  if (s === undefined || !FLOAT.test(s)) fail(w, `${what} is not a number: ${JSON.stringify(s ?? '')}`);
  return Number(s);
}

/** Split text into lines, dropping one trailing empty line (the final newline). */
export function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** Split on runs of whitespace, ignoring leading/trailing whitespace. */
export function fields(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(/\s+/);
}

/** A fresh prototype-less object for kernel-supplied keys (so a key like `__proto__` is just a key). */
export function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Format 16 bytes as a compressed IPv6 address (RFC 5952): the one implementation in src/util/inet.ts. */
export { formatIPv6 };

/**
 * Decode an address as `/proc/net/{tcp,udp,route}` print it: 8 or 32 hex digits, each 32-bit
 * word printed as a host-order integer (so on little-endian machines its bytes are reversed).
 * Returns the dotted or colon text form.
 */
export function hostOrderHexIP(s: string, w: Where, what = 'address'): string {
  if (!/^[0-9A-Fa-f]+$/.test(s) || (s.length !== 8 && s.length !== 32)) {
    fail(w, `${what} is not 8 or 32 hex digits: ${JSON.stringify(s)}`);
  }
  const bytes = new Uint8Array(s.length / 2);
  for (let word = 0; word < s.length / 8; word++) {
    for (let k = 0; k < 4; k++) {
      const src = LITTLE_ENDIAN ? 3 - k : k;
      bytes[word * 4 + k] = Number.parseInt(s.slice(word * 8 + src * 2, word * 8 + src * 2 + 2), 16);
    }
  }
  return bytes.length === 4 ? Array.from(bytes).join('.') : formatIPv6(bytes);
}

/** Parse a `key value key value …` list of words into a map (sockstat, zoneinfo style). */
export function pairs(words: string[], w: Where): [string, string][] {
  if (words.length % 2 !== 0) fail(w, 'expected key value pairs');
  const out: [string, string][] = [];
  for (let i = 0; i < words.length; i += 2) out.push([words[i]!, words[i + 1]!]);
  return out;
}

/** One `key : value` block of a blank-line-separated file (cpuinfo, crypto), with its first line number. */
export interface KVBlock {
  /** 1-based line of the block's first line. */
  line: number;
  /** Keys in order with their values and line numbers. */
  entries: { key: string; value: string; line: number; text: string }[];
}

/** Split a `key : value` file into blank-line-separated blocks. Lines without `:` are an error. */
export function kvBlocks(text: string, file: string): KVBlock[] {
  const out: KVBlock[] = [];
  let cur: KVBlock | undefined;
  lines(text).forEach((t, i) => {
    if (t.trim() === '') {
      cur = undefined;
      return;
    }
    const c = t.indexOf(':');
    if (c < 0) fail({ file, line: i + 1, text: t }, 'expected "key : value"');
    if (!cur) {
      cur = { line: i + 1, entries: [] };
      out.push(cur);
    }
    cur.entries.push({ key: t.slice(0, c).trim(), value: t.slice(c + 1).trim(), line: i + 1, text: t });
  });
  return out;
}

/** Parse the `CPU0 CPU1 …` header shared by `/proc/softirqs` and `/proc/interrupts`. */
export function parseCPUHeader(line: string | undefined, w: Where): number[] {
  const cols = (line ?? '').trim().split(/\s+/);
  if (cols.length === 0 || cols[0] === '') fail(w, 'missing the "CPU0 CPU1 …" header');
  return cols.map((c) => {
    if (!c.startsWith('CPU')) fail(w, `header column ${JSON.stringify(c)} is not CPUn`);
    return uint(c.slice(3), w, 'cpu number');
  });
}
