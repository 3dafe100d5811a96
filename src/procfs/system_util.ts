/**
 * Small private helpers shared by the system-wide procfs parsers: strict
 * number parsing that throws {@link ParseError} naming the file, the line and
 * the text. Not part of the public API.
 * @module
 * @internal
 */
import { ParseError } from '../errors.js';

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
