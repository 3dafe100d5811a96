/**
 * `/proc/meminfo`: system memory usage (kernel `meminfo_proc_show`).
 *
 * Go procfs: `FS.Meminfo() Meminfo`.
 * @module
 */
import { fail, lines, record, uint, type Where } from './system_util.js';

/** A `/proc/meminfo` line the parser has no typed field for: the raw value and its unit. */
export interface MeminfoOther {
  /** The number as printed. */
  value: number;
  /** `'kB'` when the line ends with ` kB` (then {@link MeminfoOther.bytes} is set), else absent. */
  unit?: 'kB';
  /** `value × 1024` when the unit is kB. */
  bytes?: number;
}

/**
 * `/proc/meminfo` parsed. Every field is optional: it is present exactly when the kernel printed
 * the line (which depends on version, architecture and config), never zero-filled.
 *
 * Values with a unit are kept as the kernel prints them, in kB (really KiB), and also given in
 * bytes in the matching `…Bytes` field (as newer Go procfs does). `hugePages*` are counts of pages.
 * All values are exact `number`s (the largest, `VmallocTotal`, is ~2^45 bytes on x86-64).
 */
export interface Meminfo {
  /** Total usable RAM (physical RAM minus reserved bits and the kernel binary). `MemTotal`, in kB (KiB) as the kernel prints it. */
  memTotal?: number;
  /** `MemTotal` in bytes (memTotal × 1024). */
  memTotalBytes?: number;
  /** Free memory (LowFree + HighFree). `MemFree`, in kB (KiB) as the kernel prints it. */
  memFree?: number;
  /** `MemFree` in bytes (memFree × 1024). */
  memFreeBytes?: number;
  /** Estimate of memory available for starting new applications without swapping (Linux 3.14+). `MemAvailable`, in kB (KiB) as the kernel prints it. */
  memAvailable?: number;
  /** `MemAvailable` in bytes (memAvailable × 1024). */
  memAvailableBytes?: number;
  /** Temporary storage for raw disk blocks. `Buffers`, in kB (KiB) as the kernel prints it. */
  buffers?: number;
  /** `Buffers` in bytes (buffers × 1024). */
  buffersBytes?: number;
  /** Page cache (excluding SwapCached). `Cached`, in kB (KiB) as the kernel prints it. */
  cached?: number;
  /** `Cached` in bytes (cached × 1024). */
  cachedBytes?: number;
  /** Memory swapped out and back in that is still in the swap file. `SwapCached`, in kB (KiB) as the kernel prints it. */
  swapCached?: number;
  /** `SwapCached` in bytes (swapCached × 1024). */
  swapCachedBytes?: number;
  /** Memory used more recently, usually not reclaimed unless necessary. `Active`, in kB (KiB) as the kernel prints it. */
  active?: number;
  /** `Active` in bytes (active × 1024). */
  activeBytes?: number;
  /** Memory used less recently, more eligible for reclaim. `Inactive`, in kB (KiB) as the kernel prints it. */
  inactive?: number;
  /** `Inactive` in bytes (inactive × 1024). */
  inactiveBytes?: number;
  /** Anonymous memory on the active LRU list. `Active(anon)`, in kB (KiB) as the kernel prints it. */
  activeAnon?: number;
  /** `Active(anon)` in bytes (activeAnon × 1024). */
  activeAnonBytes?: number;
  /** Anonymous memory on the inactive LRU list. `Inactive(anon)`, in kB (KiB) as the kernel prints it. */
  inactiveAnon?: number;
  /** `Inactive(anon)` in bytes (inactiveAnon × 1024). */
  inactiveAnonBytes?: number;
  /** File-backed memory on the active LRU list. `Active(file)`, in kB (KiB) as the kernel prints it. */
  activeFile?: number;
  /** `Active(file)` in bytes (activeFile × 1024). */
  activeFileBytes?: number;
  /** File-backed memory on the inactive LRU list. `Inactive(file)`, in kB (KiB) as the kernel prints it. */
  inactiveFile?: number;
  /** `Inactive(file)` in bytes (inactiveFile × 1024). */
  inactiveFileBytes?: number;
  /** Memory that cannot be reclaimed (mlocked, ramfs, …). `Unevictable`, in kB (KiB) as the kernel prints it. */
  unevictable?: number;
  /** `Unevictable` in bytes (unevictable × 1024). */
  unevictableBytes?: number;
  /** Memory locked with mlock(). `Mlocked`, in kB (KiB) as the kernel prints it. */
  mlocked?: number;
  /** `Mlocked` in bytes (mlocked × 1024). */
  mlockedBytes?: number;
  /** Total high memory (32-bit kernels with HIGHMEM). `HighTotal`, in kB (KiB) as the kernel prints it. */
  highTotal?: number;
  /** `HighTotal` in bytes (highTotal × 1024). */
  highTotalBytes?: number;
  /** Free high memory. `HighFree`, in kB (KiB) as the kernel prints it. */
  highFree?: number;
  /** `HighFree` in bytes (highFree × 1024). */
  highFreeBytes?: number;
  /** Total low memory. `LowTotal`, in kB (KiB) as the kernel prints it. */
  lowTotal?: number;
  /** `LowTotal` in bytes (lowTotal × 1024). */
  lowTotalBytes?: number;
  /** Free low memory. `LowFree`, in kB (KiB) as the kernel prints it. */
  lowFree?: number;
  /** `LowFree` in bytes (lowFree × 1024). */
  lowFreeBytes?: number;
  /** Memory copied by mmap on no-MMU kernels. `MmapCopy`, in kB (KiB) as the kernel prints it. */
  mmapCopy?: number;
  /** `MmapCopy` in bytes (mmapCopy × 1024). */
  mmapCopyBytes?: number;
  /** Total swap space. `SwapTotal`, in kB (KiB) as the kernel prints it. */
  swapTotal?: number;
  /** `SwapTotal` in bytes (swapTotal × 1024). */
  swapTotalBytes?: number;
  /** Unused swap space. `SwapFree`, in kB (KiB) as the kernel prints it. */
  swapFree?: number;
  /** `SwapFree` in bytes (swapFree × 1024). */
  swapFreeBytes?: number;
  /** Memory consumed by the zswap backend (compressed size, Linux 6.5+). `Zswap`, in kB (KiB) as the kernel prints it. */
  zswap?: number;
  /** `Zswap` in bytes (zswap × 1024). */
  zswapBytes?: number;
  /** Anonymous memory stored in zswap (original size, Linux 6.5+). `Zswapped`, in kB (KiB) as the kernel prints it. */
  zswapped?: number;
  /** `Zswapped` in bytes (zswapped × 1024). */
  zswappedBytes?: number;
  /** Memory waiting to be written back to disk. `Dirty`, in kB (KiB) as the kernel prints it. */
  dirty?: number;
  /** `Dirty` in bytes (dirty × 1024). */
  dirtyBytes?: number;
  /** Memory being written back to disk. `Writeback`, in kB (KiB) as the kernel prints it. */
  writeback?: number;
  /** `Writeback` in bytes (writeback × 1024). */
  writebackBytes?: number;
  /** Non-file-backed pages mapped into user page tables. `AnonPages`, in kB (KiB) as the kernel prints it. */
  anonPages?: number;
  /** `AnonPages` in bytes (anonPages × 1024). */
  anonPagesBytes?: number;
  /** Files mapped into memory (libraries, mmap). `Mapped`, in kB (KiB) as the kernel prints it. */
  mapped?: number;
  /** `Mapped` in bytes (mapped × 1024). */
  mappedBytes?: number;
  /** Shared memory and tmpfs. `Shmem`, in kB (KiB) as the kernel prints it. */
  shmem?: number;
  /** `Shmem` in bytes (shmem × 1024). */
  shmemBytes?: number;
  /** Kernel allocations the kernel will try to reclaim under pressure (Linux 4.20+). `KReclaimable`, in kB (KiB) as the kernel prints it. */
  kReclaimable?: number;
  /** `KReclaimable` in bytes (kReclaimable × 1024). */
  kReclaimableBytes?: number;
  /** In-kernel data structure cache. `Slab`, in kB (KiB) as the kernel prints it. */
  slab?: number;
  /** `Slab` in bytes (slab × 1024). */
  slabBytes?: number;
  /** Part of Slab that might be reclaimed. `SReclaimable`, in kB (KiB) as the kernel prints it. */
  sReclaimable?: number;
  /** `SReclaimable` in bytes (sReclaimable × 1024). */
  sReclaimableBytes?: number;
  /** Part of Slab that cannot be reclaimed. `SUnreclaim`, in kB (KiB) as the kernel prints it. */
  sUnreclaim?: number;
  /** `SUnreclaim` in bytes (sUnreclaim × 1024). */
  sUnreclaimBytes?: number;
  /** Memory used by kernel stacks. `KernelStack`, in kB (KiB) as the kernel prints it. */
  kernelStack?: number;
  /** `KernelStack` in bytes (kernelStack × 1024). */
  kernelStackBytes?: number;
  /** Memory used by shadow call stacks (arm64). `ShadowCallStack`, in kB (KiB) as the kernel prints it. */
  shadowCallStack?: number;
  /** `ShadowCallStack` in bytes (shadowCallStack × 1024). */
  shadowCallStackBytes?: number;
  /** Memory used by the lowest level of page tables. `PageTables`, in kB (KiB) as the kernel prints it. */
  pageTables?: number;
  /** `PageTables` in bytes (pageTables × 1024). */
  pageTablesBytes?: number;
  /** Secondary page tables (KVM, IOMMU; Linux 6.1+). `SecPageTables`, in kB (KiB) as the kernel prints it. */
  secPageTables?: number;
  /** `SecPageTables` in bytes (secPageTables × 1024). */
  secPageTablesBytes?: number;
  /** NFS pages sent to the server but not yet committed. `NFS_Unstable`, in kB (KiB) as the kernel prints it. */
  nfsUnstable?: number;
  /** `NFS_Unstable` in bytes (nfsUnstable × 1024). */
  nfsUnstableBytes?: number;
  /** Memory used for block device bounce buffers. `Bounce`, in kB (KiB) as the kernel prints it. */
  bounce?: number;
  /** `Bounce` in bytes (bounce × 1024). */
  bounceBytes?: number;
  /** Memory used by FUSE for temporary writeback buffers. `WritebackTmp`, in kB (KiB) as the kernel prints it. */
  writebackTmp?: number;
  /** `WritebackTmp` in bytes (writebackTmp × 1024). */
  writebackTmpBytes?: number;
  /** Total memory allocatable under strict overcommit (vm.overcommit_memory=2). `CommitLimit`, in kB (KiB) as the kernel prints it. */
  commitLimit?: number;
  /** `CommitLimit` in bytes (commitLimit × 1024). */
  commitLimitBytes?: number;
  /** Memory currently committed (allocated, not necessarily used). `Committed_AS`, in kB (KiB) as the kernel prints it. */
  committedAS?: number;
  /** `Committed_AS` in bytes (committedAS × 1024). */
  committedASBytes?: number;
  /** Total size of the vmalloc area. `VmallocTotal`, in kB (KiB) as the kernel prints it. */
  vmallocTotal?: number;
  /** `VmallocTotal` in bytes (vmallocTotal × 1024). */
  vmallocTotalBytes?: number;
  /** Used part of the vmalloc area. `VmallocUsed`, in kB (KiB) as the kernel prints it. */
  vmallocUsed?: number;
  /** `VmallocUsed` in bytes (vmallocUsed × 1024). */
  vmallocUsedBytes?: number;
  /** Largest free contiguous block of the vmalloc area (0 since Linux 4.4). `VmallocChunk`, in kB (KiB) as the kernel prints it. */
  vmallocChunk?: number;
  /** `VmallocChunk` in bytes (vmallocChunk × 1024). */
  vmallocChunkBytes?: number;
  /** Memory used by per-CPU allocations (Linux 4.6+). `Percpu`, in kB (KiB) as the kernel prints it. */
  percpu?: number;
  /** `Percpu` in bytes (percpu × 1024). */
  percpuBytes?: number;
  /** Memory the kernel identified as corrupted. `HardwareCorrupted`, in kB (KiB) as the kernel prints it. */
  hardwareCorrupted?: number;
  /** `HardwareCorrupted` in bytes (hardwareCorrupted × 1024). */
  hardwareCorruptedBytes?: number;
  /** Anonymous transparent huge pages. `AnonHugePages`, in kB (KiB) as the kernel prints it. */
  anonHugePages?: number;
  /** `AnonHugePages` in bytes (anonHugePages × 1024). */
  anonHugePagesBytes?: number;
  /** Shared memory / tmpfs backed by huge pages. `ShmemHugePages`, in kB (KiB) as the kernel prints it. */
  shmemHugePages?: number;
  /** `ShmemHugePages` in bytes (shmemHugePages × 1024). */
  shmemHugePagesBytes?: number;
  /** Shared memory mapped into user space with huge pages. `ShmemPmdMapped`, in kB (KiB) as the kernel prints it. */
  shmemPmdMapped?: number;
  /** `ShmemPmdMapped` in bytes (shmemPmdMapped × 1024). */
  shmemPmdMappedBytes?: number;
  /** File-backed huge pages in the page cache. `FileHugePages`, in kB (KiB) as the kernel prints it. */
  fileHugePages?: number;
  /** `FileHugePages` in bytes (fileHugePages × 1024). */
  fileHugePagesBytes?: number;
  /** File-backed huge pages mapped into user space. `FilePmdMapped`, in kB (KiB) as the kernel prints it. */
  filePmdMapped?: number;
  /** `FilePmdMapped` in bytes (filePmdMapped × 1024). */
  filePmdMappedBytes?: number;
  /** Memory reserved for the contiguous memory allocator. `CmaTotal`, in kB (KiB) as the kernel prints it. */
  cmaTotal?: number;
  /** `CmaTotal` in bytes (cmaTotal × 1024). */
  cmaTotalBytes?: number;
  /** Free CMA memory. `CmaFree`, in kB (KiB) as the kernel prints it. */
  cmaFree?: number;
  /** `CmaFree` in bytes (cmaFree × 1024). */
  cmaFreeBytes?: number;
  /** Memory not yet accepted by the guest (confidential VMs, Linux 6.5+). `Unaccepted`, in kB (KiB) as the kernel prints it. */
  unaccepted?: number;
  /** `Unaccepted` in bytes (unaccepted × 1024). */
  unacceptedBytes?: number;
  /** Memory returned to the host by a balloon driver (Linux 6.12+). `Balloon`, in kB (KiB) as the kernel prints it. */
  balloon?: number;
  /** `Balloon` in bytes (balloon × 1024). */
  balloonBytes?: number;
  /** Size of the huge page pool (a count of pages, no unit). `HugePages_Total`. */
  hugePagesTotal?: number;
  /** Huge pages in the pool not yet allocated (count). `HugePages_Free`. */
  hugePagesFree?: number;
  /** Huge pages reserved but not yet allocated (count). `HugePages_Rsvd`. */
  hugePagesRsvd?: number;
  /** Surplus huge pages above vm.nr_hugepages (count). `HugePages_Surp`. */
  hugePagesSurp?: number;
  /** Default huge page size. `Hugepagesize`, in kB (KiB) as the kernel prints it. */
  hugepagesize?: number;
  /** `Hugepagesize` in bytes (hugepagesize × 1024). */
  hugepagesizeBytes?: number;
  /** Total memory consumed by huge pages of all sizes (Linux 4.16+). `Hugetlb`, in kB (KiB) as the kernel prints it. */
  hugetlb?: number;
  /** `Hugetlb` in bytes (hugetlb × 1024). */
  hugetlbBytes?: number;
  /** Kernel direct map using 4 kB pages (x86). `DirectMap4k`, in kB (KiB) as the kernel prints it. */
  directMap4k?: number;
  /** `DirectMap4k` in bytes (directMap4k × 1024). */
  directMap4kBytes?: number;
  /** Kernel direct map using 2 MB pages (x86). `DirectMap2M`, in kB (KiB) as the kernel prints it. */
  directMap2M?: number;
  /** `DirectMap2M` in bytes (directMap2M × 1024). */
  directMap2MBytes?: number;
  /** Kernel direct map using 4 MB pages (x86 without PAE). `DirectMap4M`, in kB (KiB) as the kernel prints it. */
  directMap4M?: number;
  /** `DirectMap4M` in bytes (directMap4M × 1024). */
  directMap4MBytes?: number;
  /** Kernel direct map using 1 GB pages (x86). `DirectMap1G`, in kB (KiB) as the kernel prints it. */
  directMap1G?: number;
  /** `DirectMap1G` in bytes (directMap1G × 1024). */
  directMap1GBytes?: number;
  /** Lines without a typed field (new kernels add lines), keyed by the kernel's name. */
  other: Record<string, MeminfoOther>;
}

