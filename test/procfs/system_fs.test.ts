/**
 * The system-wide readers of ProcFS on the fixture tree (test/fixtures/procfs/proc) and on an
 * empty tree: every reader runs unchanged against a mount point, missing kernel features are
 * NotSupportedError / NotFoundError with the fix, bad arguments InvalidArgumentError.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { InvalidArgumentError, NotFoundError, NotSupportedError, ParseError } from '../../src/errors.ts';
import { parseNetstatFile } from '../../src/netstat/index.ts';
import { ProcFS, parseMeminfo } from '../../src/procfs/index.ts';
import { procFixtureRoot as root } from './fixtures.ts';

const fs = new ProcFS(root);
const empty = mkdtempSync(join(tmpdir(), 'rg-sys-empty-'));
after(() => rmSync(empty, { recursive: true, force: true }));

describe('ProcFS system readers on the fixture tree', () => {
  test('every reader returns a value and names fixture paths in its data', () => {
    const m = fs.meminfo();
    assert.deepEqual(m, parseMeminfo(readFileSync(join(root, 'meminfo'), 'utf8')));
    assert.ok(fs.stat().cpu.length >= 1);
    assert.ok(fs.loadAvg().threads > 0);
    assert.ok(fs.uptime().uptimeSeconds > 0);
    assert.ok(fs.vmstat().pgfault !== undefined);
    assert.ok(fs.fileNr().allocated > 0);
    assert.ok(fs.buddyInfo().length > 0);
    assert.ok(fs.cpuInfo().length > 0);
    assert.ok(fs.cmdLine().length > 0);
    assert.ok(fs.crypto().length > 0);
    assert.ok(fs.slabInfo().slabs.length > 0);
    assert.deepEqual(fs.swaps(), []);
    assert.ok(fs.zoneinfo().length > 0);
    assert.ok(Object.keys(fs.softirqs().counts).length >= 10);
    assert.ok(fs.interrupts().rows.length > 0);
    assert.equal(fs.mdStat().length, 17);
    assert.equal(fs.schedstat().cpus.length, 2);
    assert.equal(fs.fscacheinfo().indexCookiesAllocated, 3);
    assert.equal(fs.ipvsBackendStatus().length, 15);
    assert.equal(fs.ipvsStats().connections, 0x16aa370n);
    assert.equal(
      fs.hungTaskDetectCount(),
      Number(readFileSync(join(root, 'sys/kernel/hung_task_detect_count'), 'utf8')),
    );
  });
  test('network readers', () => {
    assert.ok('lo' in fs.netDev());
    assert.ok(fs.netSockstat().used! > 0);
    assert.equal(fs.netSockstat6().used, undefined);
    assert.ok(fs.netSoftnetStat().length >= 1);
    assert.equal(fs.netTCPSummary().usedSockets, fs.netTCP().length);
    assert.equal(fs.netTCP6Summary().usedSockets, fs.netTCP6().length);
    assert.equal(fs.netUDPSummary().usedSockets, fs.netUDP().length);
    assert.equal(fs.netUDP6Summary().usedSockets, fs.netUDP6().length);
    assert.ok(fs.netUNIX().rows.length > 0);
    assert.ok(fs.netRoute().length > 0);
    assert.ok(Array.isArray(fs.gatherARPEntries()));
    assert.ok('TCP' in fs.netProtocols());
    assert.deepEqual(
      fs
        .netStat()
        .map((s) => s.filename)
        .sort(),
      ['arp_cache', 'ndisc_cache', 'nf_conntrack', 'rt_cache', 'synproxy'],
    );
    assert.ok(fs.conntrackStat().length >= 1);
    assert.deepEqual(fs.newXfrmStat(), fs.xfrmStat());
    assert.deepEqual(fs.netstat(), parseNetstatFile(readFileSync(join(root, 'net/netstat'), 'utf8')));
    assert.ok('Tcp' in fs.snmp());
    assert.ok('Ip6' in fs.snmp6());
  });
  test('pressure, sysctl, vm, kernel random', () => {
    const p = fs.pressure();
    assert.deepEqual(Object.keys(p).sort(), ['cpu', 'io', 'memory']);
    assert.deepEqual(fs.psiStatsForResource('memory'), p.memory);
    assert.throws(() => fs.psiStatsForResource('../meminfo'), InvalidArgumentError);
    assert.throws(() => fs.psiStatsForResource('irq'), NotSupportedError, 'the fixture has no irq file');
    const s = fs.sysctl('net.core.somaxconn');
    assert.equal(s.path, join(root, 'sys/net/core/somaxconn'));
    assert.equal(s.value, Number(readFileSync(s.path, 'utf8')));
    assert.ok(Array.isArray(fs.sysctl('net/ipv4/tcp_rmem').value));
    assert.equal(fs.sysctl('kernel.ostype').value, 'Linux');
    assert.throws(
      () => fs.sysctl('net.core.nope'),
      (e: unknown) => e instanceof NotFoundError && /no sysctl/.test(e.message),
    );
    assert.throws(() => fs.sysctl('net..core'), InvalidArgumentError);
    assert.throws(
      () => fs.sysctl('net.core'),
      (e: unknown) => e instanceof InvalidArgumentError && /directory/.test(e.message),
    );
    const vm = fs.vm();
    assert.equal(vm.swappiness, Number(readFileSync(join(root, 'sys/vm/swappiness'), 'utf8')));
    assert.ok(vm.lowmemReserveRatio && vm.lowmemReserveRatio.length > 0);
    const r = fs.kernelRandom();
    assert.equal(r.poolSize, 256);
    assert.equal(r.readWakeupThreshold, undefined, 'removed in 5.6, absent here');
  });
});

describe('ProcFS system readers on an empty tree', () => {
  const e = new ProcFS(empty);
  test('missing kernel features are NotSupportedError naming the fix', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => e.mdStat(), /md \(software RAID\)/],
      [() => e.schedstat(), /CONFIG_SCHEDSTATS/],
      [() => e.fscacheinfo(), /FSCACHE/],
      [() => e.ipvsStats(), /modprobe ip_vs/],
      [() => e.ipvsBackendStatus(), /modprobe ip_vs/],
      [() => e.conntrackStat(), /modprobe nf_conntrack/],
      [() => e.xfrmStat(), /XFRM_STATISTICS/],
      [() => e.psiStatsForResource('cpu'), /psi=0/],
      [() => e.pressure(), /CONFIG_PSI/],
      [() => e.hungTaskDetectCount(), /6\.10/],
    ];
    for (const [fn, re] of cases) {
      assert.throws(fn, (err: unknown) => err instanceof NotSupportedError && re.test(err.message), String(re));
    }
  });
  test('plain missing files are NotFoundError with the path', () => {
    assert.throws(
      () => e.meminfo(),
      (err: unknown) => err instanceof NotFoundError && err.path === join(empty, 'meminfo'),
    );
    assert.throws(() => e.netStat(), NotFoundError);
    assert.deepEqual(e.kernelRandom(), {});
  });
  test('a broken file is a ParseError naming the fixture path and line', () => {
    mkdirSync(join(empty, 'net'), { recursive: true });
    writeFileSync(join(empty, 'loadavg'), '0.1 0.2 zz 1/2 3\n');
    assert.throws(
      () => e.loadAvg(),
      (err: unknown) => err instanceof ParseError && err.file === join(empty, 'loadavg') && err.line === 1,
    );
    writeFileSync(join(empty, 'net', 'sockstat'), 'TCP: inuse 1\nUDP inuse\n');
    assert.throws(
      () => e.netSockstat(),
      (err: unknown) => err instanceof ParseError && err.line === 2,
    );
  });
});
