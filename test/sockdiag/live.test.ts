import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EventLoopSlicer, NETLINK_SOCK_DIAG, NetlinkSocket } from '../../src/netlink/index.ts';
import {
  closeSockDiagSocket,
  encodeTcpDiagLegacyRequest,
  InetDiagFilterError,
  type InetSocket,
  inetSocketStream,
  inetSockets,
  inetSocketsSync,
  NotATcpSocketError,
  planInetDiagRequests,
  SOCK_DIAG_BY_FAMILY,
  sockDiagSocket,
  TCPDIAG_GETSOCK,
  TcpState,
  tcpInfo,
  unixSocketStream,
  unixSockets,
  unixSocketsSync,
} from '../../src/sockdiag/index.ts';
import * as sys from '../../src/sys/index.ts';
import { needNetns, repoRoot, runCapture, runInNetns } from '../helpers/env.ts';

const inodeOf = (x: unknown) =>
  Number(/socket:\[(\d+)\]/.exec(readlinkSync(`/proc/self/fd/${sys.descriptorOf(x)}`))![1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Pair {
  server: net.Server;
  port: number;
  client: net.Socket;
  accepted: net.Socket;
}

/** A listener with one connected client; the accepted side is paused so data stays in its receive queue. */
async function pair(host: string): Promise<Pair> {
  let accepted!: net.Socket;
  const server = net.createServer({ pauseOnConnect: true });
  const got = new Promise<void>((r) => {
    server.once('connection', (s) => {
      accepted = s;
      r();
    });
  });
  await new Promise<void>((r) => server.listen({ host, port: 0, backlog: 7 }, () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect({ host, port });
  await new Promise((r) => client.once('connect', r));
  await got;
  return { server, port, client, accepted };
}

function close(p: Pair): void {
  p.client.destroy();
  p.accepted.destroy();
  p.server.close();
}

const mine = (all: InetSocket[], ports: number[]) =>
  all.filter((s) => ports.includes(s.localPort) || ports.includes(s.remotePort));

test('live: inet dump with extensions matches what was set up (ports, inodes, queues, state, both families)', async () => {
  const p4 = await pair('127.0.0.1');
  const p6 = await pair('::1');
  try {
    const payload = Buffer.alloc(1234, 1);
    await new Promise<void>((r) => p4.client.write(payload, () => r()));
    await new Promise<void>((r) => p6.client.write(payload.subarray(0, 77), () => r()));
    await sleep(50);
    const filter = {
      or: [{ localPort: p4.port }, { remotePort: p4.port }, { localPort: p6.port }, { remotePort: p6.port }],
    };
    const all = await inetSockets({
      extensions: ['info', 'meminfo', 'skmeminfo', 'cong', 'tos', 'tclass', 'shutdown'],
      filter,
    });
    assert.equal(all.length, 6, 'listener + client + accepted, twice');
    for (const [p, family, addr, bytes] of [
      [p4, 'inet', '127.0.0.1', 1234],
      [p6, 'inet6', '::1', 77],
    ] as const) {
      const listener = all.find((s) => s.state === TcpState.LISTEN && s.localPort === p.port)!;
      assert.equal(listener.family, family);
      assert.equal(listener.localAddress, addr);
      assert.equal(listener.inode, inodeOf(p.server));
      assert.equal(listener.sendQueue, 7, 'backlog');
      assert.equal(listener.receiveQueue, 0, 'nothing waiting for accept');
      assert.equal(listener.uid, process.getuid!());
      const acc = all.find((s) => s.state === TcpState.ESTABLISHED && s.localPort === p.port)!;
      const cli = all.find((s) => s.state === TcpState.ESTABLISHED && s.remotePort === p.port)!;
      assert.equal(acc.inode, inodeOf(p.accepted));
      assert.equal(cli.inode, inodeOf(p.client));
      assert.equal(acc.remotePort, p.client.localPort);
      assert.equal(cli.localPort, p.client.localPort);
      assert.equal(acc.receiveQueue, bytes, 'unread bytes of the paused socket');
      assert.equal(cli.sendQueue, 0);
      assert.equal(acc.tcpInfo!.bytesReceived, BigInt(bytes));
      assert.equal(cli.tcpInfo!.bytesAcked, BigInt(bytes + 1));
      assert.ok(cli.tcpInfo!.rttMicros! > 0);
      assert.equal(family === 'inet' ? acc.tos : acc.tclass, 0);
      assert.ok(acc.skMemInfo!.rmemAllocBytes! >= bytes);
      assert.equal(typeof acc.congestion, 'string');
    }
  } finally {
    close(p4);
    close(p6);
  }
});

test('live: tcpInfo(getsockopt) agrees with INET_DIAG_INFO for the same socket; listener accept queue', async () => {
  const p = await pair('127.0.0.1');
  try {
    await new Promise<void>((r) => p.client.write('x'.repeat(100), () => r()));
    await sleep(50);
    const viaDiag = (await inetSockets({ family: 'inet', extensions: ['info'], filter: { remotePort: p.port } }))[0]!;
    const viaSockopt = tcpInfo(p.client);
    const d = viaDiag.tcpInfo!;
    assert.equal(viaSockopt.lengthBytes, d.lengthBytes);
    assert.ok(d.lengthBytes >= 232, `6.18 returns at least 232 bytes (got ${d.lengthBytes})`);
    for (const k of [
      'state',
      'optionsRaw',
      'sndWscale',
      'rcvWscale',
      'sndMssBytes',
      'rcvMssBytes',
      'advmssBytes',
      'pmtuBytes',
      'rttMicros',
      'rttVarMicros',
      'minRttMicros',
      'bytesAcked',
      'bytesSent',
      'bytesReceived',
      'segsOut',
      'dataSegsOut',
      'sndCwndPackets',
      'totalRetransPackets',
    ] as const) {
      assert.deepEqual(viaSockopt[k], d[k], k);
    }
    assert.equal(viaSockopt.bytesAcked, 101n);
    const l = tcpInfo(p.server);
    assert.equal(l.stateName, 'LISTEN');
    assert.equal(l.acceptQueueBacklog, 7);
    assert.equal(l.acceptQueueLength, 0);
    assert.equal(tcpInfo(sys.descriptorOf(p.accepted)).bytesReceived, 100n, 'a raw descriptor works too');
  } finally {
    close(p);
  }
});

test('live: tcpInfo on something that is not a TCP socket → NotATcpSocketError', async () => {
  const u = dgram.createSocket('udp4');
  await new Promise<void>((r) => u.bind(0, '127.0.0.1', () => r()));
  const dir = mkdtempSync(join(tmpdir(), 'rg-ti-'));
  const us = net.createServer();
  await new Promise<void>((r) => us.listen(join(dir, 's'), () => r()));
  try {
    assert.throws(() => tcpInfo(sys.descriptorOf(u as unknown as net.Socket)), NotATcpSocketError);
    assert.throws(() => tcpInfo(us), NotATcpSocketError);
    assert.throws(() => tcpInfo(0), NotATcpSocketError, 'stdin');
    assert.throws(() => tcpInfo({}), NotATcpSocketError);
    assert.throws(() => tcpInfo(new net.Socket()), NotATcpSocketError, 'not connected: no descriptor');
  } finally {
    u.close();
    us.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live: family all is one legacy request for TCP with both families; cookies are stable; sync and stream agree', async () => {
  const p4 = await pair('127.0.0.1');
  const p6 = await pair('::1');
  try {
    const plan = planInetDiagRequests({ family: 'all' });
    assert.equal(plan.length, 1);
    assert.equal(plan[0]!.type, TCPDIAG_GETSOCK);
    assert.equal(planInetDiagRequests({ family: 'all', protocol: 'udp' }).length, 2);
    assert.equal(planInetDiagRequests({ family: 'inet' })[0]!.type, SOCK_DIAG_BY_FAMILY);
    const ports = [p4.port, p6.port];
    const a = mine(await inetSockets({ family: 'all' }), ports);
    assert.equal(a.filter((s) => s.family === 'inet').length, 3);
    assert.equal(a.filter((s) => s.family === 'inet6').length, 3);
    const b = mine(inetSocketsSync({ family: 'all' }), ports);
    const c: InetSocket[] = [];
    for await (const s of inetSocketStream({ family: 'all' })) c.push(s);
    const key = (xs: InetSocket[]) => xs.map((s) => `${s.cookie}:${s.inode}:${s.localPort}:${s.remotePort}`).sort();
    assert.deepEqual(key(b), key(a), 'cookie and identity stable across dumps');
    assert.deepEqual(key(mine(c, ports)), key(a));
    const v6 = mine(await inetSockets({ family: 'inet6' }), ports);
    assert.deepEqual(key(v6), key(a.filter((s) => s.family === 'inet6')));
  } finally {
    close(p4);
    close(p6);
  }
});

test('live: breaking out of a stream early leaves the socket usable; parallel queries on the shared socket', async () => {
  const ps = await Promise.all([pair('127.0.0.1'), pair('127.0.0.1'), pair('127.0.0.1')]);
  try {
    let n = 0;
    for await (const _s of inetSocketStream({ family: 'inet' })) {
      if (++n === 1) break;
    }
    assert.equal(n, 1);
    const ports = ps.map((p) => p.port);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2
          ? inetSockets({ family: 'inet', filter: { localPort: ports[i % 3]! } })
          : inetSockets({ family: 'inet6' }),
      ),
    );
    results.forEach((r, i) => {
      if (i % 2) {
        assert.equal(r.length, 2, 'listener + accepted');
        assert.ok(r.every((s) => s.localPort === ports[i % 3]));
      } else assert.ok(r.every((s) => s.family === 'inet6'));
    });
    assert.equal(sockDiagSocket().droppedMessages, 0);
  } finally {
    ps.forEach(close);
  }
});

test('live: UDP (both families) and RAW dumps', async () => {
  const u4 = dgram.createSocket('udp4');
  const u6 = dgram.createSocket({ type: 'udp6', ipv6Only: true });
  await new Promise<void>((r) => u4.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => u6.bind(0, '::1', () => r()));
  try {
    const ports = [u4.address().port, u6.address().port];
    const udp = (await inetSockets({ protocol: 'udp', extensions: ['skmeminfo'] })).filter((s) =>
      ports.includes(s.localPort),
    );
    assert.deepEqual(udp.map((s) => `${s.family} ${s.localAddress}`).sort(), ['inet 127.0.0.1', 'inet6 ::1']);
    for (const s of udp) {
      assert.equal(s.stateName, 'CLOSE');
      assert.equal(s.tcpInfo, undefined);
      assert.ok(s.skMemInfo!.rcvbufBytes! > 0);
    }
    const byInode = new Map(udp.map((s) => [s.inode, s]));
    assert.ok(byInode.has(inodeOf(u4 as unknown as net.Socket)));
    // raw_diag is optional (CONFIG_INET_RAW_DIAG): either a list or a NotSupportedError naming it
    try {
      assert.ok(Array.isArray(await inetSockets({ protocol: 'raw', family: 'all' })));
    } catch (e) {
      assert.equal((e as { feature?: string }).feature, 'raw_diag');
      assert.match((e as Error).message, /modprobe raw_diag/);
    }
    assert.ok(Array.isArray(await inetSockets({ protocol: 'udplite', family: 'inet' })));
  } finally {
    u4.close();
    u6.close();
  }
});

test('live: kernel-rejected bytecode → InetDiagFilterError; unknown protocol → NotSupportedError naming the module', async () => {
  await assert.rejects(inetSockets({ family: 'inet', filter: Buffer.from([99, 4, 8, 0]) }), (e: unknown) => {
    assert.ok(e instanceof InetDiagFilterError);
    assert.match((e as Error).message, /rejected the inet_diag filter bytecode of SOCK_DIAG_BY_FAMILY inet tcp/);
    return true;
  });
  assert.throws(() => inetSocketsSync({ family: 'all', filter: Buffer.from([2, 4, 8, 0]) }), InetDiagFilterError);
  await assert.rejects(inetSockets({ family: 'inet', protocol: 200 }), {
    name: 'NotSupportedError',
    feature: 'inet_diag',
    message: /modprobe inet_diag/,
  });
  // still usable
  assert.ok(Array.isArray(await inetSockets({ states: [TcpState.LISTEN] })));
});

test('live: unix sockets — path vs abstract names, peers, uid, vfs inode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-unix-'));
  const path = join(dir, 'srv.sock');
  const abstract = `rg-unix-live-${process.pid}`;
  const accepted: net.Socket[] = [];
  const sp = net.createServer((s) => accepted.push(s));
  const sa = net.createServer((s) => accepted.push(s));
  await new Promise<void>((r) => sp.listen({ path, backlog: 5 }, () => r()));
  await new Promise<void>((r) => sa.listen({ path: `\0${abstract}`, backlog: 6 }, () => r()));
  const c1 = net.connect(path);
  const c2 = net.connect(`\0${abstract}`);
  await Promise.all([new Promise((r) => c1.once('connect', r)), new Promise((r) => c2.once('connect', r))]);
  while (accepted.length < 2) await sleep(5);
  try {
    const all = await unixSockets();
    const lp = all.find((s) => s.inode === inodeOf(sp))!;
    const la = all.find((s) => s.inode === inodeOf(sa))!;
    assert.equal(lp.path, path);
    assert.equal(lp.abstract, false);
    assert.equal(lp.stateName, 'LISTEN');
    assert.equal(lp.backlog, 5);
    assert.equal(lp.receiveQueue, 0);
    assert.deepEqual(lp.pendingInodes, []);
    assert.ok(lp.vfs!.inode > 0);
    assert.equal(la.path, `@${abstract}`);
    assert.equal(la.abstract, true);
    assert.equal(la.backlog, 6);
    assert.equal(la.vfs, undefined);
    for (const [c, name] of [
      [c1, path],
      [c2, `@${abstract}`],
    ] as const) {
      const cli = all.find((s) => s.inode === inodeOf(c))!;
      const srv = all.find((s) => s.inode === cli.peerInode)!;
      assert.equal(cli.path, undefined, 'clients are unnamed');
      assert.equal(srv.path, name, 'the accepted socket carries the listener name');
      assert.equal(srv.peerInode, cli.inode);
      assert.equal(srv.type, 'stream');
      assert.equal(srv.uid, process.getuid!());
    }
    const sync = unixSocketsSync({ states: [TcpState.LISTEN], show: ['name'] });
    assert.ok(sync.some((s) => s.path === path) && sync.every((s) => s.state === TcpState.LISTEN));
    assert.ok(
      sync.every((s) => s.peerInode === undefined && s.uid === undefined),
      'only NAME was asked for',
    );
    let streamed = 0;
    for await (const s of unixSocketStream({ states: [TcpState.LISTEN] })) if (s.path === path) streamed++;
    assert.equal(streamed, 1);
  } finally {
    c1.destroy();
    c2.destroy();
    for (const s of accepted) s.destroy();
    sp.close();
    sa.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live (netns): queued connections — accept queue, inode 0, RQLEN and ICONS for TCP and UNIX', async (t) => {
  if (needNetns(t)) return;
  const r = await runInNetns(join(repoRoot, 'test/sockdiag/netns-scenario.ts'));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout, (_k, v) => (typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));
  const { setup } = out;
  const tcp = out.tcp as InetSocket[];
  for (const [port, family, inode] of [
    [setup.p4, 'inet', setup.inodes.s4],
    [setup.p6, 'inet6', setup.inodes.s6],
  ] as const) {
    const l = tcp.find((s) => s.state === TcpState.LISTEN && s.localPort === port)!;
    assert.equal(l.family, family);
    assert.equal(l.inode, inode);
    assert.equal(l.receiveQueue, setup.queued);
    assert.equal(l.sendQueue, setup.backlog);
    assert.equal(l.tcpInfo!.acceptQueueLength, setup.queued);
    const srv = tcp.filter((s) => s.state === TcpState.ESTABLISHED && s.localPort === port);
    assert.equal(srv.length, setup.accepted + setup.queued);
    const queued = srv.filter((s) => s.inode === 0);
    assert.equal(queued.length, setup.queued);
    for (const q of queued) assert.equal(q.receiveQueue, setup.payloadBytes);
    for (const a of srv.filter((s) => s.inode !== 0)) assert.ok(setup.acceptedInodes.includes(a.inode));
  }
  assert.equal(out.tcpInfoListener.acceptQueueLength, setup.queued);
  assert.equal(out.tcpInfoListener.acceptQueueBacklog, setup.backlog);
  assert.ok((out.tcp4only as InetSocket[]).every((s) => s.family === 'inet'));
  assert.deepEqual(
    (out.listenOnly as InetSocket[]).map((s) => s.localPort).sort(),
    [setup.p4, setup.p6].sort(),
    'only our two listeners exist in the namespace',
  );
  for (const [name, inode, abstract] of [
    [setup.unixPath, setup.inodes.su, false],
    [`@${setup.abstractName}`, setup.inodes.sa, true],
  ] as const) {
    for (const list of [out.unix, out.unixListen]) {
      const l = list.find((s: { inode: number }) => s.inode === inode);
      assert.equal(l.path, name);
      assert.equal(l.abstract, abstract);
      assert.equal(l.receiveQueue, setup.queued, 'RQLEN queued');
      assert.equal(l.backlog, setup.backlog, 'RQLEN backlog');
      assert.equal(l.pendingInodes.length, setup.queued, 'ICONS');
    }
    const l = out.unix.find((s: { inode: number }) => s.inode === inode);
    for (const ino of l.pendingInodes) {
      const c = out.unix.find((s: { inode: number }) => s.inode === ino);
      assert.ok(c, 'each pending inode is a client socket in the dump');
      assert.equal(c.path, undefined);
    }
    const acc = out.unix.filter(
      (s: { state: number; path?: string }) => s.state === TcpState.ESTABLISHED && s.path === name,
    );
    assert.equal(acc.length, setup.accepted);
  }
});

