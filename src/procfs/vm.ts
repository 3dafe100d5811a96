/**
 * `/proc/sys/vm/*`: virtual memory tunables, one value per file.
 *
 * Go procfs: `FS.VM() *VM`.
 * @module
 */

import { parseSysctlValue, type SysctlValue } from './sysctl.js';
import { fail, lines, type Where } from './system_util.js';

/**
 * `/proc/sys/vm/*` parsed (Go procfs: `VM`). A field is absent when its file does not exist on this
 * kernel or cannot be read (write-only files such as `drop_caches` are listed in `unreadable`).
 */
export interface VM {
  /** `/proc/sys/vm/admin_reserve_kbytes`. */
  adminReserveKbytes?: number;
  /** `/proc/sys/vm/block_dump`. */
  blockDump?: number;
  /** `/proc/sys/vm/compact_unevictable_allowed`. */
  compactUnevictableAllowed?: number;
  /** `/proc/sys/vm/dirty_background_bytes`. */
  dirtyBackgroundBytes?: number;
  /** `/proc/sys/vm/dirty_background_ratio`. */
  dirtyBackgroundRatio?: number;
  /** `/proc/sys/vm/dirty_bytes`. */
  dirtyBytes?: number;
  /** `/proc/sys/vm/dirty_expire_centisecs`. */
  dirtyExpireCentisecs?: number;
  /** `/proc/sys/vm/dirty_ratio`. */
  dirtyRatio?: number;
  /** `/proc/sys/vm/dirtytime_expire_seconds`. */
  dirtytimeExpireSeconds?: number;
  /** `/proc/sys/vm/dirty_writeback_centisecs`. */
  dirtyWritebackCentisecs?: number;
  /** `/proc/sys/vm/drop_caches`. */
  dropCaches?: number;
  /** `/proc/sys/vm/extfrag_threshold`. */
  extfragThreshold?: number;
  /** `/proc/sys/vm/hugetlb_shm_group`. */
  hugetlbShmGroup?: number;
  /** `/proc/sys/vm/laptop_mode`. */
  laptopMode?: number;
  /** `/proc/sys/vm/legacy_va_layout`. */
  legacyVaLayout?: number;
  /** `/proc/sys/vm/max_map_count`. */
  maxMapCount?: number;
  /** `/proc/sys/vm/memory_failure_early_kill`. */
  memoryFailureEarlyKill?: number;
  /** `/proc/sys/vm/memory_failure_recovery`. */
  memoryFailureRecovery?: number;
  /** `/proc/sys/vm/min_free_kbytes`. */
  minFreeKbytes?: number;
  /** `/proc/sys/vm/min_slab_ratio`. */
  minSlabRatio?: number;
  /** `/proc/sys/vm/min_unmapped_ratio`. */
  minUnmappedRatio?: number;
  /** `/proc/sys/vm/mmap_min_addr`. */
  mmapMinAddr?: number;
  /** `/proc/sys/vm/nr_hugepages`. */
  nrHugepages?: number;
  /** `/proc/sys/vm/nr_hugepages_mempolicy`. */
  nrHugepagesMempolicy?: number;
  /** `/proc/sys/vm/nr_overcommit_hugepages`. */
  nrOvercommitHugepages?: number;
  /** `/proc/sys/vm/numa_stat`. */
  numaStat?: number;
  /** `/proc/sys/vm/oom_dump_tasks`. */
  oomDumpTasks?: number;
  /** `/proc/sys/vm/oom_kill_allocating_task`. */
  oomKillAllocatingTask?: number;
  /** `/proc/sys/vm/overcommit_kbytes`. */
  overcommitKbytes?: number;
  /** `/proc/sys/vm/overcommit_memory`. */
  overcommitMemory?: number;
  /** `/proc/sys/vm/overcommit_ratio`. */
  overcommitRatio?: number;
  /** `/proc/sys/vm/page-cluster`. */
  pageCluster?: number;
  /** `/proc/sys/vm/panic_on_oom`. */
  panicOnOom?: number;
  /** `/proc/sys/vm/percpu_pagelist_fraction`. */
  percpuPagelistFraction?: number;
  /** `/proc/sys/vm/stat_interval`. */
  statInterval?: number;
  /** `/proc/sys/vm/swappiness`. */
  swappiness?: number;
  /** `/proc/sys/vm/user_reserve_kbytes`. */
  userReserveKbytes?: number;
  /** `/proc/sys/vm/vfs_cache_pressure`. */
  vfsCachePressure?: number;
  /** `/proc/sys/vm/watermark_boost_factor`. */
  watermarkBoostFactor?: number;
  /** `/proc/sys/vm/watermark_scale_factor`. */
  watermarkScaleFactor?: number;
  /** `/proc/sys/vm/zone_reclaim_mode`. */
  zoneReclaimMode?: number;
  /** `/proc/sys/vm/lowmem_reserve_ratio`: one ratio per zone. */
  lowmemReserveRatio?: number[];
  /** `/proc/sys/vm/numa_zonelist_order` (deprecated; a word). */
  numaZonelistOrder?: string;
  /** Files without a typed field (newer tunables), typed like {@link parseSysctlValue}. */
  other: Record<string, SysctlValue>;
  /** Files that exist but could not be read (write-only or permission denied). */
  unreadable: string[];
}

