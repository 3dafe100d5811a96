import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, NotSupportedError } from '../../src/errors.ts';
import { parseTcpListenerAddress } from '../../src/listeners/address.ts';
import {
  MAX_FILTER_RANGES,
  portRanges,
  runPortBytecode,
  sourcePortFilterBytecode,
} from '../../src/listeners/bytecode.ts';
import { mapInetDiagError, tcpListenerStats, tcpListenerStatsSync } from '../../src/listeners/tcp.ts';
import { TcpListenerTally } from '../../src/listeners/tcp-tally.ts';
import type { ListenerStats } from '../../src/listeners/types.ts';
import { forEachNetlinkMessage, NetlinkError, NetlinkSocket, type NetlinkTransport } from '../../src/netlink/index.ts';

const fixtures = new URL('../fixtures/listeners/', import.meta.url);
const setup = JSON.parse(readFileSync(new URL('setup.json', fixtures), 'utf8')) as {
  tcp: { key: string; backlog: number; sockets: number; accepted: number; pending: number }[];
};

/**
 * The counts of a stats map (without the per-socket `members` and UNIX `name`),
 * after checking the members add up to the group: one per socket of a group, none for a lone socket.
 */
function counts(m: ReadonlyMap<string, ListenerStats>): Record<string, ListenerStats> {
  const out: Record<string, ListenerStats> = {};
  for (const [k, v] of m) {
    const { members, name: _name, ...rest } = v;
    if (v.sockets > 1) {
      assert.equal(members?.length, v.sockets, `${k}: one member per socket`);
      assert.equal(
        members!.reduce((a, x) => a + x.queued, 0),
        v.queued,
        `${k}: members' queued add up`,
      );
      assert.equal(
        members!.reduce((a, x) => a + x.backlog, 0),
        v.backlog,
        `${k}: members' backlogs add up`,
      );
    } else assert.equal(members, undefined, `${k}: a lone socket has no members list`);
    out[k] = rest;
  }
  return out;
}

/** Feed every data message of a captured dump to `fn(buf, payloadOffset, payloadLength)`. */
function feed(file: string, fn: (buf: Buffer, off: number, len: number) => void): number {
  const buf = readFileSync(new URL(file, fixtures));
  let n = 0;
  forEachNetlinkMessage(buf, buf.length, (type, _f, _s, _p, off, len) => {
    if (type === 3) return false;
    n++;
    fn(buf, off, len);
  });
  return n;
}

test('captured dumps of this kernel give the numbers of what was set up (setup.json)', () => {
  const t = new TcpListenerTally();
  const listeners = feed('tcp-listen.bin', (b, o, l) => t.addListen(b, o, l));
  assert.equal(
    listeners,
    setup.tcp.reduce((a, e) => a + e.sockets, 0),
    'one LISTEN record per socket',
  );
  const est = feed('tcp-established.bin', (b, o, l) => t.addEstablished(b, o, l));
  // every connection has two ESTABLISHED ends in the dump (pending ones too: the client side, and the server side with inode 0)
  const conns = setup.tcp.reduce((a, e) => a + e.accepted + e.pending, 0);
  assert.equal(est, 2 * conns);
  const expected = Object.fromEntries(
    setup.tcp.map((e) => [e.key, { active: e.accepted, queued: e.pending, backlog: e.backlog, sockets: e.sockets }]),
  );
  assert.deepEqual(counts(t.allStats()), expected);
});

test('a truncated capture is a DecodeError, not garbage', () => {
  const t = new TcpListenerTally();
  assert.throws(() => feed('tcp-listen-truncated.bin', (b, o, l) => t.addListen(b, o, l)), DecodeError);
});

