/**
 * Live socket probes (root): a child process does known UDP, TCP and UNIX
 * traffic; the probes, filtered to its pid in the kernel, must report exact
 * counts and sizes. Also comm/family filters, create/close pairing, EAGAIN,
 * and the CLI (JSON lines, summary, SIGTERM, --duration, not root).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync as runSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type SocketProbeEvent, socketProbes } from '../../src/probes/index.ts';
import { Tracefs } from '../../src/tracefs/index.ts';
import { have, needRoot, repoRoot, runCapture, skipBecause } from '../helpers/env.ts';

const MARKER = 4321; // size of the last UDP datagram the child sends: "traffic done"

const TRAFFIC = `
const net = require('net'), dgram = require('dgram');
const sockPath = require('path').join(require('os').tmpdir(), 'rg-probe-' + process.pid + '.sock');
function udp(next) {
  const u = dgram.createSocket('udp4');
  u.bind(0, '127.0.0.1', () => {
    const port = u.address().port; let n = 0;
    for (let i = 0; i < 5; i++) u.send(Buffer.alloc(100 + i), port, '127.0.0.1');
    u.on('message', () => { if (++n === 5) setTimeout(() => u.close(next), 20); }); // keep reading: EAGAIN
  });
}
function tcp(next) {
  const srv = net.createServer((c) => c.on('data', (d) => c.end(d)));
  srv.listen(0, '127.0.0.1', () => {
    const c = net.connect(srv.address().port, '127.0.0.1', () => c.write(Buffer.alloc(1000)));
    c.on('data', () => {});
    c.on('close', () => srv.close(next));
  });
}
function unix(next) {
  const srv = net.createServer((c) => c.on('data', (d) => c.end(d)));
  srv.listen(sockPath, () => {
    const c = net.connect(sockPath, () => c.write('hello unix'));
    c.on('data', () => {});
    c.on('close', () => srv.close(next));
  });
}
function marker() {
  const m = dgram.createSocket('udp4');
  m.send(Buffer.alloc(${MARKER}), 9, '127.0.0.1', () => m.close());
}
process.on('SIGUSR2', () => udp(() => tcp(() => unix(marker))));
setInterval(() => {}, 1000);
`;

let tfs: Tracefs | undefined;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  if (tfs) {
    const left = readdirSync(join(tfs.root, 'instances')).filter((n) => n.startsWith(`raingauge-${process.pid}-`));
    assert.deepEqual(left, [], 'instances left behind');
  }
});

/** Start the traffic child (through `exe`, e.g. a symlink that sets comm) and wait for its SIGUSR2 handler. */
async function startChild(exe = process.execPath): Promise<ChildProcess> {
  const c = spawn(exe, ['-e', TRAFFIC], { stdio: 'ignore' });
  children.push(c);
  for (let i = 0; i < 200; i++) {
    try {
      const status = readFileSync(`/proc/${c.pid}/status`, 'utf8');
      const caught = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)/m.exec(status)![1]}`);
      if (caught & (1n << 11n)) return c;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('traffic child did not start');
}

/** Collect events until the marker datagram (or a timeout). */
async function collect(session: ReturnType<typeof socketProbes>, timeoutMs = 8000): Promise<SocketProbeEvent[]> {
  const out: SocketProbeEvent[] = [];
  const timer = setTimeout(() => session.close(), timeoutMs);
  let sawMarker = false;
  for await (const e of session) {
    out.push(e);
    if (e.name === 'socket.send' && e.size === MARKER) {
      sawMarker = true;
      // let the kernel finish the closes that follow, then stop
      setTimeout(() => session.close(), 300);
    }
  }
  clearTimeout(timer);
  assert.ok(
    sawMarker,
    `the marker datagram was not seen; got ${out.length} events: ${out
      .slice(-8)
      .map((e) => `${e.name}/${e.family}/${e.size}`)
      .join(' ')}`,
  );
  return out;
}

/**
 * Wait until an instance matching `match` has both sock_*_length events
 * enabled (its `set_event` lists them): the CLI is then tracing.
 */
async function tracingReady(match: (name: string) => boolean): Promise<void> {
  const root = join(tfs!.root, 'instances');
  for (let i = 0; i < 1000; i++) {
    for (const n of readdirSync(root).filter(match)) {
      try {
        const ev = readFileSync(join(root, n, 'set_event'), 'utf8');
        if (ev.includes('sock:sock_send_length') && ev.includes('sock:sock_recv_length')) return;
      } catch {
        // being created or removed
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the CLI did not start tracing within 10 s');
}

const sum = (xs: SocketProbeEvent[]) => xs.reduce((a, e) => a + (e.size ?? 0), 0);

/** tracefs was mounted before these tests (if not, the library mounts it: unmount it again at the end). */
const mountedBefore = existsSync('/sys/kernel/tracing/events') || existsSync('/sys/kernel/debug/tracing/events');
after(() => {
  if (!mountedBefore && existsSync('/sys/kernel/tracing/events')) runSync('umount', ['/sys/kernel/tracing']);
});

describe('socket probes live', () => {
  test('exact UDP, TCP and UNIX counts and sizes for a child, filtered by pid in the kernel', async (t) => {
    if (needRoot(t)) return;
    tfs ??= Tracefs.open();
    const child = await startChild();
    const session = socketProbes({
      probes: ['socket.send', 'socket.receive', 'socket.create', 'socket.create.return', 'socket.close'],
      filter: { pid: child.pid! },
      tracefs: tfs,
    });
    assert.equal(
      readFileSync(join(session.instance.path, 'set_event_pid'), 'utf8').trim(),
      String(child.pid),
      'pid filter lives in the kernel',
    );
    child.kill('SIGUSR2');
    const ev = await collect(session);
    for (const e of ev) {
      if (e.interrupt) continue;
      assert.equal(e.pid, child.pid);
      assert.equal(e.comm, 'node');
    }
    const proc = ev.filter((e) => !e.interrupt);
    const udp = proc.filter((e) => e.family === 2 && e.protocol === 17);
    assert.deepEqual(
      udp.filter((e) => e.name === 'socket.send').map((e) => e.size),
      [100, 101, 102, 103, 104, MARKER],
    );
    assert.deepEqual(
      udp.filter((e) => e.name === 'socket.receive' && e.success === 1).map((e) => e.size),
      [100, 101, 102, 103, 104],
    );
    // libuv reads until EAGAIN: failed calls have success 0 and size = err = -11
    const failed = udp.filter((e) => e.name === 'socket.receive' && e.success === 0);
    assert.ok(failed.length >= 1);
    for (const e of failed) assert.deepEqual([e.size, e.err], [-11, -11]);

    const tcp = proc.filter((e) => e.protocol === 6 && e.success === 1);
    assert.equal(sum(tcp.filter((e) => e.name === 'socket.send')), 2000);
    assert.equal(sum(tcp.filter((e) => e.name === 'socket.receive')), 2000);
    const unix = proc.filter((e) => e.family === 1 && e.success === 1);
    assert.equal(sum(unix.filter((e) => e.name === 'socket.send')), 20);
    assert.equal(sum(unix.filter((e) => e.name === 'socket.receive')), 20);
    assert.equal(unix.filter((e) => e.name === 'socket.send').length, 2);

    // socket(2) calls: UDP, TCP listener, TCP client, UNIX listener, UNIX client, marker UDP
    const creates = ev.filter((e) => e.name === 'socket.create');
    assert.deepEqual(
      creates.map((e) => [e.family, e.type]),
      [
        [2, 2],
        [2, 1],
        [2, 1],
        [1, 1],
        [1, 1],
        [2, 2],
      ],
    );
    const returns = ev.filter((e) => e.name === 'socket.create.return');
    assert.equal(returns.length, 6);
    for (const r of returns) assert.deepEqual([r.success, r.err, r.requester, r.tid], [1, 0, 0, child.pid]);
    // closes: the two UDP sockets and the two UNIX sockets we saw created, by descriptor …
    const closes = ev.filter((e) => e.name === 'socket.close');
    const byFd = closes.filter((e) => e.fd !== undefined);
    assert.deepEqual(
      byFd.map((e) => e.family).sort(),
      [1, 1, 2, 2],
      `closes by fd: ${JSON.stringify(byFd.map((e) => [e.family, e.fd]))}`,
    );
    for (const c of byFd) {
      const created = returns.find((r) => r.fd === c.fd && r.family === c.family && r.timeNs < c.timeNs);
      assert.ok(created, `close of fd ${c.fd} pairs with a create`);
    }
    // … and the three TCP sockets (listener, client, accepted) through tcp_destroy_sock
    const tcpCloses = closes.filter((e) => e.protocol === 6);
    assert.equal(tcpCloses.length, 3);
    assert.equal(tcpCloses.filter((e) => e.dport === 0).length, 1, 'one listener');
    const st = session.stats();
    assert.equal(st.lost, 0);
    assert.equal(st.events, ev.length);
  });

  test('send/receive filtered by pid enable only their two tracepoints (+ exit/exec), no event filter, no syscalls:*', (t) => {
    if (needRoot(t)) return;
    tfs ??= Tracefs.open();
    const session = socketProbes({ probes: ['send', 'receive'], filter: { pid: process.pid }, tracefs: tfs });
    try {
      const dir = session.instance.path;
      const enabled = readFileSync(join(dir, 'set_event'), 'utf8').trim().split('\n').sort();
      assert.deepEqual(enabled, [
        'sched:sched_process_exec',
        'sched:sched_process_exit',
        'sock:sock_recv_length',
        'sock:sock_send_length',
      ]);
      for (const tp of ['sock/sock_send_length', 'sock/sock_recv_length']) {
        // the pid list (set_event_pid) rejects other processes' events before a record is
        // written; an event filter would cost every socket event of the machine more
        assert.equal(readFileSync(join(dir, 'events', tp, 'filter'), 'utf8').trim(), 'none');
      }
      assert.equal(readFileSync(join(dir, 'set_event_pid'), 'utf8').trim(), String(process.pid));
      assert.equal(readFileSync(join(dir, 'options/event-fork'), 'utf8').trim(), '1');
      assert.equal(readFileSync(join(dir, 'events/syscalls/enable'), 'utf8').trim(), '0');
    } finally {
      session.close();
    }
  });

  test('family and comm filters are kernel filters', async (t) => {
    if (needRoot(t)) return;
    tfs ??= Tracefs.open();
    const dir = mkdtempSync(join(tmpdir(), 'rg-comm-'));
    const comm = `rgp${process.pid % 100000}`;
    const exe = join(dir, comm);
    symlinkSync(process.execPath, exe);
    try {
      const child = await startChild(exe);
      const session = socketProbes({
        probes: ['send', 'receive'],
        filter: { comm, family: ['unix', 'inet'] },
        tracefs: tfs,
      });
      assert.equal(
        readFileSync(join(session.instance.path, 'events/sock/sock_send_length/filter'), 'utf8').trim(),
        `(family == 1 || family == 2) && comm == "${comm}"`,
      );
      child.kill('SIGUSR2');
      const ev = await collect(session);
      assert.ok(ev.length > 20);
      for (const e of ev) {
        assert.equal(e.comm, comm);
        assert.equal(e.pid, child.pid);
        assert.ok(e.family === 1 || e.family === 2);
      }
      child.kill('SIGTERM');
      // unix only
      const c2 = await startChild(exe);
      const s2 = socketProbes({ probes: ['send'], filter: { pid: c2.pid!, family: 'unix' }, tracefs: tfs });
      c2.kill('SIGUSR2');
      const timer = setTimeout(() => s2.close(), 2500);
      const unixOnly: SocketProbeEvent[] = [];
      for await (const e of s2) unixOnly.push(e);
      clearTimeout(timer);
      assert.deepEqual(
        unixOnly.map((e) => [e.family, e.size]),
        [
          [1, 10],
          [1, 10],
        ],
      );
      c2.kill('SIGTERM');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test('CLI: --json lines, --summary, --duration and SIGTERM leave no tracing behind', async (t) => {
    if (needRoot(t)) return;
    tfs ??= Tracefs.open();
    const cli = join(repoRoot, 'test', 'probes', 'run-cli.ts');
    const child = await startChild();
    // JSON lines until SIGTERM
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', cli, 'trace', 'sockets', '--json', '--pid', String(child.pid), '--probe', 'send,receive'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(proc);
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d) => {
      out += d;
    });
    proc.stderr!.on('data', (d) => {
      err += d;
    });
    const instDir = () =>
      readdirSync(join(tfs!.root, 'instances')).filter((n) => n.startsWith(`raingauge-${proc.pid}-`));
    await tracingReady((n) => n.startsWith(`raingauge-${proc.pid}-`));
    assert.equal(instDir().length, 1, `the CLI created its instance (${err})`);
    child.kill('SIGUSR2');
    for (let i = 0; i < 300 && !out.includes(`"size":${MARKER}`); i++) await new Promise((r) => setTimeout(r, 20));
    proc.kill('SIGTERM');
    const code = await new Promise((r) => proc.once('exit', r));
    assert.equal(code, 0, err);
    assert.deepEqual(instDir(), [], 'SIGTERM removed the instance');
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as SocketProbeEvent & { sock?: string });
    const udpSends = lines.filter((e) => e.name === 'socket.send' && e.protocol === 17).map((e) => e.size);
    assert.deepEqual(udpSends, [100, 101, 102, 103, 104, MARKER]);
    assert.match(String(lines[0]!.sock), /^0x[0-9a-f]+$/);

    // --summary with --duration
    const c2 = await startChild();
    const sumProc = runCapture(process.execPath, [
      '--import',
      'tsx',
      cli,
      'trace',
      'sockets',
      '--summary',
      '--json',
      '--pid',
      String(c2.pid),
      '--duration',
      '4',
    ]);
    await tracingReady((n) => n.startsWith('raingauge-') && !n.startsWith(`raingauge-${process.pid}-`));
    c2.kill('SIGUSR2');
    const r = await sumProc;
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as {
      processes: { pid: number; sendBytes: number; recvBytes: number; sendCalls: number }[];
      connections: { protocol: number; saddr?: string; sendBytes: number; recvBytes: number }[];
    };
    const p = summary.processes.find((x) => x.pid === c2.pid)!;
    assert.equal(p.sendBytes, 510 + MARKER + 2000 + 20);
    assert.equal(p.recvBytes, 510 + 2000 + 20);
    const tcpConns = summary.connections.filter((c) => c.protocol === 6);
    assert.equal(
      tcpConns.reduce((a, c) => a + c.sendBytes, 0),
      2000,
    );
    assert.ok(
      tcpConns.every((c) => c.saddr === '127.0.0.1'),
      'TCP connections named by address from tcp.state',
    );
    assert.equal(
      readdirSync(join(tfs.root, 'instances')).filter(
        (n) => n.startsWith('raingauge-') && !existsSync(`/proc/${n.split('-')[1]}`),
      ).length,
      0,
    );
  });

  test('CLI: clear errors for a bad probe, a missing privilege', async (t) => {
    if (needRoot(t)) return;
    const cli = join(repoRoot, 'test', 'probes', 'run-cli.ts');
    const bad = await runCapture(process.execPath, ['--import', 'tsx', cli, 'trace', 'sockets', '--probe', 'bogus']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown probe "bogus"/);
    if (!have('setpriv')) {
      skipBecause(t, 'needs setpriv (util-linux) to run the CLI as an unprivileged user');
      return;
    }
    const r = await runCapture('setpriv', [
      '--reuid',
      '65534',
      '--regid',
      '65534',
      '--clear-groups',
      '--inh-caps=-all',
      process.execPath,
      '--import',
      'tsx',
      cli,
      'trace',
      'sockets',
      '--duration',
      '1',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /needs root \(or CAP_SYS_ADMIN/);
  });
});
