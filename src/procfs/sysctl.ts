/**
 * `/proc/sys/…`: kernel tunables by dotted name (`net.core.somaxconn`), read and typed. Not in Go procfs.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { lines } from './system_util.js';

/**
 * A sysctl value typed from its text: one integer → `number` (or `bigint` beyond 2^53, e.g.
 * `fs.file-max` = 2^63-1), several whitespace-separated integers → an array
 * (`net.ipv4.tcp_rmem` → `[4096, 131072, 6291456]`), anything else → the trimmed `string`
 * (`kernel.ostype`), multi-line values as one string with the newlines kept, an empty file
 * (write-triggered files such as `vm.stat_refresh`) → `''`.
 */
export type SysctlValue = number | bigint | string | (number | bigint)[];

/** A sysctl read by name. */
export interface Sysctl {
  /** The name as given, normalised to dots (`net.core.somaxconn`). */
  name: string;
  /** The file it was read from. */
  path: string;
  /** The file's text without the trailing newline. */
  raw: string;
  /** The value typed by {@link parseSysctlValue}. */
  value: SysctlValue;
}

const INT = /^-?\d+$/;

function int(s: string): number | bigint {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

/**
 * Type the text of a `/proc/sys` file (see {@link SysctlValue}). Never throws: any text is a value.
 * @param _file the path (kept for symmetry with the other parsers).
 */
export function parseSysctlValue(text: string, _file = '/proc/sys'): SysctlValue {
  const ls = lines(text);
  if (ls.length === 0) return '';
  if (ls.length > 1) return ls.join('\n');
  const words = ls[0]!.trim().split(/\s+/);
  if (words.length === 1 && words[0] === '') return '';
  if (words.every((x) => INT.test(x))) return words.length === 1 ? int(words[0]!) : words.map(int);
  return ls[0]!.trim();
}

/**
 * Path components of a sysctl name below `/proc/sys`. Dots separate components (`net.core.somaxconn`);
 * a name containing `/` is taken as a path (`net/ipv4/conf/eth0.100/forwarding`), as `sysctl(8)` does.
 * @throws InvalidArgumentError on an empty name, empty components, `..` or characters outside `[\w.:@+-]`.
 */
export function sysctlPathParts(name: string): string[] {
  const parts = name.includes('/') ? name.split('/') : name.split('.');
  if (name === '' || parts.some((p) => p === '' || p === '.' || p === '..' || !/^[\w.:@+-]+$/.test(p))) {
    throw new InvalidArgumentError(
      `invalid sysctl name ${JSON.stringify(name)}: use dotted names like net.core.somaxconn (or slashes when a component contains a dot)`,
      name,
    );
  }
  return parts;
}
