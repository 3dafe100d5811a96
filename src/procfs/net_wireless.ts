/**
 * `/proc/net/wireless`: wireless-extension statistics per wireless interface (kernel
 * `wireless_seq_printf_stats` in net/wireless/wext-proc.c): two header lines, then
 * `"%6s: %04x  %3d%c  %3d%c  %3d%c  %6d %6d %6d %6d %6d   %6d"` per interface, where each quality
 * value is followed by `.` when the driver updated it since the last read, a space otherwise.
 *
 * Go procfs: `FS.Wireless() []*Wireless`.
 * @module
 */
import { fail, lines, sint, type Where } from './system_util.js';

/** One wireless interface (Go procfs: `Wireless`). */
export interface Wireless {
  /** Interface name (`wlan0`). */
  name: string;
  /** Driver-specific status word (`status`, hex in the file). */
  status: number;
  /** Link quality (`qual.qual`), in the driver's own range. */
  qualityLink: number;
  /** Signal level (`qual.level`), dBm on most drivers. */
  qualityLevel: number;
  /** Noise level (`qual.noise`), dBm on most drivers (-256 = not reported). */
  qualityNoise: number;
  /** Whether each of link, level, noise was updated since the last read (the `.` after the value). */
  qualityUpdated: { link: boolean; level: boolean; noise: boolean };
  /** Packets discarded: wrong network ID (`discard.nwid`). */
  discardedNwid: number;
  /** Packets discarded: could not decrypt (`discard.code`). */
  discardedCrypt: number;
  /** Packets discarded: could not reassemble (`discard.fragment`). */
  discardedFrag: number;
  /** Packets discarded: too many retries (`discard.retries`). */
  discardedRetry: number;
  /** Packets discarded: other reasons (`discard.misc`). */
  discardedMisc: number;
  /** Beacons missed (`miss.beacon`). */
  missedBeacon: number;
}

const ROW =
  /^\s*([^\s:]+):\s+([0-9a-fA-F]+)\s+(-?\d+)([. ])\s+(-?\d+)([. ])\s+(-?\d+)([. ])\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s*$/;

/**
 * Parse the text of `/proc/net/wireless` (two header lines; no rows without wireless interfaces).
 * @throws ParseError on a missing header or a row that does not have the kernel's shape.
 */
export function parseWireless(text: string, file = '/proc/net/wireless'): Wireless[] {
  const ls = lines(text);
  if (!/^Inter-\|/.test(ls[0] ?? '') || !/^\s*face\s*\|/.test(ls[1] ?? '')) {
    fail({ file, line: 1, text: ls[0] ?? '' }, 'missing the two "Inter-| sta-| Quality …" header lines');
  }
  const out: Wireless[] = [];
  for (let i = 2; i < ls.length; i++) {
    const t = ls[i]!;
    if (t.trim() === '') continue;
    const w: Where = { file, line: i + 1, text: t };
    const m = ROW.exec(t);
    if (!m) fail(w, 'expected "iface: status link level noise nwid crypt frag retry misc beacon"');
    out.push({
      name: m[1]!,
      status: Number.parseInt(m[2]!, 16),
      qualityLink: sint(m[3], w, 'link'),
      qualityLevel: sint(m[5], w, 'level'),
      qualityNoise: sint(m[7], w, 'noise'),
      qualityUpdated: { link: m[4] === '.', level: m[6] === '.', noise: m[8] === '.' },
      discardedNwid: sint(m[9], w, 'nwid'),
      discardedCrypt: sint(m[10], w, 'crypt'),
      discardedFrag: sint(m[11], w, 'frag'),
      discardedRetry: sint(m[12], w, 'retry'),
      discardedMisc: sint(m[13], w, 'misc'),
      missedBeacon: sint(m[14], w, 'beacon'),
    });
  }
  return out;
}
