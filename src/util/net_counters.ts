/**
 * Pure parsers for the kernel's network counter files:
 *
 * - `/proc/net/netstat` (TcpExt, IpExt, MPTcpExt, …) and `/proc/net/snmp`
 *   (Ip, Icmp, IcmpMsg, Tcp, Udp, UdpLite): pairs of lines, a header line
 *   `Proto: Name1 Name2 …` followed by a value line `Proto: v1 v2 …`
 *   (printed by `netstat_seq_show` / `snmp_seq_show` in net/ipv4/proc.c).
 * - `/proc/net/snmp6` (and `/proc/net/dev_snmp6/<iface>`): one `Name value`
 *   pair per line (`snmp6_seq_show` in net/ipv6/proc.c). Keys are split at
 *   the first "6" like node_exporter does: `Ip6InOctets` → proto `Ip6`,
 *   name `InOctets`; `UdpLite6InErrors` → `UdpLite6` / `InErrors`.
 *
 * Number rule (one rule for every value): a value is a `number` when it is a
 * safe integer (|v| ≤ 2^53 − 1, `Number.MAX_SAFE_INTEGER`), otherwise a
 * `bigint` holding the exact value. The kernel prints most of these as u64
 * (`unsigned long` / `u64` sums of per-CPU counters), so octet counters such
 * as `IpExt InOctets` can in principle exceed 2^53 on a long-running host;
 * every consumer must accept `number | bigint`. The only negative value the
 * kernel prints is `Tcp MaxConn` (-1, signed, meaning "no limit").
 *
 * Every counter the file contains is kept, including names this library
 * does not know. Malformed input raises {@link ParseError} naming the file,
 * the line and the text.
 * @module
 */
import { ParseError } from '../errors.js';

/** One counter value: `number` when it is a safe integer, `bigint` beyond 2^53 − 1 (see module doc). */
export type CounterValue = number | bigint;

/** Counters of one protocol section, by the kernel's name (`ListenOverflows`). */
export type ProtoCounters = Record<string, CounterValue>;

/** Counters by protocol section (`TcpExt`, `Tcp`, `Ip6`, …) then by name. */
export type NetCounterSet = Record<string, ProtoCounters>;

const CH_SPACE = 32;
const CH_TAB = 9;
const CH_CR = 13;
const CH_0 = 48;
const CH_9 = 57;
const CH_MINUS = 45;
const CH_COLON = 58;
const CH_SIX = 54;

/** Split one line at runs of spaces/tabs (no regex, no empty tokens). */
function tokens(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    while (i < n && (c === CH_SPACE || c === CH_TAB || c === CH_CR)) c = line.charCodeAt(++i);
    if (i >= n) break;
    const start = i;
    while (i < n && c !== CH_SPACE && c !== CH_TAB && c !== CH_CR) c = line.charCodeAt(++i);
    out.push(line.slice(start, i));
  }
  return out;
}

/**
 * Parse one decimal integer token (optional leading `-`, then digits).
 * Returns `undefined` when the token is not an integer.
 */
export function parseCounterValue(tok: string): CounterValue | undefined {
  const n = tok.length;
  let i = 0;
  let neg = false;
  if (n > 0 && tok.charCodeAt(0) === CH_MINUS) {
    neg = true;
    i = 1;
  }
  if (i >= n) return undefined;
  let v = 0;
  for (let j = i; j < n; j++) {
    const c = tok.charCodeAt(j);
    if (c < CH_0 || c > CH_9) return undefined;
    v = v * 10 + (c - CH_0);
  }
  // Up to 15 digits is always exact in a double.
  if (n - i <= 15) return neg ? (v === 0 ? 0 : -v) : v;
  const big = BigInt(tok);
  if (big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= -BigInt(Number.MAX_SAFE_INTEGER)) return Number(big);
  return big;
}

/** A counter or protocol name the kernel could print: letters, digits, `_` (never `__proto__`). */
function validName(s: string): boolean {
  if (s.length === 0 || s === '__proto__') return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= CH_0 && c <= CH_9) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!ok) return false;
  }
  return true;
}

/** A validated header line: its section name and counter names. */
interface HeaderLayout {
  proto: string;
  names: string[];
}

/**
 * Header lines seen before, validated. The kernel prints the same headers on
 * every read, so sampling parses only the value lines. Bounded: cleared when
 * it grows past 256 distinct headers (fuzzing, many fixture layouts).
 */
const headerCache = new Map<string, HeaderLayout>();

