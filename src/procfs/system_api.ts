/**
 * Everything the system-wide readers of {@link ProcFS} use, gathered so `fs.ts` needs one import.
 * Private to src/procfs (the public names are exported from each file via index.ts).
 * @module
 * @internal
 */

export { type NetCounterSet, parseNetstatFile, parseSnmp6File, parseSnmpFile } from '../util/net_counters.js';
export { type BuddyInfo, parseBuddyInfo } from './buddyinfo.js';
export { type CgroupSummary, parseCgroupSummaries } from './cgroups.js';
export { parseKernelCmdLine } from './cmdline.js';
export { type CPUInfo, parseCPUInfo } from './cpuinfo.js';
export { type Crypto, parseCrypto } from './crypto.js';
export { type FileNr, parseFileNr } from './file_nr.js';
export { type Fscacheinfo, parseFscacheinfo } from './fscache.js';
export { type Interrupts, parseInterrupts } from './interrupts.js';
export { KERNEL_RANDOM_FILES, type KernelRandom, parseKernelRandom } from './kernel_random.js';
export { type LoadAvg, parseLoadAvg } from './loadavg.js';
export { type MDStat, parseMDStat } from './mdstat.js';
export { type Meminfo, parseMeminfo } from './meminfo.js';
export { type ARPEntry, parseARPEntries } from './net_arp.js';
export { type ConntrackStatEntry, parseConntrackStat } from './net_conntrackstat.js';
export { type IPVSBackendStatus, type IPVSStats, parseIPVSBackendStatus, parseIPVSStats } from './net_ip_vs.js';
export { type NFNetLinkQueue, parseNFNetLinkQueue } from './net_nfnetlink_queue.js';
export { type NetProtocolStats, parseNetProtocols } from './net_protocols.js';
export { type NetRoute, parseNetRoute } from './net_route.js';
export {
  type NFSClientRPCStats,
  type NFSServerRPCStats,
  parseNFSClientRPCStats,
  parseNFSServerRPCStats,
} from './net_rpc_nfs.js';
export { type NetSockstat, parseNetSockstat } from './net_sockstat.js';
export { parseNetSoftnetStat, type SoftnetStat } from './net_softnet.js';
export { type NetStat, parseNetStatFile } from './net_stat.js';
export { type NetTCP, type NetTCPSummary, parseNetTCP, parseNetTCPSummary } from './net_tcp.js';
export { parseTLSStat, type TLSStat } from './net_tls_stat.js';
export { type NetUDP, type NetUDPSummary, parseNetUDP, parseNetUDPSummary } from './net_udp.js';
export { type NetUNIX, parseNetUNIX } from './net_unix.js';
export { parseWireless, type Wireless } from './net_wireless.js';
export { parseXfrmStat, type XfrmStat } from './net_xfrm_stat.js';
export { type PSIResource, type PSIStats, parsePSIStats } from './psi.js';
export { parseSchedstat, type Schedstat } from './schedstat.js';
export { parseSlabInfo, type SlabInfo } from './slabinfo.js';
export { parseSoftirqs, type Softirqs } from './softirqs.js';
export { parseStat, type Stat } from './stat.js';
export { parseSwaps, type Swap } from './swaps.js';
export { parseSysctlValue, type Sysctl, sysctlPathParts } from './sysctl.js';
export { auxvPageSize, listDir, readDirFiles, readFeature, readFeatureDir, readOptional } from './system_read.js';
export { parseUptime, type Uptime } from './uptime.js';
export { parseVM, type VM } from './vm.js';
export { parseVMStat, type VMStat } from './vmstat.js';
export { parseZoneinfo, type Zoneinfo } from './zoneinfo.js';
