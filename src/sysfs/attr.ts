/**
 * sysfs attribute plumbing shared by every class reader: reading one
 * attribute file into text or a typed error, and turning text into typed
 * values while recording failures per attribute instead of throwing.
 *
 * A sysfs attribute is a small file holding one value (or one line) and a
 * trailing newline. Reading it can fail in ways that say something about the
 * device rather than about the reader: `EINVAL` (net `speed` while the link is
 * down), `EOPNOTSUPP` (a driver without the callback), `ENODATA`/`EAGAIN` (a
 * sensor not ready), `EACCES` (DMI serials are root-only). Those failures are
 * recorded on the item (`errors[attribute]`), never thrown for a whole class.
 * @module
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errnoError, errnoNameOf, NotFoundError, ParseError, PermissionError, RaingaugeError } from '../errors.js';

/**
 * Reading a sysfs attribute failed with an errno other than ENOENT, EACCES or
 * EPERM (for example `EINVAL`, `EOPNOTSUPP`, `ENODATA`, `EIO`, or `EISDIR`
 * when a directory sits where an attribute file is expected). `errnoName` is
 * the errno's symbolic name as Node reports it.
 */
export class SysfsAttributeError extends RaingaugeError {
  /** Absolute path of the attribute that could not be read. */
  readonly path: string;
  /** Symbolic errno name, e.g. `EINVAL`, `EOPNOTSUPP`, `EISDIR`; `ENOTSUPP` for the kernel-internal errno 524. */
  readonly errnoName: string;
  constructor(path: string, errnoName: string, options?: { cause?: unknown }) {
    super(
      `cannot read sysfs attribute ${path}: ${errnoName}${hint(errnoName)}`,
      'ERR_RAINGAUGE_SYSFS_ATTRIBUTE',
      options,
    );
    this.path = path;
    this.errnoName = errnoName;
  }
}

function hint(errnoName: string): string {
  switch (errnoName) {
    case 'EINVAL':
    case 'EOPNOTSUPP':
    case 'ENOTSUP':
    case 'ENOTSUPP':
      return ' (the driver does not provide this value in the device’s current state)';
    case 'ENODATA':
    case 'EAGAIN':
      return ' (the device has no reading right now; try again later)';
    case 'EISDIR':
      return ' (a directory is where an attribute file was expected)';
    default:
      return '';
  }
}

/** One attribute as read: its text, or the typed error reading it produced. Absent attributes are not in the map. */
export type AttrValue = string | RaingaugeError;

/** Attribute file name (relative to the item's directory, e.g. `statistics/rx_bytes`) → text or error. */
export type AttrMap = ReadonlyMap<string, AttrValue>;

/**
 * Per-item record of attributes that exist but could not be read or parsed,
 * keyed by the attribute's file name relative to the item's directory
 * (`mtu`, `statistics/rx_bytes`, `product_serial`). Empty when all went well.
 */
export type AttributeErrors = Record<string, RaingaugeError>;

/** Map a filesystem error on `path` to a typed error (returned, not thrown) with the one errno mapping. */
export function sysfsError(err: unknown, path: string): RaingaugeError {
  const e = errnoError(err, path, {
    notFound: ['ENOENT', 'ENODEV', 'ENXIO'],
    capability: 'CAP_DAC_READ_SEARCH',
    permissionFix: 'this sysfs attribute is readable by root only: run as root or grant CAP_DAC_READ_SEARCH',
    other: (name) => new SysfsAttributeError(path, name, { cause: err }),
  });
  return e instanceof RaingaugeError
    ? e
    : new SysfsAttributeError(path, errnoNameOf(err) ?? 'EUNKNOWN', { cause: err });
}

let shared = Buffer.allocUnsafe(16 * 1024);

/**
 * Read a file whole into a reused buffer (grown as needed, no size cap):
 * open + read until 0 + close, without the `fstat` of `readFileSync` whose
 * size is meaningless on sysfs (always 4096).
 */
export function readWhole(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    for (;;) {
      if (n === shared.length) {
        const bigger = Buffer.allocUnsafe(shared.length * 2);
        shared.copy(bigger, 0, 0, n);
        shared = bigger;
      }
      const r = readSync(fd, shared, n, shared.length - n, null);
      if (r === 0) break;
      n += r;
    }
    return shared.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Read one attribute file whole. Returns its text, `undefined` when it does
 * not exist, or the typed error reading it produced.
 */
export function readAttr(path: string): AttrValue | undefined {
  try {
    return readWhole(path);
  } catch (err) {
    const e = sysfsError(err, path);
    return e instanceof NotFoundError ? undefined : e;
  }
}

/** Read the named attributes below `dir` into an {@link AttrMap} (absent ones are left out). */
export function readAttrs(dir: string, names: Iterable<string>): Map<string, AttrValue> {
  const out = new Map<string, AttrValue>();
  for (const name of names) {
    const v = readAttr(join(dir, name));
    if (v !== undefined) out.set(name, v);
  }
  return out;
}

/** Directory entries of `dir` with their kinds; `undefined` if the directory does not exist. Other errors are thrown typed. */
export function listDir(dir: string): { name: string; isFile: boolean; isDir: boolean; isLink: boolean }[] | undefined {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .map((d) => ({ name: d.name, isFile: d.isFile(), isDir: d.isDirectory(), isLink: d.isSymbolicLink() }))
      .sort((a, b) => naturalCompare(a.name, b.name));
  } catch (err) {
    const e = sysfsError(err, dir);
    if (e instanceof NotFoundError) return undefined;
    if (e instanceof SysfsAttributeError && e.errnoName === 'ENOTDIR') return undefined;
    throw e;
  }
}

