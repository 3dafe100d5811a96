/**
 * `/proc/slabinfo`: kernel slab allocator caches (version 2.1). Readable by root only (mode 0400).
 *
 * Go procfs: `FS.SlabInfo() SlabInfo`, `Slab`.
 * @module
 */
import { firstLineAt, rowsAt } from './rows.js';
import { fail, lines, uint } from './system_util.js';

/** One slab cache (Go procfs: `Slab`). */
export interface Slab {
  /** Cache name. */
  name: string;
  /** Objects in use (`active_objs`). */
  objActive: number;
  /** Objects allocated (`num_objs`). */
  objNum: number;
  /** Object size in bytes (`objsize`). */
  objSize: number;
  /** Objects per slab (`objperslab`). */
  objPerSlab: number;
  /** Pages per slab (`pagesperslab`). */
  pagesPerSlab: number;
  /** Tunable `limit` (0 with SLUB). */
  limit: number;
  /** Tunable `batchcount`. */
  batch: number;
  /** Tunable `sharedfactor`. */
  sharedFactor: number;
  /** Slabs in use (`active_slabs`). */
  slabActive: number;
  /** Slabs allocated (`num_slabs`). */
  slabNum: number;
  /** `sharedavail`. */
  sharedAvail: number;
}

/** `/proc/slabinfo` parsed (Go procfs: `SlabInfo`). */
export interface SlabInfo {
  /** Format version from the first line (`2.1`). */
  version: string;
  /** One entry per cache. */
  slabs: Slab[];
}

const ROW =
  /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+:\s+tunables\s+(\d+)\s+(\d+)\s+(\d+)\s+:\s+slabdata\s+(\d+)\s+(\d+)\s+(\d+)\s*$/;

/**
 * Parse the text of `/proc/slabinfo`.
 * @throws ParseError on a version other than 2.x or a malformed row.
 */
export function parseSlabInfo(text: string, file = '/proc/slabinfo'): SlabInfo {
  const ls = lines(text);
  const v = /^slabinfo - version: (\d+\.\d+)\s*$/.exec(ls[0] ?? '');
  if (!v) fail(firstLineAt(ls, file), 'missing the "slabinfo - version: 2.1" line');
  if (!v[1]!.startsWith('2.')) fail(firstLineAt(ls, file), `unsupported version ${v[1]}`);
  const slabs: Slab[] = [];
  for (const w of rowsAt(ls, file)) {
    const t = w.text;
    if (t.startsWith('#')) continue;
    const m = ROW.exec(t);
    if (!m) fail(w, 'expected "name n n n n n : tunables n n n : slabdata n n n"');
    const n = (j: number, what: string) => uint(m[j], w, what);
    slabs.push({
      name: m[1]!,
      objActive: n(2, 'active_objs'),
      objNum: n(3, 'num_objs'),
      objSize: n(4, 'objsize'),
      objPerSlab: n(5, 'objperslab'),
      pagesPerSlab: n(6, 'pagesperslab'),
      limit: n(7, 'limit'),
      batch: n(8, 'batchcount'),
      sharedFactor: n(9, 'sharedfactor'),
      slabActive: n(10, 'active_slabs'),
      slabNum: n(11, 'num_slabs'),
      sharedAvail: n(12, 'sharedavail'),
    });
  }
  return { version: v[1]!, slabs };
}
