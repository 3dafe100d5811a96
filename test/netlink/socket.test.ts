import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { SysCallError } from '../../src/errors.ts';
import {
  decodeNetlinkMessages,
  encodeGenlHeader,
  encodeNetlinkAttributes,
  encodeNetlinkMessage,
  GENL_ID_CTRL,
  NETLINK_GENERIC,
  NETLINK_SOCK_DIAG,
  NetlinkError,
  NetlinkOverrunError,
  NetlinkSocket,
  NetlinkSocketStateError,
  NetlinkTimeoutError,
  type NetlinkTransport,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  nlAttrString,
  resolveGenlFamily,
  resolveGenlFamilySync,
} from '../../src/netlink/index.ts';
import * as sys from '../../src/sys/index.ts';

// ---------------------------------------------------------------- fake transport

type Datagram = Buffer | Error;

/** A transport whose kernel is a function from the request to reply datagrams. */
class FakeTransport implements NetlinkTransport {
  readonly portId = 4242;
  queue: Datagram[] = [];
  sent: Buffer[] = [];
  recvCalls: { len: number; flags: number }[] = [];
  closed = 0;
  constructor(private readonly kernel: (req: ReturnType<typeof decodeNetlinkMessages>[0]) => Datagram[]) {}
  send(buf: Buffer, len: number): void {
    const b = Buffer.from(buf.subarray(0, len));
    this.sent.push(b);
    const [m] = decodeNetlinkMessages(b);
    this.queue.push(...this.kernel(m!));
  }
  async sendAsync(buf: Buffer, len: number): Promise<void> {
    await new Promise((r) => setImmediate(r));
    this.send(buf, len);
  }
  recv(buf: Buffer, len: number, flags: number): number {
    this.recvCalls.push({ len, flags });
    const d = this.queue[0];
    if (d === undefined) return -1;
    if (d instanceof Error) {
      this.queue.shift();
      throw d;
    }
    d.copy(buf, 0, 0, Math.min(len, d.length));
    if (!(flags & sys.MSG_PEEK)) this.queue.shift();
    return flags & sys.MSG_TRUNC ? d.length : Math.min(len, d.length);
  }
  async recvAsync(buf: Buffer, len: number, flags: number): Promise<number> {
    await new Promise((r) => setImmediate(r));
    return this.recv(buf, len, flags);
  }
  async pollAsync(): Promise<boolean> {
    await new Promise((r) => setImmediate(r));
    return this.queue.length > 0;
  }
  setReceiveBufferSize(): void {}
  getReceiveBufferSize(): number {
    return 0;
  }
  close(): void {
    this.closed++;
  }
}

const PORT = 4242;
function msg(type: number, flags: number, seq: number, payload: Buffer, pid = PORT): Buffer {
  return encodeNetlinkMessage({ type, flags, seq, pid }, payload);
}
function done(seq: number, err = 0): Buffer {
  const p = Buffer.alloc(4);
  p.writeInt32LE(err);
  return msg(NLMSG_DONE, NLM_F_MULTI, seq, p);
}
function ack(seq: number, err = 0, text?: string): Buffer {
  const tlv = text ? encodeNetlinkAttributes([nlAttrString(1, text)]) : Buffer.alloc(0);
  const p = Buffer.alloc(20 + tlv.length);
  p.writeInt32LE(-err);
  p.writeUInt32LE(16, 4);
  p.writeUInt32LE(seq, 12);
  tlv.copy(p, 20);
  return msg(NLMSG_ERROR, 0x100 | (text ? 0x200 : 0), seq, p);
}
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