/**
 * Read every regular file directly in `dir` (skipping `skip`) into an
 * {@link AttrMap}. Entries that are not regular files but whose name
 * `expected` recognizes as an attribute (a directory where a file should be)
 * are read too, so the failure (EISDIR) is recorded rather than hidden.
 * Returns `undefined` when the directory does not exist.
 */
export function readAllAttrs(
  dir: string,
  skip: ReadonlySet<string> = new Set(),
  expected: (name: string) => boolean = () => false,
): Map<string, AttrValue> | undefined {
  const entries = listDir(dir);
  if (entries === undefined) return undefined;
  const out = readAttrs(
    dir,
    entries.filter((e) => !skip.has(e.name) && (e.isFile || (!e.isLink && expected(e.name)))).map((e) => e.name),
  );
  // Write-only attributes (mode 0200, e.g. hwmon `*_reset_history`) refuse reads even for root: not a failure.
  for (const [name, v] of out) {
    if (v instanceof PermissionError && isWriteOnly(join(dir, name))) out.delete(name);
  }
  return out;
}

function isWriteOnly(path: string): boolean {
  try {
    return (statSync(path).mode & 0o444) === 0;
  } catch {
    return false;
  }
}

/** Compare names so that `cpu2` sorts before `cpu10` and `hwmon9` before `hwmon10`. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

const INT_RE = /^[-+]?\d+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const UINT_RE = /^\d+$/;

/**
 * Typed access to an {@link AttrMap} that never throws: a value that cannot
 * be read or parsed comes back `undefined` and its error lands in
 * {@link AttrReader.errors}. `dir` is only used to name files in errors.
 */
export class AttrReader {
  /** Attributes that exist but failed, keyed by file name. */
  readonly errors: AttributeErrors = {};
  constructor(
    readonly attrs: AttrMap,
    readonly dir: string,
  ) {}

  /** True when the attribute exists (readable or not). */
  has(name: string): boolean {
    return this.attrs.has(name);
  }

  /** The attribute's text with surrounding whitespace (the trailing newline) removed. */
  str(name: string): string | undefined {
    const v = this.attrs.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.errors[name] = v;
      return undefined;
    }
    return v.trim();
  }

  /** The raw error recorded for `name`, if any (for callers that treat some errnos as "no value"). */
  errorOf(name: string): RaingaugeError | undefined {
    const v = this.attrs.get(name);
    return typeof v === 'string' ? undefined : v;
  }

  /** Forget a recorded error (the caller decided the failure means "absent"). */
  drop(name: string): void {
    delete this.errors[name];
  }

  /** Record a parse failure for `name`. */
  fail(name: string, reason: string, text: string): undefined {
    this.errors[name] = new ParseError(join(this.dir, name), reason, { text });
    return undefined;
  }

  /** A signed decimal integer (also accepts `0x` hex when `hex` is true). Must be a safe JavaScript integer. */
  int(name: string, hex = false): number | undefined {
    const s = this.str(name);
    if (s === undefined) return undefined;
    let n: number;
    if (INT_RE.test(s)) n = Number(s);
    else if (hex && HEX_RE.test(s)) n = Number.parseInt(s.slice(2), 16);
    else return this.fail(name, hex ? 'expected a decimal or 0x-hex integer' : 'expected a decimal integer', s);
    if (!Number.isSafeInteger(n)) return this.fail(name, 'integer out of the exactly representable range (±2^53)', s);
    return n;
  }

  /** An unsigned decimal integer as `bigint` (for 64-bit counters that can exceed 2^53). */
  big(name: string): bigint | undefined {
    const s = this.str(name);
    if (s === undefined) return undefined;
    if (!UINT_RE.test(s)) return this.fail(name, 'expected an unsigned decimal integer', s);
    return BigInt(s);
  }

  /** A CPU list such as `0-3,8-11` (see {@link parseCpuList}). */
  cpuList(name: string): number[] | undefined {
    const s = this.str(name);
    if (s === undefined) return undefined;
    try {
      return parseCpuList(s, join(this.dir, name));
    } catch (err) {
      this.errors[name] = err as RaingaugeError;
      return undefined;
    }
  }
}

/** Largest CPU number accepted in a CPU list (the kernel's NR_CPUS limit is 8192 on common configs). */
const MAX_CPU = 1 << 16;

/**
 * Parse a kernel CPU list (`cpulist` format, as in
 * `/sys/devices/system/cpu/online`): comma-separated CPU numbers and ranges,
 * optionally with a group stride as the kernel's bitmap parser accepts
 * (`0-15:2/4` → the first 2 of every 4: 0,1,4,5,8,9,12,13). An empty string (or a lone newline) is the empty list. Returns the
 * CPU numbers in ascending order without duplicates.
 *
 * @throws {ParseError} naming `file` and the offending text.
 */
export function parseCpuList(text: string, file = 'cpu list'): number[] {
  const s = text.trim();
  if (s === '') return [];
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+)\/(\d+))?)?$/.exec(part);
    if (!m) throw new ParseError(file, 'expected CPU numbers and ranges like 0-3,5', { text: part });
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    const used = m[3] === undefined ? 1 : Number(m[3]);
    const group = m[4] === undefined ? 1 : Number(m[4]);
    if (hi < lo || hi > MAX_CPU || used === 0 || group === 0 || used > group) {
      throw new ParseError(file, 'invalid CPU range', { text: part });
    }
    for (let c = lo; c <= hi; c++) if ((c - lo) % group < used) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}