const KEYS: ReadonlyMap<string, string> = new Map([
  ['MemTotal', 'memTotal'],
  ['MemFree', 'memFree'],
  ['MemAvailable', 'memAvailable'],
  ['Buffers', 'buffers'],
  ['Cached', 'cached'],
  ['SwapCached', 'swapCached'],
  ['Active', 'active'],
  ['Inactive', 'inactive'],
  ['Active(anon)', 'activeAnon'],
  ['Inactive(anon)', 'inactiveAnon'],
  ['Active(file)', 'activeFile'],
  ['Inactive(file)', 'inactiveFile'],
  ['Unevictable', 'unevictable'],
  ['Mlocked', 'mlocked'],
  ['HighTotal', 'highTotal'],
  ['HighFree', 'highFree'],
  ['LowTotal', 'lowTotal'],
  ['LowFree', 'lowFree'],
  ['MmapCopy', 'mmapCopy'],
  ['SwapTotal', 'swapTotal'],
  ['SwapFree', 'swapFree'],
  ['Zswap', 'zswap'],
  ['Zswapped', 'zswapped'],
  ['Dirty', 'dirty'],
  ['Writeback', 'writeback'],
  ['AnonPages', 'anonPages'],
  ['Mapped', 'mapped'],
  ['Shmem', 'shmem'],
  ['KReclaimable', 'kReclaimable'],
  ['Slab', 'slab'],
  ['SReclaimable', 'sReclaimable'],
  ['SUnreclaim', 'sUnreclaim'],
  ['KernelStack', 'kernelStack'],
  ['ShadowCallStack', 'shadowCallStack'],
  ['PageTables', 'pageTables'],
  ['SecPageTables', 'secPageTables'],
  ['NFS_Unstable', 'nfsUnstable'],
  ['Bounce', 'bounce'],
  ['WritebackTmp', 'writebackTmp'],
  ['CommitLimit', 'commitLimit'],
  ['Committed_AS', 'committedAS'],
  ['VmallocTotal', 'vmallocTotal'],
  ['VmallocUsed', 'vmallocUsed'],
  ['VmallocChunk', 'vmallocChunk'],
  ['Percpu', 'percpu'],
  ['HardwareCorrupted', 'hardwareCorrupted'],
  ['AnonHugePages', 'anonHugePages'],
  ['ShmemHugePages', 'shmemHugePages'],
  ['ShmemPmdMapped', 'shmemPmdMapped'],
  ['FileHugePages', 'fileHugePages'],
  ['FilePmdMapped', 'filePmdMapped'],
  ['CmaTotal', 'cmaTotal'],
  ['CmaFree', 'cmaFree'],
  ['Unaccepted', 'unaccepted'],
  ['Balloon', 'balloon'],
  ['HugePages_Total', 'hugePagesTotal'],
  ['HugePages_Free', 'hugePagesFree'],
  ['HugePages_Rsvd', 'hugePagesRsvd'],
  ['HugePages_Surp', 'hugePagesSurp'],
  ['Hugepagesize', 'hugepagesize'],
  ['Hugetlb', 'hugetlb'],
  ['DirectMap4k', 'directMap4k'],
  ['DirectMap2M', 'directMap2M'],
  ['DirectMap4M', 'directMap4M'],
  ['DirectMap1G', 'directMap1G'],
]);

