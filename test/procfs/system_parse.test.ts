/**
 * Parsers of the system-wide procfs files, on real files captured from this kernel
 * (test/fixtures/procfs/proc/, see sys_capture.ts), synthesized older/odd layouts
 * (test/fixtures/procfs/odd/) and broken input.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ParseError } from '../../src/errors.ts';
import {
  arpEntryIsComplete,
  cpuBusyPercent,
  cpuStatSeconds,
  netDevTotal,
  netSockstatProtocol,
  netUNIXFlagsString,
  netUNIXStateString,
  netUNIXTypeString,
  parseARPEntries,
  parseBuddyInfo,
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
  parseNetUNIX,
  parsePSIStats,
  parseSchedstat,
  parseSlabInfo,
  parseSoftirqs,
  parseStat,
  parseSwaps,
  parseSysctlValue,
  parseUptime,
  parseVM,
  parseVMStat,
  parseXfrmStat,
  parseZoneinfo,
  sysctlPathParts,
} from '../../src/procfs/index.ts';
import { procFixtureText } from './fixtures.ts';

const real = (rel: string) => procFixtureText(`proc/${rel}`);
const odd = (rel: string) => procFixtureText(`odd/${rel}`);

/** Recursively copy into plain objects (parsers return prototype-less maps for kernel keys). */
function plain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(plain) as T;
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) as T;
  }
  return v;
}

/** Assert that `fn` throws a ParseError naming `file` (and `line` when given). */
function parseFails(fn: () => unknown, file: string, line?: number): ParseError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ParseError, `expected ParseError, got ${String(caught)}`);
  assert.equal(caught.file, file);
  if (line !== undefined) assert.equal(caught.line, line);
  assert.match(caught.message, new RegExp(`cannot parse ${file.replace(/[/.]/g, '\\$&')}`));
  return caught;
}

