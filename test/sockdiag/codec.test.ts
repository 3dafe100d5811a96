import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../src/errors.ts';
import {
  decodeNetlinkAttributes,
  decodeNetlinkError,
  decodeNetlinkMessages,
  NLMSG_DONE,
  NLMSG_ERROR,
} from '../../src/netlink/index.ts';
import {
  compileInetDiagFilter,
  decodeInetDiagMessage,
  decodeSkMemInfo,
  decodeTcpInfo,
  decodeUnixDiagMessage,
  encodeInetDiagRequest,
  encodeTcpDiagLegacyRequest,
  encodeUnixDiagRequest,
  formatInetAddress,
  INET_DIAG_MSG,
  INET_DIAG_REQ_BYTECODE,
  type InetDiagFilter,
  type InetSocket,
  parseInetAddress,
  parseInetPrefix,
  runInetDiagBytecode,
  stateMask,
  TCP_INFO_SIZE,
  TcpState,
  tcpStateName,
  type UnixSocket,
} from '../../src/sockdiag/index.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/sockdiag/${name}`, import.meta.url));
const setup = JSON.parse(readFileSync(new URL('../fixtures/sockdiag/setup.json', import.meta.url), 'utf8')) as {
  tcp4Port: number;
  tcp6Port: number;
  udp4Port: number;
  backlog: number;
  accepted: number;
  queued: number;
  payloadBytes: number;
  unixPath: string;
  abstractName: string;
};

function inetRecords(name: string): InetSocket[] {
  const msgs = decodeNetlinkMessages(fixture(name));
  assert.equal(msgs.at(-1)!.type, NLMSG_DONE);
  return msgs.filter((m) => m.type > NLMSG_DONE).map((m) => decodeInetDiagMessage(m.payload, 0, m.payload.length));
}

function unixRecords(name: string): UnixSocket[] {
  return decodeNetlinkMessages(fixture(name))
    .filter((m) => m.type > NLMSG_DONE)
    .map((m) => decodeUnixDiagMessage(m.payload, 0, m.payload.length));
}

function valueOrDecodeError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}

test('constants and state helpers', () => {
  assert.equal(TcpState.ESTABLISHED, 1);
  assert.equal(TcpState.LISTEN, 10);
  assert.equal(TcpState.NEW_SYN_RECV, 12);
  assert.equal(tcpStateName(10), 'LISTEN');
  assert.equal(tcpStateName(99), 'UNKNOWN(99)');
  assert.equal(stateMask(TcpState.LISTEN), 1 << 10);
  assert.equal(stateMask('LISTEN', 'established'), (1 << 10) | 2);
  assert.throws(() => stateMask(14), { name: 'InvalidArgumentError' });
  assert.deepEqual(Object.keys(INET_DIAG_MSG).length, 16);
});

test('request encoders: inet_diag_req_v2, legacy inet_diag_req, unix_diag_req', () => {
  const r = encodeInetDiagRequest({
    family: 'inet6',
    protocol: 'udp',
    states: [TcpState.LISTEN],
    extensions: ['info', 'cong'],
  });
  assert.equal(r.length, 56);
  assert.equal(r[0], 10);
  assert.equal(r[1], 17);
  assert.equal(r[2], (1 << 1) | (1 << 3));
  assert.equal(r.readUInt32LE(4), 1 << 10);
  assert.ok(r.subarray(8).equals(Buffer.alloc(48)), 'sockid zero: dump everything');
  const f = encodeInetDiagRequest({ family: 'inet', filter: { localPort: 80 } });
  assert.equal(f.readUInt32LE(4), 0xffffffff);
  const [attr] = decodeNetlinkAttributes(f, 56);
  assert.equal(attr!.type, INET_DIAG_REQ_BYTECODE);
  assert.ok(attr!.value.equals(compileInetDiagFilter({ localPort: 80 })));
  const l = encodeTcpDiagLegacyRequest({ states: 'all', extensions: ['meminfo'] });
  assert.equal(l.length, 60);
  assert.equal(l[0], 0, 'family 0: both families');
  assert.equal(l[3], 1);
  assert.equal(l.readUInt32LE(52), 0xffffffff);
  const u = encodeUnixDiagRequest({ states: [TcpState.LISTEN], show: ['name', 'rqlen', 'icons'] });
  assert.equal(u.length, 24);
  assert.equal(u[0], 1);
  assert.equal(u.readUInt32LE(4), 1 << 10);
  assert.equal(u.readUInt32LE(12), 0x1 | 0x10 | 0x8);
  assert.equal(encodeUnixDiagRequest().readUInt32LE(12), 0x7f);
  assert.throws(() => encodeInetDiagRequest({ family: 'inet', protocol: 'sctp' as 'tcp' }), /unknown protocol/);
  assert.throws(
    () => encodeInetDiagRequest({ family: 'inet', extensions: ['nope' as 'info'] }),
    /unknown inet_diag extension/,
  );
  assert.throws(() => encodeUnixDiagRequest({ show: ['names' as 'name'] }), /unknown unix_diag show flag/);
});

