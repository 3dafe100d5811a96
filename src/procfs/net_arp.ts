/**
 * `/proc/net/arp`: the IPv4 neighbour (ARP) table (kernel `arp_seq_show`).
 *
 * Go procfs: `FS.GatherARPEntries() []ARPEntry`, `ARPEntry.IsComplete()`, `ATF*` constants.
 * @module
 */
import { firstLineAt, rowsAt } from './rows.js';
import { fail, fields, hex, lines } from './system_util.js';

/** One ARP entry (Go procfs: `ARPEntry`). */
export interface ARPEntry {
  /** IPv4 address (`IP address`). */
  ipAddr: string;
  /** Hardware type (`HW type`, `ARPHRD_*`: 1 Ethernet). Not in Go procfs. */
  hwType: number;
  /** Flags (`Flags`, `ATF_*`). */
  flags: number;
  /** Hardware address (`HW address`, `00:00:00:00:00:00` while incomplete). */
  hwAddr: string;
  /** Mask (`Mask`, `*` for none). Not in Go procfs. */
  mask: string;
  /** Interface (`Device`). */
  device: string;
}

/** `ATF_COM`: completed entry (hardware address valid). */
export const ATF_COMPLETE = 0x02;
/** `ATF_PERM`: permanent entry. */
export const ATF_PERMANENT = 0x04;
/** `ATF_PUBL`: publish entry. */
export const ATF_PUBLISH = 0x08;
/** `ATF_USETRAILERS`: has requested trailers. */
export const ATF_USE_TRAILERS = 0x10;
/** `ATF_NETMASK`: use a netmask (proxy entries only, obsolete). */
export const ATF_NETMASK = 0x20;
/** `ATF_DONTPUB`: don't answer this address. */
export const ATF_DONT_PUBLISH = 0x40;

/** Go procfs `ARPEntry.IsComplete()`: the `ATF_COM` flag is set. */
export function arpEntryIsComplete(e: ARPEntry): boolean {
  return (e.flags & ATF_COMPLETE) !== 0;
}

/**
 * Parse the text of `/proc/net/arp`.
 * @throws ParseError on a missing header or a row without 6 columns.
 */
export function parseARPEntries(text: string, file = '/proc/net/arp'): ARPEntry[] {
  const ls = lines(text);
  if (!ls[0]?.startsWith('IP address')) fail(firstLineAt(ls, file), 'missing the "IP address …" header');
  const out: ARPEntry[] = [];
  for (const w of rowsAt(ls, file)) {
    const f = fields(w.text);
    if (f.length !== 6) fail(w, `expected 6 columns, found ${f.length}`);
    const octets = f[0]!.split('.');
    if (octets.length !== 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255)) {
      fail(w, `not an IPv4 address: ${JSON.stringify(f[0])}`);
    }
    out.push({
      ipAddr: f[0]!,
      hwType: hex(f[1], w, 'HW type'),
      flags: hex(f[2], w, 'Flags'),
      hwAddr: f[3]!,
      mask: f[4]!,
      device: f[5]!,
    });
  }
  return out;
}