const NAMES: Record<string, string> = {
  admin_reserve_kbytes: 'adminReserveKbytes',
  block_dump: 'blockDump',
  compact_unevictable_allowed: 'compactUnevictableAllowed',
  dirty_background_bytes: 'dirtyBackgroundBytes',
  dirty_background_ratio: 'dirtyBackgroundRatio',
  dirty_bytes: 'dirtyBytes',
  dirty_expire_centisecs: 'dirtyExpireCentisecs',
  dirty_ratio: 'dirtyRatio',
  dirtytime_expire_seconds: 'dirtytimeExpireSeconds',
  dirty_writeback_centisecs: 'dirtyWritebackCentisecs',
  drop_caches: 'dropCaches',
  extfrag_threshold: 'extfragThreshold',
  hugetlb_shm_group: 'hugetlbShmGroup',
  laptop_mode: 'laptopMode',
  legacy_va_layout: 'legacyVaLayout',
  max_map_count: 'maxMapCount',
  memory_failure_early_kill: 'memoryFailureEarlyKill',
  memory_failure_recovery: 'memoryFailureRecovery',
  min_free_kbytes: 'minFreeKbytes',
  min_slab_ratio: 'minSlabRatio',
  min_unmapped_ratio: 'minUnmappedRatio',
  mmap_min_addr: 'mmapMinAddr',
  nr_hugepages: 'nrHugepages',
  nr_hugepages_mempolicy: 'nrHugepagesMempolicy',
  nr_overcommit_hugepages: 'nrOvercommitHugepages',
  numa_stat: 'numaStat',
  oom_dump_tasks: 'oomDumpTasks',
  oom_kill_allocating_task: 'oomKillAllocatingTask',
  overcommit_kbytes: 'overcommitKbytes',
  overcommit_memory: 'overcommitMemory',
  overcommit_ratio: 'overcommitRatio',
  'page-cluster': 'pageCluster',
  panic_on_oom: 'panicOnOom',
  percpu_pagelist_fraction: 'percpuPagelistFraction',
  stat_interval: 'statInterval',
  swappiness: 'swappiness',
  user_reserve_kbytes: 'userReserveKbytes',
  vfs_cache_pressure: 'vfsCachePressure',
  watermark_boost_factor: 'watermarkBoostFactor',
  watermark_scale_factor: 'watermarkScaleFactor',
  zone_reclaim_mode: 'zoneReclaimMode',
};

/**
 * Build a {@link VM} from file name → text for the files of `/proc/sys/vm` that could be read.
 * @param unreadable names of files that exist but could not be read.
 * @throws ParseError when a typed file does not hold one integer.
 */
export function parseVM(files: Record<string, string>, unreadable: string[] = [], dir = '/proc/sys/vm'): VM {
  const out: Record<string, unknown> & { other: Record<string, SysctlValue> } = {
    other: Object.create(null) as Record<string, SysctlValue>,
    unreadable: [...unreadable].sort(),
  };
  for (const name of Object.keys(files).sort()) {
    const text = files[name]!;
    const file = `${dir}/${name}`;
    const w: Where = { file, line: 1, text: lines(text)[0] ?? '' };
    const v = parseSysctlValue(text, file);
    if (name === 'lowmem_reserve_ratio') {
      const arr = Array.isArray(v) ? v : [v];
      out.lowmemReserveRatio = arr.map((x) => {
        if (typeof x !== 'number') fail(w, 'expected integers');
        return x;
      });
    } else if (name === 'numa_zonelist_order') {
      out.numaZonelistOrder = String(v);
    } else if (Object.hasOwn(NAMES, name)) {
      if (typeof v !== 'number') fail(w, 'expected one integer');
      out[NAMES[name]!] = v;
    } else {
      out.other[name] = v;
    }
  }
  return out as unknown as VM;
}