test('fixture: legacy TCPDIAG_GETSOCK dump has both families, listeners with queue and backlog, queued connections with inode 0', () => {
  const all = inetRecords('tcp-legacy-all-ext.bin');
  assert.ok(all.some((s) => s.family === 'inet') && all.some((s) => s.family === 'inet6'), 'both families in one dump');
  for (const [family, port, addr] of [
    ['inet', setup.tcp4Port, '127.0.0.1'],
    ['inet6', setup.tcp6Port, '::1'],
  ] as const) {
    const l = all.filter((s) => s.state === TcpState.LISTEN && s.localPort === port);
    assert.equal(l.length, 1);
    assert.equal(l[0]!.family, family);
    assert.equal(l[0]!.localAddress, addr);
    assert.equal(l[0]!.receiveQueue, setup.queued, 'accept-queue length');
    assert.equal(l[0]!.sendQueue, setup.backlog, 'backlog');
    assert.ok(l[0]!.inode > 0);
    assert.equal(l[0]!.tcpInfo!.acceptQueueLength, setup.queued);
    assert.equal(l[0]!.tcpInfo!.acceptQueueBacklog, setup.backlog);
    if (family === 'inet6') assert.equal(l[0]!.v6Only, true);
    const server = all.filter((s) => s.state === TcpState.ESTABLISHED && s.localPort === port);
    const clients = all.filter((s) => s.state === TcpState.ESTABLISHED && s.remotePort === port);
    assert.equal(server.length, setup.accepted + setup.queued);
    assert.equal(clients.length, setup.accepted + setup.queued);
    assert.equal(server.filter((s) => s.inode === 0).length, setup.queued, 'not yet accepted: inode 0');
    // queued connections hold the unread payload; accepted ones were read by Node
    for (const s of server.filter((x) => x.inode === 0)) assert.equal(s.receiveQueue, setup.payloadBytes);
    // every server-side socket pairs with a client-side socket
    assert.deepEqual(server.map((s) => s.remotePort).sort(), clients.map((s) => s.localPort).sort());
    for (const s of [...server, ...clients]) {
      assert.equal(s.tcpInfo!.lengthBytes, TCP_INFO_SIZE);
      assert.equal(s.tcpInfo!.state, TcpState.ESTABLISHED);
      assert.ok(s.tcpInfo!.rttMicros! > 0);
      assert.ok(s.congestion && s.congestion.length > 0);
      assert.ok(s.memInfo && s.skMemInfo && s.skMemInfo.rcvbufBytes! > 0);
      assert.equal(s.shutdown, 0);
    }
    for (const c of clients) assert.equal(c.tcpInfo!.bytesAcked, BigInt(setup.payloadBytes + 1), 'payload + SYN acked');
  }
  const cookies = new Set(all.map((s) => s.cookie));
  assert.equal(cookies.size, all.length, 'cookies are unique');
});

