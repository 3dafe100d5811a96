/**
 * Fuzz: random mutations of every system-wide fixture (real captures and synthesized layouts),
 * and arbitrary text, fed to its parser must give a value or a ParseError, nothing else
 * (no TypeError, RangeError, hang or other exception).
 */
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  parseARPEntries,
  parseBuddyInfo,
  parseCgroupSummaries,
  parseConntrackStat,
  parseCPUInfo,
  parseCrypto,
  parseFileNr,
  parseFscacheinfo,
  parseInterrupts,
  parseIPVSBackendStatus,
  parseIPVSStats,
  parseKernelCmdLine,
  parseKernelRandom,
  parseLoadAvg,
  parseMDStat,
  parseMeminfo,
  parseNetDev,
  parseNetProtocols,
  parseNetRoute,
  parseNetSockstat,
  parseNetSoftnetStat,
  parseNetStatFile,
  parseNetTCP,
  parseNetTCPSummary,
  parseNetUDP,
  parseNetUDPSummary,
  parseNetUNIX,
  parseNFNetLinkQueue,
  parseNFSClientRPCStats,
  parseNFSServerRPCStats,
  parsePSIStats,
  parseSchedstat,
  parseSlabInfo,
  parseSoftirqs,
  parseStat,
  parseSwaps,
  parseSysctlValue,
  parseTLSStat,
  parseUptime,
  parseVM,
  parseVMStat,
  parseWireless,
  parseXfrmStat,
  parseZoneinfo,
} from '../../src/procfs/index.ts';
import { parseSnmp6File } from '../../src/util/net_counters.ts';
import { mutatedText, parserJunk, valueOrParseError } from '../helpers/fuzz.ts';
import { procFixtureText } from './fixtures.ts';

type Parser = (text: string) => unknown;
const CASES: [string, Parser, string[]][] = [
  ['meminfo', parseMeminfo, ['proc/meminfo', 'odd/meminfo-2.6']],
  ['stat', parseStat, ['proc/stat', 'odd/stat-2.4', 'odd/stat-offline-cpu']],
  ['loadavg', parseLoadAvg, ['proc/loadavg']],
  ['uptime', parseUptime, ['proc/uptime']],
  ['file-nr', parseFileNr, ['proc/sys/fs/file-nr']],
  ['vmstat', parseVMStat, ['proc/vmstat']],
  ['psi', parsePSIStats, ['proc/pressure/cpu', 'proc/pressure/io', 'odd/pressure-cpu-4.20']],
  ['net/dev', parseNetDev, ['proc/net/dev', 'odd/net_dev-long']],
  ['sockstat', parseNetSockstat, ['proc/net/sockstat', 'proc/net/sockstat6', 'odd/sockstat-extra']],
  ['softnet', parseNetSoftnetStat, ['proc/net/softnet_stat', 'odd/softnet_stat-10col']],
  ['tcp', parseNetTCP, ['proc/net/tcp', 'proc/net/tcp6']],
  ['tcp summary', parseNetTCPSummary, ['proc/net/tcp']],
  ['udp', parseNetUDP, ['proc/net/udp', 'proc/net/udp6', 'odd-tree/net/udp']],
  ['udp summary', parseNetUDPSummary, ['proc/net/udp', 'odd-tree/net/udp']],
  ['unix', parseNetUNIX, ['proc/net/unix', 'odd/net_unix']],
  ['route', parseNetRoute, ['proc/net/route']],
  ['arp', parseARPEntries, ['proc/net/arp']],
  ['protocols', parseNetProtocols, ['proc/net/protocols']],
  ['net/stat', (t) => parseNetStatFile(t, 'rt_cache'), ['proc/net/stat/rt_cache']],
  ['conntrack', parseConntrackStat, ['proc/net/stat/nf_conntrack']],
  ['xfrm', parseXfrmStat, ['proc/net/xfrm_stat']],
  ['ip_vs', parseIPVSBackendStatus, ['proc/net/ip_vs']],
  ['ip_vs_stats', parseIPVSStats, ['proc/net/ip_vs_stats']],
  ['mdstat', parseMDStat, ['proc/mdstat', 'odd-tree/mdstat']],
  ['cgroups', parseCgroupSummaries, ['proc/cgroups']],
  ['tls_stat', parseTLSStat, ['odd-tree/net/tls_stat']],
  ['nfnetlink_queue', parseNFNetLinkQueue, ['odd-tree/net/netfilter/nfnetlink_queue']],
  ['wireless', parseWireless, ['odd-tree/net/wireless']],
  ['rpc/nfs', parseNFSClientRPCStats, ['odd-tree/net/rpc/nfs']],
  ['rpc/nfsd', parseNFSServerRPCStats, ['odd-tree/net/rpc/nfsd']],
  ['dev_snmp6', parseSnmp6File, ['proc/net/dev_snmp6/lo']],
  ['cpuinfo', parseCPUInfo, ['proc/cpuinfo', 'odd/cpuinfo-arm64']],
  ['crypto', parseCrypto, ['proc/crypto']],
  ['cmdline', parseKernelCmdLine, ['proc/cmdline', 'odd/cmdline-quoted']],
  ['buddyinfo', parseBuddyInfo, ['proc/buddyinfo', 'odd/buddyinfo-numa']],
  ['swaps', parseSwaps, ['odd/swaps']],
  ['schedstat', parseSchedstat, ['proc/schedstat']],
  ['slabinfo', parseSlabInfo, ['proc/slabinfo']],
  ['zoneinfo', parseZoneinfo, ['proc/zoneinfo']],
  ['softirqs', parseSoftirqs, ['proc/softirqs']],
  ['interrupts', parseInterrupts, ['proc/interrupts', 'odd/interrupts-arm64']],
  ['fscache', parseFscacheinfo, ['proc/fs/fscache/stats', 'odd/fscache-netfs']],
  ['sysctl value', parseSysctlValue, ['proc/sys/net/ipv4/tcp_rmem']],
  ['kernel random', (t) => parseKernelRandom({ entropy_avail: t, poolsize: t }), ['proc/sys/kernel/random/poolsize']],
  ['vm', (t) => parseVM({ swappiness: t, lowmem_reserve_ratio: t }), ['proc/sys/vm/lowmem_reserve_ratio']],
];

describe('fuzz: mutated fixtures give a value or a ParseError', () => {
  for (const [name, parse, files] of CASES) {
    test(name, () => {
      for (const f of files) {
        const text = procFixtureText(f);
        fc.assert(
          fc.property(mutatedText(text), (t) => {
            valueOrParseError(name, () => parse(t), t);
          }),
          { numRuns: 150, seed: 0x5eed + name.length },
        );
      }
      fc.assert(
        fc.property(parserJunk(200), (t) => {
          valueOrParseError(name, () => parse(t), t);
        }),
        { numRuns: 100, seed: 42 },
      );
    });
  }
});
