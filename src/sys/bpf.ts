/**
 * bpf(2) through libc's variadic `syscall`, plus the memory mapping a BPF
 * ring buffer needs. Everything above (maps, programs, the BTF reader, the
 * assembler) lives in `src/bpf/` and works with descriptors and Buffers.
 *
 * - {@link bpfSyscall} returns the raw result and errno so callers can attach
 *   the verifier log or a capability to the error; {@link bpfCall} throws.
 * - Pointers inside a `union bpf_attr` are the addresses of Node Buffers
 *   ({@link bufferAddress}): keep the Buffer referenced until the call returns.
 * - Nothing here pins objects: every descriptor dies with the process.
 * @module
 */
import { readFileSync } from 'node:fs';
import koffi from 'koffi';
import { PermissionError } from '../errors.js';
import { errno, errnoName, libc, sysError } from './libc.js';

/** x86_64 / aarch64 system-call numbers of bpf(2). */
const SYS_BPF: Record<string, number> = { x64: 321, arm64: 280, riscv64: 280, ia32: 357, arm: 386 };

const c_syscall = libc.func('long syscall(long number, ...)');
const c_mmap = libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, intptr_t off)');
const c_munmap = libc.func('int munmap(void *addr, size_t len)');

/** bpf(2) commands (`enum bpf_cmd`, include/uapi/linux/bpf.h). */
export const BPF_CMD = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  MAP_DELETE_ELEM: 3,
  MAP_GET_NEXT_KEY: 4,
  PROG_LOAD: 5,
  PROG_GET_NEXT_ID: 11,
  MAP_GET_NEXT_ID: 12,
  OBJ_GET_INFO_BY_FD: 15,
  RAW_TRACEPOINT_OPEN: 17,
  LINK_CREATE: 28,
  LINK_GET_NEXT_ID: 31,
  ENABLE_STATS: 32,
  ITER_CREATE: 33,
} as const;

/** The result of one bpf(2) call: `ret` ≥ 0 on success, else -1 with `errno`. */
export interface BpfSyscallResult {
  ret: number;
  errno: number;
}

/** The bpf(2) system-call number of this architecture. */
export function bpfSyscallNumber(): number {
  const n = SYS_BPF[process.arch];
  if (n === undefined) throw sysError('bpf', errno.ENOSYS, `no bpf(2) number known for ${process.arch}`);
  return n;
}

/** One raw bpf(2) call with `attr` as `union bpf_attr` (its length is the attr size). EINTR is retried. */
export function bpfSyscall(cmd: number, attr: Buffer): BpfSyscallResult {
  const nr = bpfSyscallNumber();
  for (;;) {
    const r = Number(c_syscall(nr, 'int', cmd, 'void *', attr, 'unsigned int', attr.length) as number | bigint);
    if (r >= 0) return { ret: r, errno: 0 };
    const e = koffi.errno();
    if (e === errno.EINTR || (e === errno.EAGAIN && cmd === BPF_CMD.PROG_LOAD)) continue;
    return { ret: r, errno: e };
  }
}

/**
 * bpf(2) that throws: EPERM/EACCES become {@link PermissionError} naming
 * CAP_BPF (what the process needs), anything else a SysCallError.
 */
export function bpfCall(cmd: number, attr: Buffer, what: string): number {
  const r = bpfSyscall(cmd, attr);
  if (r.ret >= 0) return r.ret;
  throw bpfError(what, r.errno);
}

/** The error for a failed bpf(2) command `what` with errno `code`. */
export function bpfError(what: string, code: number, detail?: string): Error {
  if (code === errno.EPERM || code === errno.EACCES) {
    return new PermissionError(
      `bpf(${what}) was refused (${errnoName(code)}): needs root or CAP_BPF + CAP_PERFMON${detail ? `; ${detail}` : ''}`,
      { capability: 'CAP_BPF', cause: sysError(`bpf(${what})`, code, detail) },
    );
  }
  return sysError(`bpf(${what})`, code, detail);
}

/** Address of a Buffer's memory, for pointer fields of `union bpf_attr`. */
export function bufferAddress(b: Buffer | Uint8Array): bigint {
  return BigInt(koffi.address(b) as bigint | number);
}

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;

/** A shared mapping of a descriptor (a BPF map's pages). `buffer` views the memory; `unmap()` releases it. */
export interface SharedMapping {
  readonly address: bigint;
  readonly length: number;
  readonly buffer: ArrayBuffer;
  unmap(): void;
}

/** mmap(2) `length` bytes of `fd` at `offset`, shared; `writable` adds PROT_WRITE. */
export function mmapShared(fd: number, length: number, offset: number, writable: boolean): SharedMapping {
  const p = c_mmap(null, length, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd, offset);
  const address = BigInt(koffi.address(p) as bigint | number);
  if (address === 0xffffffffffffffffn || address === 0n) throw sysError('mmap', koffi.errno(), `fd ${fd}`);
  const buffer = koffi.view(p, length) as ArrayBuffer;
  let mapped = true;
  return {
    address,
    length,
    buffer,
    unmap() {
      if (!mapped) return;
      mapped = false;
      c_munmap(p, length);
    },
  };
}

let possible: number | undefined;
/**
 * Number of possible CPUs (`/sys/devices/system/cpu/possible`, e.g. `0-1`):
 * the stride count of per-CPU map values.
 */
export function possibleCpuCount(): number {
  if (possible !== undefined) return possible;
  const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
  let max = 0;
  for (const part of text.split(',')) {
    const [a, b] = part.split('-');
    max = Math.max(max, Number(b ?? a));
  }
  possible = max + 1;
  return possible;
}
