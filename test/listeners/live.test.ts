import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  closeListenerStatsSockets,
  tcpListenerStats,
  tcpListenerStatsSync,
  unixListenerStats,
} from '../../src/listeners/index.ts';
import { needNetns, runInNetns } from '../helpers/env.ts';

const scripts = fileURLToPath(new URL('./scripts/', import.meta.url));

async function scenario(t: import('node:test').TestContext, script: string): Promise<void> {
  if (needNetns(t)) return;
  const r = await runInNetns(`${scripts}${script}`, [], 180_000);
  assert.equal(r.code, 0, `${script} failed:\n${r.stderr}\n${r.stdout}`);
  assert.match(r.stdout, /^ok \d+ checks$/m);
  t.diagnostic(r.stdout.trim());
}

test('live TCP (private netns): IPv4, IPv6, wildcard, dual-stack, v6-only, SO_REUSEPORT groups, overflowing backlog, idle, busy http server, closed listener, CLOSE_WAIT, owners, unprivileged view, vs ss -ltn', (t) =>
  scenario(t, 'tcp-live.ts'));

test('live UNIX (private netns): path, symlink, abstract name, queued/active, /proc fallback, owners, vs ss -lxn, closed listener', (t) =>
  scenario(t, 'unix-live.ts'));

test('live CLI (private netns): raingauge listen table, --json, --interval/--count, --threshold, fallback note, exit 2, TTY redraw, Ctrl-C', (t) =>
  scenario(t, 'cli-live.ts'));

const fdCount = () => readdirSync('/proc/self/fd').length;

test('no descriptor leak: 100 000 calls leave the open-descriptor count unchanged', async () => {
  // a listener of our own, so every dump has something to decode
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const key = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  try {
    tcpListenerStatsSync(undefined, { active: false });
    await tcpListenerStats(undefined, { active: false });
    await unixListenerStats(undefined, { active: false });
    const before = fdCount();
    for (let i = 0; i < 100_000; i++) tcpListenerStatsSync(undefined, { active: false });
    for (let i = 0; i < 1_000; i++) await tcpListenerStats([key], { active: false });
    for (let i = 0; i < 200; i++) await unixListenerStats(undefined, { active: false });
    assert.equal(tcpListenerStatsSync([key], { active: false }).get(key)?.sockets, 1);
    assert.equal(fdCount(), before, 'descriptors after 100 000 calls');
    // closing and reopening the shared sockets does not leak either
    for (let i = 0; i < 100; i++) {
      closeListenerStatsSockets();
      tcpListenerStatsSync(undefined, { active: false });
      await tcpListenerStats(undefined, { active: false });
    }
    assert.equal(fdCount(), before, 'descriptors after close/reopen cycles');
    closeListenerStatsSockets();
    assert.equal(fdCount(), before - 2, 'the two shared sockets are closed');
  } finally {
    server.close();
  }
});

test('concurrent async calls queue safely on the shared socket; a sync call alongside uses its own', async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const key = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  try {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? tcpListenerStats([key]) : tcpListenerStats())),
    );
    for (const r of results) assert.equal(r.get(key)?.backlog, 511);
    // a sync call while async ones are in flight uses its own socket: no collision
    const p = tcpListenerStats([key]);
    assert.equal(tcpListenerStatsSync([key]).get(key)?.sockets, 1);
    assert.equal((await p).get(key)?.sockets, 1);
  } finally {
    server.close();
  }
});

test('awaiting calls back to back still lets timers run (the in-place read budget spans calls)', async () => {
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
  }, 1);
  try {
    let calls = 0;
    for (const end = Date.now() + 300; Date.now() < end; calls++) {
      await tcpListenerStats(undefined, { active: false });
      await unixListenerStats(undefined, { active: false });
    }
    assert.ok(calls > 10, `${calls} calls`);
    assert.ok(ticks >= 10, `a 1 ms timer fired ${ticks} times in 300 ms of back-to-back calls`);
  } finally {
    clearInterval(timer);
  }
});