const LINE = /^([^:\s][^:]*):\s+(\S+)(?:\s+(\S+))?\s*$/;

/**
 * Parse the text of `/proc/meminfo`.
 * @param file the path named in a {@link ParseError}.
 * @throws ParseError on a line that is not `Key: value [kB]`, or a repeated key.
 */
export function parseMeminfo(text: string, file = '/proc/meminfo'): Meminfo {
  const out: Record<string, unknown> & { other: Record<string, MeminfoOther> } = { other: record() };
  const seen = new Set<string>();
  lines(text).forEach((text, i) => {
    const w: Where = { file, line: i + 1, text };
    if (text.trim() === '') return;
    const m = LINE.exec(text);
    if (!m) fail(w, 'expected "Key: value [kB]"');
    const [, key, num, unit] = m as unknown as [string, string, string, string | undefined];
    if (unit !== undefined && unit !== 'kB') fail(w, `unknown unit ${JSON.stringify(unit)}`);
    if (seen.has(key)) fail(w, `key ${key} repeated`);
    seen.add(key);
    const value = uint(num, w, key);
    const name = KEYS.get(key);
    if (name !== undefined) {
      out[name] = value;
      if (unit === 'kB') out[`${name}Bytes`] = value * 1024;
    } else {
      out.other[key] = unit === 'kB' ? { value, unit, bytes: value * 1024 } : { value };
    }
  });
  return out as unknown as Meminfo;
}