test('live (netns): compiled filters are accepted by the kernel and select exactly what they mean', async (t) => {
  if (needNetns(t)) return;
  const r = await runInNetns(join(repoRoot, 'test/sockdiag/netns-filter.ts'), ['60']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.failures, []);
  assert.equal(out.cases, 60);
  assert.ok(out.nonTrivial >= 1, `some filters select a strict subset (${out.nonTrivial})`);
  const { a, b, c, d } = out.ports;
  assert.deepEqual(out.exact.portA, [a]);
  const inRange = [a, b, c, d].filter((p) => p >= Math.min(a, b) && p <= Math.max(a, b));
  assert.deepEqual(out.exact.rangeAB.sort(), inRange.sort());
  assert.deepEqual(out.exact.notLoopback4.sort(), [`::1:${c}`, `:::${d}`].sort());
  assert.deepEqual(out.exact.mappedToD, ['inet6 ::ffff:127.0.0.1']);
});

test('live: async dumps share the event loop in slices — array, stream and raw dump forms, also inside one datagram', async () => {
  const server = net.createServer({ pauseOnConnect: true }, (s) => accepted.push(s));
  const accepted: net.Socket[] = [];
  const clients: net.Socket[] = [];
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0, backlog: 1024 }, () => r()));
  const port = (server.address() as net.AddressInfo).port;
  // its own socket and a 2 ms budget, so the bound below does not depend on other tests
  const slicer = new EventLoopSlicer(2);
  const sock = NetlinkSocket.open(NETLINK_SOCK_DIAG, { slicer });
  try {
    await Promise.all(
      Array.from({ length: 400 }, () => {
        const c = net.connect(port, '127.0.0.1');
        clients.push(c);
        return new Promise((r) => c.once('connect', r));
      }),
    );
    while (accepted.length < 400) await sleep(5);
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    // records handed out per turn of the event loop: 0.2 ms of work each, so a 2 ms slice holds ~10
    // (the clock is read every 8 messages: at most 16); one datagram of 801 records with tcp_info
    // (> 300 KB in ~32 KiB datagrams) holds ~80: unsliced delivery would put ~80 in one turn
    const perTurn = new Map<number, number>();
    const count = () => {
      perTurn.set(turns, (perTurn.get(turns) ?? 0) + 1);
      busy(0.2);
    };
    const check = (form: string, total: number) => {
      const most = Math.max(...perTurn.values());
      assert.ok(most <= 24, `${form}: ${most} records in one turn of the event loop`);
      assert.ok(perTurn.size >= total / 24, `${form}: ${total} records over ${perTurn.size} turns`);
      perTurn.clear();
    };
    const filter = { or: [{ localPort: port }, { remotePort: port }] };
    const n = await sock.dump(TCPDIAG_GETSOCK, 0, encodeTcpDiagLegacyRequest({ extensions: ['info'], filter }), count);
    assert.equal(n, 801);
    check('dump', 801);
    // the array form decodes inside the slices too: with a 0 ms budget it yields at every look at the
    // clock (every 8 records), where slicing only between datagrams would yield ~10 times
    const eager = new EventLoopSlicer(0);
    const sock0 = NetlinkSocket.open(NETLINK_SOCK_DIAG, { slicer: eager });
    try {
      const all = await inetSockets({ family: 'inet', extensions: ['info'], filter }, { socket: sock0 });
      assert.equal(all.length, 801);
      assert.ok(eager.yields >= 90, `array form: ${eager.yields} yields for 801 records`);
    } finally {
      sock0.close();
    }
    // the stream form: the consumer's own work per record counts against the same slices
    let streamed = 0;
    for await (const _s of inetSocketStream({ family: 'inet', extensions: ['info'], filter }, { socket: sock })) {
      streamed++;
      count();
    }
    assert.equal(streamed, 801);
    check('stream', 801);
    running = false;
  } finally {
    sock.close();
    for (const c of clients) c.destroy();
    for (const s of accepted) s.destroy();
    server.close();
  }
});