/** Build one inet_diag_msg (72 bytes + optional SKV6ONLY attribute). */
function msg(o: {
  family: 4 | 6;
  state: number;
  src: string;
  sport: number;
  rqueue?: number;
  wqueue?: number;
  inode?: number;
  v6only?: boolean;
}): Buffer {
  const b = Buffer.alloc(72 + (o.v6only === undefined ? 0 : 8));
  b[0] = o.family === 4 ? 2 : 10;
  b[1] = o.state;
  b.writeUInt16BE(o.sport, 4);
  b.writeUInt16BE(40000, 6);
  Buffer.from(parseTcpListenerAddress(o.family === 4 ? `${o.src}:1` : `[${o.src}]:1`).addressBytes).copy(b, 8);
  b.writeUInt32LE(o.rqueue ?? 0, 56);
  b.writeUInt32LE(o.wqueue ?? 0, 60);
  b.writeUInt32LE(o.inode ?? 1234, 68);
  if (o.v6only !== undefined) {
    b.writeUInt16LE(5, 72);
    b.writeUInt16LE(11, 74);
    b[76] = o.v6only ? 1 : 0;
  }
  return b;
}
const L = 10;
const E = 1;

function tally(listen: Buffer[], est: Buffer[]): TcpListenerTally {
  const t = new TcpListenerTally();
  for (const m of listen) t.addListen(m, 0, m.length);
  for (const m of est) t.addEstablished(m, 0, m.length);
  return t;
}

test('raindrops definitions on synthesized records', () => {
  const t = tally(
    [
      msg({ family: 4, state: L, src: '127.0.0.1', sport: 80, rqueue: 2, wqueue: 10 }),
      // SO_REUSEPORT: a second socket with the same key is summed
      msg({ family: 4, state: L, src: '127.0.0.1', sport: 80, rqueue: 3, wqueue: 20 }),
      msg({ family: 4, state: L, src: '0.0.0.0', sport: 81, wqueue: 5 }),
      msg({ family: 6, state: L, src: '::', sport: 82, wqueue: 7, v6only: false }),
      msg({ family: 6, state: L, src: '::1', sport: 83, wqueue: 9 }),
      // a non-LISTEN record in the LISTEN pass is ignored
      msg({ family: 4, state: E, src: '127.0.0.1', sport: 84 }),
    ],
    [
      msg({ family: 4, state: E, src: '127.0.0.1', sport: 80 }),
      msg({ family: 4, state: E, src: '127.0.0.1', sport: 80 }),
      // in the accept queue: inode 0, not active
      msg({ family: 4, state: E, src: '127.0.0.1', sport: 80, inode: 0 }),
      // CLOSE_WAIT (8) is not active
      msg({ family: 4, state: 8, src: '127.0.0.1', sport: 80 }),
      // another local address on port 80 without its own listener and without a wildcard: nowhere
      msg({ family: 4, state: E, src: '127.0.0.2', sport: 80 }),
      // wildcard fallback
      msg({ family: 4, state: E, src: '127.0.0.9', sport: 81 }),
      msg({ family: 4, state: E, src: '10.1.2.3', sport: 81 }),
      // IPv4 client of a dual-stack [::] listener, and a v6 one
      msg({ family: 6, state: E, src: '::ffff:127.0.0.1', sport: 82 }),
      msg({ family: 6, state: E, src: '::1', sport: 82 }),
      msg({ family: 6, state: E, src: '::1', sport: 83 }),
      // a client socket (ephemeral local port, no listener): ignored
      msg({ family: 4, state: E, src: '127.0.0.1', sport: 40000 }),
    ],
  );
  assert.deepEqual(counts(t.allStats()), {
    '127.0.0.1:80': { active: 2, queued: 5, backlog: 30, sockets: 2 },
    '0.0.0.0:81': { active: 2, queued: 0, backlog: 5, sockets: 1 },
    '[::]:82': { active: 2, queued: 0, backlog: 7, sockets: 1 },
    '[::1]:83': { active: 1, queued: 0, backlog: 9, sockets: 1 },
  });
  assert.equal(t.establishedSeen, 10, 'only ESTABLISHED records are looked at');
  assert.deepEqual(t.listenerPorts().sort(), [80, 81, 82, 83]);
  assert.deepEqual(t.entries.get('127.0.0.1:80')!.inodes, [1234, 1234]);

  const asked = [
    '127.0.0.1:80',
    '127.0.0.5:81',
    '127.0.0.5:82',
    '[::1]:82',
    '[::ffff:10.0.0.1]:81',
    '127.0.0.2:80',
    '[::2]:83',
    '127.0.0.1:80',
    '0.0.0.0:82',
  ].map(parseTcpListenerAddress);
  const m = t.matchedStats(t.match(asked));
  assert.deepEqual(counts(m), {
    '127.0.0.1:80': { active: 2, queued: 5, backlog: 30, sockets: 2 },
    '127.0.0.5:81': { active: 2, queued: 0, backlog: 5, sockets: 1, matchedKey: '0.0.0.0:81' },
    '127.0.0.5:82': { active: 2, queued: 0, backlog: 7, sockets: 1, matchedKey: '[::]:82' },
    '[::1]:82': { active: 2, queued: 0, backlog: 7, sockets: 1, matchedKey: '[::]:82' },
    '[::ffff:10.0.0.1]:81': { active: 2, queued: 0, backlog: 5, sockets: 1, matchedKey: '0.0.0.0:81' },
    '0.0.0.0:82': { active: 2, queued: 0, backlog: 7, sockets: 1, matchedKey: '[::]:82' },
  });
});