test('fake: a dump is collected across datagrams until NLMSG_DONE; stale and foreign messages are skipped', async () => {
  const t = new FakeTransport((r) => [
    msg(20, NLM_F_MULTI, r.seq - 1, u32(99)), // stale reply of an older request
    Buffer.concat([msg(20, NLM_F_MULTI, r.seq, u32(1)), msg(20, NLM_F_MULTI, 0, u32(98), 0)]), // + multicast
    Buffer.concat([msg(20, NLM_F_MULTI, r.seq, u32(2)), msg(20, NLM_F_MULTI, r.seq, u32(3)), done(r.seq)]),
  ]);
  const s = new NetlinkSocket(t, NETLINK_SOCK_DIAG);
  const out = await s.request(20, NLM_F_DUMP, Buffer.alloc(8), 'test dump');
  assert.deepEqual(
    out.map((m) => m.payload.readUInt32LE(0)),
    [1, 2, 3],
  );
  assert.equal(s.droppedMessages, 2);
  const sent = decodeNetlinkMessages(t.sent[0]!)[0]!;
  assert.equal(sent.flags, NLM_F_REQUEST | NLM_F_DUMP, 'no ACK flag on a dump');
  assert.equal(out[0]!.seq, sent.seq);
  assert.equal(out[0]!.pid, PORT);
  // the sync form sees the same
  assert.deepEqual(
    s.requestSync(20, NLM_F_DUMP, Buffer.alloc(8)).map((m) => m.payload.readUInt32LE(0)),
    [1, 2, 3],
  );
  s.close();
  s.close();
  assert.equal(t.closed, 1, 'close is idempotent');
  await assert.rejects(s.request(20, 0, Buffer.alloc(0)), NetlinkSocketStateError);
});

test('fake: a non-dump request carries NLM_F_ACK and ends at the ACK; errors carry extack and the description', async () => {
  let fail = false;
  const t = new FakeTransport((r) =>
    fail ? [ack(r.seq, 22, 'bad attribute')] : [msg(30, 0, r.seq, u32(7)), ack(r.seq)],
  );
  const s = new NetlinkSocket(t, NETLINK_GENERIC);
  const out = await s.request(30, 0, Buffer.alloc(0), 'GET thing');
  assert.equal(out.length, 1);
  assert.equal(decodeNetlinkMessages(t.sent[0]!)[0]!.flags, NLM_F_REQUEST | NLM_F_ACK);
  fail = true;
  await assert.rejects(s.request(30, 0, Buffer.alloc(0), 'GET thing'), (e: unknown) => {
    assert.ok(e instanceof NetlinkError);
    assert.ok(e instanceof SysCallError);
    assert.equal(e.errnoName, 'EINVAL');
    assert.equal(e.request, 'GET thing');
    assert.equal(e.extAck, 'bad attribute');
    assert.match(e.message, /GET thing.*EINVAL.*bad attribute/);
    return true;
  });
  assert.throws(() => s.requestSync(30, 0, Buffer.alloc(0), 'GET thing'), { errnoName: 'EINVAL' });
});

test('fake: NLMSG_DONE with a negative errno fails the dump', async () => {
  const s = new NetlinkSocket(new FakeTransport((r) => [done(r.seq, -2)]), 4);
  await assert.rejects(
    s.dump(20, 0, Buffer.alloc(0), () => {}, 'SOCK_DIAG_BY_FAMILY inet 200'),
    {
      errnoName: 'ENOENT',
      request: 'SOCK_DIAG_BY_FAMILY inet 200',
    },
  );
});

