/**
 * Shared memory: memfd_create(2), mmap(2)/munmap(2) of a descriptor with
 * MAP_SHARED, and `koffi.view` to see the mapping as an `ArrayBuffer`.
 *
 * - Every memfd is created with `MFD_CLOEXEC`, so it never leaks into a
 *   program started with exec (spawn, execve); cluster workers and other
 *   children reach it through `/proc/<pid>/fd/<n>` or an explicit stdio slot.
 * - A mapping's `ArrayBuffer` stays valid until {@link unmapShared}; touching it
 *   after that crashes the process, so callers must guard every access once
 *   they unmap (the stats layer throws a typed error instead).
 * - `mmap` failure is `MAP_FAILED` ((void *)-1), reported as {@link SysCallError}.
 *
 * @module
 */
import koffi from 'koffi';
import { errno, libc, retry, sysError } from './libc.js';

const c_memfd_create = libc.func('int memfd_create(const char *name, unsigned int flags)');
const c_mmap = libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)');
const c_munmap = libc.func('int munmap(void *addr, size_t len)');
const c_sysconf = libc.func('long sysconf(int name)');
const c_gettid = libc.func('int gettid(void)');

/** memfd_create(2) flags. */
export const MFD_CLOEXEC = 0x1;
export const MFD_ALLOW_SEALING = 0x2;
/** mmap(2) protections and flags. */
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const MAP_SHARED = 0x1;

const _SC_PAGESIZE = 30;
const _SC_LEVEL1_DCACHE_LINESIZE = 190;
const MAP_FAILED = 0xffffffffffffffffn;

/** The system page size in bytes (`sysconf(_SC_PAGESIZE)`, 4096 on x86-64). */
export const pageSize: number = Number(c_sysconf(_SC_PAGESIZE)) || 4096;

/**
 * The L1 data cache line in bytes (`sysconf(_SC_LEVEL1_DCACHE_LINESIZE)`),
 * 64 when the C library does not know it (raindrops uses 128 then; 64 is
 * right for every x86-64 and most arm64 parts).
 */
export const cacheLineSize: number =
  Number(c_sysconf(_SC_LEVEL1_DCACHE_LINESIZE)) > 0 ? Number(c_sysconf(_SC_LEVEL1_DCACHE_LINESIZE)) : 64;

/** Round `bytes` up to a whole number of pages. */
export function pageAlign(bytes: number): number {
  return Math.ceil(bytes / pageSize) * pageSize;
}

/**
 * memfd_create(2): an anonymous file in the kernel's shmem, named `name` in
 * `/proc/<pid>/fd` (`/memfd:NAME (deleted)`). `MFD_CLOEXEC` is always added.
 * The name must be at most 249 bytes.
 */
export function memfdCreate(name: string, flags = 0): number {
  return retry('memfd_create', () => c_memfd_create(name, flags | MFD_CLOEXEC) as number, name);
}

/** A live shared mapping. `buffer` is only valid until {@link unmapShared}. */
export interface Mapping {
  /** The mapping's start address, as returned by mmap(2). */
  readonly address: bigint;
  /** Its length in bytes. */
  readonly length: number;
  /** The bytes, seen as a (non-shared) ArrayBuffer; `Atomics` work on typed arrays over it. */
  readonly buffer: ArrayBuffer;
  /** @internal koffi's pointer object. */
  readonly ptr: unknown;
}

/**
 * mmap(2) `length` bytes of `fd` from `offset` with `MAP_SHARED`, read-write
 * unless `readOnly`. The descriptor may be closed afterwards: the mapping
 * keeps the file alive.
 * @throws {SysCallError} `mmap` with the errno (ENODEV for a file system that
 *   cannot be mapped, EACCES for a descriptor opened without write access).
 */
export function mapShared(fd: number, length: number, opts: { readOnly?: boolean; offset?: number } = {}): Mapping {
  if (!Number.isSafeInteger(length) || length <= 0) throw sysError('mmap', errno.EINVAL, `length ${length}`);
  const prot = opts.readOnly ? PROT_READ : PROT_READ | PROT_WRITE;
  for (;;) {
    const ptr = c_mmap(null, length, prot, MAP_SHARED, fd, opts.offset ?? 0);
    const address = ptr === null ? MAP_FAILED : BigInt(koffi.address(ptr));
    if (address === MAP_FAILED || address === 0n) {
      const e = koffi.errno();
      if (e === errno.EINTR) continue;
      throw sysError('mmap', e, `${length} bytes of descriptor ${fd}`);
    }
    const buffer = koffi.view(ptr, length) as ArrayBuffer;
    return { address, length, buffer, ptr };
  }
}

/** munmap(2). After it, every view over `m.buffer` must no longer be touched. */
export function unmapShared(m: Mapping): void {
  retry('munmap', () => c_munmap(m.ptr, m.length) as number);
}

/** gettid(2): the kernel thread id of the calling thread (the pid on the main thread). */
export function gettid(): number {
  return c_gettid() as number;
}