test('fixture: v2 inet6 dump, filtered LISTEN dump, UDP dump', () => {
  const v6 = inetRecords('tcp-inet6-v2-info.bin');
  assert.ok(v6.length > 0 && v6.every((s) => s.family === 'inet6'));
  assert.ok(v6.every((s) => s.tcpInfo !== undefined && s.congestion !== undefined));
  const f = inetRecords('tcp-inet-listen-filtered.bin');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.localPort, setup.tcp4Port);
  assert.equal(f[0]!.tcpInfo, undefined, 'no extension asked');
  const u = inetRecords('udp-inet.bin');
  assert.equal(u.length, 1);
  assert.equal(u[0]!.localPort, setup.udp4Port);
  assert.equal(u[0]!.stateName, 'CLOSE');
});

test('fixture: unix dump with path and abstract listeners, RQLEN, ICONS, peers', () => {
  const all = unixRecords('unix-all.bin');
  for (const [path, abstract] of [
    [setup.unixPath, false],
    [`@${setup.abstractName}`, true],
  ] as const) {
    const l = all.filter((s) => s.state === TcpState.LISTEN && s.path === path);
    assert.equal(l.length, 1, path);
    assert.equal(l[0]!.abstract, abstract);
    assert.equal(l[0]!.type, 'stream');
    assert.equal(l[0]!.receiveQueue, setup.queued);
    assert.equal(l[0]!.backlog, setup.backlog);
    assert.equal(l[0]!.sendQueue, undefined);
    assert.equal(l[0]!.pendingInodes!.length, setup.queued);
    if (!abstract) assert.ok(l[0]!.vfs && l[0]!.vfs.inode > 0);
    else assert.equal(l[0]!.vfs, undefined);
    // ICONS are the connecting clients: their peer is the embryo (no inode yet)
    for (const ino of l[0]!.pendingInodes!) {
      const c = all.find((s) => s.inode === ino);
      assert.ok(c, `client ${ino} listed`);
      assert.equal(c!.peerInode, 0);
      assert.equal(c!.path, undefined);
    }
    // accepted server-side sockets carry the listener's name; their peers are the clients
    const accepted = all.filter((s) => s.state === TcpState.ESTABLISHED && s.path === path);
    assert.equal(accepted.length, setup.accepted);
    for (const a of accepted) {
      const peer = all.find((s) => s.inode === a.peerInode);
      assert.equal(peer!.peerInode, a.inode);
    }
  }
  assert.ok(all.every((s) => s.uid === 0 && s.memInfo !== undefined));
});

test('fixture: error replies (bad bytecode → EINVAL, unknown protocol → ENOENT in NLMSG_DONE)', () => {
  const [e] = decodeNetlinkMessages(fixture('error-bad-bytecode.bin'));
  assert.equal(e!.type, NLMSG_ERROR);
  assert.equal(decodeNetlinkError(e!.payload, e!.flags).errno, 22);
  const [d] = decodeNetlinkMessages(fixture('error-bad-protocol.bin'));
  assert.equal(d!.type, NLMSG_DONE);
  assert.equal(d!.payload.readInt32LE(0), -2);
});

test('fixture: tcp_info from getsockopt, decoded by length (absent, never zero, beyond it)', () => {
  const est = fixture('tcpinfo-established.bin');
  assert.equal(est.length, TCP_INFO_SIZE);
  const t = decodeTcpInfo(est);
  assert.equal(t.stateName, 'ESTABLISHED');
  assert.equal(t.bytesReceived, BigInt(setup.payloadBytes), 'the accepted socket received the payload');
  assert.ok(t.options.timestamps && t.options.sack && t.options.windowScale);
  assert.equal(t.sndMssBytes, t.rcvMssBytes === undefined ? undefined : t.sndMssBytes);
  assert.notEqual(t.accecnOptSeen, undefined);
  const l = decodeTcpInfo(fixture('tcpinfo-listen.bin'));
  assert.equal(l.state, TcpState.LISTEN);
  assert.equal(l.acceptQueueBacklog, setup.backlog);
  assert.equal(l.acceptQueueLength, setup.queued);
  // every prefix length: a field is present exactly when it fits
  const offsets: Record<string, [number, number]> = {
    rtoMicros: [8, 4],
    rttMicros: [68, 4],
    totalRetransPackets: [100, 4],
    pacingRateBytesPerSec: [104, 8],
    segsIn: [140, 4],
    deliveryRateBytesPerSec: [160, 8],
    sndbufLimitedMicros: [184, 8],
    bytesRetrans: [208, 8],
    rcvOooPackets: [224, 4],
    rcvWndBytes: [232, 4],
    totalRto: [240, 2],
    totalRtoTimeMs: [244, 4],
    receivedCePackets: [248, 4],
    receivedCeBytes: [272, 4],
    accecnOptSeen: [278, 2],
  };
  for (let len = 8; len <= est.length; len++) {
    const p = decodeTcpInfo(est, 0, len) as unknown as Record<string, unknown>;
    assert.equal(p.lengthBytes, len);
    for (const [k, [o, sz]] of Object.entries(offsets)) {
      assert.equal(k in p, o + sz <= len, `${k} at length ${len}`);
    }
  }
  assert.equal(decodeTcpInfo(est, 0, 104).pacingRateBytesPerSec, undefined);
  assert.equal(decodeTcpInfo(est, 0, 112).pacingRateBytesPerSec, t.pacingRateBytesPerSec);
  assert.throws(() => decodeTcpInfo(est, 0, 7), DecodeError);
});