test('fake: a throwing callback still drains the dump, the socket stays usable', async () => {
  const t = new FakeTransport((r) => [
    Buffer.concat([msg(20, NLM_F_MULTI, r.seq, u32(1)), msg(20, NLM_F_MULTI, r.seq, u32(2))]),
    done(r.seq),
  ]);
  const s = new NetlinkSocket(t, 4);
  await assert.rejects(
    s.dump(20, 0, Buffer.alloc(0), () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(t.queue.length, 0, 'rest of the dump read');
  let n = 0;
  assert.equal(
    await s.dump(20, 0, Buffer.alloc(0), (b, type, off, len) => {
      assert.equal(type, 20);
      assert.equal(len, 4);
      n += b.readUInt32LE(off);
    }),
    2,
  );
  assert.equal(n, 3);
});

test('fake: concurrent requests queue and each gets its own reply; sync during async throws', async () => {
  const t = new FakeTransport((r) => [msg(20, NLM_F_MULTI, r.seq, u32(r.seq)), done(r.seq)]);
  const s = new NetlinkSocket(t, 4);
  const ps = Array.from({ length: 20 }, () => s.request(20, NLM_F_DUMP, Buffer.alloc(0)));
  assert.throws(() => s.requestSync(20, NLM_F_DUMP, Buffer.alloc(0)), /asynchronous request is in flight/);
  const rs = await Promise.all(ps);
  const seqs = rs.map((r) => r[0]!.payload.readUInt32LE(0));
  assert.equal(new Set(seqs).size, 20);
  for (const r of rs) assert.equal(r[0]!.seq, r[0]!.payload.readUInt32LE(0));
  assert.equal(s.requestSync(20, NLM_F_DUMP, Buffer.alloc(0)).length, 1, 'sync works once idle');
});

test('fake: a datagram larger than a small buffer is peeked, the buffer grows, nothing is lost', async () => {
  const big = Buffer.alloc(5000, 7);
  const t = new FakeTransport((r) => [Buffer.concat([msg(20, NLM_F_MULTI, r.seq, big), done(r.seq)])]);
  const s = new NetlinkSocket(t, 4, { recvBufferBytes: 1024 });
  const [m] = await s.request(20, NLM_F_DUMP, Buffer.alloc(0));
  assert.ok(m!.payload.equals(big));
  assert.ok(s.recvBufferBytes >= 5036);
  assert.ok(t.recvCalls.some((c) => c.flags & sys.MSG_PEEK));
  const [m2] = s.requestSync(20, NLM_F_DUMP, Buffer.alloc(0));
  assert.ok(m2!.payload.equals(big));
});

test('fake: a truncated datagram with a big buffer raises NetlinkTruncatedError and switches to peeking', async () => {
  let size = 100_000;
  const t = new FakeTransport((r) => [Buffer.concat([msg(20, NLM_F_MULTI, r.seq, Buffer.alloc(size)), done(r.seq)])]);
  const s = new NetlinkSocket(t, 4, { recvBufferBytes: 65536 });
  await assert.rejects(s.request(20, NLM_F_DUMP, Buffer.alloc(0), 'huge'), {
    name: 'NetlinkTruncatedError',
    request: 'huge',
  });
  t.queue.length = 0;
  size = 200_000;
  const [m] = await s.request(20, NLM_F_DUMP, Buffer.alloc(0));
  assert.equal(m!.payload.length, 200_000);
});

test('fake: ENOBUFS becomes NetlinkOverrunError once; receive() returns events and [] on timeout', async () => {
  const t = new FakeTransport(() => []);
  const s = new NetlinkSocket(t, NETLINK_GENERIC);
  assert.deepEqual(await s.receive(5), []);
  t.queue.push(msg(31, 0, 0, u32(5), 0), msg(31, 0, 0, u32(6), 0));
  const evs = await s.receive(1000);
  assert.deepEqual(
    evs.map((e) => e.payload.readUInt32LE(0)),
    [5, 6],
  );
  t.queue.push(sys.sysError('recv', sys.errno.ENOBUFS));
  await assert.rejects(s.receive(1000), NetlinkOverrunError);
  t.queue.push(msg(31, 0, 0, u32(7), 0));
  assert.equal((await s.receive(1000))[0]!.payload.readUInt32LE(0), 7, 'usable after the overrun');
  // messages before an overrun are delivered first, the overrun is reported next
  t.queue.push(msg(31, 0, 0, u32(8), 0), sys.sysError('recv', sys.errno.ENOBUFS));
  assert.equal((await s.receive(1000)).length, 1);
  await assert.rejects(s.receive(1000), NetlinkOverrunError);
});

test('fake: ENOBUFS in the middle of a dump fails it after reading the rest; the next dump works', async () => {
  let calls = 0;
  const t = new FakeTransport((r) => [
    msg(20, NLM_F_MULTI, r.seq, u32(1)),
    ...(++calls <= 2 ? [sys.sysError('recv', sys.errno.ENOBUFS)] : []),
    msg(20, NLM_F_MULTI, r.seq, u32(2)),
    done(r.seq),
  ]);
  const s = new NetlinkSocket(t, 4);
  const seen: number[] = [];
  await assert.rejects(
    s.dump(20, 0, Buffer.alloc(0), (b, _t, o) => seen.push(b.readUInt32LE(o))),
    NetlinkOverrunError,
  );
  assert.deepEqual(seen, [1]);
  assert.equal(t.queue.length, 0, 'the rest of the dump was read');
  assert.throws(() => s.dumpSync(20, 0, Buffer.alloc(0), () => {}), NetlinkOverrunError);
  assert.equal(t.queue.length, 0);
  assert.equal(await s.dump(20, 0, Buffer.alloc(0), () => {}), 2, 'no overrun: the whole dump');
});

test('fake: close() while receive() waits rejects it and releases the transport once', async () => {
  const t = new FakeTransport(() => []);
  const s = new NetlinkSocket(t, NETLINK_GENERIC);
  const waiting = s.receive();
  await new Promise((r) => setTimeout(r, 5));
  s.close();
  assert.equal(t.closed, 0, 'not released while a call is in flight');
  await assert.rejects(waiting, NetlinkSocketStateError);
  await new Promise((r) => setImmediate(r));
  assert.equal(t.closed, 1);
  await assert.rejects(s.receive(1), NetlinkSocketStateError);
});

test('fake: no reply → NetlinkTimeoutError and the socket is closed', async () => {
  const t = new FakeTransport(() => []);
  const s = new NetlinkSocket(t, 4, { replyTimeoutMs: 1 });
  await assert.rejects(s.request(20, 0, Buffer.alloc(0), 'silent'), NetlinkTimeoutError);
  assert.equal(s.isClosed, true);
  assert.equal(t.closed, 1);
});

// ---------------------------------------------------------------- live kernel

function listenDumpRequest(family = sys.AF_INET): Buffer {
  const b = Buffer.alloc(56);
  b[0] = family;
  b[1] = 6; // IPPROTO_TCP
  b.writeUInt32LE(1 << 10, 4); // LISTEN only
  return b;
}

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => resolve(srv));
  });
}

