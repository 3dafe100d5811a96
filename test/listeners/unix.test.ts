import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError, NotSupportedError, ParseError } from '../../src/errors.ts';
import {
  findSocketOwners,
  findSocketOwnersSync,
  SocketOwnerCache,
  socketInodeOfLink,
} from '../../src/listeners/owners.ts';
import { tcpListenerStats, tcpListenerStatsSync } from '../../src/listeners/tcp.ts';
import {
  InvalidListenerPathError,
  unixListenerQuery,
  unixListenerStats,
  unixListenerStatsSync,
} from '../../src/listeners/unix.ts';
import {
  decodeUnixListenerRecord,
  kernelDevToUserDev,
  parseProcNetUnix,
  UnixListenerTally,
  unixNameKey,
  unixStatsFromProcNetUnix,
} from '../../src/listeners/unix-tally.ts';
import { forEachNetlinkMessage, NetlinkSocket, type NetlinkTransport } from '../../src/netlink/index.ts';
import { unixNameText } from '../../src/sockdiag/unix.ts';

const fixtures = new URL('../fixtures/listeners/', import.meta.url);
const setup = JSON.parse(readFileSync(new URL('setup.json', fixtures), 'utf8')) as {
  unix: { key: string; backlog: number; sockets: number; accepted: number; pending: number }[];
};
const procText = readFileSync(new URL('proc-net-unix.txt', fixtures), 'utf8');

test('captured unix_diag dump gives the numbers of what was set up', () => {
  const buf = readFileSync(new URL('unix-listen-established.bin', fixtures));
  const t = new UnixListenerTally();
  forEachNetlinkMessage(buf, buf.length, (type, _f, _s, _p, off, len) => {
    if (type === 3) return false;
    t.addMessage(buf, off, len);
  });
  const stats = t.allStats();
  assert.deepEqual(
    Object.fromEntries([...stats].map(([k, { name: _n, members: _m, ...v }]) => [k, v])),
    Object.fromEntries(
      setup.unix.map((e) => [e.key, { active: e.accepted, queued: e.pending, backlog: e.backlog, sockets: e.sockets }]),
    ),
  );
  // each listener carries its raw name, the key being its text form
  for (const [k, v] of stats) assert.equal(unixNameText(v.name!), k);
  // the path listener is identified by its socket file (UNIX_DIAG_VFS), the abstract one by name
  const path = [...t.entries.values()].find((e) => e.key.startsWith('/'))!;
  assert.ok(path.ino! > 0 && path.dev !== undefined);
  const abs = [...t.entries.values()].find((e) => e.key.startsWith('@'))!;
  assert.equal(abs.ino, undefined);
  assert.equal(t.find({ key: 'x', names: [Buffer.from('\0rg-fixture')] }), abs);
  assert.equal(t.find({ key: 'y', dev: path.dev, ino: path.ino, names: [] }), path);
  assert.equal(t.find({ key: 'z', names: [Buffer.from('/elsewhere')] }), undefined);
});

test('/proc/net/unix fallback parser on the captured file agrees (queued, active; no backlog)', () => {
  const rows = parseProcNetUnix(procText);
  assert.ok(rows.length > 0);
  assert.equal(rows.filter((r) => r.flags & 0x10000).length, setup.unix.length, 'one listener row each');
  assert.deepEqual(
    Object.fromEntries(unixStatsFromProcNetUnix(rows)),
    Object.fromEntries(
      setup.unix.map((e) => [
        e.key,
        { active: e.accepted, queued: e.pending, backlog: 0, sockets: 1, backlogUnknown: true as const },
      ]),
    ),
  );
  const wanted = new Map([
    ['/x/link', ['/x/link', setup.unix[0]!.key]],
    ['@rg-fixture', ['@rg-fixture']],
    ['/nope', ['/nope']],
  ]);
  const w = unixStatsFromProcNetUnix(rows, wanted);
  assert.deepEqual([...w.keys()], ['/x/link', '@rg-fixture']);
});

