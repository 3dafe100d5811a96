// Live scenario (run in a private network namespace by test/listeners/issue11.test.ts):
// an SO_REUSEPORT group on 127.0.0.1:8101 whose first member (backlog 2) is full
// with 3 connections and whose second member (backlog 50) gets what the kernel
// hashes to it, beside an unrelated listener 127.0.0.1:8102 with 12/32 queued.
// Each member's numbers are checked against `ss -ltne` (one line per socket).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type net from 'node:net';
import { listenerUsage, tcpListenerStats, tcpListenerStatsSync } from '../../../src/listeners/index.ts';
import { diagnoseListenOverflows } from '../../../src/listeners/overflows.ts';
import { connectN, connectNoWait, killChildren, startChild, waitFor } from './lib.ts';

let checks = 0;
const held: net.Socket[] = [];
const key = '127.0.0.1:8101';
const queuedOf = (backlog: number) => {
  const s = tcpListenerStatsSync([key]).get(key);
  const members = s?.members ?? (s ? [s] : []);
  return members.find((m) => m.backlog === backlog)?.queued ?? -1;
};

try {
  const slow = await startChild('blocked-reuseport.ts', ['127.0.0.1', 8101, 2, 1]);
  // alone in the group: all 3 go to it (the kernel queues backlog + 1)
  await connectN(3, { host: '127.0.0.1', port: 8101 }, held);
  await waitFor(() => queuedOf(2) === 3, 10_000, 'the first member to fill');
  const fast = await startChild('blocked-reuseport.ts', ['127.0.0.1', 8101, 50, 1]);
  // SYNs hashed to the full member are dropped (and retried); the others queue on the second member
  connectNoWait(30, { host: '127.0.0.1', port: 8101 }, held);
  await waitFor(() => queuedOf(50) >= 1, 10_000, 'the second member to get connections');
  const unrelated = await startChild('blocked.mjs', ['tcp', '127.0.0.1', 8102, 32, 0]);
  await connectN(12, { host: '127.0.0.1', port: 8102 }, held);
  await waitFor(() => tcpListenerStatsSync(['127.0.0.1:8102']).get('127.0.0.1:8102')?.queued === 12, 10_000, '8102');
  // let the retransmitted SYNs settle: two equal reads in a row
  let last = -2;
  await waitFor(
    () => {
      const q = queuedOf(50);
      const same = q === last;
      last = q;
      return same;
    },
    20_000,
    'the second member to settle',
  );

  const stats = await tcpListenerStats(undefined, { owners: true });
  const g = stats.get(key)!;
  assert.equal(g.sockets, 2);
  assert.equal(g.members?.length, 2);
  // every member against ss's own line for that socket (Recv-Q = queued, Send-Q = backlog, ino)
  const ss = execFileSync('ss', ['-ltneH', 'sport = :8101'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => {
      const f = l.trim().split(/\s+/);
      return { queued: Number(f[1]), backlog: Number(f[2]), inode: Number(/ino:(\d+)/.exec(l)![1]) };
    })
    .sort((a, b) => a.inode - b.inode);
  const ours = g
    .members!.map((m) => ({ queued: m.queued, backlog: m.backlog, inode: m.inode }))
    .sort((a, b) => a.inode - b.inode);
  assert.deepEqual(ours, ss, 'members equal ss -ltne per socket');
  checks++;
  const full = g.members!.find((m) => m.backlog === 2)!;
  const other = g.members!.find((m) => m.backlog === 50)!;
  assert.equal(full.queued, 3);
  assert.deepEqual(full.owners, [{ pid: slow.pid, command: 'node' }], 'owner of the full member');
  assert.deepEqual(other.owners, [{ pid: fast.pid, command: 'node' }], 'owner of the other member');
  assert.equal(g.queued, 3 + other.queued);
  assert.equal(g.backlog, 52);
  checks++;
  const u = listenerUsage(g);
  assert.equal(u.full, true, 'the group is FULL because a member is');
  assert.equal(u.percent, 150);
  assert.equal(u.member?.inode, full.inode);
  checks++;

  const r = diagnoseListenOverflows({
    delta: { TcpExt: { ListenOverflows: 5, ListenDrops: 5 } },
    listeners: stats,
    limits: { somaxconn: 4096 },
    seconds: 1,
  });
  assert.deepEqual(
    r.full.map((f) => f.key),
    [key],
    'only the group is full',
  );
  assert.equal(r.busiest[0]!.key, key, 'the group is the fullest, not 127.0.0.1:8102 at 12/32');
  assert.equal(r.full[0]!.member?.inode, full.inode);
  assert.match(r.advice[0]!, new RegExp(`member socket:\\[${full.inode}\\] \\(${slow.pid}/node\\) with 3/2 queued`));
  checks++;
  void unrelated;
  process.stdout.write(`ok ${checks} checks\n`);
} finally {
  for (const s of held) s.destroy();
  killChildren();
}
process.exit(0);
