/**
 * IPv4/IPv6 address formatting and parsing for sock_diag records and filters.
 * No DNS: only numeric addresses.
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';
import { DecodeError, InvalidArgumentError } from '../errors.js';
import { formatIPv4, formatIPv6 } from '../util/inet.js';

/** Address family name used throughout raingauge's sock_diag API. */
export type InetFamily = 'inet' | 'inet6';

/**
 * Format the address at `buf[offset]`: `family` 'inet' (or AF_INET 2) reads 4
 * bytes as dotted quad; 'inet6' (or AF_INET6 10) reads 16 bytes as RFC 5952
 * canonical text (lower case, longest run of two or more zero groups
 * compressed, leftmost on a tie, `::ffff:a.b.c.d` for IPv4-mapped addresses).
 * @throws {DecodeError} when the buffer is too short or the family unknown.
 */
export function formatInetAddress(buf: Buffer, offset: number, family: InetFamily | number): string {
  const v6 = family === 'inet6' || family === 10;
  if (!v6 && family !== 'inet' && family !== 2) {
    throw new DecodeError('inet address', offset, `unknown address family ${family}`);
  }
  const need = v6 ? 16 : 4;
  if (!Number.isInteger(offset) || offset < 0 || offset + need > buf.length) {
    throw new DecodeError(v6 ? 'IPv6 address' : 'IPv4 address', offset, `needs ${need} bytes`);
  }
  if (!v6) return ipv4Text(buf, offset);
  return formatIPv6(buf, offset, 'rfc5952');
}

/**
 * IPv4 texts already built, by address: a dump repeats the same few local
 * addresses thousands of times, and one shared string costs the garbage
 * collector nothing per record (strings are immutable). Bounded: cleared
 * when full.
 */
const v4Texts = new Map<number, string>();
const V4_TEXTS_MAX = 4096;

function ipv4Text(buf: Buffer, offset: number): string {
  const key = buf.readUInt32BE(offset);
  let text = v4Texts.get(key);
  if (text === undefined) {
    if (v4Texts.size >= V4_TEXTS_MAX) v4Texts.clear();
    text = formatIPv4(buf, offset);
    v4Texts.set(key, text);
  }
  return text;
}

/** A parsed numeric address. */
export interface InetAddressBytes {
  family: InetFamily;
  /** 4 or 16 bytes, network order. */
  bytes: Buffer;
}

/**
 * Parse a numeric IPv4 or IPv6 address (IPv6 may be in brackets; a `%scope`
 * suffix is ignored) into its bytes.
 * @throws {InvalidArgumentError} naming the address when it is not numeric.
 */
export function parseInetAddress(text: string): InetAddressBytes {
  let s = String(text).trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (isIPv4(s)) return { family: 'inet', bytes: Buffer.from(s.split('.').map(Number)) };
  if (!isIPv6(s)) throw new InvalidArgumentError(`not a numeric IPv4 or IPv6 address: ${JSON.stringify(text)}`, text);
  let tailV4: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    tailV4 = s
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [h, t] = s.includes('::') ? s.split('::') : [s, undefined];
  const headGroups = h ? h.split(':') : [];
  const tailGroups = t === undefined ? [] : t ? t.split(':') : [];
  const fill = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...new Array(t === undefined ? 0 : fill).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((x, i) => {
    bytes.writeUInt16BE(Number.parseInt(x, 16), 2 * i);
  });
  if (tailV4.length === 4) for (let i = 0; i < 4; i++) bytes[12 + i] = tailV4[i]!;
  return { family: 'inet6', bytes };
}

/**
 * Parse `address/prefix` (or a bare address = full-length prefix).
 * @throws {InvalidArgumentError}
 */
export function parseInetPrefix(text: string): InetAddressBytes & { prefixLength: number } {
  const s = String(text).trim();
  const slash = s.lastIndexOf('/');
  const addr = parseInetAddress(slash >= 0 ? s.slice(0, slash) : s);
  const max = addr.family === 'inet' ? 32 : 128;
  let prefixLength = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    prefixLength = /^\d{1,3}$/.test(p) ? Number(p) : Number.NaN;
    if (!(prefixLength >= 0 && prefixLength <= max)) {
      throw new InvalidArgumentError(`bad prefix length in ${JSON.stringify(text)} (0-${max})`, text);
    }
  }
  return { ...addr, prefixLength };
}