test('a broken /proc/net/unix line is a ParseError naming the line', () => {
  const text = readFileSync(new URL('proc-net-unix-broken.txt', fixtures), 'utf8');
  assert.throws(
    () => parseProcNetUnix(text, 'fixture'),
    (e: unknown) => e instanceof ParseError && e.line === 4,
  );
  assert.throws(() => parseProcNetUnix('garbage\n'), ParseError);
  assert.deepEqual(parseProcNetUnix('Num       RefCount Protocol Flags    Type St Inode Path\n'), []);
});

test('fuzz: mutated /proc/net/unix gives rows or a ParseError', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: procText.length - 1 }),
      fc.string({ maxLength: 8 }),
      fc.nat(20),
      (at, ins, del) => {
        const text = procText.slice(0, at) + ins + procText.slice(at + del);
        try {
          for (const r of parseProcNetUnix(text)) assert.ok(Number.isSafeInteger(r.inode));
        } catch (e) {
          assert.ok(e instanceof ParseError, String(e));
        }
      },
    ),
    { numRuns: 2000 },
  );
});

test('fuzz: arbitrary unix_diag bytes decode or throw DecodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
      const b = Buffer.from(raw);
      try {
        const r = decodeUnixListenerRecord(b, 0, b.length);
        new UnixListenerTally().add(r);
      } catch (e) {
        assert.ok(e instanceof DecodeError, String(e));
      }
      try {
        new UnixListenerTally().addMessage(b, 0, b.length);
      } catch (e) {
        assert.ok(e instanceof DecodeError, String(e));
      }
    }),
    { numRuns: 3000 },
  );
});

test('names, device numbers, and path queries', () => {
  assert.equal(unixNameKey(Buffer.from('/run/a.sock')), '/run/a.sock');
  assert.equal(unixNameKey(Buffer.from('\0abc\0d')), '@abc@d');
  // kernel dev_t (MAJOR << 20 | MINOR) → stat() encoding
  assert.equal(kernelDevToUserDev((254 << 20) | 0), 254 * 256);
  assert.equal(kernelDevToUserDev((8 << 20) | 1), 8 * 256 + 1);
  assert.equal(kernelDevToUserDev((0 << 20) | 0x123), 0x23 + 0x100 * 4096);
  assert.deepEqual(unixListenerQuery('@name').names, [Buffer.from('\0name')]);
  assert.deepEqual(unixListenerQuery('@name\0\0').names, [Buffer.from('\0name')], 'trailing NUL padding ignored');
  for (const bad of ['', 'a\0b', `@${'x'.repeat(108)}`]) {
    assert.throws(() => unixListenerQuery(bad), InvalidListenerPathError, JSON.stringify(bad));
  }
  const q = unixListenerQuery('rel/missing.sock');
  assert.equal(q.key, 'rel/missing.sock');
  assert.ok(
    q.names.some((n) => n.toString().startsWith('/')),
    'absolute form tried too',
  );
  assert.equal(q.ino, undefined);
});

