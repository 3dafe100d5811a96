/**
 * Reading the network counters of a network namespace:
 * `/proc/net/netstat`, `/proc/net/snmp` and `/proc/net/snmp6`, or
 * `/proc/<pid>/net/…` for the namespace of another process.
 *
 * {@link NetCounterReader} keeps the three descriptors open and re-reads them
 * with `pread` at offset 0 (the kernel regenerates a seq_file from the start
 * on every read at offset 0), which is what makes sampling cheap.
 * {@link netCounters} is the one-shot form.
 * @module
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { errnoNameOf, InvalidArgumentError, NotFoundError } from '../errors.js';
import { netstatFsError as mapFsError } from './fserr.js';
import { type NetCounterSet, parseNetstatFile, parseSnmp6File } from './parse.js';

/** Where to read the counters from. */
export interface NetCounterOptions {
  /**
   * Read the network namespace of this process (`/proc/<pid>/net/*`). Default:
   * the caller's own namespace (`/proc/net/*`, which is `/proc/self/net`).
   * Another user's process needs root or CAP_SYS_PTRACE.
   */
  pid?: number;
  /** procfs mount point (default `/proc`); a fixture directory works too. */
  procMountPoint?: string;
}

/**
 * All counters of one network namespace, by protocol section then name:
 * `{ TcpExt: { ListenOverflows, … }, IpExt, MPTcpExt, Ip, Icmp, IcmpMsg, Tcp,
 * Udp, UdpLite, Ip6, Icmp6, Udp6, UdpLite6 }` — exactly the sections the
 * kernel printed (e.g. `IcmpMsg` only once an ICMP type was counted,
 * `MPTcpExt` only with CONFIG_MPTCP, no `*6` sections without IPv6).
 * Values are `number`, or `bigint` above 2^53 − 1 (see {@link CounterValue}).
 */
export type NetCounters = NetCounterSet;

/** Directory holding the `netstat`, `snmp`, `snmp6` files for `opts`. */
export function netCounterDir(opts: NetCounterOptions = {}): string {
  const mount = opts.procMountPoint ?? '/proc';
  if (opts.pid === undefined) return join(mount, 'net');
  if (!Number.isInteger(opts.pid) || opts.pid <= 0) {
    throw new InvalidArgumentError(`pid must be a positive integer, got ${String(opts.pid)}`, opts.pid);
  }
  return join(mount, String(opts.pid), 'net');
}

/** Merge `src` sections into `dst` (sections of different files never share a name on a real kernel). */
function mergeInto(dst: NetCounterSet, src: NetCounterSet): void {
  for (const proto of Object.keys(src)) {
    const have = dst[proto];
    if (have === undefined) dst[proto] = src[proto]!;
    else Object.assign(have, src[proto]);
  }
}

const INITIAL_BUFFER = 16384;

/**
 * A reusable reader of one namespace's counters: opens the files once,
 * `read()` re-reads them with pread (about 30–60 µs for all three on a
 * 2-core machine; see bench/netstat.bench.ts). Call {@link close} when done.
 *
 * The descriptors stay bound to the namespace they were opened in, even if
 * the process behind `pid` exits or moves.
 */
export class NetCounterReader {
  /** Directory the files are read from, e.g. `/proc/net` or `/proc/1234/net`. */
  readonly dir: string;
  private fds: { netstat: number; snmp: number; snmp6: number | undefined } | undefined;
  private buf = Buffer.allocUnsafe(INITIAL_BUFFER);

  /**
   * Open the files. Throws {@link NotFoundError} when `netstat` or `snmp` is
   * missing (or the process is gone), {@link PermissionError} when another
   * user's process is not readable. A missing `snmp6` (IPv6 disabled) is
   * tolerated: the `*6` sections are then absent.
   */
  constructor(opts: NetCounterOptions = {}) {
    this.dir = netCounterDir(opts);
    const open = (name: string): number => {
      const p = join(this.dir, name);
      try {
        return openSync(p, 'r');
      } catch (err) {
        if (opts.pid !== undefined && errnoNameOf(err) === 'ENOENT') {
          const procDir = join(opts.procMountPoint ?? '/proc', String(opts.pid));
          if (!existsSync(procDir)) {
            throw new NotFoundError(procDir, `no such process: ${opts.pid} (${procDir} does not exist)`, {
              cause: err,
            });
          }
        }
        mapFsError(err, p);
      }
    };
    const netstat = open('netstat');
    let snmp: number;
    try {
      snmp = open('snmp');
    } catch (err) {
      closeSync(netstat);
      throw err;
    }
    let snmp6: number | undefined;
    try {
      snmp6 = open('snmp6');
    } catch (err) {
      if (!(err instanceof NotFoundError)) {
        closeSync(netstat);
        closeSync(snmp);
        throw err;
      }
    }
    this.fds = { netstat, snmp, snmp6 };
  }

  /** pread the whole file from offset 0, growing the buffer as needed. */
  private readWhole(fd: number, name: string): string {
    let len = 0;
    for (;;) {
      if (len === this.buf.length) {
        const bigger = Buffer.allocUnsafe(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, len);
        this.buf = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, this.buf, len, this.buf.length - len, len);
      } catch (err) {
        mapFsError(err, join(this.dir, name));
      }
      if (n === 0) break;
      len += n;
    }
    return this.buf.toString('latin1', 0, len);
  }

  /** Read and parse all counters now. Throws {@link ParseError} on malformed files. */
  read(): NetCounters {
    const fds = this.fds;
    if (fds === undefined) throw new InvalidArgumentError(`NetCounterReader for ${this.dir} is closed`);
    const out = parseNetstatFile(this.readWhole(fds.netstat, 'netstat'), join(this.dir, 'netstat'));
    mergeInto(out, parseNetstatFile(this.readWhole(fds.snmp, 'snmp'), join(this.dir, 'snmp')));
    if (fds.snmp6 !== undefined) {
      mergeInto(out, parseSnmp6File(this.readWhole(fds.snmp6, 'snmp6'), join(this.dir, 'snmp6')));
    }
    return out;
  }

  /** Close the descriptors (idempotent). */
  close(): void {
    const fds = this.fds;
    if (fds === undefined) return;
    this.fds = undefined;
    closeSync(fds.netstat);
    closeSync(fds.snmp);
    if (fds.snmp6 !== undefined) closeSync(fds.snmp6);
  }

  /** `using` support (TypeScript 5.2+ explicit resource management). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Read every counter of a network namespace once: `/proc/net/netstat`,
 * `/proc/net/snmp` and `/proc/net/snmp6` (or `/proc/<pid>/net/…`), merged into
 * one object by protocol section. Unknown names are kept. For repeated
 * sampling keep a {@link NetCounterReader} instead.
 *
 * @example
 * const c = netCounters();
 * c.TcpExt.ListenOverflows; // times an accept queue was full (see describeCounter)
 */
export function netCounters(opts: NetCounterOptions = {}): NetCounters {
  const r = new NetCounterReader(opts);
  try {
    return r.read();
  } finally {
    r.close();
  }
}
