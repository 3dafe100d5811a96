/**
 * Live tests of TaskstatsClient against this kernel (root; exit events need
 * the initial network namespace, so nothing here runs in a netns).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, ProcessGoneError } from '../../src/errors.ts';
import { parseProcPidSchedstat } from '../../src/procfs/proc_io.ts';
import {
  decodeExitStatus,
  delayAccounting,
  procDelayStats,
  setDelayAccounting,
  TaskstatsClient,
  type TaskstatsEntry,
  type TaskstatsExitEvent,
  type TaskstatsExitRecord,
  taskstatsNamespaceProblem,
} from '../../src/taskstats/index.ts';
import { needNetns, needRoot, runCapture, runInNetns } from '../helpers/env.ts';

function schedstat(pid: number, tid = pid) {
  const s = parseProcPidSchedstat(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8'));
  return {
    cpuRunVirtualTotal: s.runningNanoseconds,
    cpuDelayTotal: s.waitingNanoseconds,
    cpuCount: BigInt(s.runTimeslices),
  };
}

async function withClient<T>(fn: (c: TaskstatsClient) => Promise<T>, options = {}): Promise<T> {
  const c = await TaskstatsClient.open(options);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

function killQuietly(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function firstLine(child: ChildProcess): Promise<string> {
  let buf = '';
  for await (const chunk of child.stdout!) {
    buf += chunk;
    const i = buf.indexOf('\n');
    if (i >= 0) return buf.slice(0, i);
  }
  throw new Error('child closed stdout without a line');
}

function procState(pid: number): string {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
}

/** Collect exit records until `done` returns true or `timeoutMs` passes. */
async function collectExits(
  c: TaskstatsClient,
  done: (all: TaskstatsExitEvent[]) => boolean,
  timeoutMs: number,
): Promise<TaskstatsExitEvent[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const all: TaskstatsExitEvent[] = [];
  try {
    for await (const ev of c.exits({ signal: ac.signal })) {
      all.push(ev);
      if (done(all)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return all;
}

test('query self: pid and tgid records agree with /proc', async (t) => {
  if (needRoot(t)) return;
  await withClient(async (c) => {
    assert.ok(c.familyId >= 0x10, `dynamic family id ${c.familyId}`);
    const before = schedstat(process.pid);
    const r = await c.pidStats(process.pid);
    const after = schedstat(process.pid);
    assert.equal(r.version >= 8, true);
    assert.equal(r.acPid, process.pid);
    assert.equal(r.acTgid ?? process.pid, process.pid);
    assert.equal(r.acComm, readFileSync('/proc/self/comm', 'utf8').trim());
    assert.equal(r.acUid, process.getuid!());
    assert.equal(r.acPpid, process.ppid);
    assert.equal(r.acExitcode, 0);
    assert.ok(r.cpuRunVirtualTotal >= before.cpuRunVirtualTotal && r.cpuRunVirtualTotal <= after.cpuRunVirtualTotal);
    assert.ok(r.cpuDelayTotal >= before.cpuDelayTotal && r.cpuDelayTotal <= after.cpuDelayTotal);
    assert.ok(r.cpuCount >= before.cpuCount && r.cpuCount <= after.cpuCount);
    const sync = c.pidStatsSync(process.pid);
    assert.ok(sync.cpuRunVirtualTotal >= r.cpuRunVirtualTotal);
    const g = await c.tgidStats(process.pid);
    assert.ok(g.cpuRunVirtualTotal >= r.cpuRunVirtualTotal, 'the group includes the main thread');
    assert.equal(g.acPid, 0, 'TGID queries of live processes leave ac_pid 0');
    const gs = c.tgidStatsSync(process.pid);
    assert.ok(gs.cpuRunVirtualTotal >= g.cpuRunVirtualTotal);
  });
});

test('query a child: command, parent, and exact /proc fallback figures for an idle task', async (t) => {
  if (needRoot(t)) return;
  const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
  try {
    await once(child, 'spawn');
    await delay(100);
    await withClient(async (c) => {
      const r = await c.pidStats(child.pid!);
      assert.equal(r.acComm, 'sleep');
      assert.equal(r.acPpid, process.pid);
      assert.equal(r.acPid, child.pid);
      const p = procDelayStats(child.pid!);
      assert.equal(p.cpuDelayTotal, r.cpuDelayTotal, 'schedstat run_delay = cpu_delay_total');
      assert.equal(p.cpuRunVirtualTotal, r.cpuRunVirtualTotal);
      assert.equal(p.cpuCount, r.cpuCount);
      assert.ok(p.io);
      assert.equal(p.io.readChar & ~1023n, r.readChar, 'taskstats rounds I/O down to 1 KiB; /proc is exact');
      assert.equal(p.io.writeChar & ~1023n, r.writeChar);
      assert.equal(p.io.readSyscalls & ~1023n, r.readSyscalls);
    });
  } finally {
    killQuietly(child);
  }
});

test('query zombies: exit status visible until reaped', async (t) => {
  if (needRoot(t)) return;
  // perl (perl-base is always there) forks two children and never waits for them: they stay zombies
  const holder = spawn(
    'perl',
    ['-e', '$|=1; my $a=fork(); if(!$a){exit 5} my $b=fork(); if(!$b){sleep 30; exit 0} print "$a\\n$b\\n"; sleep 30'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    let text = '';
    for await (const chunk of holder.stdout!) {
      text += chunk;
      if (text.split('\n').length > 2) break;
    }
    const [exited, sleeper] = text.trim().split('\n').map(Number);
    assert.ok(exited && sleeper);
    process.kill(sleeper, 'SIGTERM');
    for (let i = 0; i < 50 && !(procState(exited) === 'Z' && procState(sleeper) === 'Z'); i++) await delay(20);
    assert.equal(procState(exited), 'Z');
    assert.equal(procState(sleeper), 'Z');
    await withClient(async (c) => {
      const z = await c.pidStats(exited);
      assert.deepEqual([decodeExitStatus(z.acExitcode).kind, decodeExitStatus(z.acExitcode).exitCode], ['exited', 5]);
      const k = await c.pidStats(sleeper);
      const s = decodeExitStatus(k.acExitcode);
      assert.deepEqual([s.kind, s.signal, s.signalName], ['signaled', 15, 'SIGTERM']);
      assert.ok((k.acFlag & 0x10) !== 0, 'AXSIG');
    });
  } finally {
    killQuietly(holder);
  }
});

test('reaped and nonexistent pids give ProcessGoneError; bad ids InvalidArgumentError', async (t) => {
  if (needRoot(t)) return;
  const child = spawn('/bin/true', [], { stdio: 'ignore' });
  await once(child, 'exit');
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  await withClient(async (c) => {
    await assert.rejects(c.pidStats(child.pid!), (e: unknown) => e instanceof ProcessGoneError && e.pid === child.pid);
    await assert.rejects(c.tgidStats(pidMax + 1), ProcessGoneError);
    assert.throws(() => c.pidStatsSync(pidMax + 1), ProcessGoneError);
    await assert.rejects(c.pidStats(0), InvalidArgumentError);
    await assert.rejects(c.pidStats(-3), InvalidArgumentError);
    await assert.rejects(c.pidStats(1.5), InvalidArgumentError);
    await assert.rejects(c.registerCpumask('0-'), InvalidArgumentError);
    await assert.rejects(c.registerCpumask('4096-4097'), /ERANGE|EINVAL/);
    // the client is still usable after errors
    assert.equal((await c.pidStats(process.pid)).acPid, process.pid);
  });
});

test('exit events for N spawned processes arrive, none lost, with a sized buffer', async (t) => {
  if (needRoot(t)) return;
  const N = 300;
  await withClient(
    async (c) => {
      await c.registerCpumask();
      assert.ok(c.getRxBufSize() >= 4 * 1024 * 1024);
      const sh = spawn('/bin/sh', ['-c', `i=0; while [ $i -lt ${N} ]; do /bin/true; i=$((i+1)); done; exit 4`], {
        stdio: 'ignore',
      });
      const shPid = sh.pid!;
      const seen = new Set<number>();
      let shExit: TaskstatsExitRecord | undefined;
      const all = await collectExits(
        c,
        (evs) => {
          const ev = evs[evs.length - 1]!;
          if (ev.kind === 'exit' && ev.stats.acPpid === shPid && ev.comm === 'true') seen.add(ev.pid);
          if (ev.kind === 'exit' && ev.pid === shPid) shExit = ev;
          return seen.size === N && shExit !== undefined;
        },
        30_000,
      );
      assert.equal(all.filter((e) => e.kind === 'lost').length, 0, 'no ENOBUFS');
      assert.equal(c.lostEventOverruns, 0);
      assert.equal(seen.size, N);
      assert.ok(shExit);
      assert.deepEqual([shExit.exitStatus.kind, shExit.exitStatus.exitCode], ['exited', 4]);
      assert.equal(shExit.group, undefined, 'single-threaded processes carry no aggregate');
      assert.equal(shExit.comm, 'sh');
    },
    { eventRcvbufBytes: 4 * 1024 * 1024 },
  );
});

test('a multi-threaded process exit carries the thread-group aggregate', async (t) => {
  if (needRoot(t)) return;
  await withClient(async (c) => {
    await c.registerCpumask();
    const script =
      "const {Worker}=require('node:worker_threads');" +
      "const w=new Worker('let s=0;for(let i=0;i<3e6;i++)s+=i;',{eval:true});w.on('exit',()=>process.exit(3));";
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const pid = child.pid!;
    let last: TaskstatsExitRecord | undefined;
    const threads = new Set<number>();
    await collectExits(
      c,
      (evs) => {
        const ev = evs[evs.length - 1]!;
        if (ev.kind !== 'exit' || ev.tgid !== pid) return false;
        threads.add(ev.pid);
        if (ev.group) last = ev;
        return last !== undefined;
      },
      20_000,
    );
    assert.ok(last?.group, 'an exit record carried the aggregate');
    assert.equal(last.group.tgid, pid);
    assert.ok((last.stats.acFlag & 0x20) !== 0, 'AGROUP on the last thread');
    assert.equal(last.exitStatus.exitCode, 3);
    assert.ok(threads.size > 1, `saw ${threads.size} threads exit`);
    assert.ok(last.group.stats.cpuRunVirtualTotal > last.stats.cpuRunVirtualTotal, 'aggregate sums all threads');
    assert.ok(last.group.stats.acUtime + last.group.stats.acStime > 0n);
  });
});

test('ENOBUFS with a tiny receive buffer is reported as lost events, the stream goes on', async (t) => {
  if (needRoot(t)) return;
  await withClient(
    async (c) => {
      await c.registerCpumask();
      assert.ok(c.getRxBufSize() < 16 * 1024);
      const sh = spawn('/bin/sh', ['-c', 'i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i+1)); done'], {
        stdio: 'ignore',
      });
      await once(sh, 'exit'); // nobody reads meanwhile: the buffer overflows
      let lost = 0;
      let exitsAfter = 0;
      await collectExits(
        c,
        (evs) => {
          const ev = evs[evs.length - 1]!;
          if (ev.kind === 'lost') {
            lost++;
            assert.equal(ev.totalOverruns, c.lostEventOverruns);
          } else if (lost > 0) exitsAfter++;
          return lost > 0 && exitsAfter > 0;
        },
        5_000,
      ).catch((e) => assert.fail(`ENOBUFS must not be fatal: ${e}`));
      assert.ok(lost >= 1, 'lost events were reported');
      // the client keeps working: a later burst is still delivered
      c.setRxBufSize(4 * 1024 * 1024);
      const p = spawn('/bin/true', [], { stdio: 'ignore' });
      const after = await collectExits(c, (evs) => evs.some((e) => e.kind === 'exit' && e.pid === p.pid), 10_000);
      assert.ok(after.some((e) => e.kind === 'exit' && e.pid === p.pid));
    },
    { eventRcvbufBytes: 1 },
  );
});

test('delay accounting switched on and back off; warning while off', async (t) => {
  if (needRoot(t)) return;
  const original = delayAccounting();
  try {
    await withClient(async (c) => {
      const runChild = async () => {
        const child = spawn('/bin/sh', ['-c', 'echo ready; exec /bin/sleep 30'], {
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        try {
          await firstLine(child);
          return await c.pidStats(child.pid!);
        } finally {
          killQuietly(child);
        }
      };
      assert.equal(setDelayAccounting(false), original);
      assert.equal(delayAccounting(), false);
      const off = await runChild();
      assert.equal(off.wpcopyCount ?? 0n, 0n);
      assert.equal(off.blkioCount, 0n);
      assert.match(off.warnings?.[0] ?? '', /delay accounting is off/);
      assert.equal(setDelayAccounting(true), false);
      assert.equal(delayAccounting(), true);
      const on = await runChild();
      assert.ok((on.wpcopyCount ?? 0n) > 0n, 'copy-on-write faults after exec are counted while on');
      assert.equal(on.warnings, undefined);
      assert.ok(off.cpuCount > 0n, 'CPU delay counts regardless');
    });
  } finally {
    setDelayAccounting(original);
  }
  assert.equal(delayAccounting(), original, 'restored');
});

test('unprivileged (nobody): PermissionError naming CAP_NET_ADMIN, /proc fallback works', async (t) => {
  if (needRoot(t)) return;
  const script = fileURLToPath(new URL('./unpriv-child.ts', import.meta.url));
  const r = await runCapture('setpriv', [
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    '--inh-caps=-all',
    '--',
    process.execPath,
    '--import',
    'tsx',
    script,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.uid, 65534);
  assert.equal(out.familyResolved, true, 'family lookup works unprivileged');
  assert.equal(out.query, 'PermissionError');
  assert.equal(out.capability, 'CAP_NET_ADMIN');
  assert.match(out.message, /CAP_NET_ADMIN/);
  assert.equal(out.register, 'PermissionError');
  assert.equal(out.sysctl, 'PermissionError CAP_SYS_ADMIN');
  assert.equal(out.fallback.source, 'procfs');
  assert.ok(BigInt(out.fallback.cpuRunVirtualTotal) > 0n);
  assert.ok(BigInt(out.fallback.cpuCount) > 0n);
  assert.ok(out.fallback.io, 'own /proc/<pid>/io is readable');
  assert.ok(BigInt(out.fallback.io.readChar) > 0n, 'node read its own files');
});

test('listenRegistered returns the records of the next exit message', async (t) => {
  if (needRoot(t)) return;
  await withClient(async (c) => {
    await c.registerCpumask();
    assert.equal(c.registeredCpumask, readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim());
    const child = spawn('/bin/sh', ['-c', 'exit 6'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    let found: TaskstatsEntry[] | undefined;
    while (!found && Date.now() < deadline) {
      const entries = await c.listenRegistered(1000);
      if (entries.some((e) => e.scope === 'pid' && e.id === child.pid)) found = entries;
    }
    assert.ok(found, 'the child exit arrived');
    const task = found.find((e) => e.scope === 'pid')!;
    assert.equal(task.stats.acExitcode >> 8, 6);
    assert.deepEqual(await c.listenRegistered(1).then((x) => Array.isArray(x)), true);
    await c.deregisterCpumask();
    assert.equal(c.registeredCpumask, undefined);
  });
});

test('close() while exits() is waiting ends the iteration cleanly', async (t) => {
  if (needRoot(t)) return;
  const c = await TaskstatsClient.open({ pollSliceMs: 100 });
  const it = (async () => {
    let n = 0;
    for await (const _ of c.exits()) n++;
    return n;
  })();
  await delay(300);
  assert.ok(c.registeredCpumask, 'registered by exits()');
  const t0 = Date.now();
  await c.close();
  const n = await it;
  assert.ok(n >= 0);
  assert.ok(Date.now() - t0 < 2000, 'close does not hang');
  assert.equal(c.registeredCpumask, undefined, 'deregistered before closing');
  await assert.rejects(c.pidStats(process.pid), /closed/);
});

test('namespace check: none here, the network namespace is named inside a netns', async (t) => {
  if (needNetns(t)) return;
  assert.equal(taskstatsNamespaceProblem(), undefined, 'the tests run in the initial namespaces');
  const r = await runInNetns(fileURLToPath(new URL('./netns-child.ts', import.meta.url)));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.match(out.problem, /not in the initial net namespace/);
  assert.equal(out.register, 'acknowledged', 'the kernel acknowledges, but will deliver nothing there');
  assert.equal(out.query, true, 'queries work in any network namespace');
});

test('waiting for exit events never blocks the event loop', async (t) => {
  if (needRoot(t)) return;
  await withClient(async (c) => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 1000);
    let events = 0;
    const t0 = Date.now();
    try {
      for await (const _ of c.exits({ signal: ac.signal })) events++;
    } finally {
      clearInterval(timer);
    }
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < 2000, `stopped ${elapsed} ms after start`);
    assert.ok(ticks >= 30, `a 10 ms timer fired ${ticks} times in ${elapsed} ms while waiting (${events} events)`);
  });
});