test('formatInetAddress: dotted quad and RFC 5952 canonical IPv6', () => {
  const v6 = (s: string) => formatInetAddress(parseInetAddress(s).bytes, 0, 'inet6');
  assert.equal(formatInetAddress(Buffer.from([10, 0, 0, 255]), 0, 'inet'), '10.0.0.255');
  assert.equal(v6('::'), '::');
  assert.equal(v6('::1'), '::1');
  assert.equal(v6('2001:DB8:0:0:0:0:2:1'), '2001:db8::2:1');
  assert.equal(v6('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1', 'a single 0 group is not compressed');
  assert.equal(v6('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1', 'the longest run');
  assert.equal(v6('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1', 'the first of equal runs');
  assert.equal(v6('::ffff:192.0.2.1'), '::ffff:192.0.2.1');
  assert.equal(v6('fe80::1%eth0'), 'fe80::1');
  assert.equal(v6('[0:0::1]'), '::1');
  assert.equal(v6('1::'), '1::');
  assert.throws(() => formatInetAddress(Buffer.alloc(3), 0, 'inet'), DecodeError);
  assert.throws(() => formatInetAddress(Buffer.alloc(16), 0, 7), DecodeError);
  assert.throws(() => parseInetAddress('example.com'), { name: 'InvalidArgumentError' });
  assert.throws(() => parseInetPrefix('10.0.0.0/33'), /prefix length/);
  assert.equal(parseInetPrefix('10.0.0.0/8').prefixLength, 8);
  assert.equal(parseInetPrefix('::1').prefixLength, 128);
});

test('fuzz: IPv6 formatting is canonical and round-trips', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
        minLength: 8,
        maxLength: 8,
      }),
      (groups) => {
        const b = Buffer.alloc(16);
        groups.forEach((g, i) => {
          b.writeUInt16BE(g, 2 * i);
        });
        const s = formatInetAddress(b, 0, 'inet6');
        assert.ok(isIPv6(s), s);
        assert.equal(s, s.toLowerCase());
        assert.ok(!/(^|:)0[0-9a-f]/.test(s), `no leading zeros: ${s}`);
        assert.ok(parseInetAddress(s).bytes.equals(b));
        assert.equal(formatInetAddress(parseInetAddress(s).bytes, 0, 'inet6'), s);
      },
    ),
    { numRuns: 2000 },
  );
});

// ------------------------------------------------------------------ bytecode

type Sock = {
  family: 'inet' | 'inet6';
  localPort: number;
  remotePort: number;
  localAddress: Buffer;
  remoteAddress: Buffer;
};