function headerLayout(header: string, file: string, line: number): HeaderLayout {
  const cached = headerCache.get(header);
  if (cached !== undefined) return cached;
  const colon = header.indexOf(':');
  if (colon <= 0) throw new ParseError(file, 'expected a header line "Proto: Name1 Name2 …"', { line, text: header });
  const proto = header.slice(0, colon);
  if (!validName(proto)) {
    throw new ParseError(file, `invalid section name ${JSON.stringify(proto)}`, { line, text: header });
  }
  const names = tokens(header.slice(colon + 1));
  const seen = new Set<string>();
  for (const name of names) {
    if (!validName(name)) {
      throw new ParseError(file, `invalid counter name ${JSON.stringify(name)} in ${proto}`, { line, text: header });
    }
    if (seen.has(name)) throw new ParseError(file, `counter ${proto} ${name} appears twice`, { line, text: header });
    seen.add(name);
  }
  const layout = { proto, names };
  if (headerCache.size >= 256) headerCache.clear();
  headerCache.set(header, layout);
  return layout;
}

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** snmp6 keys seen before, already validated and split (bounded like the header cache). */
const snmp6KeyCache = new Map<string, [proto: string, name: string]>();

/**
 * Scan the integers of a value line from `from` into `dst` (no regex, no
 * intermediate strings for ordinary values). Returns the first token that is
 * not an integer, or `undefined` when all were.
 */
function scanValues(line: string, from: number, dst: CounterValue[]): string | undefined {
  dst.length = 0;
  const n = line.length;
  let i = from;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === CH_SPACE || c === CH_TAB || c === CH_CR) {
      i++;
      continue;
    }
    const start = i;
    let neg = false;
    if (c === CH_MINUS) {
      neg = true;
      c = line.charCodeAt(++i);
    }
    const digitsStart = i;
    let v = 0;
    while (i < n && c >= CH_0 && c <= CH_9) {
      v = v * 10 + (c - CH_0);
      c = line.charCodeAt(++i);
    }
    if (i === digitsStart || (i < n && c !== CH_SPACE && c !== CH_TAB && c !== CH_CR)) {
      while (i < n && c !== CH_SPACE && c !== CH_TAB && c !== CH_CR) c = line.charCodeAt(++i);
      return line.slice(start, i);
    }
    if (i - digitsStart <= 15) dst.push(neg ? (v === 0 ? 0 : -v) : v);
    else {
      const big = BigInt(line.slice(start, i));
      dst.push(big <= MAX_SAFE_BIG && big >= -MAX_SAFE_BIG ? Number(big) : big);
    }
  }
  return undefined;
}

/**
 * Parse `/proc/net/netstat` or `/proc/net/snmp` text: header/value line pairs
 * (`TcpExt: SyncookiesSent …` / `TcpExt: 0 …`) into `{ TcpExt: { SyncookiesSent: 0, … } }`.
 *
 * Empty text yields `{}`. Throws {@link ParseError} (naming `file`, the line
 * and its text) when a value line is missing, its prefix differs from the
 * header's, the number of values differs from the number of names, a value
 * is not an integer, a name is not alphanumeric, or a section or name repeats.
 *
 * @param text the whole file (read in one go)
 * @param file name used in error messages (default `/proc/net/netstat`)
 */
export function parseNetstatFile(text: string, file = '/proc/net/netstat'): NetCounterSet {
  const out: NetCounterSet = {};
  const lines = text.split('\n');
  let count = lines.length;
  if (count > 0 && lines[count - 1] === '') count--;
  const values: CounterValue[] = [];
  let i = 0;
  while (i < count) {
    const header = lines[i]!;
    if (header.trim() === '') {
      i++;
      continue;
    }
    const hLine = i + 1;
    const { proto, names } = headerLayout(header, file, hLine);
    if (Object.hasOwn(out, proto)) {
      throw new ParseError(file, `section ${proto} appears twice`, { line: hLine, text: header });
    }
    if (i + 1 >= count) {
      throw new ParseError(file, `header line of ${proto} has no value line after it (truncated file?)`, {
        line: hLine,
        text: header,
      });
    }
    const valuesLine = lines[i + 1]!;
    const vLine = i + 2;
    const colon = proto.length;
    if (valuesLine.charCodeAt(colon) !== CH_COLON || !valuesLine.startsWith(proto)) {
      throw new ParseError(file, `value line does not start with "${proto}:" like its header line`, {
        line: vLine,
        text: valuesLine,
      });
    }
    const bad = scanValues(valuesLine, colon + 1, values);
    if (bad !== undefined) {
      const k = values.length;
      const what = k < names.length ? `value of ${proto} ${names[k]}` : `value ${k + 1} of ${proto}`;
      throw new ParseError(file, `${what} is not an integer: ${JSON.stringify(bad)}`, {
        line: vLine,
        text: valuesLine,
      });
    }
    if (names.length !== values.length) {
      throw new ParseError(file, `${proto} has ${names.length} names but ${values.length} values`, {
        line: vLine,
        text: valuesLine,
      });
    }
    const sec: ProtoCounters = {};
    for (let k = 0; k < names.length; k++) sec[names[k]!] = values[k]!;
    out[proto] = sec;
    i += 2;
  }
  return out;
}

