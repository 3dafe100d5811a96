/**
 * Byte readers shared by the decoders (internal; not part of the public API).
 * @module
 */

/** BigInts 0n … 1023n, created once: small u64 counters are common (idle sockets) and BigInt values are immutable. */
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 1024 }, (_, i) => BigInt(i));

const U64_MAX = 0xffffffffffffffffn;

/**
 * `buf.readBigUInt64LE(off)` with fewer allocations: a value below 2^32
 * costs one BigInt (none below 1024) instead of the four temporaries of the
 * generic reader. Out of range → the same RangeError as Node's reader.
 */
export function readU64LE(buf: Buffer, off: number): bigint {
  if (!(off >= 0 && off + 8 <= buf.length && Number.isInteger(off))) return buf.readBigUInt64LE(off);
  const lo = (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0;
  const hi = (buf[off + 4]! | (buf[off + 5]! << 8) | (buf[off + 6]! << 16) | (buf[off + 7]! << 24)) >>> 0;
  if (hi === 0) return lo < 1024 ? SMALL_BIGINTS[lo]! : BigInt(lo);
  if (hi === 0xffffffff && lo === 0xffffffff) return U64_MAX; // "unlimited" (tcpi_max_pacing_rate, ~0ULL sentinels)
  return (BigInt(hi) << 32n) | BigInt(lo);
}