/** Direct evaluation of a filter expression, the reference for the compiled bytecode. */
function evaluate(e: InetDiagFilter, s: Sock): boolean {
  if ('and' in e) return e.and.every((x) => evaluate(x, s));
  if ('or' in e) return e.or.some((x) => evaluate(x, s));
  if ('not' in e) return !evaluate(e.not, s);
  const c = e as {
    localPort?: unknown;
    remotePort?: unknown;
    localAddress?: string | string[];
    remoteAddress?: string | string[];
  };
  const port = (p: number, cond: unknown): boolean => {
    if (typeof cond === 'number') return p === cond;
    const r = cond as Record<string, number>;
    return (
      (r.eq === undefined || p === r.eq) &&
      (r.ne === undefined || p !== r.ne) &&
      (r.ge === undefined || p >= r.ge) &&
      (r.le === undefined || p <= r.le) &&
      (r.gt === undefined || p > r.gt) &&
      (r.lt === undefined || p < r.lt)
    );
  };
  const addr = (a: Buffer, conds: string | string[]): boolean =>
    (Array.isArray(conds) ? conds : [conds]).some((t) => {
      const p = parseInetPrefix(t);
      let x = a;
      if (p.family === 'inet' && s.family === 'inet6') {
        if (!a.subarray(0, 12).equals(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]))) return false;
        x = a.subarray(12);
      } else if (p.family !== s.family) return false;
      for (let bit = 0; bit < p.prefixLength; bit++) {
        const m = 0x80 >> (bit & 7);
        if ((x[bit >> 3]! & m) !== (p.bytes[bit >> 3]! & m)) return false;
      }
      return true;
    });
  if (c.localPort !== undefined && !port(s.localPort, c.localPort)) return false;
  if (c.remotePort !== undefined && !port(s.remotePort, c.remotePort)) return false;
  if (c.localAddress !== undefined && !addr(s.localAddress, c.localAddress)) return false;
  if (c.remoteAddress !== undefined && !addr(s.remoteAddress, c.remoteAddress)) return false;
  return true;
}

const PORTS = [0, 1, 22, 80, 1024, 2000, 8080, 65535];
const portArb = fc.constantFrom(...PORTS);
const portCondArb = fc.oneof(
  portArb,
  fc.record({ ge: portArb }),
  fc.record({ lt: portArb }),
  fc.record({ ge: portArb, le: portArb }),
  fc.record({ gt: portArb, lt: portArb, ne: portArb }, { requiredKeys: ['gt'] }),
);
const addrCondArb = fc.constantFrom(
  '127.0.0.1',
  '10.0.0.0/8',
  '10.1.2.3/32',
  '0.0.0.0/0',
  '::1',
  'fe80::/10',
  '::/0',
  '::ffff:10.0.0.1',
);
const leafArb = fc
  .record(
    {
      localPort: portCondArb,
      remotePort: portCondArb,
      localAddress: fc.oneof(addrCondArb, fc.array(addrCondArb, { minLength: 1, maxLength: 2 })),
      remoteAddress: addrCondArb,
    },
    { requiredKeys: [] },
  )
  .filter((r) => Object.keys(r).length > 0) as fc.Arbitrary<InetDiagFilter>;
const exprArb: fc.Arbitrary<InetDiagFilter> = fc.letrec<{ e: InetDiagFilter }>((tie) => ({
  e: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'e' },
    leafArb,
    fc.record({ and: fc.array(tie('e'), { maxLength: 3 }) }),
    fc.record({ or: fc.array(tie('e'), { maxLength: 3 }) }),
    fc.record({ not: tie('e') }),
  ),
})).e;
const sockAddrArb = (family: 'inet' | 'inet6') =>
  family === 'inet'
    ? fc.constantFrom('127.0.0.1', '10.1.2.3', '10.9.9.9', '192.168.1.1', '0.0.0.0')
    : fc.constantFrom('::1', '::', 'fe80::1', '2001:db8::1', '::ffff:10.1.2.3', '::ffff:127.0.0.1');
export const sockArb: fc.Arbitrary<Sock> = fc.constantFrom('inet' as const, 'inet6' as const).chain((family) =>
  fc.record({
    family: fc.constant(family),
    localPort: portArb,
    remotePort: portArb,
    localAddress: sockAddrArb(family).map((a) => parseInetAddress(a).bytes),
    remoteAddress: sockAddrArb(family).map((a) => parseInetAddress(a).bytes),
  }),
);

