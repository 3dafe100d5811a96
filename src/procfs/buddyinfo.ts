/**
 * `/proc/buddyinfo`: free blocks per order in each memory zone (kernel `frag_show`).
 *
 * Go procfs: `FS.BuddyInfo() []BuddyInfo`.
 * @module
 */
import { fail, lines, uint, type Where } from './system_util.js';

/** One zone (Go procfs: `BuddyInfo`). */
export interface BuddyInfo {
  /** NUMA node number as printed (`Node 0`). */
  node: string;
  /** Zone name (`DMA`, `DMA32`, `Normal`, `Movable`, …). */
  zone: string;
  /** Free blocks of each order: `sizes[n]` blocks of 2^n contiguous pages. */
  sizes: number[];
}

const LINE = /^Node\s+(\d+),\s+zone\s+(\S+)((?:\s+\S+)*)\s*$/;

/**
 * Parse the text of `/proc/buddyinfo`.
 * @throws ParseError on a malformed line or zones with differing numbers of orders.
 */
export function parseBuddyInfo(text: string, file = '/proc/buddyinfo'): BuddyInfo[] {
  const out: BuddyInfo[] = [];
  lines(text).forEach((text, i) => {
    if (text.trim() === '') return;
    const w: Where = { file, line: i + 1, text };
    const m = LINE.exec(text);
    if (!m) fail(w, 'expected "Node N, zone NAME counts…"');
    const sizes = m[3]!
      .trim()
      .split(/\s+/)
      .filter((x) => x !== '')
      .map((v) => uint(v, w, 'free block count'));
    if (sizes.length === 0) fail(w, 'no counts');
    if (out.length > 0 && out[0]!.sizes.length !== sizes.length) {
      fail(w, `expected ${out[0]!.sizes.length} orders like the first zone, found ${sizes.length}`);
    }
    out.push({ node: m[1]!, zone: m[2]!, sizes });
  });
  return out;
}
