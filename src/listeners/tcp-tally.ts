/**
 * The aggregation behind TCP listener statistics, as pure code over the raw
 * bytes of `inet_diag_msg` records (`include/uapi/linux/inet_diag.h`).
 *
 * It is fed twice: first the LISTEN sockets (a cheap dump that only walks the
 * listening hash), then the ESTABLISHED ones. ESTABLISHED records are read
 * straight from the receive buffer: family, port, inode and address words are
 * compared as numbers against an index of the listeners built from the first
 * pass, so no string and no object is made per socket.
 *
 * @module
 */
import { DecodeError } from '../errors.js';
import {
  AF_INET,
  AF_INET6,
  INET_DIAG_MSG,
  INET_DIAG_SKV6ONLY,
  TCP_ESTABLISHED,
  TCP_LISTEN,
} from '../sockdiag/constants.js';
import { ipv4Key, ipv6Key, isIPv4Mapped, isZeroAddress, type TcpListenerAddress } from './address.js';
import type { ListenerStats } from './types.js';

/** Byte offsets in `struct inet_diag_msg` (72 bytes), copied to a local for the hot loop. */
const MSG = {
  family: INET_DIAG_MSG.family,
  state: INET_DIAG_MSG.state,
  sport: INET_DIAG_MSG.sport,
  src: INET_DIAG_MSG.src,
  rqueue: INET_DIAG_MSG.rqueue,
  wqueue: INET_DIAG_MSG.wqueue,
  inode: INET_DIAG_MSG.inode,
  size: INET_DIAG_MSG.size,
} as const;

/** One listener key (all the LISTEN sockets with that address and port). */
export interface TcpListenerEntry {
  readonly key: string;
  readonly family: 4 | 6;
  readonly port: number;
  /** True for `0.0.0.0` / `::`. */
  readonly wildcard: boolean;
  /** IPv6 socket with IPV6_V6ONLY set (does not receive IPv4 clients). Undefined when the kernel did not say. */
  v6only: boolean | undefined;
  queued: number;
  backlog: number;
  active: number;
  sockets: number;
  /** Socket inodes (`idiag_inode`) of the LISTEN sockets, for finding their owners. */
  readonly inodes: number[];
  /** Each LISTEN socket's own queue (several for an SO_REUSEPORT group), in the kernel's order. */
  readonly members: { inode: number; queued: number; backlog: number }[];
}

interface PortSlot {
  /** Exact IPv4 listeners: address word (as read little-endian from the message) → entry. */
  v4: { a: number; e: TcpListenerEntry }[];
  v4Wild: TcpListenerEntry | undefined;
  v6: { a0: number; a1: number; a2: number; a3: number; e: TcpListenerEntry }[];
  v6Wild: TcpListenerEntry | undefined;
}

/** An asked-for address resolved to a listener (maybe a wildcard one). */
export interface TcpListenerMatch {
  readonly asked: TcpListenerAddress;
  readonly entry: TcpListenerEntry;
}

/**
 * Accumulates LISTEN then ESTABLISHED `inet_diag_msg` records into listener statistics.
 *
 * `addListen` and `addEstablished` take the byte offset of an `inet_diag_msg`
 * payload (after the `nlmsghdr`) and its length.
 */
export class TcpListenerTally {
  /** Listener entries by key, in the order the kernel listed them. */
  readonly entries = new Map<string, TcpListenerEntry>();
  private readonly ports = new Map<number, PortSlot>();
  /** port → index + 1 into `slots` (0 = no listener on that port): one typed-array read per ESTABLISHED record. */
  private readonly slotOfPort = new Uint16Array(65536);
  private readonly slots: PortSlot[] = [];
  /** ESTABLISHED records seen (for tests and benchmarks). */
  establishedSeen = 0;
  /** LISTEN records seen. */
  listenRecords = 0;

