/**
 * Listener addresses: parsing and canonical spelling, without DNS.
 *
 * Keys are spelled the way raindrops spells them (which is the way glibc's
 * `inet_ntop()` prints addresses): `127.0.0.1:8080`, `[::1]:8080`,
 * `0.0.0.0:8080`, `[::]:8080`, `[::ffff:127.0.0.1]:8080` (an IPv4 client of a
 * dual-stack listener). IPv6 scope ids (`%eth0`) are dropped: the kernel's
 * `inet_diag_sockid` has no place for them in the address either.
 *
 * Everything here is a pure function over strings and bytes.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { formatIPv4 as formatIPv4Text, formatIPv6 as formatIPv6Text } from '../util/inet.js';

/** An IP listener address as parsed from `a.b.c.d:port` or `[v6]:port`. */
export interface TcpListenerAddress {
  /** 4 for IPv4, 6 for IPv6. */
  readonly family: 4 | 6;
  /** The address in network byte order: 4 bytes (IPv4) or 16 bytes (IPv6). */
  readonly addressBytes: Uint8Array;
  /** The port, 1–65535. */
  readonly port: number;
  /** The canonical key, e.g. `127.0.0.1:8080` or `[::1]:8080`. */
  readonly key: string;
}

/** Thrown for a malformed listener address or path; `value` holds it as given. */
export class InvalidListenerAddressError extends InvalidArgumentError {
  constructor(value: string, reason: string) {
    super(`invalid listener address ${JSON.stringify(value)}: ${reason}`, value);
  }
}

const DEC_OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;

/** Parse a dotted-quad IPv4 address (no leading zeros, no shorthand); null when malformed. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!DEC_OCTET.test(p)) return null;
    out[i] = Number(p);
  }
  return out;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parse an IPv6 address in any RFC 4291 text form (`::`, embedded IPv4 tail),
 * without brackets and without a zone; null when malformed.
 */
export function parseIPv6(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45) return null;
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) return null;
  const words: number[] = [];
  const parseSide = (side: string, allowV4Tail: boolean): number[] | null => {
    if (side === '') return [];
    const groups = side.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!HEX_GROUP.test(g)) return null;
        out.push(Number.parseInt(g, 16));
      }
    }
    return out;
  };
  if (dbl === -1) {
    const all = parseSide(text, true) ?? [];
    if (all.length !== 8) return null;
    words.push(...all);
  } else {
    const head = parseSide(text.slice(0, dbl), false);
    const tail = parseSide(text.slice(dbl + 2), true);
    if (!head || !tail) return null;
    const zeros = 8 - head.length - tail.length;
    if (zeros < 1) return null;
    words.push(...head, ...new Array<number>(zeros).fill(0), ...tail);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  return out;
}

/** Format 4 bytes at `offset` as a dotted quad. */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return formatIPv4Text(bytes, offset);
}

/**
 * Format 16 bytes at `offset` as IPv6 text exactly like glibc's `inet_ntop()`
 * (as raindrops keys its listeners): lower-case hex, the longest run (first
 * on a tie) of two or more zero groups written `::`, and an IPv4 tail for
 * IPv4-mapped (`::ffff:1.2.3.4`) and IPv4-compatible (`::1.2.3.4`) addresses.
 */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  return formatIPv6Text(bytes, offset, 'inet_ntop');
}

/** The key of an IPv4 listener: `a.b.c.d:port`. */
export function ipv4Key(bytes: Uint8Array, offset: number, port: number): string {
  return `${formatIPv4(bytes, offset)}:${port}`;
}

/** The key of an IPv6 listener: `[v6]:port`. */
export function ipv6Key(bytes: Uint8Array, offset: number, port: number): string {
  return `[${formatIPv6(bytes, offset)}]:${port}`;
}

function parsePort(value: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) {
    throw new InvalidListenerAddressError(value, `the port ${JSON.stringify(text)} is not a number from 1 to 65535`);
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw new InvalidListenerAddressError(value, `the port ${port} is outside 1–65535`);
  }
  return port;
}

/**
 * Parse and canonicalize a TCP listener address, `a.b.c.d:port` or
 * `[v6]:port` (a `%zone` suffix inside the brackets is accepted and dropped).
 * Host names are refused: raingauge never resolves names.
 *
 * @throws {InvalidListenerAddressError} naming the value and what is wrong with it.
 */
export function parseTcpListenerAddress(value: string): TcpListenerAddress {
  if (typeof value !== 'string') {
    throw new InvalidListenerAddressError(String(value), 'expected a string like 127.0.0.1:8080 or [::1]:8080');
  }
  const text = value.trim();
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) throw new InvalidListenerAddressError(value, 'missing "]" after the IPv6 address');
    if (text[close + 1] !== ':') {
      throw new InvalidListenerAddressError(value, 'expected ":port" after "]" (e.g. [::1]:8080)');
    }
    let host = text.slice(1, close);
    const pct = host.indexOf('%');
    if (pct !== -1) {
      const zone = host.slice(pct + 1);
      if (!/^[A-Za-z0-9_.-]{1,16}$/.test(zone)) {
        throw new InvalidListenerAddressError(value, `bad IPv6 zone ${JSON.stringify(zone)}`);
      }
      host = host.slice(0, pct);
    }
    const bytes = parseIPv6(host);
    if (!bytes) throw new InvalidListenerAddressError(value, `${JSON.stringify(host)} is not an IPv6 address`);
    const port = parsePort(value, text.slice(close + 2));
    return { family: 6, addressBytes: bytes, port, key: ipv6Key(bytes, 0, port) };
  }
  const colon = text.lastIndexOf(':');
  if (colon === -1) {
    throw new InvalidListenerAddressError(value, 'expected ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080');
  }
  const host = text.slice(0, colon);
  if (host.includes(':')) {
    throw new InvalidListenerAddressError(value, 'an IPv6 address needs brackets, e.g. [::1]:8080');
  }
  if (host === '' || host === '*') {
    throw new InvalidListenerAddressError(
      value,
      'the address is missing; use 0.0.0.0:PORT (IPv4 wildcard) or [::]:PORT (IPv6 wildcard)',
    );
  }
  const bytes = parseIPv4(host);
  if (!bytes) {
    const reason = /^[0-9.]+$/.test(host)
      ? `${JSON.stringify(host)} is not a dotted-quad IPv4 address (four numbers 0–255, no leading zeros)`
      : `${JSON.stringify(host)} is not an IP address (host names are not resolved; use e.g. 127.0.0.1 or [::1])`;
    throw new InvalidListenerAddressError(value, reason);
  }
  const port = parsePort(value, text.slice(colon + 1));
  return { family: 4, addressBytes: bytes, port, key: ipv4Key(bytes, 0, port) };
}

/** The canonical key of a TCP listener address (`[0:0::1]:80` → `[::1]:80`); throws like {@link parseTcpListenerAddress}. */
export function canonicalTcpListenerKey(value: string): string {
  return parseTcpListenerAddress(value).key;
}

/** True when the 16 bytes at `offset` are an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). */
export function isIPv4Mapped(bytes: Uint8Array, offset = 0): boolean {
  for (let i = 0; i < 10; i++) if (bytes[offset + i] !== 0) return false;
  return bytes[offset + 10] === 0xff && bytes[offset + 11] === 0xff;
}

/** True when every byte in `[offset, offset+len)` is zero (a wildcard address). */
export function isZeroAddress(bytes: Uint8Array, offset: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (bytes[offset + i] !== 0) return false;
  return true;
}
