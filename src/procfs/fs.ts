/**
 * `ProcFS`: typed access to a procfs mount (default `/proc`). Every reader
 * takes its paths from the mount point, so it runs unchanged on a fixture tree.
 *
 * Files are read whole in one go (procfs `stat` sizes are 0 or lies, and a
 * size cap would silently truncate large files). Errors are typed:
 * ENOENT → {@link NotFoundError}, EACCES/EPERM → {@link PermissionError}.
 * @module
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoError, FileAccessError, InvalidArgumentError, NotFoundError, ParseError } from '../errors.js';
import { type NetDev, parseNetDev } from './net_dev.js';
import { allProcsOf, listPids, type Proc, type Procs, procOf, selfOf } from './proc.js';
import { readProcText } from './read.js';
import { type ProcessesOptions, ProcessScanner, type ProcessSnapshot, scanProcesses } from './scan.js';
import * as S from './system_api.js';
import { PROCFS_PERMISSION_FIX } from './system_read.js';

/**
 * Map a filesystem error on `path` to raingauge's typed errors with the one errno mapping
 * ({@link errnoError}): ENOENT/ESRCH → {@link NotFoundError}, EACCES/EPERM → {@link PermissionError},
 * any other errno → {@link FileAccessError}.
 */
export function mapFsError(err: unknown, path: string): never {
  throw errnoError(err, path, { permissionFix: PROCFS_PERMISSION_FIX });
}

/** A procfs mount point. */
export class ProcFS {
  /** The mount point, e.g. `/proc` or a fixture directory. */
  readonly mountPoint: string;

  constructor(mountPoint = '/proc') {
    this.mountPoint = mountPoint;
  }

  /** Absolute path of a file below the mount point. */
  path(...parts: (string | number)[]): string {
    return join(this.mountPoint, ...parts.map(String));
  }

  /** Read a file below the mount point whole, as UTF-8 text (synchronously; one reused buffer, no `fstat`). */
  readText(...parts: (string | number)[]): string {
    const p = this.path(...parts);
    try {
      return readProcText(p);
    } catch (err) {
      mapFsError(err, p);
    }
  }

  /** Read a file below the mount point whole, as bytes (synchronously). */
  readBytes(...parts: (string | number)[]): Buffer {
    const p = this.path(...parts);
    try {
      return readFileSync(p);
    } catch (err) {
      mapFsError(err, p);
    }
  }

  /** Read a file below the mount point whole, as UTF-8 text. */
  async readTextAsync(...parts: (string | number)[]): Promise<string> {
    const p = this.path(...parts);
    try {
      return await readFile(p, 'utf8');
    } catch (err) {
      mapFsError(err, p);
    }
  }

  // --- per-process API (owned by the procfs-process helper) ---

  /** Every process, sorted by PID (Go procfs `FS.AllProcs`). */
  allProcs(): Procs {
    return allProcsOf(this);
  }

  /** PIDs of every process (numeric entries of the mount point), sorted. */
  pids(): number[] {
    return listPids(this);
  }

  /** Process `pid` (Go procfs `FS.Proc`). @throws {NotFoundError} when `<mount>/<pid>` does not exist. */
  proc(pid: number): Proc {
    return procOf(this, pid);
  }

  /** The reading process, via `<mount>/self` (Go procfs `FS.Self`). */
  self(): Proc {
    return selfOf(this);
  }

  /**
   * Read the chosen files of every process in one pass (e.g.
   * `{ fields: ['stat', 'status', 'cmdline'] }`). Processes that exit mid-scan
   * are dropped; per-field errors are recorded on the process. Synchronous.
   */
  processes(options: ProcessesOptions = {}): ProcessSnapshot[] {
    return scanProcesses(this, options);
  }

  /** Like {@link processes}, yielding to the event loop between slices of `sliceSize` processes (default 64). */
  processesAsync(options: ProcessesOptions = {}, sliceSize = 64): Promise<ProcessSnapshot[]> {
    return new ProcessScanner(this, { ...options, keepOpen: false }).scanAsync(sliceSize);
  }

