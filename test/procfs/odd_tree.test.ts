/**
 * The synthetic fixture tree test/fixtures/procfs/odd-tree (see its README.md: files written from
 * the kernel's formats, not captures): regression tests for what independent checks against Go
 * procfs found — NUL-padded titles, a mount without self/auxv, status with spaces, statm beyond
 * 2^53, signed 64-bit stat fields, abbreviated UDP headers, md arrays in every state.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runningKernelUnits } from '../../src/procfs/auxv.ts';
import { ProcFS } from '../../src/procfs/fs.ts';
import { parseMDStat } from '../../src/procfs/mdstat.ts';
import { parseNetUDP, parseNetUDPSummary } from '../../src/procfs/net_udp.ts';
import { splitNul } from '../../src/procfs/proc_util.ts';
import { procFixtureText } from './fixtures.ts';

const root = fileURLToPath(new URL('../fixtures/procfs/odd-tree', import.meta.url));
const fs = new ProcFS(root);

describe('cmdline / environ: trailing NUL padding is trimmed', () => {
  it('a puma-style rewritten title gives one argument, not dozens of empty strings', () => {
    assert.deepEqual(fs.proc(100).cmdLine(), ['puma 6.4.0 (tcp://0.0.0.0:3000) [app]']);
    assert.deepEqual(fs.proc(100).environ(), ['RACK_ENV=production', 'PORT=3000']);
  });
  it('an Android-style title', () => {
    assert.deepEqual(fs.proc(101).cmdLine(), ['com.android.phone']);
  });
  it('the bulk scanner trims the same way', () => {
    const snaps = fs.processes({ fields: ['cmdline', 'environ'], pids: [100, 101] });
    assert.deepEqual(snaps[0]!.cmdline, ['puma 6.4.0 (tcp://0.0.0.0:3000) [app]']);
    assert.deepEqual(snaps[0]!.environ, ['RACK_ENV=production', 'PORT=3000']);
    assert.deepEqual(snaps[1]!.cmdline, ['com.android.phone']);
  });
  it('empty arguments between NULs are kept; only NULs gives none', () => {
    assert.deepEqual(splitNul('a\0\0b\0\0\0'), ['a', '', 'b']);
    assert.deepEqual(splitNul('\0\0\0'), []);
    assert.deepEqual(splitNul(''), []);
    assert.deepEqual(splitNul('x'), ['x']);
  });
});

describe('Proc.stat() without <mount>/self/auxv', () => {
  it("falls back to the running kernel's clock tick and page size", () => {
    const units = runningKernelUnits();
    const st = fs.proc(100).stat();
    assert.equal(st.clockTicksPerSecond, units.clockTicksPerSecond);
    assert.equal(st.pageSizeBytes, units.pageSizeBytes);
    assert.equal(st.rssBytes, 30000 * units.pageSizeBytes);
    assert.equal(st.startTime.getTime(), (1700000000 + 12000 / units.clockTicksPerSecond) * 1000);
    // and the running kernel's values are those of this process's own auxv
    const auxv = readFileSync('/proc/self/auxv');
    const dv = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
    const seen = new Map<number, number>();
    for (let off = 0; off + 16 <= auxv.length; off += 16) {
      seen.set(Number(dv.getBigUint64(off, true)), Number(dv.getBigUint64(off + 8, true)));
    }
    assert.equal(units.clockTicksPerSecond, seen.get(17));
    assert.equal(units.pageSizeBytes, seen.get(6));
  });
});

describe('tolerated formats', () => {
  it('status written with spaces instead of a tab', () => {
    const s = fs.proc(100).status();
    assert.equal(s.name, 'ruby');
    assert.equal(s.state, 'S');
    assert.equal(s.stateName, 'sleeping');
    assert.equal(s.umask, 0o22);
    assert.equal(s.tgid, 100);
    assert.equal(s.tracerPid, 0);
    assert.deepEqual(s.uids, [1000, 1000, 1000, 1000]);
    assert.deepEqual(s.gids, [1000, 1000, 1000, 1000]);
    assert.deepEqual(s.groups, [27, 1000]);
    assert.deepEqual(s.nsPid, [100]);
    assert.equal(s.vmPeak, 1200000 * 1024);
    assert.equal(s.vmRSS, 120000 * 1024);
    assert.equal(s.threads, 4);
    assert.deepEqual(s.sigQ, { queued: 0, limit: 31711 });
    assert.equal(s.sigPnd, 0n);
    assert.deepEqual(s.capEff?.names, []);
    assert.equal(s.voluntaryCtxtSwitches, 150);
    assert.equal(s.nonVoluntaryCtxtSwitches, 7);
    assert.deepEqual(s.unknown, {});
  });
  it('the kernel layout (one tab) beside it parses the same way', () => {
    const s = fs.proc(101).status();
    assert.equal(s.name, 'com.android.phone');
  });
  it('statm page counts above 2^53 are exact bigints; small ones stay numbers', () => {
    const m = fs.proc(100).statm();
    assert.equal(m.size, 18446744073709551615n);
    assert.equal(m.data, 9007199254740993n);
    assert.equal(m.resident, 30000);
    assert.equal(typeof m.resident, 'number');
  });
  it('signed stat fields read as signed 64-bit (no error at the limits)', () => {
    const st = fs.proc(101).rawStat();
    assert.equal(st.cutime, Number(-(2n ** 63n)), 'nearest double of -2^63');
    assert.equal(st.cstime, Number(2n ** 63n - 1n), 'nearest double of 2^63 - 1');
    assert.equal(st.priority, -100);
    assert.equal(st.nice, -20);
    assert.equal(st.tpgid, -1);
    assert.equal(st.exitSignal, -1);
    assert.equal(st.rtPriority, 99);
    assert.equal(st.cguestTime, -5);
    assert.equal(st.exitCode, 0);
  });
  it('an old kernel stat (41 fields) and status (SleepAVG, empty Groups)', () => {
    const st = fs.proc(102).rawStat();
    assert.equal(st.policy, 0);
    assert.equal(st.delayAcctBlkIOTicks, undefined);
    assert.equal(st.rsslim, 4294967295n);
    const s = fs.proc(102).status();
    assert.deepEqual(s.groups, []);
    assert.deepEqual(s.unknown, { SleepAVG: '98%' });
    assert.deepEqual(fs.proc(102).cmdLine(), ['oldd', '-d']);
  });
});

describe('/proc/net/udp{,6} with an abbreviated header', () => {
  it('rows still carry drops', () => {
    const rows = fs.netUDP();
    assert.deepEqual(
      rows.map((r) => r.drops),
      [0, 17, 25],
    );
    assert.equal(rows[1]!.localAddr, '127.0.0.1');
    assert.equal(rows[1]!.localPort, 8080);
    assert.deepEqual(fs.netUDP6()[0]!.drops, 3);
  });
  it('netUDPSummary sums drops (Go procfs NetUDPSummary.Drops)', () => {
    assert.deepEqual(fs.netUDPSummary(), { txQueueLength: 0x100, rxQueueLength: 0x200, usedSockets: 3, drops: 42 });
    assert.deepEqual(fs.netUDP6Summary(), { txQueueLength: 0, rxQueueLength: 0, usedSockets: 1, drops: 3 });
  });
  it('the full header of the captured tree gives the same drops', () => {
    const text = procFixtureText('proc/net/udp');
    const rows = parseNetUDP(text);
    const sum = parseNetUDPSummary(text);
    assert.equal(
      sum.drops,
      rows.reduce((a, r) => a + (r.drops ?? 0), 0),
    );
  });
  it('TCP summaries have no drops field', () => {
    assert.equal(
      'drops' in new ProcFS(fileURLToPath(new URL('../fixtures/procfs/proc', import.meta.url))).netTCPSummary(),
      false,
    );
  });
});

describe('mdstat: every array state', () => {
  const md = Object.fromEntries(fs.mdStat().map((m) => [m.name, m]));
  it('resync=DELAYED / PENDING / REMOTE: waiting, not synced', () => {
    for (const [name, why] of [
      ['md1', 'DELAYED'],
      ['md2', 'PENDING'],
      ['md3', 'REMOTE'],
    ] as const) {
      const a = md[name]!;
      assert.equal(a.activityState, 'resyncing', name);
      assert.equal(a.syncWaiting, why, name);
      assert.equal(a.blocksSynced, 0, name);
      assert.equal(a.blocksToBeSynced, a.blocksTotal, name);
      assert.equal(a.blocksSyncedPct, undefined, name);
    }
    assert.equal(md.md2!.readOnly, true);
  });
  it('inactive arrays: no active or total disks, every member a spare', () => {
    for (const name of ['md4', 'md5']) {
      const a = md[name]!;
      assert.equal(a.activityState, 'inactive');
      assert.equal(a.disksActive, 0);
      assert.equal(a.disksTotal, 0);
      assert.equal(a.disksSpare, a.devices.length);
      assert.ok(a.members.every((m) => m.role === 'spare'));
      assert.equal(a.level, undefined);
    }
    assert.equal(md.md4!.blocksTotal, 3139584);
    assert.equal(md.md5!.blocksTotal, 10402);
  });
  it('member roles: faulty, spare, write-mostly, journal, replacement, descriptor index', () => {
    assert.deepEqual(
      md.md6!.members.map((m) => [m.device, m.descriptorIndex, m.role]),
      [
        ['sdm1', 2, 'replacement'],
        ['sdl1', 0, 'active'],
        ['sdn1', 1, 'faulty'],
      ],
    );
    assert.equal(md.md7!.members[3]!.role, 'journal');
    assert.deepEqual(
      md.md8!.members.map((m) => [m.role, m.writeMostly, m.flags]),
      [
        ['active', false, ''],
        ['active', true, 'W'],
        ['spare', true, 'WS'],
      ],
    );
    assert.equal(md.md8!.disksSpare, 1);
    assert.equal(md.md9!.members[3]!.role, 'faulty');
  });
  it('blocks to be synced of a running sync', () => {
    assert.equal(md.md6!.activityState, 'recovering');
    assert.equal(md.md6!.blocksSynced, 193152);
    assert.equal(md.md6!.blocksToBeSynced, 1046528);
    assert.equal(md.md7!.activityState, 'reshaping');
    assert.equal(md.md7!.blocksToBeSynced, 1046528);
    assert.equal(md.md7!.blocksTotal, 2093056, 'a reshape covers a different count than the size');
    assert.equal(md.md8!.activityState, 'checking');
    assert.equal(md.md8!.blocksSyncedPct, 12);
  });
  it('degraded raid10, raid0 and linear', () => {
    assert.deepEqual([md.md9!.disksActive, md.md9!.disksTotal, md.md9!.disksDown, md.md9!.disksFailed], [3, 4, 1, 1]);
    assert.deepEqual([md.md10!.disksActive, md.md10!.disksTotal], [2, 2]);
    assert.equal(md.md11!.level, 'linear');
    assert.equal(md.md11!.blocksSynced, md.md11!.blocksTotal);
  });
  it('the Go procfs layouts of the captured tree: md9 resync=DELAYED, md11 resync=PENDING', () => {
    const by = Object.fromEntries(parseMDStat(procFixtureText('proc/mdstat')).map((m) => [m.name, m]));
    assert.equal(by.md9!.activityState, 'resyncing');
    assert.equal(by.md9!.blocksSynced, 0);
    assert.equal(by.md11!.syncWaiting, 'PENDING');
    assert.equal(by.md4!.disksActive, 0);
    assert.equal(by.md0!.blocksToBeSynced, 195310144);
  });
});

describe('a container process seen from the host', () => {
  it('nested PID namespaces, cgroup v2 root, default container capabilities, seccomp filter', () => {
    const p = fs.proc(103);
    const s = p.status();
    assert.equal(s.ppid, 0, 'the container runtime started it from outside the PID namespace');
    assert.deepEqual(s.nsTgid, [103, 1]);
    assert.deepEqual(s.nsPid, [103, 1]);
    assert.equal(s.seccomp, 2);
    assert.equal(s.seccompFilters, 1);
    assert.ok(s.capEff?.names.includes('CAP_NET_BIND_SERVICE'));
    assert.ok(!s.capEff?.names.includes('CAP_SYS_ADMIN'));
    assert.deepEqual(s.groups, []);
    assert.deepEqual(p.cgroups(), [{ hierarchyId: 0, controllers: [], path: '/' }]);
    assert.equal(p.stat().ppid, 0);
    assert.deepEqual(p.cmdLine(), ['node', 'server.js']);
  });
});
