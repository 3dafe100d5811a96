/**
 * The one place libc is loaded through koffi, with the errno helpers every
 * system-call module of this layer shares. Each topic (sockets, memory
 * mappings, bpf(2), namespaces) has its own file beside this one and is
 * re-exported from `index.ts`.
 * @internal
 * @module
 */
import { constants as osConstants } from 'node:os';
import koffi from 'koffi';
import { SysCallError } from '../errors.js';

/** libc, loaded once per process. */
export const libc = koffi.load('libc.so.6');

const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(osConstants.errno)) {
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}
// Where Linux has two names for one number, use the one the kernel sources and man pages use.
for (const name of ['EOPNOTSUPP', 'EAGAIN', 'EDEADLK'] as const) {
  const value = (osConstants.errno as Record<string, number>)[name];
  if (value !== undefined) errnoNames.set(value, name);
}

/** errno numbers used by callers to recognize conditions. */
export const errno = osConstants.errno;

/** The symbolic name of an errno value (`ENOBUFS`), or `E<number>` when unknown. */
export function errnoName(code: number): string {
  return errnoNames.get(code) ?? `E${code}`;
}

/** Build the error for a failed call; EPERM/EACCES become {@link PermissionError} when a capability is named. */
export function sysError(call: string, code: number, detail?: string): SysCallError {
  return new SysCallError(call, code, errnoName(code), detail);
}

/** Retry a call on EINTR; return its result or throw for any other negative result. */
export function retry<T extends number | bigint>(call: string, fn: () => T, detail?: string): T {
  for (;;) {
    const r = fn();
    if (r >= 0) return r;
    const e = koffi.errno();
    if (e === errno.EINTR) continue;
    throw sysError(call, e, detail);
  }
}