  /** A reusable {@link ProcessScanner} (optionally keeping descriptors open between scans). */
  processScanner(options: ProcessesOptions = {}): ProcessScanner {
    return new ProcessScanner(this, options);
  }

  // --- system-wide files (owned by the procfs-system helper) ---

  /** `/proc/net/dev`: per-interface counters of this process's network namespace (Go procfs: `FS.NetDev`). */
  netDev(): NetDev {
    return parseNetDev(this.readText('net/dev'), this.path('net/dev'));
  }

  /** Read `<mount>/<rel>` and parse it with `parse(text, absolutePath)`. */
  private sysParse<T>(rel: string, parse: (text: string, file: string) => T): T {
    return parse(this.readText(rel), this.path(rel));
  }

  /** Page size in bytes from `/proc/self/auxv`, or `undefined` when that file is unavailable (fixture trees). */
  private sysPageSize(): number | undefined {
    return S.auxvPageSize(this);
  }

  /** `/proc/meminfo` (Go procfs: `FS.Meminfo`). */
  meminfo(): S.Meminfo {
    return this.sysParse('meminfo', S.parseMeminfo);
  }

  /** `/proc/stat`: CPU times in clock ticks, interrupts, context switches, boot time (Go procfs: `FS.Stat`). */
  stat(): S.Stat {
    return this.sysParse('stat', S.parseStat);
  }

  /** `/proc/loadavg` (Go procfs: `FS.LoadAvg`). */
  loadAvg(): S.LoadAvg {
    return this.sysParse('loadavg', S.parseLoadAvg);
  }

  /** `/proc/uptime`. Not in Go procfs. */
  uptime(): S.Uptime {
    return this.sysParse('uptime', S.parseUptime);
  }

  /** `/proc/vmstat`. Not in Go procfs. */
  vmstat(): S.VMStat {
    return this.sysParse('vmstat', S.parseVMStat);
  }

  /** `/proc/sys/fs/file-nr`: file handles allocated and the maximum. Not in Go procfs. */
  fileNr(): S.FileNr {
    return this.sysParse('sys/fs/file-nr', S.parseFileNr);
  }

  /**
   * `/proc/pressure/<resource>` (Go procfs: `FS.PSIStatsForResource`).
   * @throws InvalidArgumentError for a resource name that is not a lowercase word.
   * @throws NotSupportedError when the kernel has no PSI (`CONFIG_PSI` off or booted with `psi=0`).
   */
  psiStatsForResource(resource: S.PSIResource | string): S.PSIStats {
    if (!/^[a-z]+$/.test(resource)) {
      throw new InvalidArgumentError(
        `invalid PSI resource ${JSON.stringify(resource)}: use cpu, memory, io or irq`,
        resource,
      );
    }
    const rel = `pressure/${resource}`;
    const text = S.readFeature(
      this,
      'psi',
      'the kernel lacks PSI (CONFIG_PSI) or was booted with psi=0, or the resource is unknown',
      rel,
    );
    return S.parsePSIStats(text, this.path(rel));
  }

  /** Every resource under `/proc/pressure/` (cpu, memory, io, and irq where present). Not in Go procfs. */
  pressure(): Partial<Record<S.PSIResource, S.PSIStats>> {
    S.readFeature(this, 'psi', 'the kernel lacks PSI (CONFIG_PSI) or was booted with psi=0', 'pressure/cpu');
    const out: Partial<Record<S.PSIResource, S.PSIStats>> = {};
    for (const r of ['cpu', 'memory', 'io', 'irq'] as const) {
      const text = S.readOptional(this, 'pressure', r);
      if (text !== undefined) out[r] = S.parsePSIStats(text, this.path('pressure', r));
    }
    return out;
  }

  /** `/proc/buddyinfo` (Go procfs: `FS.BuddyInfo`). */
  buddyInfo(): S.BuddyInfo[] {
    return this.sysParse('buddyinfo', S.parseBuddyInfo);
  }