test('live: 100 000 LISTEN-only dumps through the high-level API leak no descriptor', () => {
  const count = () => readdirSync('/proc/self/fd').length;
  const q = { states: [TcpState.LISTEN] as const, family: 'inet' as const, filter: { localPort: 1 } };
  for (let i = 0; i < 100; i++) inetSocketsSync(q);
  const before = count();
  for (let i = 0; i < 100_000; i++) inetSocketsSync(q);
  for (let i = 0; i < 1000; i++) unixSocketsSync({ states: [TcpState.LISTEN], show: [] });
  assert.equal(count(), before);
});

test('live: own socket option, closing the shared socket, and the shared socket does not keep a process alive', async () => {
  const own = NetlinkSocket.open(NETLINK_SOCK_DIAG);
  try {
    assert.ok(Array.isArray(await inetSockets({ states: [TcpState.LISTEN] }, { socket: own })));
  } finally {
    own.close();
  }
  await assert.rejects(inetSockets({}, { socket: own }), { name: 'NetlinkSocketStateError' });
  const s1 = sockDiagSocket();
  closeSockDiagSocket();
  assert.equal(s1.isClosed, true);
  assert.notEqual(sockDiagSocket(), s1, 'reopened on demand');
  const script = `import { inetSockets, unixSockets } from ${JSON.stringify(join(repoRoot, 'src/sockdiag/index.ts'))};
await inetSockets({ states: [10] }); await unixSockets(); console.log('done');`;
  const r = await runCapture(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], 30_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'done');
});
