/**
 * IPv4/IPv6 address text from bytes, shared by every decoder that prints
 * addresses (sock_diag records, listener keys, /proc/net files). Internal:
 * not part of the public API; pure functions, no DNS.
 * @module
 */

/**
 * How {@link formatIPv6} writes an address:
 * - `'rfc5952'`: RFC 5952 canonical text — lower-case hex, the longest run
 *   (leftmost on a tie) of two or more zero groups written `::`, and
 *   `::ffff:a.b.c.d` for IPv4-mapped addresses.
 * - `'inet_ntop'`: what glibc's `inet_ntop()` prints (and so raindrops and
 *   `ss`): the same, plus the deprecated IPv4-compatible form `::a.b.c.d`
 *   (RFC 4291 §2.5.5.1) when the first six groups are zero and the seventh is not.
 */
export type IPv6TextStyle = 'rfc5952' | 'inet_ntop';

/** Format 4 bytes at `offset` as a dotted quad (the caller checks the bounds). */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

const groups = new Uint16Array(8);

/**
 * Format 16 bytes at `offset` (network order; the caller checks the bounds)
 * as IPv6 text in `style` (default RFC 5952).
 */
export function formatIPv6(bytes: Uint8Array, offset = 0, style: IPv6TextStyle = 'rfc5952'): string {
  const g = groups;
  for (let i = 0; i < 8; i++) g[i] = (bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!;
  // the longest run of two or more zero groups, the leftmost on a tie
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart === 0 && (bestLen === 5 ? g[5] === 0xffff : bestLen === 6 && style === 'inet_ntop')) {
    // IPv4-mapped ::ffff:a.b.c.d (both styles), IPv4-compatible ::a.b.c.d (inet_ntop only)
    return `::${bestLen === 5 ? 'ffff:' : ''}${formatIPv4(bytes, offset + 12)}`;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += g[i]!.toString(16);
  }
  return out;
}