/** Static checks the kernel's inet_diag_bc_audit makes. */
function auditLikeKernel(prog: Buffer): void {
  const boundaries = new Set<number>();
  for (let p = 0; p < prog.length; p += prog[p + 1]!) boundaries.add(p);
  let pos = 0;
  while (pos < prog.length) {
    const len = prog.length - pos;
    const yes = prog[pos + 1]!;
    const no = prog.readUInt16LE(pos + 2);
    assert.ok(yes >= 4 && yes % 4 === 0 && yes <= len + 4, `yes ${yes} at ${pos}`);
    if (prog[pos] !== 0) {
      assert.ok(no >= 4 && no % 4 === 0 && no <= len + 4, `no ${no} at ${pos}`);
      if (no < len) assert.ok(boundaries.has(pos + no), `jump target ${pos + no} is an op`);
    }
    pos += yes;
  }
  assert.equal(pos, prog.length);
}

test('bytecode: compiled programs pass the kernel audit rules and agree with direct evaluation (fuzz)', () => {
  fc.assert(
    fc.property(exprArb, fc.array(sockArb, { minLength: 1, maxLength: 8 }), (expr, socks) => {
      const prog = compileInetDiagFilter(expr);
      auditLikeKernel(prog);
      for (const s of socks) assert.equal(runInetDiagBytecode(prog, s), evaluate(expr, s), JSON.stringify(expr));
    }),
    { numRuns: 1500 },
  );
});