/** `Key: N kB` of a meminfo text, read independently of the parser. */
function meminfoKey(text: string, key: string): number | undefined {
  const m = new RegExp(`^${key.replace(/[()]/g, '\\$&')}:\\s+(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

describe('meminfo', () => {
  test('real file: every line is typed or kept in other, kB and bytes agree', () => {
    const text = real('meminfo');
    const m = parseMeminfo(text);
    assert.equal(m.memTotal, meminfoKey(text, 'MemTotal'));
    assert.equal(m.memTotalBytes, m.memTotal! * 1024);
    assert.equal(m.activeAnon, meminfoKey(text, 'Active\\(anon\\)'.replace(/\\/g, '')));
    assert.equal(m.committedAS, meminfoKey(text, 'Committed_AS'));
    assert.equal(m.hugePagesTotal, meminfoKey(text, 'HugePages_Total'));
    assert.equal((m as unknown as Record<string, unknown>).hugePagesTotalBytes, undefined, 'counts get no bytes');
    const lines = text.trim().split('\n').length;
    const typed = Object.keys(m).filter((k) => k !== 'other' && !k.endsWith('Bytes')).length;
    assert.equal(typed + Object.keys(m.other).length, lines);
    assert.ok(m.memFree! <= m.memTotal!);
  });
  test('2.6 layout: new fields absent, not zero; HighTotal typed', () => {
    const m = parseMeminfo(odd('meminfo-2.6'));
    assert.equal(m.memAvailable, undefined);
    assert.equal('memAvailable' in m, false);
    assert.equal(m.highTotal, 130944);
    assert.equal(m.hugepagesizeBytes, 4096 * 1024);
    assert.deepEqual(plain(m.other), {});
  });
  test('unknown keys are kept with their unit', () => {
    const m = parseMeminfo('MemTotal: 10 kB\nFutureThing:   7 kB\nFutureCount: 3\n');
    assert.deepEqual(plain(m.other), { FutureThing: { value: 7, unit: 'kB', bytes: 7168 }, FutureCount: { value: 3 } });
  });
  test('broken', () => {
    parseFails(() => parseMeminfo('MemTotal: 10 kB\nMemFree: x kB\n'), '/proc/meminfo', 2);
    parseFails(() => parseMeminfo('MemTotal: 10 MB\n'), '/proc/meminfo', 1);
    parseFails(() => parseMeminfo('MemTotal 10 kB\n'), '/proc/meminfo', 1);
    parseFails(() => parseMeminfo('MemTotal: 1 kB\nMemTotal: 2 kB\n', 'f'), 'f', 2);
  });
});

describe('stat', () => {
  test('real file', () => {
    const text = real('stat');
    const s = parseStat(text);
    const cpuLines = text.split('\n').filter((l) => /^cpu\d+ /.test(l));
    assert.equal(s.cpu.length, cpuLines.length);
    assert.deepEqual(
      s.cpu.map((c) => c.cpuId),
      cpuLines.map((l) => Number(l.slice(3, l.indexOf(' ')))),
    );
    assert.equal(s.bootTime, Number(/^btime (\d+)/m.exec(text)![1]));
    assert.equal(s.contextSwitches, Number(/^ctxt (\d+)/m.exec(text)![1]));
    assert.equal(s.irq.length, /^intr (.*)$/m.exec(text)![1]!.split(' ').length - 1);
    // the aggregate line equals the per-CPU sum (the kernel sums the same per-CPU counters)
    const sum = s.cpu.reduce((a, c) => a + c.userTicks, 0);
    assert.ok(Math.abs(sum - s.cpuTotal.userTicks) <= s.cpu.length, `${sum} vs ${s.cpuTotal.userTicks}`);
    assert.ok(s.softIRQ !== undefined);
    assert.equal(
      s.softIRQTotal,
      Object.values(s.softIRQ).reduce((a, b) => a + b, 0),
    );
    assert.equal(s.cpuTotal.cpuId, undefined);
  });
  test('2.4 layout: only four CPU columns, optional lines absent', () => {
    const s = parseStat(odd('stat-2.4'));
    assert.deepEqual(plain(s.cpuTotal), { userTicks: 100, niceTicks: 0, systemTicks: 50, idleTicks: 1000 });
    assert.equal('iowaitTicks' in s.cpuTotal, false);
    assert.equal(s.processesRunning, undefined);
    assert.equal(s.softIRQ, undefined);
    assert.deepEqual(s.irq, [10, 20]);
  });
  test('offline CPU: ids follow the file, unknown lines kept', () => {
    const s = parseStat(odd('stat-offline-cpu'));
    assert.deepEqual(
      s.cpu.map((c) => c.cpuId),
      [0, 2],
    );
    assert.deepEqual(plain(s.other), { page: [5741, 1808] });
    assert.equal(s.softIRQ?.netRx, 211099);
    assert.equal(s.processesBlocked, 1);
  });
  test('seconds and busy percent', () => {
    const a = { userTicks: 100, niceTicks: 0, systemTicks: 100, idleTicks: 700, iowaitTicks: 100 };
    const b = { userTicks: 150, niceTicks: 0, systemTicks: 150, idleTicks: 800, iowaitTicks: 100 };
    assert.equal(cpuBusyPercent(a, b), 50);
    assert.equal(cpuBusyPercent(a, a), undefined);
    assert.deepEqual(plain(cpuStatSeconds(a, 100)), {
      userSeconds: 1,
      niceSeconds: 0,
      systemSeconds: 1,
      idleSeconds: 7,
      iowaitSeconds: 1,
    });
  });
  test('broken', () => {
    parseFails(() => parseStat('cpu 1 2 3\nbtime 1\nintr 1\nctxt 1\nprocesses 1\n'), '/proc/stat', 1);
    parseFails(() => parseStat('cpu 1 2 3 4\nintr 1\nctxt 1\nprocesses 1\n'), '/proc/stat');
    parseFails(() => parseStat('cpu 1 2 3 4\nbtime -1\n'), '/proc/stat', 2);
    parseFails(() => parseStat('cpu 1 2 3 4\ncpu 1 2 3 4\n'), '/proc/stat', 2);
    parseFails(() => parseStat('cpu 1 2 3 4\ncpu0 1 2 x 4\n'), '/proc/stat', 2);
  });
});

describe('loadavg, uptime, file-nr, vmstat, psi', () => {
  test('loadavg real and broken', () => {
    const text = real('loadavg');
    const l = parseLoadAvg(text);
    const f = text.trim().split(/\s+/);
    assert.equal(l.load1, Number(f[0]));
    assert.equal(`${l.runnable}/${l.threads}`, f[3]);
    assert.equal(l.lastPid, Number(f[4]));
    parseFails(() => parseLoadAvg('0.1 0.2 0.3 1/2\n'), '/proc/loadavg', 1);
    parseFails(() => parseLoadAvg('0.1 0.2 x 1/2 3\n'), '/proc/loadavg', 1);
    parseFails(() => parseLoadAvg('0.1 0.2 0.3 12 3\n'), '/proc/loadavg', 1);
    parseFails(() => parseLoadAvg(''), '/proc/loadavg');
  });
  test('uptime', () => {
    const u = parseUptime(real('uptime'));
    assert.ok(u.uptimeSeconds > 0 && u.idleSeconds >= 0);
    assert.deepEqual(parseUptime('12.50 3.25\n'), { uptimeSeconds: 12.5, idleSeconds: 3.25 });
    parseFails(() => parseUptime('12.50\n'), '/proc/uptime', 1);
    parseFails(() => parseUptime('1 2\n3 4\n'), '/proc/uptime', 1);
  });
  test('file-nr: max is a bigint (LONG_MAX is a valid value)', () => {
    const r = parseFileNr(real('sys/fs/file-nr'));
    assert.equal(typeof r.max, 'bigint');
    assert.ok(r.allocated > 0);
    assert.deepEqual(parseFileNr('5\t0\t9223372036854775807\n'), {
      allocated: 5,
      unused: 0,
      max: 9223372036854775807n,
    });
    parseFails(() => parseFileNr('5 0\n'), '/proc/sys/fs/file-nr', 1);
  });
  test('vmstat: every line kept by name', () => {
    const text = real('vmstat');
    const v = parseVMStat(text);
    assert.equal(Object.keys(v).length, text.trim().split('\n').length);
    assert.equal(v.pgfault, Number(/^pgfault (\d+)/m.exec(text)![1]));
    parseFails(() => parseVMStat('a 1\na 2\n'), '/proc/vmstat', 2);
    parseFails(() => parseVMStat('a 1 2\n'), '/proc/vmstat', 1);
  });
  test('psi: real files, cpu without full (4.20), irq with only full', () => {
    for (const r of ['cpu', 'memory', 'io']) {
      const p = parsePSIStats(real(`pressure/${r}`), r);
      assert.ok(p.some && p.full, r);
      assert.ok(p.some.totalMicros >= p.full.totalMicros, `${r}: some ≥ full`);
    }
    const c = parsePSIStats(odd('pressure-cpu-4.20'));
    assert.deepEqual(plain(c), { some: { avg10: 0.1, avg60: 2, avg300: 3.85, totalMicros: 15 } });
    assert.equal('full' in c, false);
    assert.equal(parsePSIStats(odd('pressure-irq')).some, undefined);
    parseFails(() => parsePSIStats('half avg10=1 avg60=1 avg300=1 total=1\n', 'p'), 'p', 1);
    parseFails(() => parsePSIStats('some avg10=1 avg60=1 total=1\n', 'p'), 'p', 1);
    parseFails(() => parsePSIStats('', 'p'), 'p');
  });
});

describe('net/dev', () => {
  test('real file: names, counters as bigint, total', () => {
    const text = real('net/dev');
    const d = parseNetDev(text);
    const names = text
      .split('\n')
      .slice(2)
      .filter((l) => l.includes(':'))
      .map((l) => l.split(':')[0]!.trim());
    assert.deepEqual(Object.keys(d).sort(), names.sort());
    assert.equal(typeof d.lo!.rxBytes, 'bigint');
    assert.equal(d.lo!.rxBytes, d.lo!.txBytes, 'loopback receives what it sends');
    const t = netDevTotal(d);
    assert.equal(t.name, names.sort().join(', '));
    assert.equal(
      t.rxBytes,
      Object.values(d).reduce((a, l) => a + l.rxBytes, 0n),
    );
  });
  test('long names touching the numbers, values above 2^53 exact', () => {
    const d = parseNetDev(odd('net_dev-long'));
    assert.equal(d.verylongifname0!.rxBytes, 18446744073709551615n);
    assert.equal(d.verylongifname0!.txCompressed, 16n);
    assert.equal(d.verylongifname0!.txCollisions, 14n);
  });
  test('broken', () => {
    const head = real('net/dev').split('\n').slice(0, 2).join('\n');
    parseFails(() => parseNetDev(`${head}\neth0: 1 2 3\n`), '/proc/net/dev', 3);
    parseFails(() => parseNetDev(`${head}\neth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n`), '/proc/net/dev', 3);
    parseFails(() => parseNetDev(`${head}\nlo: ${'1 '.repeat(15)}-1\n`), '/proc/net/dev', 3);
    parseFails(() => parseNetDev('nothing here\n'), '/proc/net/dev', 1);
    parseFails(() => parseNetDev('a|b|c\n face |bytes|bytes\n'), '/proc/net/dev', 2);
  });
});

describe('sockstat, softnet, tcp/udp, unix, route, arp', () => {
  test('sockstat real, extra keys kept, page size conversion', () => {
    const s = parseNetSockstat(real('net/sockstat'), '/proc/net/sockstat', 4096);
    assert.ok(s.used !== undefined && s.used > 0);
    const tcp = netSockstatProtocol(s, 'TCP')!;
    assert.equal(tcp.memBytes, tcp.mem! * 4096);
    assert.equal(netSockstatProtocol(s, 'FRAG')?.memory, 0);
    const s6 = parseNetSockstat(real('net/sockstat6'));
    assert.equal(s6.used, undefined);
    assert.equal(netSockstatProtocol(s6, 'TCP6')?.orphan, undefined);
    const x = parseNetSockstat(odd('sockstat-extra'));
    assert.deepEqual(plain(netSockstatProtocol(x, 'TCP')!.other), { newkey: 5 });
    assert.equal(netSockstatProtocol(x, 'UDP')!.mem, undefined);
    parseFails(() => parseNetSockstat('TCP: orphan 1\n'), '/proc/net/sockstat', 1);
    parseFails(() => parseNetSockstat('TCP inuse 1\n'), '/proc/net/sockstat', 1);
    parseFails(() => parseNetSockstat('TCP: inuse\n'), '/proc/net/sockstat', 1);
  });
  test('softnet: 15 columns on this kernel, older 10 and 13', () => {
    const rows = parseNetSoftnetStat(real('net/softnet_stat'));
    assert.ok(rows.length >= 1);
    assert.deepEqual(
      rows.map((r) => r.index),
      rows.map((_, i) => i),
    );
    assert.ok(rows.every((r) => r.width === 15 && r.processQueueLen !== undefined));
    const ten = parseNetSoftnetStat(odd('softnet_stat-10col'));
    assert.equal(ten[0]!.timeSqueezed, 0xf0000769);
    assert.equal(ten[0]!.receivedRps, 0);
    assert.equal('flowLimitCount' in ten[0]!, false);
    const t13 = parseNetSoftnetStat(odd('softnet_stat-13col'));
    assert.equal(t13[1]!.index, 2);
    assert.equal(t13[1]!.inputQueueLen, undefined);
    parseFails(() => parseNetSoftnetStat('0001 0002\n'), '/proc/net/softnet_stat', 1);
    parseFails(() => parseNetSoftnetStat('0001 0002 zz\n'), '/proc/net/softnet_stat', 1);
  });
  test('tcp/tcp6 real: listener and connection captured with 1000 unread bytes', () => {
    const t4 = parseNetTCP(real('net/tcp'));
    const listener = t4.find((r) => r.st === 10 && r.localAddr === '127.0.0.1');
    assert.ok(listener, 'a 127.0.0.1 listener');
    const conn = t4.find((r) => r.st === 1 && r.localPort === listener.localPort && r.rxQueue === 1000);
    assert.ok(conn, 'the accepted connection holds 1000 unread bytes');
    assert.equal(conn.remAddr, '127.0.0.1');
    const t6 = parseNetTCP(real('net/tcp6'), '/proc/net/tcp6');
    assert.ok(t6.some((r) => r.localAddr === '::1' && r.st === 10));
    assert.ok(t6.some((r) => r.localAddr === '::1' && r.rxQueue === 1000));
    const sum = parseNetTCPSummary(real('net/tcp'));
    assert.equal(sum.usedSockets, t4.length);
    assert.equal(
      sum.rxQueueLength,
      t4.reduce((a, r) => a + r.rxQueue, 0),
    );
  });
  test('udp real: drops column read', () => {
    const u = parseNetUDP(real('net/udp'));
    assert.ok(u.some((r) => r.localAddr === '127.0.0.1' && r.drops === 0 && r.st === 7));
  });
  test('ip socket broken', () => {
    const h = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    parseFails(
      () => parseNetTCP(`${h}   0: 0100007F:ZZZZ 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n`),
      '/proc/net/tcp',
      2,
    );
    parseFails(
      () => parseNetTCP(`${h}   0: 0100007F:0050 00000000:0000 0A 00000000-00000000 00:00000000 00000000 0 0 1\n`),
      '/proc/net/tcp',
      2,
    );
    parseFails(() => parseNetTCP(`${h}   0: 0100007F:0050 00000000:0000\n`), '/proc/net/tcp', 2);
    parseFails(() => parseNetTCP('garbage\n'), '/proc/net/tcp', 1);
    parseFails(() => parseNetTCPSummary(`${h}   0: 0100007F:0050\n`), '/proc/net/tcp', 2);
  });
  test('unix: real fixture socket with a space in its path, abstract, unbound, String()s', () => {
    const u = parseNetUNIX(real('net/unix'));
    const mine = u.rows.find((r) => r.path?.startsWith('/tmp/raingauge fixture '));
    assert.ok(mine, 'the capture listener');
    assert.equal(netUNIXFlagsString(mine.flags), 'listen');
    assert.equal(netUNIXTypeString(mine.type), 'stream');
    assert.equal(netUNIXStateString(mine.state), 'unconnected');
    const o = parseNetUNIX(odd('net_unix'));
    assert.equal(o.rows.length, 4);
    assert.equal(o.rows[1]!.path, '@/org/freedesktop/systemd1/notify');
    assert.equal(netUNIXTypeString(o.rows[1]!.type), 'seqpacket');
    assert.equal(o.rows[2]!.path, undefined);
    assert.equal(netUNIXTypeString(o.rows[2]!.type), 'dgram');
    assert.equal(o.rows[3]!.path, '/tmp/with space');
    assert.equal(netUNIXStateString(o.rows[3]!.state), 'connected');
    assert.equal(netUNIXFlagsString(0), 'default');
    parseFails(() => parseNetUNIX('Num RefCount\n0000: 1 2\n'), '/proc/net/unix', 2);
    parseFails(() => parseNetUNIX('0000: 1 2\n'), '/proc/net/unix', 1);
  });
  test('route: real default route and connected network', () => {
    const r = parseNetRoute(real('net/route'));
    const def = r.find((x) => x.destination === '0.0.0.0');
    assert.ok(def && def.prefixLength === 0 && def.flags & 2, 'a default route through a gateway');
    assert.ok(r.every((x) => x.mask.split('.').length === 4));
    const txt =
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n';
    const [x] = parseNetRoute(txt);
    assert.equal(x!.destination, '192.168.1.0');
    assert.equal(x!.prefixLength, 24);
    assert.equal(x!.metric, 100);
    parseFails(() => parseNetRoute('Iface\tDestination\n'), '/proc/net/route', 1);
    parseFails(
      () => parseNetRoute(`${txt}eth0\t0001A8C\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n`),
      '/proc/net/route',
      3,
    );
  });
  test('arp', () => {
    const a = parseARPEntries(real('net/arp'));
    for (const e of a) assert.match(e.hwAddr, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const [e] = parseARPEntries(
      'IP address       HW type     Flags       HW address            Mask     Device\n10.0.0.1 0x1 0x6 aa:bb:cc:dd:ee:ff * br0\n10.0.0.2 0x1 0x0 00:00:00:00:00:00 * br0\n',
    );
    assert.equal(arpEntryIsComplete(e!), true);
    assert.equal(e!.flags, 6);
    assert.equal(arpEntryIsComplete({ ...e!, flags: 0 }), false);
    parseFails(() => parseARPEntries('IP address x\n10.0.0.300 0x1 0x2 a * b\n'), '/proc/net/arp', 2);
    parseFails(() => parseARPEntries('IP address x\n10.0.0.1 0x1 0x2 a *\n'), '/proc/net/arp', 2);
  });
});

describe('protocols, net/stat, conntrack, xfrm, ip_vs', () => {
  test('protocols real: capabilities by header, TCP row', () => {
    const p = parseNetProtocols(real('net/protocols'));
    const tcp = p.TCP!;
    assert.ok(tcp.size > 1000);
    assert.equal(tcp.capabilities.connect, true);
    assert.equal(tcp.capabilities.sendPage, undefined, 'the sp column is gone on this kernel');
    assert.ok([1, 0, -1].includes(tcp.pressure));
    parseFails(
      () =>
        parseNetProtocols('protocol size sockets memory press maxhdr slab module cl\nTCP 1 2 3 maybe 0 yes kernel y\n'),
      '/proc/net/protocols',
      2,
    );
    parseFails(() => parseNetProtocols('nope\n'), '/proc/net/protocols', 1);
  });
  test('net/stat files and conntrack', () => {
    const arp = parseNetStatFile(real('net/stat/arp_cache'), 'arp_cache');
    const rows = real('net/stat/arp_cache').trim().split('\n').length - 1;
    assert.equal(arp.stats.entries!.length, rows);
    const ct = parseConntrackStat(real('net/stat/nf_conntrack'));
    assert.equal(ct.length, rows);
    assert.equal(typeof ct[0]!.entries, 'number');
    assert.ok('clashres' in ct[0]!.other, 'columns newer than the seed are kept');
    parseFails(() => parseConntrackStat('found\n00000001\n'), '/proc/net/stat/nf_conntrack', 1);
    parseFails(() => parseNetStatFile('a b\n1 2 3\n', 'x'), '/proc/net/stat/x', 2);
  });
  test('xfrm_stat real: seed counters typed, newer in other', () => {
    const x = parseXfrmStat(real('net/xfrm_stat'));
    assert.equal(x.xfrmInError, 0);
    assert.equal(x.xfrmAcquireError, 0);
    assert.ok('XfrmOutStateDirError' in x.other);
    parseFails(() => parseXfrmStat('XfrmInError\n'), '/proc/net/xfrm_stat', 1);
  });
  test('ip_vs (synthesized): IPv4, IPv6 and firewall marks', () => {
    const st = parseIPVSStats(real('net/ip_vs_stats'));
    assert.deepEqual(st, {
      connections: 0x16aa370n,
      incomingPackets: 0xe33656e5n,
      outgoingPackets: 0n,
      incomingBytes: 0xfffffffffffffff0n,
      outgoingBytes: 0n,
    });
    const b = parseIPVSBackendStatus(real('net/ip_vs'));
    assert.equal(b.length, 15);
    assert.deepEqual(b[0], {
      proto: 'TCP',
      localAddress: '192.168.0.22',
      localPort: 3306,
      remoteAddress: '192.168.82.22',
      remotePort: 3306,
      forward: 'Tunnel',
      weight: 100,
      activeConn: 248,
      inactConn: 2,
    });
    const v6 = b.find((x) => x.remoteAddress === '2620::4')!;
    assert.equal(v6.localAddress, '2620::1');
    assert.equal(v6.localPort, 80);
    const fwm = b.filter((x) => x.proto === 'FWM');
    assert.equal(fwm.length, 4);
    assert.equal(fwm[0]!.localMark, '10001000');
    assert.equal(fwm[0]!.localAddress, undefined);
    parseFails(() => parseIPVSBackendStatus('  -> C0A85216:0CEA Tunnel 100 248 2\n'), '/proc/net/ip_vs', 1);
    parseFails(() => parseIPVSStats('a\nb\n1 2 3\n'), '/proc/net/ip_vs_stats', 3);
  });
});

describe('mdstat (synthesized layouts)', () => {
  test('every array', () => {
    const md = parseMDStat(real('mdstat'));
    const by = Object.fromEntries(md.map((m) => [m.name, m]));
    assert.equal(md.length, 17);
    assert.deepEqual(
      [by.md3!.disksActive, by.md3!.disksTotal, by.md3!.disksFailed, by.md3!.disksDown, by.md3!.disksSpare],
      [7, 8, 1, 1, 0],
    );
    assert.equal(by.md3!.level, 'raid6');
    assert.equal(by.md3!.blocksSynced, by.md3!.blocksTotal);
    assert.equal(by.md3!.blocksSyncedPct, undefined);
    assert.equal(by.md0!.activityState, 'recovering');
    assert.equal(by.md0!.blocksSynced, 16775552);
    assert.equal(by.md0!.blocksSyncedPct, 8.5);
    assert.equal(by.md0!.blocksSyncedFinishTime, 17);
    assert.equal(by.md0!.blocksSyncedSpeed, 259783);
    assert.equal(by.md4!.activityState, 'inactive');
    assert.equal(by.md4!.disksSpare, 2);
    assert.deepEqual(by.md4!.devices, ['sda3', 'sdb3']);
    assert.equal(by.md8!.activityState, 'resyncing');
    assert.equal(by.md9!.activityState, 'resyncing', 'resync=DELAYED: waiting to resync');
    assert.equal(by.md9!.blocksSynced, 0);
    assert.equal(by.md9!.disksFailed, 2);
    assert.equal(by.md10!.disksTotal, 2);
    assert.equal(by.md10!.disksActive, 2);
    assert.equal(by.md11!.readOnly, true);
    assert.equal(by.md120!.level, 'linear');
    assert.equal(by.md201!.activityState, 'checking');
    assert.equal(by.md219!.blocksTotal, 7932);
  });
  test('no arrays, broken', () => {
    assert.deepEqual(parseMDStat('Personalities : \nunused devices: <none>\n'), []);
    parseFails(() => parseMDStat('md0 : active raid1 sda1[0]\n\n'), '/proc/mdstat', 2);
    parseFails(() => parseMDStat('md0 : active raid1 sda1[0] junk\n      5 blocks [1/1] [U]\n'), '/proc/mdstat', 1);
    parseFails(
      () =>
        parseMDStat('md0 : active raid1 sda1[0]\n      5 blocks [1/1] [U]\n      recovery = 1% (x/2) finish=1min\n'),
      '/proc/mdstat',
      3,
    );
  });
});

describe('cpuinfo, crypto, cmdline, buddyinfo, swaps, schedstat, slabinfo, kernel random', () => {
  test('cpuinfo x86 real and arm64', () => {
    const c = parseCPUInfo(real('cpuinfo'));
    assert.deepEqual(
      c.map((x) => x.processor),
      c.map((_, i) => i),
    );
    assert.ok(c[0]!.flags!.includes('fpu'));
    assert.ok(c[0]!.modelName);
    assert.equal(c[0]!.fields['model name'], c[0]!.modelName);
    const a = parseCPUInfo(odd('cpuinfo-arm64'));
    assert.equal(a.length, 2);
    assert.equal(a[1]!.bogoMips, 50);
    assert.ok(a[0]!.flags!.includes('asimd'));
    assert.equal(a[0]!.vendorID, undefined);
    assert.equal(a[0]!.fields['CPU part'], '0xd0c');
    parseFails(() => parseCPUInfo('processor : x\n'), '/proc/cpuinfo', 1);
    parseFails(() => parseCPUInfo('processor 0\n'), '/proc/cpuinfo', 1);
  });
  test('crypto real', () => {
    const c = parseCrypto(real('crypto'));
    assert.equal(c.length, (real('crypto').match(/^name\s+:/gm) ?? []).length);
    const aes = c.find((x) => x.name === 'cbc(aes)');
    assert.ok(aes);
    assert.equal(aes.blocksize, 16);
    assert.equal(aes.maxKeysize, 32);
    assert.equal(aes.digestsize, undefined);
    parseFails(() => parseCrypto('name : x\nblocksize : big\n'), '/proc/crypto', 2);
  });
  test('cmdline real and quoted', () => {
    const c = parseKernelCmdLine(real('cmdline'));
    assert.equal(c.join(' '), real('cmdline').trim().split(/\s+/).join(' '));
    assert.deepEqual(parseKernelCmdLine(odd('cmdline-quoted')), [
      'root=/dev/sda1',
      'ro',
      'quiet',
      '"dyndbg=file foo.c +p"',
      'init=/sbin/init',
    ]);
    parseFails(() => parseKernelCmdLine('a "b\n'), '/proc/cmdline', 1);
  });
  test('buddyinfo real and NUMA', () => {
    const b = parseBuddyInfo(real('buddyinfo'));
    assert.ok(b.length >= 1 && b.every((z) => z.node === '0' && z.sizes.length === b[0]!.sizes.length));
    const n = parseBuddyInfo(odd('buddyinfo-numa'));
    assert.deepEqual(plain(n[1]), { node: '1', zone: 'Normal', sizes: [100, 50, 20, 10, 5, 2, 1, 0, 0, 0, 0] });
    parseFails(() => parseBuddyInfo('Node 0, zone DMA 1 2\nNode 0, zone X 1\n'), '/proc/buddyinfo', 2);
    parseFails(() => parseBuddyInfo('Node 0 zone DMA 1 2\n'), '/proc/buddyinfo', 1);
  });
  test('swaps: real (none here) and populated with an escaped name', () => {
    assert.deepEqual(parseSwaps(real('swaps')), []);
    const s = parseSwaps(odd('swaps'));
    assert.deepEqual(plain(s[1]), {
      filename: '/swap file',
      type: 'file',
      size: 1048572,
      sizeBytes: 1048572 * 1024,
      used: 0,
      usedBytes: 0,
      priority: -3,
    });
    parseFails(() => parseSwaps('Filename x\n/dev/x partition 1 2\n'), '/proc/swaps', 2);
  });
  test('schedstat (synthesized): nanoseconds as bigint', () => {
    const s = parseSchedstat(real('schedstat'));
    assert.equal(s.version, 15);
    assert.equal(s.cpus.length, 2);
    assert.deepEqual(s.cpus[0], {
      cpuNum: '0',
      runningNanoseconds: 2045936778163039n,
      waitingNanoseconds: 343796328384n,
      runTimeslices: 6799327,
    });
    parseFails(() => parseSchedstat('cpu0 1 2 3\n'), '/proc/schedstat', 1);
    parseFails(() => parseSchedstat('timestamp 1\n'), '/proc/schedstat', 1);
  });
  test('slabinfo real', () => {
    const s = parseSlabInfo(real('slabinfo'));
    assert.equal(s.version, '2.1');
    assert.equal(s.slabs.length, real('slabinfo').trim().split('\n').length - 2);
    assert.ok(s.slabs.every((x) => x.objActive <= x.objNum));
    parseFails(() => parseSlabInfo('slabinfo - version: 1.1\n'), '/proc/slabinfo', 1);
    parseFails(() => parseSlabInfo('slabinfo - version: 2.1\nfoo 1 2 3\n'), '/proc/slabinfo', 2);
  });
  test('kernel random: present files typed, absent ones absent', () => {
    const r = parseKernelRandom({ entropy_avail: '256\n', poolsize: '256\n', boot_id: 'abc\n' });
    assert.deepEqual(plain(r), { entropyAvailable: 256, poolSize: 256, bootId: 'abc' });
    assert.throws(() => parseKernelRandom({ poolsize: 'x\n' }), ParseError);
  });
});

describe('zoneinfo, vm, softirqs, interrupts, sysctl values', () => {
  test('zoneinfo real: per-node stats on the first zone, pagesets per CPU', () => {
    const z = parseZoneinfo(real('zoneinfo'));
    const text = real('zoneinfo');
    assert.equal(z.length, (text.match(/^Node /gm) ?? []).length);
    const first = z[0]!;
    assert.ok(first.nodeStats && 'nr_inactive_anon' in first.nodeStats);
    assert.equal(first.nrInactiveAnon, first.nodeStats.nr_inactive_anon);
    assert.equal(z[1]!.nodeStats, undefined);
    assert.ok(first.protection && first.protection.length === z.length);
    assert.equal(first.pagesets.length, parseStat(real('stat')).cpu.length);
    assert.ok(first.pagesets.every((p) => p.vmStatsThreshold !== undefined));
    assert.equal(first.min, first.stats.min);
    assert.ok(first.startPfn !== undefined);
    parseFails(() => parseZoneinfo('  pages free 1\n'), '/proc/zoneinfo', 1);
    parseFails(() => parseZoneinfo('Node 0, zone DMA\n  pages free x\n'), '/proc/zoneinfo', 2);
  });
  test('vm: typed, array, string and other', () => {
    const v = parseVM(
      {
        swappiness: '60\n',
        lowmem_reserve_ratio: '256\t256\t32\t0\t0\n',
        numa_zonelist_order: 'Node\n',
        'page-cluster': '3\n',
        brand_new: '7\n',
      },
      ['drop_caches'],
    );
    assert.equal(v.swappiness, 60);
    assert.equal(v.pageCluster, 3);
    assert.deepEqual(v.lowmemReserveRatio, [256, 256, 32, 0, 0]);
    assert.equal(v.numaZonelistOrder, 'Node');
    assert.deepEqual(plain(v.other), { brand_new: 7 });
    assert.deepEqual(v.unreadable, ['drop_caches']);
    assert.equal(v.dirtyRatio, undefined);
    assert.throws(() => parseVM({ swappiness: 'lots\n' }), ParseError);
  });
  test('softirqs and interrupts real: per-CPU rows match /proc/stat totals', () => {
    const s = parseSoftirqs(real('softirqs'));
    assert.deepEqual(Object.keys(s.counts).slice(0, 4), ['HI', 'TIMER', 'NET_TX', 'NET_RX']);
    const i = parseInterrupts(real('interrupts'));
    assert.deepEqual(i.cpus, s.cpus);
    assert.ok(i.rows.some((r) => r.irq === 'ERR' && r.counts.length === 1));
    assert.ok(i.rows.filter((r) => /^\d+$/.test(r.irq)).every((r) => r.counts.length === i.cpus.length));
    const a = parseInterrupts(odd('interrupts-arm64'));
    assert.equal(a.cpus.length, 4);
    assert.equal(a.rows[0]!.description, 'GICv3 27 Level arch_timer');
    assert.equal(a.rows[2]!.total, 1000);
    assert.deepEqual(a.rows[3]!.counts, [0]);
    parseFails(() => parseSoftirqs('CPU0 CPU1\nHI: 1\n'), '/proc/softirqs', 2);
    parseFails(() => parseSoftirqs('cpu0\n'), '/proc/softirqs', 1);
    parseFails(() => parseInterrupts('CPU0\n 1: x\n'), '/proc/interrupts', 2);
  });
  test('sysctl values and names', () => {
    assert.equal(parseSysctlValue('4096\n'), 4096);
    assert.deepEqual(parseSysctlValue('4096\t131072\t6291456\n'), [4096, 131072, 6291456]);
    assert.equal(parseSysctlValue('9223372036854775807\n'), 9223372036854775807n);
    assert.equal(parseSysctlValue('-1\n'), -1);
    assert.equal(parseSysctlValue('Linux\n'), 'Linux');
    assert.equal(parseSysctlValue('a\nb\n'), 'a\nb');
    assert.equal(parseSysctlValue(''), '');
    assert.deepEqual(sysctlPathParts('net.core.somaxconn'), ['net', 'core', 'somaxconn']);
    assert.deepEqual(sysctlPathParts('net/ipv4/conf/eth0.100/forwarding'), [
      'net',
      'ipv4',
      'conf',
      'eth0.100',
      'forwarding',
    ]);
    for (const bad of ['', 'net..core', '../etc/passwd', 'net/../../etc', 'a b', 'net.core.']) {
      assert.throws(() => sysctlPathParts(bad), /invalid sysctl name/, bad);
    }
  });
  test('fscache: old layout typed, netfs layout by section', () => {
    const f = parseFscacheinfo(real('fs/fscache/stats'));
    assert.equal(f.indexCookiesAllocated, 3);
    assert.equal(f.allocationOperationsSubmitted, 15, 'second "Allocs" line');
    assert.equal(f.cacheopLookupCompleteInProgress, 3);
    assert.equal(f.cacheevObjectsCulled, 4);
    assert.equal(f.sections.Ops!.gc, 37);
    const n = parseFscacheinfo(odd('fscache-netfs'));
    assert.equal(n.indexCookiesAllocated, undefined);
    assert.equal(n.sections.Cookies!.vcol, 0);
    assert.equal(n.sections.IO!.rd, 0);
    parseFails(() => parseFscacheinfo('FS-Cache statistics\nCookies: idx=x\n'), '/proc/fs/fscache/stats', 2);
    parseFails(() => parseFscacheinfo('hello\n'), '/proc/fs/fscache/stats', 1);
  });
});

describe('deliberately broken fixture files (test/fixtures/procfs/broken/)', () => {
  const cases: [string, (t: string) => unknown, string, number | undefined][] = [
    ['meminfo-truncated', parseMeminfo, '/proc/meminfo', 11],
    ['stat-no-btime', parseStat, '/proc/stat', undefined],
    ['net_dev-missing-column', parseNetDev, '/proc/net/dev', 4],
    ['loadavg-garbage', parseLoadAvg, '/proc/loadavg', 1],
    ['zoneinfo-before-node', parseZoneinfo, '/proc/zoneinfo', 1],
    ['mdstat-no-status', parseMDStat, '/proc/mdstat', 3],
    ['net_tcp-short-row', parseNetTCP, '/proc/net/tcp', 2],
    ['sockstat-odd-pairs', parseNetSockstat, '/proc/net/sockstat', 2],
    ['uptime-empty', parseUptime, '/proc/uptime', 1],
    ['interrupts-no-header', parseInterrupts, '/proc/interrupts', 1],
  ];
  for (const [name, parse, file, line] of cases) {
    test(name, () => {
      const text = procFixtureText(`broken/${name}`);
      parseFails(() => parse(text), file, line);
    });
  }
});