test('live: sock_diag LISTEN dump sees our listener (async, sync, streaming); open options', async () => {
  const srv = await listen('127.0.0.1');
  const port = (srv.address() as { port: number }).port;
  const s = NetlinkSocket.open(NETLINK_SOCK_DIAG, { recvBufferBytes: 256 * 1024, rcvbuf: 1 << 20 });
  try {
    assert.ok(s.portId > 0);
    assert.ok(s.getReceiveBufferSize() >= 1 << 20, 'the kernel reports twice the size set');
    const ports = (ms: { payload: Buffer }[]) => ms.map((m) => m.payload.readUInt16BE(4));
    const a = await s.request(20, NLM_F_DUMP, listenDumpRequest(), 'SOCK_DIAG_BY_FAMILY inet tcp');
    assert.ok(ports(a).includes(port));
    assert.ok(ports(s.requestSync(20, NLM_F_DUMP, listenDumpRequest())).includes(port));
    const seen: number[] = [];
    const n = await s.dump(20, 0, listenDumpRequest(), (b, type, off) => {
      assert.equal(type, 20);
      seen.push(b.readUInt16BE(off + 4));
    });
    assert.equal(n, seen.length);
    assert.ok(seen.includes(port));
    const seen2: number[] = [];
    s.dumpSync(20, 0, listenDumpRequest(), (b, _t, off) => seen2.push(b.readUInt16BE(off + 4)));
    assert.deepEqual(seen2.sort(), seen.sort());
  } finally {
    s.close();
    srv.close();
  }
});

test('live: two parallel dumps on one socket get their own complete replies', async () => {
  const s4 = await listen('127.0.0.1');
  const s6 = await listen('::1');
  const s = NetlinkSocket.open(NETLINK_SOCK_DIAG);
  try {
    const [a, b] = await Promise.all([
      s.request(20, NLM_F_DUMP, listenDumpRequest(sys.AF_INET)),
      s.request(20, NLM_F_DUMP, listenDumpRequest(sys.AF_INET6)),
    ]);
    assert.ok(a.length > 0 && a.every((m) => m.payload[0] === sys.AF_INET));
    assert.ok(b.length > 0 && b.every((m) => m.payload[0] === sys.AF_INET6));
    assert.ok(b.some((m) => m.payload.readUInt16BE(4) === (s6.address() as { port: number }).port));
    assert.notEqual(a[0]!.seq, b[0]!.seq);
  } finally {
    s.close();
    s4.close();
    s6.close();
  }
});