test('a v6-only [::] listener does not serve asked IPv4 addresses', () => {
  const t = tally([msg({ family: 6, state: L, src: '::', sport: 90, wqueue: 1, v6only: true })], []);
  assert.equal(t.matchedStats(t.match([parseTcpListenerAddress('127.0.0.1:90')])).size, 0);
  assert.equal(t.matchedStats(t.match([parseTcpListenerAddress('[::1]:90')])).get('[::1]:90')?.matchedKey, '[::]:90');
});

test('short records are DecodeErrors; unknown families too (LISTEN pass)', () => {
  const t = new TcpListenerTally();
  assert.throws(() => t.addListen(Buffer.alloc(40), 0, 40), DecodeError);
  assert.throws(() => t.addEstablished(Buffer.alloc(71), 0, 71), DecodeError);
  const m = msg({ family: 4, state: L, src: '1.2.3.4', sport: 1 });
  m[0] = 7;
  assert.throws(() => t.addListen(m, 0, m.length), /family 7/);
});

test('fuzz: arbitrary bytes as records never throw anything but DecodeError', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 20 }), (records) => {
      const t = new TcpListenerTally();
      for (const [i, r] of records.entries()) {
        const b = Buffer.from(r);
        try {
          if (i % 2) t.addEstablished(b, 0, b.length);
          else t.addListen(b, 0, b.length);
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
        }
      }
      for (const s of t.allStats().values()) assert.ok(s.active >= 0 && s.queued >= 0 && s.sockets >= 1);
    }),
    { numRuns: 2000 },
  );
});

test('the local-port filter keeps exactly the asked ports (run as the kernel runs it)', () => {
  assert.deepEqual(portRanges([5, 3, 4, 9, 9, 1]), [
    [1, 1],
    [3, 5],
    [9, 9],
  ]);
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 60 }),
      fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 200 }),
      (ports, probes) => {
        const bc = sourcePortFilterBytecode(ports)!;
        const set = new Set(ports);
        for (const p of [...probes, ...ports, 0, 65535]) assert.equal(runPortBytecode(bc, p), set.has(p), `port ${p}`);
      },
    ),
    { numRuns: 500 },
  );
  // too many ranges for one program: no filter (dump everything) rather than a wrong one
  const many = Array.from({ length: MAX_FILTER_RANGES + 1 }, (_, i) => i * 2);
  assert.equal(sourcePortFilterBytecode(many), undefined);
  assert.ok(sourcePortFilterBytecode(many.slice(0, MAX_FILTER_RANGES)));
  assert.throws(() => sourcePortFilterBytecode([]), /at least one port/);
});

test('a kernel without inet_diag/tcp_diag gives NotSupportedError naming the modules and modprobe', () => {
  for (const errno of [2, 95]) {
    const e = mapInetDiagError(new NetlinkError(errno, 'TCPDIAG_GETSOCK'));
    assert.ok(e instanceof NotSupportedError);
    assert.match(e.message, /inet_diag/);
    assert.match(e.message, /tcp_diag/);
    assert.match(e.message, /modprobe/);
  }
  const other = new NetlinkError(22, 'x');
  assert.equal(mapInetDiagError(other), other, 'other errors pass through');
});

/**
 * A fake kernel: answers TCPDIAG_GETSOCK LISTEN requests with the captured
 * LISTEN dump, ESTABLISHED requests carrying a bytecode filter with EINVAL
 * (as a kernel whose audit refuses it), unfiltered ESTABLISHED requests with
 * the captured ESTABLISHED dump.
 */