  /**
   * Add one LISTEN record. Records of other states are ignored.
   * @throws {DecodeError} when the record is shorter than `inet_diag_msg` or of an unknown family.
   */
  addListen(buf: Buffer, off: number, len: number): void {
    if (len < MSG.size) throw new DecodeError('inet_diag_msg', off, `${len} bytes, expected at least ${MSG.size}`);
    if (buf[off + MSG.state] !== TCP_LISTEN) return;
    this.listenRecords++;
    const family = buf[off + MSG.family];
    if (family !== AF_INET && family !== AF_INET6) {
      throw new DecodeError('inet_diag_msg', off, `unknown address family ${family}`);
    }
    const port = buf.readUInt16BE(off + MSG.sport);
    const v4 = family === AF_INET;
    const key = v4 ? ipv4Key(buf, off + MSG.src, port) : ipv6Key(buf, off + MSG.src, port);
    let e = this.entries.get(key);
    if (!e) {
      e = {
        key,
        family: v4 ? 4 : 6,
        port,
        wildcard: isZeroAddress(buf, off + MSG.src, v4 ? 4 : 16),
        v6only: undefined,
        queued: 0,
        backlog: 0,
        active: 0,
        sockets: 0,
        inodes: [],
        members: [],
      };
      this.entries.set(key, e);
      let slot = this.ports.get(port);
      if (!slot) {
        slot = { v4: [], v4Wild: undefined, v6: [], v6Wild: undefined };
        this.ports.set(port, slot);
        if (this.slots.length < 65535) {
          this.slots.push(slot);
          this.slotOfPort[port] = this.slots.length;
        }
      }
      const a = off + MSG.src;
      if (v4) {
        if (e.wildcard) slot.v4Wild = e;
        else slot.v4.push({ a: buf.readUInt32LE(a), e });
      } else if (e.wildcard) slot.v6Wild = e;
      else {
        slot.v6.push({
          a0: buf.readUInt32LE(a),
          a1: buf.readUInt32LE(a + 4),
          a2: buf.readUInt32LE(a + 8),
          a3: buf.readUInt32LE(a + 12),
          e,
        });
      }
    }
    const queued = buf.readUInt32LE(off + MSG.rqueue);
    const backlog = buf.readUInt32LE(off + MSG.wqueue);
    const inode = buf.readUInt32LE(off + MSG.inode);
    e.queued += queued;
    e.backlog += backlog;
    e.sockets++;
    e.inodes.push(inode);
    e.members.push({ inode, queued, backlog });
    if (!v4) {
      const v6only = readU8Attr(buf, off + MSG.size, off + len, INET_DIAG_SKV6ONLY);
      if (v6only !== undefined) e.v6only = v6only !== 0 || e.v6only === true;
    }
  }

  /** The distinct ports that have at least one listener. */
  listenerPorts(): number[] {
    return [...this.ports.keys()];
  }

  /**
   * Count one record of the ESTABLISHED dump toward its listener's `active`.
   * Only ESTABLISHED records with a non-zero inode count; a record that
   * matches no listener is ignored. Never allocates.
   */
  addEstablished(buf: Buffer, off: number, len: number): void {
    if (len < MSG.size) throw new DecodeError('inet_diag_msg', off, `${len} bytes, expected at least ${MSG.size}`);
    if (buf[off + MSG.state] !== TCP_ESTABLISHED) return;
    this.establishedSeen++;
    const idx = this.slotOfPort[(buf[off + MSG.sport]! << 8) | buf[off + MSG.sport + 1]!]!;
    if (idx === 0 || buf.readUInt32LE(off + MSG.inode) === 0) return;
    const slot = this.slots[idx - 1]!;
    const a = off + MSG.src;
    if (buf[off + MSG.family] === AF_INET) {
      const w = buf.readUInt32LE(a);
      const list = slot.v4;
      for (let i = 0; i < list.length; i++) {
        if (list[i]!.a === w) {
          list[i]!.e.active++;
          return;
        }
      }
      if (slot.v4Wild) slot.v4Wild.active++;
    } else if (buf[off + MSG.family] === AF_INET6) {
      const list = slot.v6;
      if (list.length > 0) {
        const w0 = buf.readUInt32LE(a);
        const w1 = buf.readUInt32LE(a + 4);
        const w2 = buf.readUInt32LE(a + 8);
        const w3 = buf.readUInt32LE(a + 12);
        for (let i = 0; i < list.length; i++) {
          const l = list[i]!;
          if (l.a0 === w0 && l.a1 === w1 && l.a2 === w2 && l.a3 === w3) {
            l.e.active++;
            return;
          }
        }
      }
      if (slot.v6Wild) slot.v6Wild.active++;
    }
  }