test('live: a bad request → NetlinkError with errno, description and the kernel extack text', async () => {
  const s = NetlinkSocket.open(NETLINK_SOCK_DIAG);
  const g = NetlinkSocket.open(NETLINK_GENERIC);
  try {
    const bad = listenDumpRequest();
    bad[1] = 200; // no such protocol handler
    await assert.rejects(s.request(20, NLM_F_DUMP, bad, 'SOCK_DIAG_BY_FAMILY inet 200'), {
      name: 'NetlinkError',
      errnoName: 'ENOENT',
      request: 'SOCK_DIAG_BY_FAMILY inet 200',
    });
    // socket still fine afterwards
    assert.ok((await s.request(20, NLM_F_DUMP, listenDumpRequest())).length >= 0);
    const tooLong = Buffer.concat([encodeGenlHeader(3, 1), encodeNetlinkAttributes([nlAttrString(2, 'x'.repeat(40))])]);
    await assert.rejects(g.request(GENL_ID_CTRL, 0, tooLong, 'CTRL_CMD_GETFAMILY xxx'), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.errnoName, 'EINVAL');
      assert.equal(e.extAck, 'Attribute failed policy validation');
      assert.equal(e.extAckOffset, 20);
      return true;
    });
  } finally {
    s.close();
    g.close();
  }
});

test('live: generic netlink family lookup (TASKSTATS, nlctrl) and a missing family', async () => {
  const g = NetlinkSocket.open(NETLINK_GENERIC);
  try {
    const ctrl = await resolveGenlFamily(g, 'nlctrl');
    assert.equal(ctrl.id, GENL_ID_CTRL);
    assert.equal(ctrl.multicastGroups.get('notify'), GENL_ID_CTRL);
    const ts = await resolveGenlFamily(g, 'TASKSTATS');
    assert.equal(ts.name, 'TASKSTATS');
    assert.ok(ts.id > GENL_ID_CTRL);
    assert.deepEqual(resolveGenlFamilySync(g, 'TASKSTATS'), ts);
    await assert.rejects(resolveGenlFamily(g, 'nosuchfam'), {
      name: 'NotSupportedError',
      feature: 'genl:nosuchfam',
      message: /"nosuchfam" is not available/,
    });
    await assert.rejects(resolveGenlFamily(g, 'x'.repeat(16)), { name: 'InvalidArgumentError' });
  } finally {
    g.close();
  }
});

test('live: 100 000 requests on one socket, and 2 000 open/close cycles, leak no descriptor', async () => {
  const count = () => readdirSync('/proc/self/fd').length;
  const s = NetlinkSocket.open(NETLINK_SOCK_DIAG);
  const req = listenDumpRequest();
  for (let i = 0; i < 1000; i++) s.dumpSync(20, 0, req, () => {});
  const before = count();
  for (let i = 0; i < 100_000; i++) s.dumpSync(20, 0, req, () => {});
  for (let i = 0; i < 2000; i++) await s.dump(20, 0, req, () => {});
  for (let i = 0; i < 2000; i++) NetlinkSocket.open(NETLINK_SOCK_DIAG).close();
  assert.equal(count(), before);
  assert.equal(s.droppedMessages, 0);
  s.close();
  assert.equal(count(), before - 1);
});

test('live: an unknown netlink protocol → NotSupportedError; bad options → InvalidArgumentError', () => {
  assert.throws(() => NetlinkSocket.open(31), { name: 'NotSupportedError', feature: 'netlink protocol 31' });
  assert.throws(() => NetlinkSocket.open(NETLINK_SOCK_DIAG, { recvBufferBytes: 10 }), { name: 'InvalidArgumentError' });
});

test('live: a small receive buffer peeks (MSG_PEEK|MSG_TRUNC), grows and loses nothing', async () => {
  const big = NetlinkSocket.open(NETLINK_GENERIC);
  const small = NetlinkSocket.open(NETLINK_GENERIC, { recvBufferBytes: 256 });
  try {
    const req = encodeGenlHeader(3, 1); // CTRL_CMD_GETFAMILY dump: every family, one datagram of several KiB
    const names = (ms: { type: number; payload: Buffer }[]) =>
      ms.filter((m) => m.type === GENL_ID_CTRL).map((m) => m.payload.length);
    const a = names(await big.request(GENL_ID_CTRL, NLM_F_DUMP, req));
    const b = names(await small.request(GENL_ID_CTRL, NLM_F_DUMP, req));
    assert.ok(a.length > 5);
    assert.deepEqual(b, a);
    assert.ok(small.recvBufferBytes > 256, `grown to ${small.recvBufferBytes}`);
    assert.deepEqual(names(small.requestSync(GENL_ID_CTRL, NLM_F_DUMP, req)), a);
  } finally {
    big.close();
    small.close();
  }
});
