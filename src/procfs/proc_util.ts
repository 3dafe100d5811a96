/**
 * Small helpers shared by the per-process parsers (`/proc/<pid>/*`): strict
 * number parsing that throws {@link ParseError} naming the file, line and text,
 * and mapping of filesystem errors under `/proc/<pid>` to typed errors.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { errnoError } from '../errors.js';
import { type Where as ProcWhere, fail as procFail } from './system_util.js';

// The same error location, error and line splitting as the system-wide parsers, under the names
// the per-process parsers use.
export { fail as procFail, lines as procLines, type Where as ProcWhere } from './system_util.js';

const DEC = /^\d+$/;
const SDEC = /^-?\d+$/;
const HEX = /^(?:0x)?[0-9a-fA-F]+$/;

/** Parse an unsigned decimal integer that fits in a JS number (≤ 2^53). */
export function pUint(s: string | undefined, where: ProcWhere, what: string): number {
  if (s === undefined || !DEC.test(s))
    procFail(where, `${what}: expected an unsigned integer, got ${JSON.stringify(s)}`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) procFail(where, `${what}: ${s} exceeds 2^53`);
  return n;
}

/** Parse a signed decimal integer that fits in a JS number. */
export function pInt(s: string | undefined, where: ProcWhere, what: string): number {
  if (s === undefined || !SDEC.test(s)) procFail(where, `${what}: expected an integer, got ${JSON.stringify(s)}`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) procFail(where, `${what}: ${s} exceeds 2^53`);
  return n;
}

/** Parse an unsigned decimal u64 as a bigint. */
export function pU64(s: string | undefined, where: ProcWhere, what: string): bigint {
  if (s === undefined || !DEC.test(s) || s.length > 20) {
    procFail(where, `${what}: expected an unsigned 64-bit integer, got ${JSON.stringify(s)}`);
  }
  const n = BigInt(s);
  if (n > 0xffffffffffffffffn) procFail(where, `${what}: ${s} exceeds 2^64`);
  return n;
}

/** Parse a signed decimal 64-bit integer as a bigint. */
export function pS64(s: string | undefined, where: ProcWhere, what: string): bigint {
  if (s === undefined || !SDEC.test(s) || s.length > 21) {
    procFail(where, `${what}: expected a signed 64-bit integer, got ${JSON.stringify(s)}`);
  }
  return BigInt(s);
}

/** Parse a hexadecimal number (optional `0x`) as a bigint. */
export function pHex(s: string | undefined, where: ProcWhere, what: string): bigint {
  if (s === undefined || !HEX.test(s) || s.length > 260) {
    procFail(where, `${what}: expected a hexadecimal number, got ${JSON.stringify(s)}`);
  }
  return BigInt(s.startsWith('0x') ? s : `0x${s}`);
}

/** Parse an octal number (e.g. fdinfo `flags`, status `Umask`). */
export function pOct(s: string | undefined, where: ProcWhere, what: string): number {
  if (s === undefined || !/^[0-7]{1,22}$/.test(s)) {
    procFail(where, `${what}: expected an octal number, got ${JSON.stringify(s)}`);
  }
  return Number.parseInt(s, 8);
}

/** Parse `<n> kB` (status, smaps) into bytes. */
export function pKB(s: string | undefined, where: ProcWhere, what: string): number {
  const m = s === undefined ? null : /^\s*(\d+)\s+kB$/.exec(s);
  if (!m) procFail(where, `${what}: expected "<n> kB", got ${JSON.stringify(s)}`);
  const n = Number(m[1]) * 1024;
  if (!Number.isSafeInteger(n)) procFail(where, `${what}: ${m[1]} kB exceeds 2^53 bytes`);
  return n;
}

/** `text` without its final newline, if it has one (comm, statm, schedstat). */
export function chompNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/**
 * The fields of a one-line file of single-space-separated values (statm,
 * schedstat), which must number exactly `count`, with where that line stands.
 */
export function procFields(text: string, file: string, count: number): { f: string[]; where: ProcWhere } {
  const line = chompNewline(text);
  const f = line.split(' ');
  const where: ProcWhere = { file, line: 1, text: line };
  if (f.length !== count) procFail(where, `expected ${count} fields, got ${f.length}`);
  return { f, where };
}

/**
 * Split NUL-separated strings (cmdline, environ). Every trailing NUL is trimmed first, as Go procfs
 * and `ps` do: a process that rewrites its title (puma, Android apps, `setproctitle`) pads the old
 * argv area with NULs, which would otherwise come back as dozens of empty strings. Empty strings
 * between arguments (`a\0\0b`) are kept.
 */
export function splitNul(text: string): string[] {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  if (end === 0) return [];
  return (end === text.length ? text : text.slice(0, end)).split('\0');
}

/** Expand the octal escapes (`\040` for a space, `\011`, `\012`, `\134`) the kernel uses in mountinfo, mountstats and /proc/swaps. */
export function unescapeOctal(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** Keys that must not become own properties of a plain record. */
export function safeKey(k: string): boolean {
  return k !== '__proto__' && k !== 'constructor' && k !== 'prototype';
}

/** Whether the process whose directory is `procDir` is a zombie (state `Z` or `X` in its `stat`). */
export function isZombieDir(procDir: string): boolean {
  try {
    const t = readFileSync(`${procDir}/stat`, 'latin1');
    const c = t.charCodeAt(t.lastIndexOf(')') + 2);
    return c === 90 || c === 88;
  } catch {
    return false;
  }
}

/**
 * Map a filesystem error met reading `path` below the directory of process `pid` (`procDir`) to a
 * typed error with the one errno mapping ({@link errnoError}): the process gone →
 * {@link ProcessGoneError}; a zombie or exiting process (ESRCH, EINVAL, ENOENT of `cwd`/`exe`) →
 * {@link ProcessExitedError}; ENOENT of one file → {@link NotFoundError}; EACCES/EPERM →
 * {@link PermissionError} naming the privilege; any other errno → {@link FileAccessError}.
 */
export function mapProcError(err: unknown, pid: number, procDir: string, path: string): never {
  throw errnoError(err, path, {
    pid,
    processDirExists: () => existsSync(procDir),
    isZombie: () => isZombieDir(procDir),
    capability: 'CAP_SYS_PTRACE',
    permissionFix: "another user's process needs root or CAP_SYS_PTRACE (CAP_DAC_READ_SEARCH for fd/)",
  });
}
