/**
 * Regression tests for the sock_diag/listener items of issue 11: SO_REUSEPORT
 * members, listen(0) display, non-UTF-8 UNIX names, the user-space vfs dev.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderListenTable } from '../../src/cli/commands/listen.ts';
import { type ListenerStats, listenerUsage, unixListenerStats } from '../../src/listeners/index.ts';
import { diagnoseListenOverflows } from '../../src/listeners/overflows.ts';
import { kernelDevToUserDev, unixNameFromText, unixNameText, unixSockets } from '../../src/sockdiag/index.ts';
import { have, needNetns, runInNetns, skipBecause } from '../helpers/env.ts';

const group: ListenerStats = {
  active: 0,
  queued: 16,
  backlog: 52,
  sockets: 2,
  members: [
    { inode: 1001, queued: 3, backlog: 2, owners: [{ pid: 11, command: 'slow' }] },
    { inode: 1002, queued: 13, backlog: 50, owners: [{ pid: 12, command: 'fast' }] },
  ],
};
const other: ListenerStats = {
  active: 0,
  queued: 12,
  backlog: 32,
  sockets: 1,
  members: [{ inode: 2001, queued: 12, backlog: 32 }],
};

test('SO_REUSEPORT group: % used and FULL come from the fullest member (3/2), not the sums (16/52)', () => {
  const u = listenerUsage(group);
  assert.equal(u.full, true);
  assert.equal(u.percent, 150);
  assert.equal(u.member?.inode, 1001);
  assert.equal(listenerUsage(other).full, false);
  assert.equal(listenerUsage(other).percent, 37.5);
});

test('overflow diagnosis names the group and its full member, not the unrelated 12/32 listener', () => {
  const r = diagnoseListenOverflows({
    delta: { TcpExt: { ListenOverflows: 4, ListenDrops: 4 } },
    listeners: new Map([
      ['127.0.0.1:9000', group],
      ['127.0.0.1:9001', other],
    ]),
    limits: { somaxconn: 4096 },
    seconds: 1,
  });
  assert.deepEqual(
    r.full.map((f) => f.key),
    ['127.0.0.1:9000'],
  );
  assert.equal(r.busiest[0]!.key, '127.0.0.1:9000');
  const f = r.full[0]!;
  assert.equal(f.sockets, 2);
  assert.equal(f.member?.inode, 1001);
  assert.equal(f.member?.queuedPeak, 3);
  assert.equal(f.member?.backlog, 2);
  assert.deepEqual(f.member?.owners, [{ pid: 11, command: 'slow' }]);
  assert.equal(f.limitedBy, 'listen-backlog');
  assert.match(r.advice[0]!, /127\.0\.0\.1:9000, member socket:\[1001\] \(11\/slow\) with 3\/2 queued/);
  assert.match(r.advice[0]!, /limit 2 is the listen\(\) backlog/);
  assert.ok(!r.advice.join('\n').includes('9001'), 'the unrelated listener is not blamed');
});

test('table: members of an SO_REUSEPORT group are listed with the group; the group row is FULL from its member', () => {
  const text = renderListenTable(
    { time: new Date(0), rows: [{ key: '127.0.0.1:9000', kind: 'tcp', stats: group }], missing: [] },
    { color: false, owners: true, active: true },
  );
  const lines = text.split('\n');
  const row = lines.find((l) => l.includes('127.0.0.1:9000'))!;
  assert.match(row, /\b16\b.*\b52\b.*150%/);
  assert.match(lines.find((l) => l.includes('socket:[1001]'))!, /\b3\b.*\b2\b.*150% FULL.*slow\[11\]/);
  assert.match(lines.find((l) => l.includes('socket:[1002]'))!, /\b13\b.*\b50\b.*26%.*fast\[12\]/);
});

test('listen(0): the table shows backlog 0 and a percentage, "?" only when the backlog is unknown', () => {
  const zero: ListenerStats = {
    active: 0,
    queued: 0,
    backlog: 0,
    sockets: 1,
  };
  const oneQueued: ListenerStats = { ...zero, queued: 1 };
  const unknown: ListenerStats = { active: 0, queued: 2, backlog: 0, sockets: 1, backlogUnknown: true };
  const text = renderListenTable(
    {
      time: new Date(0),
      rows: [
        { key: '127.0.0.1:9100', kind: 'tcp', stats: zero },
        { key: '127.0.0.1:9101', kind: 'tcp', stats: oneQueued },
        { key: '/run/x.sock', kind: 'unix', stats: unknown },
      ],
      missing: [],
    },
    { color: false, owners: false, active: true },
  );
  const cells = (k: string) =>
    text
      .split('\n')
      .find((l) => l.includes(k))!
      .split(/[│|]/)
      .map((c) => c.trim())
      .filter((c) => c !== '');
  assert.deepEqual(cells('9100').slice(1), ['0', '0', '0', '0%']);
  assert.deepEqual(cells('9101').slice(1), ['0', '1', '0', '100%']);
  assert.deepEqual(cells('/run/x.sock').slice(1), ['0', '2', '?', '-']);
  assert.equal(listenerUsage(oneQueued).full, true, 'listen(0) with one waiting connection is full');
});

test('kernel dev_t → user-space dev: MKDEV(254,0) = 266338304 is 65024; large minors', () => {
  assert.equal(kernelDevToUserDev(266338304), 65024);
  assert.equal(kernelDevToUserDev((8 << 20) | 1), 2049);
  assert.equal(kernelDevToUserDev(0x1a), 0x1a);
  // minor 0x12345 of major 259: glibc makedev = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)
  assert.equal(kernelDevToUserDev((259 << 20) | 0x12345), 0x45 + 259 * 256 + 0x12300 * 4096);
});

test('UNIX name text: UTF-8 as is, other bytes as \\xNN, abstract as @; the text maps back to the bytes', () => {
  assert.equal(unixNameText(Buffer.from('/run/app.sock')), '/run/app.sock');
  assert.equal(unixNameText(Buffer.from('/tmp/caf\u00e9')), '/tmp/caf\u00e9');
  const raw = Buffer.from([0x2f, 0x74, 0xff, 0xc3, 0xa9, 0xc3]);
  assert.equal(unixNameText(raw), '/t\\xff\u00e9\\xc3');
  assert.deepEqual(unixNameFromText(unixNameText(raw)), raw);
  assert.equal(unixNameText(Buffer.from([0, 0x61, 0, 0x62])), '@a@b');
  assert.deepEqual(unixNameFromText('@x\\xfe'), Buffer.from([0, 0x78, 0xfe]));
  assert.equal(unixNameFromText('/plain'), undefined);
});

test('live: UnixSocket.vfs.dev equals fs.statSync().dev (user-space encoding)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-vfs-'));
  const path = join(dir, 's.sock');
  const server = net.createServer();
  try {
    await new Promise<void>((r) => server.listen(path, r));
    const st = statSync(path);
    const s = (await unixSockets({ states: [10] })).find((u) => u.path === path);
    assert.ok(s?.vfs, 'our listener with UNIX_DIAG_VFS');
    assert.equal(s.vfs.inode, st.ino);
    assert.equal(s.vfs.dev, st.dev);
    assert.equal(kernelDevToUserDev(s.vfs.kernelDev), st.dev);
    assert.deepEqual(s.name, Buffer.from(path));
    const l = await unixListenerStats(path);
    assert.equal(l.get(path)?.sockets, 1, 'found by its file (dev + inode)');
  } finally {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live: a UNIX listener whose path is not UTF-8 keeps its bytes and is found by its real path', async (t) => {
  if (!have('ruby')) {
    skipBecause(t, 'needs ruby (a peer that binds a non-UTF-8 path; scripts/install-test-deps.sh)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rg-raw-'));
  const raw = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0x61, 0xff, 0xfe, 0x2e, 0x73])]);
  // ruby binds the raw bytes and waits for stdin to close
  const peer = spawn(
    'ruby',
    [
      '-rsocket',
      '-e',
      'p=ARGV[0].unpack("m0")[0]; s=UNIXServer.new(p); s.listen(7); $stdout.puts("ready"); $stdout.flush; $stdin.read',
      raw.toString('base64'),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const ready = new Promise<void>((res, rej) => {
    peer.stdout!.on('data', (d) => String(d).includes('ready') && res());
    peer.on('exit', (c) => rej(new Error(`ruby exited ${c}`)));
  });
  try {
    await ready;
    const [entry] = readdirSync(dir, { encoding: 'buffer' });
    assert.deepEqual(entry, raw.subarray(dir.length + 1), 'the file has the raw name');
    const text = unixNameText(raw);
    assert.match(text, /\\xff\\xfe\.s$/);
    const all = await unixListenerStats();
    const s = all.get(text);
    assert.ok(s, `listed under ${text}: ${[...all.keys()].filter((k) => k.startsWith(dir)).join(' ')}`);
    assert.deepEqual(s.name, raw, 'raw bytes kept');
    assert.equal(s.backlog, 7);
    assert.ok(![...all.keys()].some((k) => k.includes('\ufffd')), 'no U+FFFD replacement');
    // looked up by the real path (bytes), and by the text form a dump reports
    const byBytes = await unixListenerStats([raw]);
    assert.equal(byBytes.get(text)?.backlog, 7);
    assert.deepEqual(byBytes.get(text)?.name, raw);
    const byText = await unixListenerStats([text]);
    assert.equal(byText.get(text)?.backlog, 7);
    const sd = (await unixSockets({ states: [10] })).find((u) => u.name?.equals(raw));
    assert.equal(sd?.path, text);
  } finally {
    if (peer.exitCode === null) {
      const gone = new Promise((r) => peer.once('exit', r));
      peer.stdin!.end();
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

const scripts = fileURLToPath(new URL('./scripts/', import.meta.url));

test('live (private netns): SO_REUSEPORT members 3/2 (full) and k/50, each checked against ss; overflow diagnosis names the member', async (t) => {
  if (needNetns(t)) return;
  const r = await runInNetns(`${scripts}reuseport-members.ts`, [], 120_000);
  assert.equal(r.code, 0, `reuseport-members.ts failed:\n${r.stderr}\n${r.stdout}`);
  assert.match(r.stdout, /^ok \d+ checks$/m);
  t.diagnostic(r.stdout.trim());
});
