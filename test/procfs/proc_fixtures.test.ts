/**
 * The per-process API on the fixture tree test/fixtures/procfs/proc: real
 * files captured from this kernel (self = a node process, 1, 2 = kthreadd,
 * 20920 = `sleep 1000` with a known environment) plus synthesized ones:
 * 4242 (odd names, NUL-separated cmdline/environ, missing optional files, NFS
 * mountstats, inotify/epoll fdinfo), 4243 (an old kernel's shorter formats,
 * unknown keys), 4244 (truncated and corrupted files).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NotFoundError, ParseError } from '../../src/errors.ts';
import { ProcFS } from '../../src/procfs/fs.ts';
import { inotifyWatchLen } from '../../src/procfs/proc_fdinfo.ts';
import { decodeCapabilities, totalCtxtSwitches } from '../../src/procfs/proc_status.ts';
import { cgroupfsFixtureRoot, procFixtureRoot as root } from './fixtures.ts';

const fs = new ProcFS(root);
const SELF = 20881;
const SLEEP = 20920;
const btime = Number(/\nbtime (\d+)/.exec(readFileSync(`${root}/stat`, 'utf8'))![1]);

describe('fixture tree: real files from this kernel', () => {
  it('self() follows the self symlink and reads stat with units from auxv', () => {
    const p = fs.self();
    assert.equal(p.pid, SELF);
    const st = p.stat();
    assert.equal(st.pid, SELF);
    assert.equal(st.comm, 'node');
    assert.equal(st.ppid, 20816);
    assert.equal(st.numThreads, 12);
    assert.equal(st.clockTicksPerSecond, 100);
    assert.equal(st.pageSizeBytes, 4096);
    assert.equal(st.rssBytes, st.rss * 4096);
    assert.equal(st.vsizeBytes, st.vsize);
    assert.equal(st.rsslim, 2n ** 64n - 1n);
    assert.equal(st.cpuTimeSeconds(), (st.utime + st.stime) / 100);
    assert.equal(st.startTime.getTime(), (btime + st.starttime / 100) * 1000);
    assert.equal(st.exitCode, 0);
    assert.equal(st.extra, undefined);
  });

  it('status: every field of this kernel, capabilities decoded, nothing unknown', () => {
    const s = fs.proc(SELF).status();
    assert.equal(s.name, 'node');
    assert.equal(s.pid, SELF);
    assert.equal(s.tgid, SELF);
    assert.deepEqual(s.uids, [0, 0, 0, 0]);
    assert.deepEqual(s.nsPid, [SELF]);
    assert.equal(s.vmRSS, 75320 * 1024);
    assert.equal(s.threads, 12);
    assert.equal(s.umask, 0o22);
    assert.equal(s.kthread, false);
    assert.equal(s.capEff?.mask, 0x1fffeffffffn);
    assert.ok(s.capEff?.names.includes('CAP_SYS_ADMIN'));
    assert.ok(!s.capEff?.names.includes('CAP_SYS_RESOURCE'), 'bit 24 is clear in 0x1fffeffffff');
    assert.equal(s.capEff?.names.length, 40);
    assert.deepEqual(s.capAmb?.names, []);
    assert.deepEqual(s.unknown, {}, 'every key of this kernel is known');
    assert.equal(
      totalCtxtSwitches(s),
      (s.voluntaryCtxtSwitches ?? Number.NaN) + (s.nonVoluntaryCtxtSwitches ?? Number.NaN),
    );
    const stat = fs.proc(SELF).stat();
    assert.equal(s.ppid, stat.ppid);
  });

  it('kernel thread: empty cmdline, no memory lines, Kthread: 1', () => {
    const p = fs.proc(2);
    assert.deepEqual(p.cmdLine(), []);
    const s = p.status();
    assert.equal(s.name, 'kthreadd');
    assert.equal(s.kthread, true);
    assert.equal(s.vmRSS, undefined);
    assert.equal('vmRSS' in s, false, 'absent, not zero');
    assert.equal(p.stat().rss, 0);
  });

  it('spawned sleep: cmdline, environ, comm, namespaces, fds', () => {
    const p = fs.proc(SLEEP);
    assert.deepEqual(p.cmdLine(), ['sleep', '1000']);
    assert.deepEqual(p.environ(), ['RG_FIXTURE=a b', 'EMPTY=']);
    assert.equal(p.comm(), 'sleep');
    assert.equal(p.stat().ppid, SELF);
    const ns = p.namespaces();
    assert.equal(ns.net?.type, 'net');
    assert.equal(ns.net?.inode, 4026531833);
    const fds = p.fileDescriptors();
    assert.deepEqual(fds.slice(0, 3), [0, 1, 2]);
    assert.equal(p.fileDescriptorsLen(), fds.length, 'a fixture tree is not procfs: counted by readdir');
    assert.equal(p.fileDescriptorTargets()[0], '/dev/null');
    const infos = p.fileDescriptorsInfo();
    assert.equal(infos.length, fds.length);
    assert.equal(infos[0]?.fd, 0);
    assert.equal(typeof infos[0]?.mntId, 'number');
    assert.equal(p.executable(), '/usr/bin/sleep');
  });

  it('io, limits, schedstat, statm, maps, smaps_rollup, mountinfo, cgroup, wchan, oom_score', () => {
    const p = fs.proc(SELF);
    const io = p.io();
    assert.equal(typeof io.rchar, 'bigint');
    assert.equal(typeof io.syscr, 'number');
    const lim = p.limits();
    assert.deepEqual(lim.openFiles, { soft: 20000, hard: 20000, unit: 'files' });
    assert.equal(lim.cpuTime.soft, Number.POSITIVE_INFINITY);
    assert.deepEqual(lim.nicePriority, { soft: 0, hard: 0 });
    assert.deepEqual(lim.unknown, {});
    const sched = p.schedstat();
    assert.ok(sched.runningNanoseconds > 0n);
    const statm = p.statm();
    // read moments apart by the capture, so close rather than equal
    assert.ok(Math.abs(Number(statm.resident) - p.stat().rss) < 1000, 'statm resident ≈ stat rss');
    assert.ok(statm.size > statm.resident);
    const maps = p.procMaps();
    assert.ok(maps.length > 10);
    assert.ok(maps.some((m) => m.pathname === '[stack]' && m.perms.write && m.perms.private));
    assert.ok(maps.every((m) => m.endAddr > m.startAddr));
    const roll = p.procSMapsRollup();
    assert.ok(roll.rss > 0 && roll.pss > 0 && roll.pss <= roll.rss);
    assert.equal(typeof roll.other.KSM, 'number');
    const mounts = p.mountInfo();
    const rootMount = mounts.find((m) => m.mountPoint === '/');
    assert.equal(rootMount?.fsType, 'ext4');
    assert.equal(rootMount?.options.rw, '');
    assert.ok(mounts.some((m) => m.fsType === 'cgroup2'));
    const cg = p.cgroups();
    assert.deepEqual(cg.at(-1), { hierarchyId: 0, controllers: [], path: '/' });
    assert.ok(cg.some((c) => c.controllers.includes('name=systemd')));
    assert.equal(typeof p.wchan(), 'string');
    assert.ok(p.oomScore() >= 0);
    assert.ok(p.mountStats().some((m) => m.type === 'proc' && m.stats === undefined));
  });

  it('threads: task/* each with the per-process API', () => {
    const ts = fs.proc(SELF).threads();
    assert.equal(ts.length, 3);
    assert.equal(ts[0]?.pid, SELF);
    for (const t of ts) {
      const st = t.stat();
      assert.equal(st.pid, t.pid);
      assert.equal(t.status().tgid, SELF);
    }
    assert.throws(() => fs.proc(SELF).thread(1), NotFoundError);
  });

  it('allProcs, pids and processes() cover every pid directory once', () => {
    assert.deepEqual(fs.pids(), [1, 2, 4242, 4243, 4244, SELF, SLEEP]);
    assert.deepEqual(
      fs.allProcs().map((p) => p.pid),
      fs.pids(),
    );
    const snaps = fs.processes({ fields: ['stat', 'status', 'cmdline', 'io'] });
    assert.deepEqual(
      snaps.map((s) => s.pid),
      fs.pids(),
    );
    const bad = snaps.find((s) => s.pid === 4244)!;
    assert.ok(bad.errors?.stat instanceof ParseError);
    assert.ok(bad.errors?.status instanceof ParseError);
    assert.deepEqual(bad.cmdline, ['ok']);
    const init = snaps.find((s) => s.pid === 1)!;
    assert.ok(init.errors?.io instanceof NotFoundError, 'a missing file is recorded on the field');
    assert.equal(init.stat?.pid, 1);
    assert.equal(snaps.find((s) => s.pid === SLEEP)?.status?.name, 'sleep');
  });

  it('processesAsync yields between slices and returns the same processes', async () => {
    const a = await fs.processesAsync({ fields: ['stat', 'comm'] }, 2);
    assert.deepEqual(
      a.map((s) => s.pid),
      fs.pids(),
    );
    assert.equal(a.find((s) => s.pid === 4242)?.comm, 'a) (b c)\nd');
    assert.throws(() => fs.processes({ fields: ['nope' as 'stat'] }), /unknown process field "nope"/);
  });

  it('a kept-open scanner never keeps more than maxOpenFds descriptors', () => {
    const sc = fs.processScanner({ fields: ['stat', 'status', 'cmdline'], keepOpen: true, maxOpenFds: 4 });
    try {
      const a = sc.scan();
      assert.equal(sc.openDescriptors, 4);
      const b = sc.scan();
      assert.deepEqual(
        b.map((s) => [s.pid, s.stat?.comm]),
        a.map((s) => [s.pid, s.stat?.comm]),
        'same results with kept and per-read descriptors',
      );
      assert.equal(sc.openDescriptors, 4);
    } finally {
      sc.close();
    }
    assert.equal(sc.openDescriptors, 0);
  });

  it('proc(pid) of a missing or invalid pid throws NotFoundError', () => {
    assert.throws(() => fs.proc(77777), NotFoundError);
    assert.throws(() => fs.proc(-1), NotFoundError);
    assert.throws(() => fs.proc(1.5), NotFoundError);
  });
});

describe('fixture tree: synthesized odd files', () => {
  it('comm with spaces, parentheses and a newline (stat, status, comm)', () => {
    const p = fs.proc(4242);
    assert.equal(p.rawStat().comm, 'a) (b c)\nd');
    assert.equal(p.rawStat().state, 'S');
    assert.equal(p.status().name, 'a) (b c)\nd', 'status escapes \\n; unescaped');
    assert.equal(p.comm(), 'a) (b c)\nd');
  });

  it('NUL-separated cmdline and environ keep empty and spaced arguments', () => {
    const p = fs.proc(4242);
    assert.deepEqual(p.cmdLine(), ['/bin/odd prog', '', '--flag=x y']);
    assert.deepEqual(p.environ(), ['A=1', 'B=two words', 'EMPTY=']);
    assert.equal(p.executable(), '/usr/bin/odd prog (deleted)');
  });

  it('missing optional files: NotFoundError (not ProcessGoneError), smaps fallback', () => {
    const p = fs.proc(4242);
    assert.throws(
      () => p.io(),
      (e) => e instanceof NotFoundError && e.name === 'NotFoundError',
    );
    assert.throws(() => p.limits(), NotFoundError);
    const roll = p.procSMapsRollup();
    assert.equal(roll.rss, 20 * 1024);
    assert.equal(roll.pss, 16 * 1024);
    assert.equal(roll.swap, 4 * 1024);
    assert.equal(roll.other.Locked, 0);
    assert.equal(roll.pssAnon, undefined);
  });

  it('maps: paths with spaces, shared mappings, vsyscall', () => {
    const maps = fs.proc(4242).procMaps();
    assert.equal(maps.length, 5);
    assert.equal(maps[2]?.pathname, '/dev/shm/name with spaces (deleted)');
    assert.equal(maps[2]?.perms.shared, true);
    assert.equal(maps[4]?.startAddr, 0xffffffffff600000n);
    assert.equal(maps[0]?.devMajor, 0xfe);
    assert.equal(maps[0]?.inode, 1234n);
  });

  it('mountinfo: octal escapes, optional fields', () => {
    const m = fs.proc(4242).mountInfo();
    assert.deepEqual(m[1]?.optionalFields, { shared: '1', master: '2', unbindable: '' });
    assert.equal(m[2]?.root, '/sub dir');
    assert.equal(m[2]?.mountPoint, '/mnt/with space\ttab');
    assert.equal(m[2]?.source, 'my\\source');
    assert.deepEqual(m[2]?.superOptions, { rw: '', size: '4k', mode: '755' });
    assert.equal(m[2]?.majorMinorVer, '0:50');
  });

  it('mountstats: NFS v4 over tcp and v3 over udp', () => {
    const ms = fs.proc(4242).mountStats();
    assert.equal(ms.length, 3);
    const nfs = ms[1]!;
    assert.equal(nfs.type, 'nfs4');
    assert.equal(nfs.stats?.statVersion, '1.1');
    assert.equal(nfs.stats?.ageSeconds, 13968);
    assert.equal(nfs.stats?.opts.vers, '4.1');
    assert.equal(nfs.stats?.bytes?.read, 1207640230n);
    assert.equal(nfs.stats?.events?.vfsOpen, 1n);
    assert.equal(nfs.stats?.events?.vfsAccess, 398n);
    assert.equal(nfs.stats?.transport[0]?.protocol, 'tcp');
    assert.equal(nfs.stats?.transport[0]?.sends, 6428n);
    assert.equal(nfs.stats?.transport[0]?.cumulativePendingQueue, 5726n);
    const access = nfs.stats?.operations.find((o) => o.operation === 'ACCESS');
    assert.equal(access?.cumulativeQueueMilliseconds, 18446743919241604546n);
    assert.equal(access?.errors, 2n);
    assert.equal(nfs.stats?.other.caps, 'caps=0xfff7,wtmult=512,dtsize=32768,bsize=0,namlen=255');
    const udp = ms[2]!.stats!;
    assert.equal(udp.transport[0]?.protocol, 'udp');
    assert.equal(udp.transport[0]?.sends, 2n);
    assert.equal(udp.transport[0]?.connect, 0n);
    assert.equal(udp.operations[0]?.errors, undefined, 'statvers 1.0: no errors column');
  });

  it('fdinfo: inotify watches, epoll targets, eventfd fields', () => {
    const p = fs.proc(4242);
    const infos = p.fileDescriptorsInfo();
    assert.equal(infos.length, 3);
    assert.equal(inotifyWatchLen(infos), 2);
    assert.deepEqual(infos[0]?.inotifyInfos[1], { wd: '2', ino: 'a111', sdev: '800013', mask: '800afce' });
    assert.equal(infos[0]?.flags, 0o2000000);
    assert.equal(infos[1]?.lines.length, 1);
    assert.match(infos[1]?.lines[0] ?? '', /^tfd:/);
    assert.equal(infos[2]?.fields['eventfd-count']?.trim(), '0');
    assert.equal(p.fdInfo('5').ino, 1057n);
  });

  it('old kernel formats: 44-field stat, status without newer keys, unknown keys kept', () => {
    const p = fs.proc(4243);
    const st = p.rawStat();
    assert.equal(st.cguestTime, 0);
    assert.equal(st.startData, undefined);
    assert.equal('exitCode' in st, false);
    assert.equal(st.wchan, 18446744071579000000n);
    const s = p.status();
    assert.equal(s.umask, undefined);
    assert.equal(s.nsPid, undefined);
    assert.equal(s.vmPMD, 12 * 1024);
    assert.deepEqual(s.groups, [100, 101]);
    assert.deepEqual(s.unknown, { Future_key: 'some value' });
    assert.equal(s.capBnd?.names.length, 64);
    assert.ok(s.capBnd?.names.includes('CAP_63'));
    assert.deepEqual(s.sigQ, { queued: 0, limit: 1024 });
    const io = p.io();
    assert.equal(io.rchar, 2n ** 64n - 1n, 'u64 beyond 2^53 exactly');
    assert.equal(io.wchar, 9007199254740993n);
    assert.deepEqual(io.unknown, { future_counter: '5' });
    const lim = p.limits();
    assert.deepEqual(lim.processes, { soft: 1024, hard: 2048, unit: 'processes' });
    assert.deepEqual(lim.unknown['Max future thing'], { soft: 5, hard: 6, unit: 'widgets' });
    assert.equal(p.schedstat().runningNanoseconds, 2n ** 64n - 1n);
    assert.deepEqual(p.cgroups()[1], { hierarchyId: 3, controllers: ['cpu', 'cpuacct'], path: '/user/1000' });
    assert.deepEqual(p.cmdLine(), []);
  });

  it('corrupted and truncated files: ParseError naming file, line and text', () => {
    const p = fs.proc(4244);
    const check = (f: () => unknown, file: string) =>
      assert.throws(f, (e) => {
        assert.ok(e instanceof ParseError, `${file}: ${e}`);
        assert.ok(e.file.endsWith(file), `${e.file} should end with ${file}`);
        assert.ok(e.message.includes(file));
        return true;
      });
    check(() => p.rawStat(), '4244/stat');
    check(() => p.status(), '4244/status');
    check(() => p.io(), '4244/io');
    check(() => p.limits(), '4244/limits');
    check(() => p.schedstat(), '4244/schedstat');
    check(() => p.statm(), '4244/statm');
    check(() => p.cgroups(), '4244/cgroup');
    check(() => p.mountInfo(), '4244/mountinfo');
    check(() => p.procMaps(), '4244/maps');
    check(() => p.procSMapsRollup(), '4244/smaps_rollup');
    check(() => p.mountStats(), '4244/mountstats');
    check(() => p.oomScore(), '4244/oom_score');
    check(() => p.fdInfo(0), '4244/fdinfo/0');
    check(() => p.namespaces(), '4244/ns/net');
    assert.throws(
      () => p.status(),
      (e) => e instanceof ParseError && e.line === 3 && e.text === 'Tgid:\tnot-a-number',
    );
  });

  it("cgroup v2 statistics of the process's cgroup (fixture cgroupfs)", () => {
    const st = fs.proc(4242).cgroupStats({ mountPrefix: cgroupfsFixtureRoot });
    assert.deepEqual(st.errors, {});
    assert.equal(st.v1, undefined, 'no v1 hierarchy in this mount table');
    const v2 = st.v2!;
    assert.ok(v2.dir.endsWith('/sys/fs/cgroup/unified/system.slice/odd:name.service'));
    assert.equal(v2.cpuStat?.usage_usec, 71092817n);
    assert.equal(v2.memoryCurrentBytes, 68677632n);
    assert.equal(v2.memoryMaxBytes, 'max');
    assert.equal(v2.memoryPeakBytes, 238002176n);
    assert.equal(v2.memoryStat?.anon, 62832640n);
    assert.equal(v2.ioStat?.length, 2);
    assert.deepEqual(v2.ioStat?.[0]?.counters.wbytes, 2n ** 64n - 1n);
    assert.equal(v2.ioStat?.[1]?.major, 8);
    assert.equal(v2.pidsCurrent, 3n);
    assert.equal(v2.pidsMax, 4915n);
  });

  it('cgroup v1 statistics: memory, cpu+cpuacct, pids (mount root stripped); a corrupt file is recorded', () => {
    const st = fs.proc(4243).cgroupStats({ mountPrefix: cgroupfsFixtureRoot });
    assert.equal(st.v2, undefined);
    const v1 = st.v1!;
    assert.equal(v1.memory?.usageBytes, 9437184n);
    assert.equal(v1.memory?.limitBytes, 9223372036854771712n);
    assert.equal(v1.memory?.stat, undefined, 'memory.stat has a broken line');
    const errs = Object.entries(st.errors);
    assert.equal(errs.length, 1);
    assert.ok(errs[0]![0].endsWith('memory/user/1000/memory.stat'));
    assert.match(errs[0]![1], /cannot parse .*line 3/);
    assert.equal(v1.cpuacct?.usageNs, 123456789012n);
    assert.deepEqual(v1.cpuacct?.stat, { user: 1000n, system: 234n });
    assert.equal(v1.cpu?.cfsQuotaMicros, -1);
    assert.equal(v1.cpu?.cfsPeriodMicros, 100000);
    assert.ok(v1.pids?.dir.endsWith('/sys/fs/cgroup/pids/1000'));
    assert.equal(v1.pids?.current, 7n);
    assert.equal(v1.pids?.max, 'max');
  });

  it('whole-file reads: a 300 KiB cmdline is read entirely by Proc and by the scanner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-proc-big-'));
    try {
      mkdirSync(join(dir, '777'));
      const args = Array.from({ length: 3000 }, (_, i) => `arg-${i}-${'x'.repeat(90)}`);
      writeFileSync(join(dir, '777', 'cmdline'), `${args.join('\0')}\0`);
      writeFileSync(join(dir, '777', 'stat'), readFileSync(join(root, String(SLEEP), 'stat')));
      const big = new ProcFS(dir);
      assert.deepEqual(big.proc(777).cmdLine(), args);
      const [snap] = big.processes({ fields: ['cmdline', 'stat'] });
      assert.equal(snap?.cmdline?.length, 3000);
      assert.equal(snap?.cmdline?.[2999], args[2999]);
      assert.equal(snap?.stat?.comm, 'sleep', 'the grown buffer still reads the next file');
      const kept = big.processScanner({ fields: ['cmdline'], keepOpen: true });
      assert.deepEqual(kept.scan()[0]?.cmdline, args);
      assert.deepEqual(kept.scan()[0]?.cmdline, args, 'pread of a kept descriptor from offset 0');
      kept.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decodeCapabilities names every bit', () => {
    assert.deepEqual(decodeCapabilities(0n), []);
    assert.deepEqual(decodeCapabilities(1n | (1n << 21n)), ['CAP_CHOWN', 'CAP_SYS_ADMIN']);
    assert.deepEqual(decodeCapabilities(1n << 40n), ['CAP_CHECKPOINT_RESTORE']);
    assert.deepEqual(decodeCapabilities(1n << 41n), ['CAP_41']);
  });
});