test('owners: /proc/<pid>/fd links on a fixture tree; unreadable processes counted', async () => {
  assert.equal(socketInodeOfLink('socket:[12345]'), 12345);
  assert.equal(socketInodeOfLink('pipe:[1]'), -1);
  assert.equal(socketInodeOfLink('/dev/null'), -1);
  assert.equal(socketInodeOfLink('socket:[x]'), -1);
  const root = mkdtempSync(join(tmpdir(), 'rg-proc-'));
  try {
    const proc = (pid: number, comm: string, links: string[]) => {
      mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
      writeFileSync(join(root, String(pid), 'comm'), `${comm}\n`);
      links.forEach((l, i) => {
        symlinkSync(l, join(root, String(pid), 'fd', String(i)));
      });
    };
    proc(10, 'nginx', ['/dev/null', 'socket:[100]', 'socket:[100]', 'socket:[200]']);
    proc(11, 'nginx', ['socket:[100]', 'pipe:[5]']);
    proc(12, 'other', ['socket:[999]']);
    mkdirSync(join(root, 'self'));
    writeFileSync(join(root, 'version'), '');
    const sync = findSocketOwnersSync([100, 200, 300], root);
    assert.deepEqual(Object.fromEntries(sync.owners), {
      100: [
        { pid: 10, command: 'nginx' },
        { pid: 11, command: 'nginx' },
      ],
      200: [{ pid: 10, command: 'nginx' }],
    });
    assert.equal(sync.unreadablePids, 0);
    const async = await findSocketOwners([100, 200, 300], root, 0);
    assert.deepEqual(Object.fromEntries(async.owners), Object.fromEntries(sync.owners));
    assert.equal(findSocketOwnersSync([], root).owners.size, 0);

    // the cache re-checks known holders and rescans only when something moved
    const cache = new SocketOwnerCache(root, 60_000);
    assert.deepEqual(Object.fromEntries((await cache.lookup([100, 200])).owners), Object.fromEntries(sync.owners));
    assert.equal(cache.fullScans, 1);
    assert.deepEqual(Object.fromEntries(cache.lookupSync([100, 200]).owners), Object.fromEntries(sync.owners));
    assert.deepEqual(Object.fromEntries((await cache.lookup([200])).owners), { 200: [{ pid: 10, command: 'nginx' }] });
    assert.equal(cache.fullScans, 1, 'still valid: no rescan');
    rmSync(join(root, '10', 'fd', '3'));
    symlinkSync('socket:[300]', join(root, '10', 'fd', '3'));
    assert.equal((await cache.lookup([200])).owners.size, 0, 'socket 200 moved away');
    assert.equal(cache.fullScans, 2);
    assert.deepEqual((await cache.lookup([300])).owners.get(300), [{ pid: 10, command: 'nginx' }]);
    assert.equal(cache.fullScans, 3, 'a socket not cached yet');
    const noCache = new SocketOwnerCache(root, -1);
    await noCache.lookup([100]);
    await noCache.lookup([100]);
    assert.equal(noCache.fullScans, 2, 'maxAgeMs < 0: always rescans');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** A netlink transport that answers every request with NLMSG_ERROR -errno (a kernel without the diag module). */
function refusingTransport(errno: number): NetlinkTransport {
  let seq = 0;
  const t: NetlinkTransport = {
    portId: 4242,
    send(buf) {
      seq = buf.readUInt32LE(8);
    },
    recv(buf) {
      buf.writeUInt32LE(36, 0);
      buf.writeUInt16LE(2, 4);
      buf.writeUInt16LE(0x100, 6);
      buf.writeUInt32LE(seq, 8);
      buf.writeUInt32LE(4242, 12);
      buf.writeInt32LE(-errno, 16);
      buf.fill(0, 20, 36);
      return 36;
    },
    recvAsync(buf, len, flags) {
      return Promise.resolve(t.recv(buf, len, flags));
    },
    pollAsync: () => Promise.resolve(true),
    setReceiveBufferSize() {},
    getReceiveBufferSize: () => 0,
    close() {},
  };
  return t;
}

test('sock_diag missing: TCP → NotSupportedError naming modprobe; UNIX → /proc/net/unix fallback or NotSupportedError', async () => {
  const socket = new NetlinkSocket(refusingTransport(2), 4);
  await assert.rejects(tcpListenerStats(undefined, { socket }), (e: unknown) => {
    return e instanceof NotSupportedError && /modprobe inet_diag tcp_diag/.test(e.message);
  });
  assert.throws(() => tcpListenerStatsSync(['127.0.0.1:80'], { socket }), NotSupportedError);
  // UNIX: falls back to <procRoot>/net/unix
  const root = mkdtempSync(join(tmpdir(), 'rg-proc-'));
  try {
    mkdirSync(join(root, 'net'));
    writeFileSync(join(root, 'net', 'unix'), procText);
    const viaProc = await unixListenerStats(undefined, { socket, procRoot: root });
    assert.deepEqual([...viaProc.keys()].sort(), setup.unix.map((e) => e.key).sort());
    assert.deepEqual(Object.fromEntries(unixListenerStatsSync(['@rg-fixture'], { socket, procRoot: root })), {
      '@rg-fixture': { active: 1, queued: 0, backlog: 0, sockets: 1, backlogUnknown: true },
    });
    await assert.rejects(unixListenerStats(undefined, { socket, source: 'sock_diag' }), /modprobe unix_diag/);
    await assert.rejects(unixListenerStats(undefined, { socket, procRoot: join(root, 'nothing') }), (e: unknown) => {
      return e instanceof NotSupportedError && e.feature === 'unix_diag' && /modprobe unix_diag/.test(e.message);
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
    socket.close();
  }
});