function fixtureKernel(): NetlinkTransport & { requests: string[] } {
  const listen = readFileSync(new URL('tcp-listen.bin', fixtures));
  const est = readFileSync(new URL('tcp-established.bin', fixtures));
  let queue: Buffer[] = [];
  const requests: string[] = [];
  const reply = (body: Buffer, seq: number): Buffer => {
    const b = Buffer.from(body);
    forEachNetlinkMessage(b, b.length, (_t, _f, _s, _p, off) => {
      b.writeUInt32LE(seq, off - 8);
      b.writeUInt32LE(77, off - 4);
    });
    const done = Buffer.alloc(20);
    done.writeUInt32LE(20, 0);
    done.writeUInt16LE(3, 4);
    done.writeUInt32LE(seq, 8);
    done.writeUInt32LE(77, 12);
    return Buffer.concat([b, done]);
  };
  const t = {
    portId: 77,
    requests,
    send(buf: Buffer, len: number) {
      const seq = buf.readUInt32LE(8);
      const states = buf.readUInt32LE(16 + 52);
      const filtered = len > 16 + 60;
      requests.push(`${states === 1 << 10 ? 'LISTEN' : 'ESTABLISHED'}${filtered ? '+filter' : ''}`);
      if (states === 1 << 10) queue.push(reply(listen, seq));
      else if (filtered) {
        const e = Buffer.alloc(36);
        e.writeUInt32LE(36, 0);
        e.writeUInt16LE(2, 4);
        e.writeUInt32LE(seq, 8);
        e.writeUInt32LE(77, 12);
        e.writeInt32LE(-22, 16);
        queue.push(e);
      } else queue.push(reply(est, seq));
    },
    recv(buf: Buffer, _len?: number, _flags?: number) {
      const d = queue.shift();
      if (!d) return -1;
      d.copy(buf);
      return d.length;
    },
    recvAsync(buf: Buffer, len: number, flags: number) {
      return Promise.resolve(t.recv(buf, len, flags));
    },
    pollAsync: () => Promise.resolve(queue.length > 0),
    setReceiveBufferSize() {},
    getReceiveBufferSize: () => 0,
    close() {
      queue = [];
    },
  };
  return t as unknown as NetlinkTransport & { requests: string[] };
}

test('tcpListenerStats end to end on captured dumps; a refused port filter is retried unfiltered', async () => {
  const expected = Object.fromEntries(
    setup.tcp.map((e) => [e.key, { active: e.accepted, queued: e.pending, backlog: e.backlog, sockets: e.sockets }]),
  );
  const k = fixtureKernel();
  const socket = new NetlinkSocket(k, 4);
  assert.deepEqual(counts(await tcpListenerStats(undefined, { socket })), expected);
  assert.deepEqual(k.requests, ['LISTEN', 'ESTABLISHED+filter', 'ESTABLISHED']);
  assert.deepEqual(counts(tcpListenerStatsSync(undefined, { socket })), expected);
  const one = tcpListenerStatsSync(['127.0.0.2:7003', '[::1]:7004'], { socket });
  assert.deepEqual(counts(one), {
    '127.0.0.2:7003': { ...expected['0.0.0.0:7003'], matchedKey: '0.0.0.0:7003' },
    '[::1]:7004': { ...expected['[::]:7004'], matchedKey: '[::]:7004' },
  });
  // queued only: a single LISTEN request
  k.requests.length = 0;
  const q = await tcpListenerStats(undefined, { socket, active: false });
  assert.deepEqual(k.requests, ['LISTEN']);
  for (const e of setup.tcp)
    assert.deepEqual(counts(new Map([[e.key, q.get(e.key)!]]))[e.key], {
      active: 0,
      queued: e.pending,
      backlog: e.backlog,
      sockets: e.sockets,
    });
  // nothing asked that listens: no ESTABLISHED walk at all
  k.requests.length = 0;
  assert.equal((await tcpListenerStats(['10.9.9.9:1'], { socket })).size, 0);
  assert.deepEqual(k.requests, ['LISTEN']);
  socket.close();
});
