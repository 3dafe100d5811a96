/**
 * Live TCP listener scenarios, run as root inside a private network namespace
 * (so the kernel's tables hold only what this script sets up). Every expected
 * number is derived from what the script itself opens. Exits non-zero with the
 * failed assertion on any mismatch; prints "ok <n> checks".
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { tcpListenerStats, tcpListenerStatsSync } from '../../../src/listeners/index.ts';
import type { ListenerStats } from '../../../src/listeners/types.ts';
import {
  connectN,
  connectNoWait,
  killChildren,
  parseSsListeners,
  reusePortServer,
  scriptsDir,
  startChild,
  waitFor,
} from './lib.ts';

let checks = 0;
function check(actual: ListenerStats | undefined, expected: Partial<ListenerStats>, what: string): void {
  assert.ok(actual, `${what}: missing from the result`);
  for (const [k, v] of Object.entries(expected)) {
    assert.deepEqual((actual as unknown as Record<string, unknown>)[k], v, `${what}: ${k}`);
  }
  checks++;
}

const held: net.Socket[] = [];
const servers: net.Server[] = [];
async function server(opts: net.ListenOptions): Promise<net.Server> {
  const s = net.createServer((c) => held.push(c));
  await new Promise<void>((r) => s.listen(opts, r));
  servers.push(s);
  return s;
}
function accepted(s: net.Server): Promise<number> {
  return new Promise((r) => s.getConnections((_e, n) => r(n)));
}

// --- IPv4 listener, 3 clients, backlog 37
const v4 = await server({ host: '127.0.0.1', port: 8001, backlog: 37 });
await connectN(3, { host: '127.0.0.1', port: 8001 }, held);
// --- IPv6 listener, 2 clients
const v6 = await server({ host: '::1', port: 8002, backlog: 50 });
await connectN(2, { host: '::1', port: 8002 }, held);
// --- IPv4 wildcard, clients through two different local addresses
const wild = await server({ host: '0.0.0.0', port: 8003 });
await connectN(2, { host: '127.0.0.2', port: 8003 }, held);
await connectN(1, { host: '127.0.0.3', port: 8003 }, held);
// --- dual-stack [::] receiving IPv4 (seen as ::ffff:a.b.c.d) and IPv6 clients
const dual = await server({ host: '::', port: 8004, ipv6Only: false });
await connectN(2, { host: '127.0.0.1', port: 8004 }, held);
await connectN(1, { host: '::1', port: 8004 }, held);
// --- v6-only [::] next to an IPv4 wildcard on the same port
const v6only = await server({ host: '::', port: 8005, ipv6Only: true });
const v4wild5 = await server({ host: '0.0.0.0', port: 8005 });
await connectN(1, { host: '::1', port: 8005 }, held);
await connectN(2, { host: '127.0.0.1', port: 8005 }, held);
// --- idle listener
await server({ host: '127.0.0.1', port: 8006, backlog: 12 });
// --- SO_REUSEPORT group in this process (accepting): two sockets, backlogs 20 + 30, 6 clients
const group: net.Server[] = [];
for (const b of [20, 30]) group.push(await reusePortServer('127.0.0.1', 8007, b, held));
servers.push(...group);
await connectN(6, { host: '127.0.0.1', port: 8007 }, held);
// --- SO_REUSEPORT group that never accepts (another process): 2 × backlog 16, 10 clients
const blockedGroup = await startChild('blocked-reuseport.ts', ['127.0.0.1', 8008, 16, 2]);
await connectN(10, { host: '127.0.0.1', port: 8008 }, held);
// --- overflowing backlog: never accepts, backlog 4 → the kernel queues 4 + 1
const overflow = await startChild('blocked.mjs', ['tcp', '127.0.0.1', 8009, 4, 0]);
connectNoWait(9, { host: '127.0.0.1', port: 8009 }, held);
// --- a Node http server held busy: 1 request accepted and stuck in its handler, 5 connections queued
const busy = await startChild('busy-http.mjs', [8010, 64]);
http.get({ host: '127.0.0.1', port: 8010, path: '/' }).on('error', () => {});
await waitFor(() => busy.lines.includes('busy'), 10_000, 'http server busy');
await connectN(5, { host: '127.0.0.1', port: 8010 }, held);

// wait until the accepting servers saw everything (accept is asynchronous)
await waitFor(async () => (await accepted(v4)) === 3 && (await accepted(v6)) === 2 && (await accepted(wild)) === 3);
await waitFor(
  async () => (await accepted(dual)) === 3 && (await accepted(v6only)) === 1 && (await accepted(v4wild5)) === 2,
);
await waitFor(async () => (await accepted(group[0]!)) + (await accepted(group[1]!)) === 6);
await waitFor(
  () => tcpListenerStatsSync(['127.0.0.1:8009']).get('127.0.0.1:8009')?.queued === 5,
  10_000,
  'overflow queue to fill',
);

const all = await tcpListenerStats();
const sync = tcpListenerStatsSync();
assert.deepEqual(Object.fromEntries(sync), Object.fromEntries(all), 'sync and async agree');
check(all.get('127.0.0.1:8001'), { active: 3, queued: 0, backlog: 37, sockets: 1 }, 'IPv4');
check(all.get('[::1]:8002'), { active: 2, queued: 0, backlog: 50, sockets: 1 }, 'IPv6');
check(all.get('0.0.0.0:8003'), { active: 3, queued: 0, backlog: 511, sockets: 1 }, 'IPv4 wildcard');
check(all.get('[::]:8004'), { active: 3, queued: 0, sockets: 1 }, 'dual-stack [::] with IPv4 clients');
check(all.get('[::]:8005'), { active: 1, queued: 0 }, 'v6-only [::]');
check(all.get('0.0.0.0:8005'), { active: 2, queued: 0 }, 'IPv4 wildcard beside v6-only [::]');
check(all.get('127.0.0.1:8006'), { active: 0, queued: 0, backlog: 12, sockets: 1 }, 'idle');
check(all.get('127.0.0.1:8007'), { active: 6, queued: 0, backlog: 50, sockets: 2 }, 'SO_REUSEPORT group, accepting');
check(
  all.get('127.0.0.1:8008'),
  { active: 0, queued: 10, backlog: 32, sockets: 2 },
  'SO_REUSEPORT group, not accepting',
);
check(all.get('127.0.0.1:8009'), { active: 0, queued: 5, backlog: 4 }, 'overflowing backlog (backlog + 1 queued)');
check(all.get('127.0.0.1:8010'), { active: 1, queued: 5, backlog: 64 }, 'busy http server');
assert.equal(all.size, 11, `exactly the listeners set up: ${[...all.keys()].join(' ')}`);
for (const s of all.values()) assert.equal(s.matchedKey, undefined, 'no matchedKey in the all-listener form');

// --- asked-for addresses: canonical keys, wildcard fallback, left-out keys
const asked = await tcpListenerStats([
  '127.0.0.1:8001',
  '[0:0::1]:8002',
  '127.0.0.2:8003',
  '127.0.0.9:8004',
  '[::1]:8004',
  '127.0.0.1:8005',
  '[::1]:8005',
  '127.0.0.1:9999',
  '[::1]:8001',
]);
check(asked.get('127.0.0.1:8001'), { active: 3, queued: 0, backlog: 37 }, 'asked exact');
assert.equal(asked.get('127.0.0.1:8001')!.matchedKey, undefined);
check(asked.get('[::1]:8002'), { active: 2, matchedKey: undefined }, 'asked [0:0::1] canonicalized');
check(asked.get('127.0.0.2:8003'), { active: 3, matchedKey: '0.0.0.0:8003' }, 'asked address served by 0.0.0.0');
check(asked.get('127.0.0.9:8004'), { active: 3, matchedKey: '[::]:8004' }, 'IPv4 address served by dual-stack [::]');
check(asked.get('[::1]:8004'), { active: 3, matchedKey: '[::]:8004' }, 'IPv6 address served by [::]');
check(asked.get('127.0.0.1:8005'), { active: 2, matchedKey: '0.0.0.0:8005' }, 'IPv4 beside a v6-only [::]');
check(asked.get('[::1]:8005'), { active: 1, matchedKey: '[::]:8005' }, 'IPv6 to the v6-only [::]');
assert.ok(!asked.has('127.0.0.1:9999'), 'no listener: left out');
assert.ok(!asked.has('[::1]:8001'), 'an IPv6 address is not served by an IPv4 listener');
assert.deepEqual([...asked.keys()].length, 7);
checks++;

// --- queued-only mode: same queues, no established walk
const qonly = tcpListenerStatsSync(undefined, { active: false });
for (const [k, s] of all)
  check(qonly.get(k), { active: 0, queued: s.queued, backlog: s.backlog, sockets: s.sockets }, `queued-only ${k}`);

// --- owners: this process for its listeners, the children for theirs
const owned = await tcpListenerStats(['127.0.0.1:8001', '127.0.0.1:8008', '127.0.0.1:8009', '127.0.0.1:8007'], {
  owners: true,
});
assert.deepEqual(
  owned.get('127.0.0.1:8001')!.owners!.map((o) => o.pid),
  [process.pid],
);
assert.deepEqual(
  owned.get('127.0.0.1:8007')!.owners!.map((o) => o.pid),
  [process.pid],
  'group in one process: one owner',
);
assert.deepEqual(
  owned.get('127.0.0.1:8008')!.owners!.map((o) => o.pid),
  [blockedGroup.pid],
);
assert.deepEqual(
  owned.get('127.0.0.1:8009')!.owners!.map((o) => o.pid),
  [overflow.pid],
);
assert.equal(owned.get('127.0.0.1:8009')!.owners![0]!.command, 'node');
assert.equal(owned.get('127.0.0.1:8009')!.ownersComplete, true, 'root reads every process');
checks++;

// --- without privileges: the same numbers, but other users' processes are not seen (owners unknown)
const unpriv = JSON.parse(
  execFileSync(process.execPath, ['--import', 'tsx', `${scriptsDir}/unprivileged.ts`], { encoding: 'utf8' }),
) as { uid: number; stats: Record<string, ListenerStats> };
assert.equal(unpriv.uid, 65534);
const rootView = await tcpListenerStats(undefined, { owners: true });
for (const [k, s] of rootView) {
  const u = unpriv.stats[k];
  assert.ok(u, `unprivileged sees ${k}`);
  assert.deepEqual(
    [u.active, u.queued, u.backlog, u.sockets],
    [s.active, s.queued, s.backlog, s.sockets],
    `unprivileged ${k}`,
  );
  assert.deepEqual(u.owners, [], `unprivileged: no owner for root's ${k}`);
  assert.equal(u.ownersComplete, false);
  assert.ok(s.owners!.length > 0 && s.ownersComplete, `root sees the owner of ${k}`);
  checks++;
}

// --- compare queues and backlogs with ss -ltn (ss is used here to check, never by the library)
const ss = parseSsListeners(execFileSync('ss', ['-ltn'], { encoding: 'utf8' }));
assert.equal(ss.size, all.size, 'ss lists as many listener keys');
for (const [k, s] of all) {
  const e = ss.get(k);
  assert.ok(e, `ss has ${k}`);
  assert.deepEqual([e.queued, e.backlog, e.sockets], [s.queued, s.backlog, s.sockets], `ss vs raingauge for ${k}`);
  checks++;
}

// --- a listener closed between two calls disappears
assert.ok(tcpListenerStatsSync().has('127.0.0.1:8001'));
await new Promise<void>((r) => {
  v4.close(() => r());
  for (const c of held) if (c.remotePort === 8001 || c.localPort === 8001) c.destroy();
});
const after = await tcpListenerStats();
assert.ok(!after.has('127.0.0.1:8001'), 'closed listener gone');
assert.equal(after.size, all.size - 1);
checks++;

// --- CLOSE_WAIT connections are not active: a client closes, the half-open server side stays in CLOSE_WAIT
const cwServerSides: net.Socket[] = [];
const cw = net.createServer({ allowHalfOpen: true }, (c) => cwServerSides.push(c));
await new Promise<void>((r) => cw.listen({ host: '127.0.0.1', port: 8011 }, r));
servers.push(cw);
const cwClients: net.Socket[] = [];
await connectN(3, { host: '127.0.0.1', port: 8011 }, cwClients);
await waitFor(async () => (await accepted(cw)) === 3);
check(tcpListenerStatsSync(['127.0.0.1:8011']).get('127.0.0.1:8011'), { active: 3 }, 'before CLOSE_WAIT');
cwClients[0]!.end();
const closeWait = () =>
  execFileSync('ss', ['-tnH', 'state', 'close-wait', 'sport', '= :8011'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean).length;
await waitFor(() => closeWait() === 1, 5_000, 'a server socket in CLOSE_WAIT');
check(tcpListenerStatsSync(['127.0.0.1:8011']).get('127.0.0.1:8011'), { active: 2 }, 'CLOSE_WAIT not counted');
for (const c of cwServerSides) c.destroy();

killChildren();
for (const c of held) c.destroy();
for (const c of cwClients) c.destroy();
for (const s of servers) s.close();
process.stdout.write(`ok ${checks} checks\n`);
process.exit(0);
