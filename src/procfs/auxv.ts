/**
 * `/proc/<pid>/auxv`: the ELF auxiliary vector the kernel passed to the
 * program. raingauge reads the clock tick rate (`AT_CLKTCK`) and the page size
 * (`AT_PAGESZ`) from `/proc/self/auxv` instead of assuming 100 Hz and 4 KiB or
 * spawning `getconf`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { FileAccessError, NotFoundError, ParseError, PermissionError, throwErrnoError } from '../errors.js';
import type { ProcFS } from './fs.js';

/** `AT_NULL`: end of the auxiliary vector. */
export const AT_NULL = 0;
/** `AT_PAGESZ`: system page size in bytes. */
export const AT_PAGESZ = 6;
/** `AT_CLKTCK`: frequency of `times()` / procfs clock ticks (USER_HZ). */
export const AT_CLKTCK = 17;

/**
 * Parse an auxiliary vector (pairs of native-endian unsigned words, 8 bytes
 * each on 64-bit kernels, ending with `AT_NULL`) into a map type → value.
 * @param wordBytes 8 (default, 64-bit) or 4 (32-bit).
 * @throws {ParseError} when the length is not a whole number of pairs.
 */
export function parseAuxv(
  buf: Uint8Array,
  file = '/proc/self/auxv',
  wordBytes: 4 | 8 = 8,
  littleEndian = endianness() === 'LE',
): Map<number, bigint> {
  const pair = wordBytes * 2;
  if (buf.length % pair !== 0) {
    throw new ParseError(file, `length ${buf.length} is not a multiple of ${pair} bytes (type/value pairs)`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Map<number, bigint>();
  for (let off = 0; off < buf.length; off += pair) {
    const type = wordBytes === 8 ? dv.getBigUint64(off, littleEndian) : BigInt(dv.getUint32(off, littleEndian));
    const value =
      wordBytes === 8
        ? dv.getBigUint64(off + wordBytes, littleEndian)
        : BigInt(dv.getUint32(off + wordBytes, littleEndian));
    if (type === 0n) return out;
    if (type > 0xffffn) throw new ParseError(file, `entry type ${type} at byte ${off} is not an AT_* constant`);
    out.set(Number(type), value);
  }
  return out;
}

/** Clock tick rate and page size of the running kernel. */
export interface KernelUnits {
  /** Clock ticks per second (`AT_CLKTCK`, usually 100): unit of utime/stime/starttime in `/proc/<pid>/stat`. */
  clockTicksPerSecond: number;
  /** Page size in bytes (`AT_PAGESZ`): unit of `rss` in `/proc/<pid>/stat` and of `/proc/<pid>/statm`. */
  pageSizeBytes: number;
}

/** Extract {@link KernelUnits} from a parsed auxiliary vector. */
export function kernelUnitsFromAuxv(auxv: Map<number, bigint>, file = '/proc/self/auxv'): KernelUnits {
  const tck = auxv.get(AT_CLKTCK);
  const pg = auxv.get(AT_PAGESZ);
  if (tck === undefined || tck === 0n || tck > 1000000n) {
    throw new ParseError(file, `no usable AT_CLKTCK (17) entry (got ${tck})`);
  }
  if (pg === undefined || pg === 0n || pg > 1n << 30n)
    throw new ParseError(file, `no usable AT_PAGESZ (6) entry (got ${pg})`);
  return { clockTicksPerSecond: Number(tck), pageSizeBytes: Number(pg) };
}

const cache = new Map<string, KernelUnits>();
let running: KernelUnits | undefined;

/** Clock ticks and page size of the running kernel, from `/proc/self/auxv` of this process (cached). */
export function runningKernelUnits(): KernelUnits {
  if (running) return running;
  const file = '/proc/self/auxv';
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throwErrnoError(err, file, { permissionFix: 'procfs mounted with hidepid or a restricted sandbox' });
  }
  running = kernelUnitsFromAuxv(parseAuxv(buf, file), file);
  return running;
}

/**
 * Clock ticks and page size read from `<mount>/self/auxv` (cached per mount
 * point). On a fixture tree the fixture's `self/auxv` is used; when the mount
 * has no readable `self/auxv` (a fixture tree without it, a procfs mounted
 * elsewhere, a sandbox) the running kernel's own values are used
 * ({@link runningKernelUnits}).
 */
export function readKernelUnits(fs: ProcFS): KernelUnits {
  const hit = cache.get(fs.mountPoint);
  if (hit) return hit;
  const file = fs.path('self', 'auxv');
  let units: KernelUnits;
  try {
    units = kernelUnitsFromAuxv(parseAuxv(fs.readBytes('self', 'auxv'), file), file);
  } catch (err) {
    if (!(err instanceof NotFoundError || err instanceof PermissionError || err instanceof FileAccessError)) throw err;
    units = runningKernelUnits();
  }
  cache.set(fs.mountPoint, units);
  return units;
}
