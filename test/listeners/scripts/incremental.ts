// Runs inside a private netns (runInNetns): listeners on 127.0.0.1, 0.0.0.0 and [::] (dual stack),
// 1 000 connects and closes in rounds; after each round (quiesced) the kernel-kept counts must equal
// tcpListenerStats. Prints one JSON line.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { IncrementalListenerCounts, listBpfObjectIds, tcpListenerStats } from '../../../src/index.js';

const ids = () => [...listBpfObjectIds('prog'), ...listBpfObjectIds('map'), ...listBpfObjectIds('link')];
const before = ids();
const servers: net.Server[] = [];
const accepted: net.Socket[] = [];
async function listen(port: number, host: string): Promise<void> {
  const s = net.createServer((c) => accepted.push(c));
  await new Promise<void>((r) => s.listen({ port, host, backlog: 4096, ipv6Only: false }, () => r()));
  servers.push(s);
}
await listen(9201, '127.0.0.1');
await listen(9202, '0.0.0.0');
await listen(9203, '::');
await listen(9201, '127.0.0.2'); // an exact listener beside 127.0.0.1 on the same port
const targets: [number, string][] = [
  [9201, '127.0.0.1'],
  [9202, '127.0.0.1'],
  [9202, '127.0.0.3'],
  [9203, '::1'],
  [9203, '127.0.0.1'],
  [9201, '127.0.0.2'],
];
const clients: net.Socket[] = [];
const connect = (port: number, host: string) =>
  new Promise<net.Socket>((resolve, reject) => {
    const c = net.connect({ port, host }, () => resolve(c));
    c.on('error', reject);
  });
async function quiesce(): Promise<void> {
  await sleep(30);
}

// some connections exist before the counts are set up: the seeding walk must find them
for (let i = 0; i < 30; i++) clients.push(await connect(...targets[i % targets.length]!));
await quiesce();
const inc = IncrementalListenerCounts.open();
const rounds: { round: number; bpf: Record<string, number>; diag: Record<string, number> }[] = [];
const snapshot = async (round: number) => {
  const b = inc.read();
  const d = await tcpListenerStats();
  rounds.push({
    round,
    bpf: Object.fromEntries([...b].map(([k, v]) => [k, v.active])),
    diag: Object.fromEntries([...d].map(([k, v]) => [k, v.active])),
  });
};
await snapshot(0);
let connects = 0;
let closes = 0;
for (let round = 1; round <= 10; round++) {
  for (let i = 0; i < 100; i++) {
    clients.push(await connect(...targets[(i + round) % targets.length]!));
    connects++;
  }
  // close a varying share of clients and of accepted sockets (both sides of the connection)
  for (let i = 0; i < 60 + round * 3 && clients.length > 0; i++) {
    const j = (i * 7919 + round) % clients.length;
    clients.splice(j, 1)[0]!.destroy();
    closes++;
  }
  for (let i = 0; i < 10 && accepted.length > 0; i++) accepted.shift()!.destroy();
  await quiesce();
  await snapshot(round);
}
const mode = inc.mode;
inc.close();
for (const c of [...clients, ...accepted]) c.destroy();
for (const s of servers) s.close();
let left: number[] = [];
for (let i = 0; i < 100; i++) {
  const now = ids();
  left = now.filter((id) => !before.includes(id));
  if (left.length === 0) break;
  await sleep(50);
}
process.stdout.write(`${JSON.stringify({ mode, connects, closes, rounds, left })}\n`);
process.exit(0);