test('bytecode: shapes and bad expressions', () => {
  assert.deepEqual([...compileInetDiagFilter({ localPort: 8080 })], [11, 8, 12, 0, 0, 0, 0x90, 0x1f]);
  const h = compileInetDiagFilter({ remoteAddress: '10.0.0.0/8' });
  assert.deepEqual([...h.subarray(0, 12)], [8, 16, 20, 0, 2, 8, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  assert.deepEqual([...h.subarray(12)], [10, 0, 0, 0]);
  assert.equal(compileInetDiagFilter({ and: [] }).length, 0, 'always true: empty program');
  assert.throws(() => compileInetDiagFilter({ localPort: 70000 }), /0-65535/);
  assert.throws(() => compileInetDiagFilter({ localPort: { between: 1 } } as never), /unknown localPort condition/);
  assert.throws(() => compileInetDiagFilter({ port: 1 } as never), /unknown inet_diag filter key "port"/);
  assert.throws(() => compileInetDiagFilter({ remoteAddress: 'localhost' }), /not a numeric/);
  assert.throws(() => compileInetDiagFilter({ and: [{ localPort: 1 }], or: [] } as never), /only key/);
  assert.throws(() => compileInetDiagFilter(null as never), { name: 'InvalidArgumentError' });
});

// ------------------------------------------------------------------ decoder fuzz

test('fuzz: arbitrary bytes → a record or DecodeError from every decoder', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(420), (u, cut) => {
      const b = Buffer.from(u);
      valueOrDecodeError(() => decodeInetDiagMessage(b, 0, b.length));
      valueOrDecodeError(() => decodeInetDiagMessage(b, 0, cut));
      valueOrDecodeError(() => decodeUnixDiagMessage(b, 0, b.length));
      valueOrDecodeError(() => decodeTcpInfo(b, 0, Math.min(cut, b.length)));
      valueOrDecodeError(() => formatInetAddress(b, cut, cut & 1 ? 'inet' : 'inet6'));
      valueOrDecodeError(() => decodeSkMemInfo(b, cut % 40, cut));
      valueOrDecodeError(() => decodeTcpInfo(b, cut % 9, cut));
    }),
    { numRuns: 3000 },
  );
  // well-formed headers with random attributes
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(2, 10), (u, fam) => {
      const head = Buffer.alloc(72);
      head[0] = fam;
      const b = Buffer.concat([head, Buffer.from(u)]);
      valueOrDecodeError(() => decodeInetDiagMessage(b, 0, b.length));
      const uh = Buffer.from([1, 1, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      const ub = Buffer.concat([uh, Buffer.from(u)]);
      valueOrDecodeError(() => decodeUnixDiagMessage(ub, 0, ub.length));
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: mutated real dumps → records or DecodeError', () => {
  const dumps = [
    ['tcp-legacy-all-ext.bin', decodeInetDiagMessage],
    ['tcp-inet6-v2-info.bin', decodeInetDiagMessage],
    ['udp-inet.bin', decodeInetDiagMessage],
    ['unix-all.bin', decodeUnixDiagMessage],
  ] as const;
  const bufs = dumps.map(([n]) => fixture(n));
  fc.assert(
    fc.property(
      fc.nat(dumps.length - 1),
      fc.array(fc.tuple(fc.nat(20000), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (i, muts) => {
        const b = Buffer.from(bufs[i]!);
        for (const [pos, v] of muts) b[pos % b.length] = v;
        valueOrDecodeError(() => {
          for (const m of decodeNetlinkMessages(b)) {
            if (m.type > NLMSG_DONE) dumps[i]![1](m.payload, 0, m.payload.length);
          }
        });
      },
    ),
    { numRuns: 2000 },
  );
});

test('fuzz: re-encoding a decoded record (header + attributes) decodes to the same record', () => {
  const msgs = decodeNetlinkMessages(fixture('tcp-legacy-all-ext.bin')).filter((m) => m.type > NLMSG_DONE);
  for (const m of msgs) {
    const attrs = decodeNetlinkAttributes(m.payload, 72);
    const again = Buffer.concat([
      m.payload.subarray(0, 72),
      ...attrs.map((a) => {
        const h = Buffer.alloc(4);
        h.writeUInt16LE(4 + a.value.length);
        h.writeUInt16LE(a.type | (a.nested ? 0x8000 : 0), 2);
        const pad = Buffer.alloc((4 - ((4 + a.value.length) % 4)) % 4);
        return Buffer.concat([h, a.value, pad]);
      }),
    ]);
    assert.deepEqual(
      decodeInetDiagMessage(again, 0, again.length),
      decodeInetDiagMessage(m.payload, 0, m.payload.length),
    );
  }
});

test('broken fixtures: each gives a DecodeError naming the problem', () => {
  const firstPayload = (name: string) => decodeNetlinkMessages(fixture(name))[0]!.payload;
  assert.throws(
    () => decodeNetlinkMessages(fixture('broken-truncated-dump.bin')),
    /nlmsg_len \d+ exceeds the \d+ bytes left/,
  );
  assert.throws(() => {
    const p = firstPayload('broken-short-tcpinfo.bin');
    decodeInetDiagMessage(p, 0, p.length);
  }, /cannot decode tcp_info at byte \d+: 6 bytes, needs at least 8/);
  assert.throws(() => {
    const p = firstPayload('broken-attr-overrun.bin');
    decodeInetDiagMessage(p, 0, p.length);
  }, /nla_len 65520 exceeds/);
  assert.throws(() => {
    const p = firstPayload('broken-inet-family.bin');
    decodeInetDiagMessage(p, 0, p.length);
  }, /unknown family 7/);
  assert.throws(() => {
    const p = firstPayload('broken-unix-type.bin');
    decodeUnixDiagMessage(p, 0, p.length);
  }, /unknown socket type 9/);
  const nl = (n: string) => readFileSync(new URL(`../fixtures/netlink/${n}`, import.meta.url));
  assert.throws(
    () => decodeNetlinkMessages(nl('broken-short-nlmsg-len.bin')),
    /nlmsg_len 12 is shorter than the header/,
  );
  const [e] = decodeNetlinkMessages(nl('broken-error-echo-overrun.bin'));
  assert.throws(() => decodeNetlinkError(e!.payload, e!.flags), /echoed request \(32767 bytes\) exceeds the payload/);
});

test('fuzz: runInetDiagBytecode on arbitrary programs returns a boolean or throws InvalidArgumentError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), sockArb, (u, s) => {
      try {
        assert.equal(typeof runInetDiagBytecode(Buffer.from(u), s), 'boolean');
      } catch (e) {
        assert.equal((e as Error).name, 'InvalidArgumentError');
      }
    }),
    { numRuns: 3000 },
  );
});