  /** `/proc/cpuinfo` (Go procfs: `FS.CPUInfo`). */
  cpuInfo(): S.CPUInfo[] {
    return this.sysParse('cpuinfo', S.parseCPUInfo);
  }

  /** `/proc/cmdline`: the kernel's boot parameters (Go procfs: `FS.CmdLine`). */
  cmdLine(): string[] {
    return this.sysParse('cmdline', S.parseKernelCmdLine);
  }

  /** `/proc/crypto` (Go procfs: `FS.Crypto`). */
  crypto(): S.Crypto[] {
    return this.sysParse('crypto', S.parseCrypto);
  }

  /** `/proc/fs/fscache/stats` (Go procfs: `FS.Fscacheinfo`). @throws NotSupportedError without FS-Cache statistics. */
  fscacheinfo(): S.Fscacheinfo {
    const rel = 'fs/fscache/stats';
    const text = S.readFeature(
      this,
      'fscache',
      'the kernel lacks CONFIG_FSCACHE_STATS or the fscache module is not loaded',
      rel,
    );
    return S.parseFscacheinfo(text, this.path(rel));
  }

  /** `/proc/sys/kernel/random/*` (Go procfs: `FS.KernelRandom`). Missing files leave their field absent. */
  kernelRandom(): S.KernelRandom {
    const files: Record<string, string> = {};
    for (const name of [...Object.keys(S.KERNEL_RANDOM_FILES), 'boot_id']) {
      const text = S.readOptional(this, 'sys/kernel/random', name);
      if (text !== undefined) files[name] = text;
    }
    return S.parseKernelRandom(files, this.path('sys/kernel/random'));
  }

  /** `/proc/mdstat` (Go procfs: `FS.MDStat`). @throws NotSupportedError when the md driver is not loaded. */
  mdStat(): S.MDStat[] {
    const text = S.readFeature(this, 'md', 'the md (software RAID) driver is not loaded', 'mdstat');
    return S.parseMDStat(text, this.path('mdstat'));
  }

  /** `/proc/schedstat` (Go procfs: `FS.Schedstat`). @throws NotSupportedError without `CONFIG_SCHEDSTATS`. */
  schedstat(): S.Schedstat {
    const text = S.readFeature(this, 'schedstats', 'the kernel lacks CONFIG_SCHEDSTATS', 'schedstat');
    return S.parseSchedstat(text, this.path('schedstat'));
  }

  /** `/proc/slabinfo` (Go procfs: `FS.SlabInfo`). Needs root. @throws PermissionError otherwise. */
  slabInfo(): S.SlabInfo {
    return this.sysParse('slabinfo', S.parseSlabInfo);
  }

  /** `/proc/swaps` (Go procfs: `FS.Swaps`). */
  swaps(): S.Swap[] {
    return this.sysParse('swaps', S.parseSwaps);
  }

  /** `/proc/sys/vm/*` (Go procfs: `FS.VM`). */
  vm(): S.VM {
    const { files, unreadable } = S.readDirFiles(this, 'sys/vm');
    return S.parseVM(files, unreadable, this.path('sys/vm'));
  }

  /** `/proc/zoneinfo` (Go procfs: `FS.Zoneinfo`). */
  zoneinfo(): S.Zoneinfo[] {
    return this.sysParse('zoneinfo', S.parseZoneinfo);
  }

  /** `/proc/softirqs`: softirqs per CPU. Not in Go procfs. */
  softirqs(): S.Softirqs {
    return this.sysParse('softirqs', S.parseSoftirqs);
  }

  /** `/proc/interrupts`: interrupts per CPU. Not in Go procfs. */
  interrupts(): S.Interrupts {
    return this.sysParse('interrupts', S.parseInterrupts);
  }

