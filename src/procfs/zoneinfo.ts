/**
 * `/proc/zoneinfo`: per memory zone watermarks, page counts and per-CPU page sets
 * (kernel `zoneinfo_show`).
 *
 * Go procfs: `FS.Zoneinfo() []Zoneinfo`.
 * @module
 */
import { fail, lines, record, sint, type Where } from './system_util.js';

/** A per-CPU page set of a zone (`pagesets` section). Not in Go procfs. */
export interface ZonePageset {
  /** CPU number (`cpu:`). */
  cpu: number;
  /** Pages in the set (`count:`). */
  count?: number;
  /** High watermark of the set, pages (`high:`). */
  high?: number;
  /** Batch size, pages (`batch:`). */
  batch?: number;
  /** `high_min:` (Linux 6.7+). */
  highMin?: number;
  /** `high_max:` (Linux 6.7+). */
  highMax?: number;
  /** `vm stats threshold:` following this CPU's set. */
  vmStatsThreshold?: number;
}

/**
 * One zone (Go procfs: `Zoneinfo`). Typed fields are absent when the kernel does not print them for this
 * zone. The per-node statistics (`per-node stats`) are printed under the first zone of each node
 * only; the typed fields take values from the zone's own lines first, then from those node lines,
 * as Go procfs does. Everything is also kept by kernel name in `stats` and `nodeStats`.
 */
export interface Zoneinfo {
  /** NUMA node number as printed. */
  node: string;
  /** Zone name (`DMA`, `DMA32`, `Normal`, `Movable`, `Device`). */
  zone: string;
  /** Free pages (`pages free`). */
  nrFreePages?: number;
  /** `nr_active_anon`, pages. */
  nrActiveAnon?: number;
  /** `nr_inactive_anon`, pages. */
  nrInactiveAnon?: number;
  /** `nr_isolated_anon`, pages. */
  nrIsolatedAnon?: number;
  /** `nr_anon_pages`, pages. */
  nrAnonPages?: number;
  /** `nr_anon_transparent_hugepages`, pages. */
  nrAnonTransparentHugepages?: number;
  /** `nr_active_file`, pages. */
  nrActiveFile?: number;
  /** `nr_inactive_file`, pages. */
  nrInactiveFile?: number;
  /** `nr_isolated_file`, pages. */
  nrIsolatedFile?: number;
  /** `nr_file_pages`, pages. */
  nrFilePages?: number;
  /** `nr_slab_reclaimable`, pages. */
  nrSlabReclaimable?: number;
  /** `nr_slab_unreclaimable`, pages. */
  nrSlabUnreclaimable?: number;
  /** `nr_mlock`, pages. */
  nrMlockStack?: number;
  /** `nr_kernel_stack`, pages. */
  nrKernelStack?: number;
  /** `nr_mapped`, pages. */
  nrMapped?: number;
  /** `nr_dirty`, pages. */
  nrDirty?: number;
  /** `nr_writeback`, pages. */
  nrWriteback?: number;
  /** `nr_unevictable`, pages. */
  nrUnevictable?: number;
  /** `nr_shmem`, pages. */
  nrShmem?: number;
  /** `nr_dirtied`, pages (event count). */
  nrDirtied?: number;
  /** `nr_written`, pages (event count). */
  nrWritten?: number;
  /** `numa_hit`, allocations (event count). */
  numaHit?: number;
  /** `numa_miss`, allocations (event count). */
  numaMiss?: number;
  /** `numa_foreign`, allocations (event count). */
  numaForeign?: number;
  /** `numa_interleave`, allocations (event count). */
  numaInterleave?: number;
  /** `numa_local`, allocations (event count). */
  numaLocal?: number;
  /** `numa_other`, allocations (event count). */
  numaOther?: number;
  /** `min`, pages. */
  min?: number;
  /** `low`, pages. */
  low?: number;
  /** `high`, pages. */
  high?: number;
  /** `scanned`, pages. */
  scanned?: number;
  /** `spanned`, pages. */
  spanned?: number;
  /** `present`, pages. */
  present?: number;
  /** `managed`, pages. */
  managed?: number;
  /** Pages reserved against allocations from higher zones (`protection: (…)`), one per zone. */
  protection?: number[];
  /** The zone's own `key value` lines by kernel name (watermarks, `nr_zone_*`, `numa_*`, …). */
  stats: Record<string, number>;
  /** The node's `per-node stats` lines, on the node's first zone only. */
  nodeStats?: Record<string, number>;
  /** Per-CPU page sets. */
  pagesets: ZonePageset[];
  /** `node_unreclaimable:` (1 when kswapd gave up on the node). */
  nodeUnreclaimable?: number;
  /** First page frame number of the zone (`start_pfn:`). */
  startPfn?: number;
}

