/**
 * Live tests of the system-wide readers against this kernel, cross-checking values the kernel
 * exposes twice (meminfo vs sysinfo via os.totalmem, loadavg vs os.loadavg, /proc/stat vs os.cpus,
 * uptime vs os.uptime, sysctl vs the file, /proc/stat intr/softirq vs /proc/interrupts and
 * /proc/softirqs, buddyinfo vs zoneinfo vs meminfo) and counters that must move after what the
 * test does (loopback bytes, sockstat TCP inuse in a private network namespace, page faults).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NotSupportedError } from '../../src/errors.ts';
import { cpuStatSeconds, ProcFS, readKernelUnits } from '../../src/procfs/index.ts';
import { needNetns, needRoot, runInNetns } from '../helpers/env.ts';

const fs = new ProcFS();

describe('system readers live', () => {
  test('meminfo MemTotal equals sysinfo totalram (os.totalmem)', () => {
    assert.equal(fs.meminfo().memTotalBytes, os.totalmem());
  });
  test('loadavg equals sysinfo loads (os.loadavg) to the printed precision', () => {
    let last = '';
    for (let i = 0; i < 5; i++) {
      const a = fs.loadAvg();
      const b = os.loadavg();
      const c = fs.loadAvg();
      if (a.load1 === c.load1) {
        assert.ok(Math.abs(a.load1 - b[0]!) < 0.011, `${a.load1} vs ${b[0]}`);
        assert.ok(Math.abs(a.load5 - b[1]!) < 0.011);
        assert.ok(Math.abs(a.load15 - b[2]!) < 0.011);
        return;
      }
      last = `${a.load1} ${c.load1}`;
    }
    assert.fail(`load average kept changing: ${last}`);
  });
  test('CPUs: /proc/stat, cpuinfo, softnet_stat and os.cpus agree', () => {
    const n = os.cpus().length;
    assert.equal(fs.stat().cpu.length, n);
    assert.equal(fs.cpuInfo().length, n);
    assert.equal(fs.netSoftnetStat().length, n);
    assert.equal(fs.softirqs().cpus.length, n);
  });
  test('uptime equals os.uptime, boot time + uptime is now', () => {
    const u = fs.uptime();
    assert.ok(Math.abs(u.uptimeSeconds - os.uptime()) < 2, `${u.uptimeSeconds} vs ${os.uptime()}`);
    const boot = fs.stat().bootTime;
    assert.ok(Math.abs(boot + u.uptimeSeconds - Date.now() / 1000) < 3);
  });
  test('idle time: /proc/stat idle ticks / AT_CLKTCK equals /proc/uptime idle seconds', () => {
    const hz = readKernelUnits(fs).clockTicksPerSecond;
    const u = fs.uptime();
    const idle = cpuStatSeconds(fs.stat().cpuTotal, hz).idleSeconds;
    // both sum get_idle_time() over CPUs; allow the few ticks between the two reads
    assert.ok(Math.abs(idle - u.idleSeconds) < 0.5 * os.cpus().length, `${idle} vs ${u.idleSeconds}`);
  });
  test('sysctl equals the file; hung task count where present', () => {
    for (const name of ['net.core.somaxconn', 'kernel.pid_max', 'vm.swappiness', 'fs.file-max']) {
      const s = fs.sysctl(name);
      const text = readFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8').trim();
      assert.equal(String(s.value), text, name);
    }
    assert.deepEqual(
      fs.sysctl('net.ipv4.tcp_rmem').value,
      readFileSync('/proc/sys/net/ipv4/tcp_rmem', 'utf8').trim().split(/\s+/).map(Number),
    );
    assert.equal(fs.vm().swappiness, fs.sysctl('vm.swappiness').value);
    try {
      assert.equal(fs.hungTaskDetectCount(), fs.sysctl('kernel.hung_task_detect_count').value);
    } catch (err) {
      assert.ok(err instanceof NotSupportedError);
    }
  });
  test('/proc/stat totals never exceed the per-CPU files read after them', () => {
    const st = fs.stat();
    const si = fs.softirqs();
    const irq = fs.interrupts();
    const sum = (k: string) => (si.counts[k] ?? []).reduce((a, b) => a + b, 0);
    assert.ok(st.softIRQ);
    assert.ok(st.softIRQ.timer <= sum('TIMER') && sum('TIMER') > 0);
    assert.ok(st.softIRQ.netRx <= sum('NET_RX'));
    assert.ok(st.softIRQ.rcu <= sum('RCU'));
    let checked = 0;
    for (const row of irq.rows) {
      if (!/^\d+$/.test(row.irq)) continue;
      const before = st.irq[Number(row.irq)];
      if (before === undefined) continue;
      assert.ok(before <= row.total, `IRQ ${row.irq}: ${before} > ${row.total}`);
      if (before > 0) checked++;
    }
    assert.ok(checked > 0, 'some numbered IRQ fired');
  });
  test('free pages: buddyinfo, zoneinfo and vmstat agree within 5 %, MemFree covers them', () => {
    const buddy = fs.buddyInfo().reduce((a, z) => a + z.sizes.reduce((s, n, order) => s + n * 2 ** order, 0), 0);
    const zone = fs.zoneinfo().reduce((a, z) => a + (z.nrFreePages ?? 0), 0);
    const vm = fs.vmstat().nr_free_pages!;
    const mem = fs.meminfo().memFree! * 1024;
    assert.ok(Math.abs(buddy - zone) / zone < 0.05, `buddy ${buddy} vs zone ${zone} pages`);
    assert.ok(Math.abs(vm - zone) / zone < 0.05, `vmstat ${vm} vs zone ${zone} pages`);
    // MemFree also counts memory not yet handed to the buddy allocator (deferred/lazy init)
    const page = readKernelUnits(fs).pageSizeBytes;
    assert.ok(zone * page <= mem * 1.05, `zone ${zone * page} vs meminfo ${mem}`);
  });
  test('vmstat pgfault grows when the test touches fresh memory', () => {
    const before = fs.vmstat().pgfault!;
    const b = Buffer.allocUnsafeSlow(64 * 1024 * 1024);
    for (let i = 0; i < b.length; i += 4096) b[i] = 1;
    const after = fs.vmstat().pgfault!;
    // at least one fault per 2 MiB even when transparent huge pages back the buffer
    assert.ok(after - before >= 32, `pgfault grew by ${after - before}`);
  });
  test('pressure totals only grow', () => {
    const a = fs.pressure();
    const b = fs.pressure();
    for (const r of ['cpu', 'memory', 'io'] as const) {
      assert.ok(a[r]?.some && b[r]?.some, r);
      assert.ok(b[r].some.totalMicros >= a[r].some.totalMicros, r);
    }
  });
  test('file-nr: allocated handles below the maximum, maximum equals fs.file-max', () => {
    const f = fs.fileNr();
    assert.ok(f.allocated > 0 && BigInt(f.allocated) <= f.max);
    assert.equal(f.max, BigInt(String(fs.sysctl('fs.file-max').value)));
  });
  test('root-only and optional files: slabinfo, schedstat, mdstat', (t) => {
    for (const fn of [() => fs.schedstat(), () => fs.mdStat(), () => fs.fscacheinfo(), () => fs.ipvsStats()]) {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof NotSupportedError, String(err));
      }
    }
    if (needRoot(t)) return;
    const s = fs.slabInfo();
    assert.ok(s.slabs.some((x) => x.name.startsWith('kmalloc-')));
  });
  test('sockets in a private network namespace: sockstat, tcp, udp, unix, lo bytes', async (t) => {
    if (needNetns(t)) return;
    const script = fileURLToPath(new URL('./scripts/sys_sockets_netns.ts', import.meta.url));
    const r = await runInNetns(script, [], 60_000);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
    // 3 listeners + client + accepted socket on IPv4; the IPv6 listener counts in TCP6
    assert.equal(o.after.tcp - o.before.tcp, 5);
    assert.equal(o.after.tcp6 - o.before.tcp6, 1);
    assert.equal(o.after.udp - o.before.udp, 1);
    for (const p of o.listenerPorts)
      assert.ok(o.tcpListeners.some((l: [string, number]) => l[0] === '127.0.0.1' && l[1] === p));
    assert.ok(o.tcp6Listeners.some((l: [string, number]) => l[0] === '::1' && l[1] === o.port6));
    const held = o.held.find((h: { local: number }) => h.local === o.listenerPorts[0]);
    assert.ok(held && held.rx > 0, 'the accepted side holds unread bytes');
    assert.equal(o.after.tcpSummary.usedSockets, o.after.tcpRows);
    assert.ok(o.after.tcpSummary.rxQueueLength >= held.rx);
    assert.ok(o.udp.some((u: [string, number]) => u[0] === '127.0.0.1' && u[1] === o.udpPort));
    assert.equal(o.unix, 1);
    assert.equal(held.rx, 50_000, 'all 50000 bytes sit unread in the receive queue');
    // a fresh namespace's loopback carried only our traffic: at least the 50000 payload bytes
    const rx = BigInt(o.after.loRx) - BigInt(o.before.loRx);
    assert.ok(rx >= 50_000n && rx < 200_000n, `lo rx grew by ${rx}`);
    assert.equal(BigInt(o.after.loRx) - BigInt(o.before.loRx), BigInt(o.after.loTx) - BigInt(o.before.loTx));
  });
});