/**
 * Parse `/proc/net/snmp` text. Same format as `/proc/net/netstat`, so this is
 * {@link parseNetstatFile} with `/proc/net/snmp` as the default file name.
 */
export function parseSnmpFile(text: string, file = '/proc/net/snmp'): NetCounterSet {
  return parseNetstatFile(text, file);
}

/**
 * Split an snmp6 key at its first "6" the way node_exporter does:
 * `Ip6InOctets` → `['Ip6', 'InOctets']`. A key without a "6" (e.g. `ifIndex`
 * in `/proc/net/dev_snmp6/<iface>`) gets the empty protocol `''`.
 * Returns `undefined` when the key ends with its first "6" (no name left).
 */
export function splitSnmp6Key(key: string): [proto: string, name: string] | undefined {
  let six = -1;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) === CH_SIX) {
      six = i;
      break;
    }
  }
  if (six < 0) return ['', key];
  if (six === key.length - 1) return undefined;
  return [key.slice(0, six + 1), key.slice(six + 1)];
}

/**
 * Parse `/proc/net/snmp6` text (`Ip6InReceives  \t1` per line) into
 * `{ Ip6: { InReceives: 1, … }, Icmp6: { … }, Udp6: { … }, UdpLite6: { … } }`,
 * keys split at the first "6" ({@link splitSnmp6Key}). Keys without a "6"
 * are kept under the protocol `''`.
 *
 * Throws {@link ParseError} when a line has not exactly two fields, a value
 * is not an integer, a key is not alphanumeric or ends at its first "6", or a
 * key repeats.
 *
 * @param text the whole file
 * @param file name used in error messages (default `/proc/net/snmp6`)
 */
export function parseSnmp6File(text: string, file = '/proc/net/snmp6'): NetCounterSet {
  const out: NetCounterSet = {};
  const lines = text.split('\n');
  const vals: CounterValue[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const n = line.length;
    let s = 0;
    let c = line.charCodeAt(0);
    while (s < n && (c === CH_SPACE || c === CH_TAB || c === CH_CR)) c = line.charCodeAt(++s);
    if (s >= n) continue;
    let e = s;
    while (e < n && c !== CH_SPACE && c !== CH_TAB && c !== CH_CR) c = line.charCodeAt(++e);
    const key = line.slice(s, e);
    let split = snmp6KeyCache.get(key);
    if (split === undefined) {
      if (!validName(key)) {
        throw new ParseError(file, `invalid counter name ${JSON.stringify(key)}`, { line: i + 1, text: line });
      }
      split = splitSnmp6Key(key);
      if (split === undefined) {
        throw new ParseError(file, `counter name ${JSON.stringify(key)} has nothing after its "6"`, {
          line: i + 1,
          text: line,
        });
      }
      if (snmp6KeyCache.size >= 1024) snmp6KeyCache.clear();
      snmp6KeyCache.set(key, split);
    }
    const bad = scanValues(line, e, vals);
    if (bad !== undefined || vals.length !== 1) {
      const t = tokens(line);
      if (t.length !== 2) {
        throw new ParseError(file, `expected "Name value", got ${t.length} fields`, { line: i + 1, text: line });
      }
      throw new ParseError(file, `value of ${key} is not an integer: ${JSON.stringify(t[1])}`, {
        line: i + 1,
        text: line,
      });
    }
    const [proto, name] = split;
    let sec = out[proto];
    if (sec === undefined) {
      sec = {};
      out[proto] = sec;
    }
    if (Object.hasOwn(sec, name)) {
      throw new ParseError(file, `counter ${key} appears twice`, { line: i + 1, text: line });
    }
    sec[name] = vals[0]!;
  }
  return out;
}