  /**
   * A kernel tunable by dotted name (`fs.sysctl('net.core.somaxconn').value === 4096`), read from
   * `/proc/sys/net/core/somaxconn` and typed. Not in Go procfs.
   * @throws InvalidArgumentError for a malformed name; NotFoundError when no such sysctl exists.
   */
  sysctl(name: string): S.Sysctl {
    const parts = S.sysctlPathParts(name);
    const rel = ['sys', ...parts].join('/');
    const file = this.path(rel);
    let text: string;
    try {
      text = this.readText(rel);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(file, `no sysctl ${name} (${file} does not exist)`, { cause: err });
      }
      if (err instanceof FileAccessError && err.errnoName === 'EISDIR') {
        throw new InvalidArgumentError(`${name} is a group of sysctls (${file} is a directory), not one value`, name);
      }
      throw err;
    }
    return { name: parts.join('.'), path: file, raw: text.replace(/\n$/, ''), value: S.parseSysctlValue(text, file) };
  }

  /**
   * Tasks the hung-task detector has reported since boot (`/proc/sys/kernel/hung_task_detect_count`,
   * Linux 6.10+). Not in Go procfs.
   * @throws NotSupportedError when the kernel lacks the counter (older kernel or no `CONFIG_DETECT_HUNG_TASK`).
   */
  hungTaskDetectCount(): number {
    const rel = 'sys/kernel/hung_task_detect_count';
    const text = S.readFeature(this, 'hung_task_detect_count', 'needs Linux 6.10+ with CONFIG_DETECT_HUNG_TASK', rel);
    const v = S.parseSysctlValue(text, this.path(rel));
    if (typeof v !== 'number') throw new ParseError(this.path(rel), 'expected one integer', { line: 1, text });
    return v;
  }

  /** `/proc/net/sockstat` (Go procfs: `FS.NetSockstat`); `memBytes` set from the page size in auxv. */
  netSockstat(): S.NetSockstat {
    return S.parseNetSockstat(this.readText('net/sockstat'), this.path('net/sockstat'), this.sysPageSize());
  }

  /** `/proc/net/sockstat6` (Go procfs: `FS.NetSockstat6`). @throws NotFoundError when IPv6 is disabled. */
  netSockstat6(): S.NetSockstat {
    return S.parseNetSockstat(this.readText('net/sockstat6'), this.path('net/sockstat6'), this.sysPageSize());
  }

  /** `/proc/net/softnet_stat` (Go procfs: `FS.NetSoftnetStat`). */
  netSoftnetStat(): S.SoftnetStat[] {
    return this.sysParse('net/softnet_stat', S.parseNetSoftnetStat);
  }

  /** `/proc/net/tcp` (Go procfs: `FS.NetTCP`). */
  netTCP(): S.NetTCP {
    return this.sysParse('net/tcp', S.parseNetTCP);
  }

  /** `/proc/net/tcp6` (Go procfs: `FS.NetTCP6`). */
  netTCP6(): S.NetTCP {
    return this.sysParse('net/tcp6', S.parseNetTCP);
  }

  /** Queue totals of `/proc/net/tcp` (Go procfs: `FS.NetTCPSummary`). */
  netTCPSummary(): S.NetTCPSummary {
    return this.sysParse('net/tcp', S.parseNetTCPSummary);
  }

  /** Queue totals of `/proc/net/tcp6` (Go procfs: `FS.NetTCP6Summary`). */
  netTCP6Summary(): S.NetTCPSummary {
    return this.sysParse('net/tcp6', S.parseNetTCPSummary);
  }

  /** `/proc/net/udp` (Go procfs: `FS.NetUDP`). */
  netUDP(): S.NetUDP {
    return this.sysParse('net/udp', S.parseNetUDP);
  }

  /** `/proc/net/udp6` (Go procfs: `FS.NetUDP6`). */
  netUDP6(): S.NetUDP {
    return this.sysParse('net/udp6', S.parseNetUDP);
  }

  /** Queue totals of `/proc/net/udp` (Go procfs: `FS.NetUDPSummary`). */
  netUDPSummary(): S.NetUDPSummary {
    return this.sysParse('net/udp', S.parseNetUDPSummary);
  }

  /** Queue totals of `/proc/net/udp6` (Go procfs: `FS.NetUDP6Summary`). */
  netUDP6Summary(): S.NetUDPSummary {
    return this.sysParse('net/udp6', S.parseNetUDPSummary);
  }

  /** `/proc/net/unix` (Go procfs: `FS.NetUNIX`). */
  netUNIX(): S.NetUNIX {
    return this.sysParse('net/unix', S.parseNetUNIX);
  }

  /** `/proc/net/route`: the IPv4 main routing table. Not in Go procfs. */
  netRoute(): S.NetRoute[] {
    return this.sysParse('net/route', S.parseNetRoute);
  }

  /** `/proc/net/arp` (Go procfs: `FS.GatherARPEntries`). */
  gatherARPEntries(): S.ARPEntry[] {
    return this.sysParse('net/arp', S.parseARPEntries);
  }

  /** `/proc/net/protocols` (Go procfs: `FS.NetProtocols`). */
  netProtocols(): S.NetProtocolStats {
    return this.sysParse('net/protocols', S.parseNetProtocols);
  }

  /** Every file of `/proc/net/stat/` (Go procfs: `FS.NetStat`). */
  netStat(): S.NetStat[] {
    return S.listDir(this, 'net/stat').map((name) =>
      S.parseNetStatFile(this.readText('net/stat', name), name, this.path('net/stat', name)),
    );
  }

  /** `/proc/net/stat/nf_conntrack` (Go procfs: `FS.ConntrackStat`). @throws NotSupportedError without nf_conntrack. */
  conntrackStat(): S.ConntrackStatEntry[] {
    const rel = 'net/stat/nf_conntrack';
    const text = S.readFeature(
      this,
      'nf_conntrack',
      'the nf_conntrack module is not loaded (modprobe nf_conntrack)',
      rel,
    );
    return S.parseConntrackStat(text, this.path(rel));
  }

  /** `/proc/net/xfrm_stat` (Go procfs: `FS.NewXfrmStat`). @throws NotSupportedError without `CONFIG_XFRM_STATISTICS`. */
  xfrmStat(): S.XfrmStat {
    const rel = 'net/xfrm_stat';
    const text = S.readFeature(this, 'xfrm_stat', 'the kernel lacks CONFIG_XFRM_STATISTICS', rel);
    return S.parseXfrmStat(text, this.path(rel));
  }

  /** Same as {@link ProcFS.xfrmStat} under Go procfs's name (`FS.NewXfrmStat`). */
  newXfrmStat(): S.XfrmStat {
    return this.xfrmStat();
  }

  /** `/proc/net/ip_vs_stats` (Go procfs: `FS.IPVSStats`). @throws NotSupportedError without the ip_vs module. */
  ipvsStats(): S.IPVSStats {
    const rel = 'net/ip_vs_stats';
    const text = S.readFeature(this, 'ip_vs', 'the ip_vs module is not loaded (modprobe ip_vs)', rel);
    return S.parseIPVSStats(text, this.path(rel));
  }

  /** `/proc/net/ip_vs` (Go procfs: `FS.IPVSBackendStatus`). @throws NotSupportedError without the ip_vs module. */
  ipvsBackendStatus(): S.IPVSBackendStatus[] {
    const rel = 'net/ip_vs';
    const text = S.readFeature(this, 'ip_vs', 'the ip_vs module is not loaded (modprobe ip_vs)', rel);
    return S.parseIPVSBackendStatus(text, this.path(rel));
  }

  /** `/proc/cgroups`: the cgroup controllers, their v1 hierarchy, cgroup count and whether enabled (Go procfs: `FS.CgroupSummarys`). */
  cgroupSummaries(): S.CgroupSummary[] {
    return this.sysParse('cgroups', S.parseCgroupSummaries);
  }

  /** Same as {@link ProcFS.cgroupSummaries} under Go procfs's name (`FS.CgroupSummarys`). */
  cgroupSummarys(): S.CgroupSummary[] {
    return this.cgroupSummaries();
  }

  /** `/proc/net/tls_stat`: kernel TLS counters (Go procfs: `NewTLSStat`). @throws NotSupportedError without the tls module. */
  tlsStat(): S.TLSStat {
    const rel = 'net/tls_stat';
    const text = S.readFeature(this, 'tls', 'the kernel TLS module is not loaded (modprobe tls)', rel);
    return S.parseTLSStat(text, this.path(rel));
  }

  /**
   * `/proc/net/netfilter/nfnetlink_queue`: NFQUEUE queues (Go procfs: `FS.NFNetLinkQueue`).
   * @throws NotSupportedError without the nfnetlink_queue module.
   */
  nfNetLinkQueue(): S.NFNetLinkQueue[] {
    const rel = 'net/netfilter/nfnetlink_queue';
    const text = S.readFeature(
      this,
      'nfnetlink_queue',
      'the nfnetlink_queue module is not loaded (modprobe nfnetlink_queue)',
      rel,
    );
    return S.parseNFNetLinkQueue(text, this.path(rel));
  }

  /**
   * `/proc/net/wireless`: wireless-extension statistics per wireless interface (Go procfs: `FS.Wireless`).
   * @throws NotSupportedError when the kernel has no wireless extensions (`CONFIG_WEXT_PROC`, no cfg80211).
   */
  wireless(): S.Wireless[] {
    const rel = 'net/wireless';
    const text = S.readFeature(
      this,
      'wireless',
      'the kernel has no wireless extensions in procfs (CONFIG_WEXT_PROC; cfg80211 not loaded)',
      rel,
    );
    return S.parseWireless(text, this.path(rel));
  }

  /**
   * `/proc/net/dev_snmp6/<interface>`: the IPv6 counters of every interface, by interface name, split
   * like `/proc/net/snmp6` (`Ip6` → `InReceives` …) (Go procfs: `FS.NetDevSNMP6`).
   * @throws NotSupportedError when IPv6 is disabled (no `dev_snmp6` directory).
   */
  netDevSNMP6(): Record<string, S.NetCounterSet> {
    S.readFeatureDir(this, 'ipv6', 'IPv6 is disabled (ipv6.disable=1 or no ipv6 module)', 'net/dev_snmp6');
    const out: Record<string, S.NetCounterSet> = Object.create(null);
    for (const name of S.listDir(this, 'net/dev_snmp6')) {
      const text = S.readOptional(this, 'net/dev_snmp6', name);
      if (text !== undefined) out[name] = S.parseSnmp6File(text, this.path('net/dev_snmp6', name));
    }
    return out;
  }

  /** `/proc/net/rpc/nfs`: NFS client RPC and operation counters (Go procfs: `nfs.FS.ClientRPCStats`). @throws NotSupportedError without the NFS client. */
  nfsClientRPCStats(): S.NFSClientRPCStats {
    const rel = 'net/rpc/nfs';
    const text = S.readFeature(this, 'nfs', 'the NFS client is not loaded (modprobe nfs)', rel);
    return S.parseNFSClientRPCStats(text, this.path(rel));
  }

  /** `/proc/net/rpc/nfsd`: NFS server counters (Go procfs: `nfs.FS.ServerRPCStats`). @throws NotSupportedError without the NFS server. */
  nfsServerRPCStats(): S.NFSServerRPCStats {
    const rel = 'net/rpc/nfsd';
    const text = S.readFeature(this, 'nfsd', 'the NFS server is not loaded (modprobe nfsd)', rel);
    return S.parseNFSServerRPCStats(text, this.path(rel));
  }

  /** `/proc/net/netstat` (TcpExt, IpExt, MPTcpExt, …) via the netstat module's parser. Not in Go procfs. */
  netstat(): S.NetCounterSet {
    return this.sysParse('net/netstat', S.parseNetstatFile);
  }

  /** `/proc/net/snmp` (Ip, Icmp, Tcp, Udp, …) via the netstat module's parser. Not in Go procfs. */
  snmp(): S.NetCounterSet {
    return this.sysParse('net/snmp', S.parseSnmpFile);
  }

  /** `/proc/net/snmp6` (Ip6, Icmp6, Udp6, …) via the netstat module's parser. Not in Go procfs. */
  snmp6(): S.NetCounterSet {
    return this.sysParse('net/snmp6', S.parseSnmp6File);
  }
}