const NAMES: Record<string, string> = {
  nr_active_anon: 'nrActiveAnon',
  nr_inactive_anon: 'nrInactiveAnon',
  nr_isolated_anon: 'nrIsolatedAnon',
  nr_anon_pages: 'nrAnonPages',
  nr_anon_transparent_hugepages: 'nrAnonTransparentHugepages',
  nr_active_file: 'nrActiveFile',
  nr_inactive_file: 'nrInactiveFile',
  nr_isolated_file: 'nrIsolatedFile',
  nr_file_pages: 'nrFilePages',
  nr_slab_reclaimable: 'nrSlabReclaimable',
  nr_slab_unreclaimable: 'nrSlabUnreclaimable',
  nr_mlock: 'nrMlockStack',
  nr_kernel_stack: 'nrKernelStack',
  nr_mapped: 'nrMapped',
  nr_dirty: 'nrDirty',
  nr_writeback: 'nrWriteback',
  nr_unevictable: 'nrUnevictable',
  nr_shmem: 'nrShmem',
  nr_dirtied: 'nrDirtied',
  nr_written: 'nrWritten',
  numa_hit: 'numaHit',
  numa_miss: 'numaMiss',
  numa_foreign: 'numaForeign',
  numa_interleave: 'numaInterleave',
  numa_local: 'numaLocal',
  numa_other: 'numaOther',
  min: 'min',
  low: 'low',
  high: 'high',
  scanned: 'scanned',
  spanned: 'spanned',
  present: 'present',
  managed: 'managed',
};

const PAGESET: Record<string, keyof ZonePageset> = {
  count: 'count',
  high: 'high',
  batch: 'batch',
  high_min: 'highMin',
  high_max: 'highMax',
};

/**
 * Parse the text of `/proc/zoneinfo`.
 * @throws ParseError on a line before the first `Node N, zone NAME` line or a malformed value.
 */
export function parseZoneinfo(text: string, file = '/proc/zoneinfo'): Zoneinfo[] {
  const out: Zoneinfo[] = [];
  let z: Zoneinfo | undefined;
  let section: 'node' | 'zone' | 'pagesets' = 'zone';
  const finish = () => {
    if (!z) return;
    for (const src of [z.nodeStats ?? {}, z.stats]) {
      for (const [k, v] of Object.entries(src)) {
        if (Object.hasOwn(NAMES, k)) (z as unknown as Record<string, number>)[NAMES[k]!] = v;
      }
    }
    out.push(z);
  };
  lines(text).forEach((t, i) => {
    const w: Where = { file, line: i + 1, text: t };
    if (t.trim() === '') return;
    const head = /^Node\s+(\d+),\s+zone\s+(\S+)\s*$/.exec(t);
    if (head) {
      finish();
      z = { node: head[1]!, zone: head[2]!, stats: record(), pagesets: [] };
      section = 'zone';
      return;
    }
    if (!z) fail(w, 'expected "Node N, zone NAME" first');
    const s = t.trim();
    if (s === 'per-node stats') {
      section = 'node';
      z.nodeStats = record();
      return;
    }
    if (s === 'pagesets') {
      section = 'pagesets';
      return;
    }
    let m = /^pages free\s+(\d+)$/.exec(s);
    if (m) {
      section = 'zone';
      z.nrFreePages = sint(m[1], w, 'pages free');
      return;
    }
    m = /^protection:\s*\(([^)]*)\)$/.exec(s);
    if (m) {
      z.protection = m[1]!.split(',').map((x) => sint(x.trim(), w, 'protection'));
      return;
    }
    m = /^([a-z_][a-z0-9_ ]*?):?\s+(-?\d+)$/i.exec(s);
    if (!m) fail(w, 'expected "name value"');
    const key = m[1]!;
    const v = sint(m[2], w, key);
    if (key === 'node_unreclaimable') z.nodeUnreclaimable = v;
    else if (key === 'start_pfn') z.startPfn = v;
    else if (section === 'pagesets') {
      if (key === 'cpu') z.pagesets.push({ cpu: v });
      else {
        const ps = z.pagesets[z.pagesets.length - 1];
        if (!ps) fail(w, 'page set value before "cpu: N"');
        if (key === 'vm stats threshold') ps.vmStatsThreshold = v;
        else if (Object.hasOwn(PAGESET, key)) (ps as unknown as Record<string, number>)[PAGESET[key]!] = v;
      }
    } else if (section === 'node') z.nodeStats![key] = v;
    else z.stats[key] = v;
  });
  finish();
  return out;
}