  /**
   * Resolve asked-for addresses to listeners: the exact key first, then the
   * listener that receives connections to that address — `0.0.0.0:port` for
   * an IPv4 address, a dual-stack (not IPV6_V6ONLY) `[::]:port` for IPv4
   * addresses, `[::]:port` for IPv6 ones (and for `::ffff:a.b.c.d` also the
   * IPv4 listeners of `a.b.c.d`). Addresses with no listener are left out.
   */
  match(asked: readonly TcpListenerAddress[]): TcpListenerMatch[] {
    const out: TcpListenerMatch[] = [];
    for (const a of asked) {
      const e = this.resolve(a);
      if (e) out.push({ asked: a, entry: e });
    }
    return out;
  }

  private resolve(a: TcpListenerAddress): TcpListenerEntry | undefined {
    const exact = this.entries.get(a.key);
    if (exact) return exact;
    const slot = this.ports.get(a.port);
    if (!slot) return undefined;
    const dualStack = slot.v6Wild && slot.v6Wild.v6only !== true ? slot.v6Wild : undefined;
    if (a.family === 4) return slot.v4Wild ?? dualStack;
    if (isIPv4Mapped(a.addressBytes)) {
      const v4 = this.entries.get(ipv4Key(a.addressBytes, 12, a.port));
      return v4 ?? dualStack ?? slot.v4Wild;
    }
    return slot.v6Wild;
  }

  /** The statistics of every listener, keyed by the listener's own key. */
  allStats(): Map<string, ListenerStats> {
    const out = new Map<string, ListenerStats>();
    for (const e of this.entries.values()) out.set(e.key, statsOf(e));
    return out;
  }

  /** The statistics of asked-for addresses (already matched), keyed by the asked canonical key. */
  matchedStats(matches: readonly TcpListenerMatch[]): Map<string, ListenerStats> {
    const out = new Map<string, ListenerStats>();
    for (const m of matches) {
      if (out.has(m.asked.key)) continue;
      const s = statsOf(m.entry);
      if (m.entry.key !== m.asked.key) s.matchedKey = m.entry.key;
      out.set(m.asked.key, s);
    }
    return out;
  }
}

function statsOf(e: TcpListenerEntry): ListenerStats {
  const s: ListenerStats = { active: e.active, queued: e.queued, backlog: e.backlog, sockets: e.sockets };
  // an SO_REUSEPORT group: each member's own queue (a lone socket's are the entry's own numbers)
  if (e.members.length > 1)
    s.members = e.members.map((m) => ({ inode: m.inode, queued: m.queued, backlog: m.backlog }));
  return s;
}

/** Find a u8 attribute of type `type` among the netlink attributes in `[start, end)`; undefined when absent or malformed. */
function readU8Attr(buf: Buffer, start: number, end: number, type: number): number | undefined {
  let p = start;
  while (p + 4 <= end) {
    const alen = buf.readUInt16LE(p);
    if (alen < 4 || p + alen > end) return undefined;
    if ((buf.readUInt16LE(p + 2) & 0x3fff) === type) return alen >= 5 ? buf[p + 4] : undefined;
    p += (alen + 3) & ~3;
  }
  return undefined;
}
