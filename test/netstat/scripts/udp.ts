/**
 * Runs in a fresh network namespace: UDP and ICMP counters.
 * - N datagrams to a port nobody listens on → Udp NoPorts +N, each answered by
 *   an ICMP port unreachable (type 3) that comes back over loopback;
 * - R datagrams to a socket that reads them → Udp InDatagrams +R (counted when read);
 * - a flood to a socket whose process never reads (blocked event loop, tiny
 *   SO_RCVBUF) → Udp RcvbufErrors and InErrors grow.
 * Prints the deltas as JSON.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { counterDelta, deltaValues, netCounters, stringifyCounters } from '../../../src/netstat/index.ts';

const [N, R] = process.argv.slice(2).map(Number) as [number, number];
const tick = (ms = 100) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

const sender = dgram.createSocket('udp4');
sender.on('error', () => {}); // ICMP errors may surface on the sender
await new Promise<void>((r) => sender.bind(0, '127.0.0.1', () => r()));
const send = (port: number, size = 10) =>
  new Promise<void>((r) => sender.send(Buffer.alloc(size), port, '127.0.0.1', () => r()));

// 1. closed port
const closed = await freePort();
const before1 = netCounters();
for (let i = 0; i < N; i++) await send(closed);
await tick(200);
const after1 = netCounters();

// 2. a reader
const reader = dgram.createSocket('udp4');
let got = 0;
reader.on('message', () => got++);
await new Promise<void>((r) => reader.bind(0, '127.0.0.1', () => r()));
const before2 = netCounters();
for (let i = 0; i < R; i++) await send(reader.address().port);
for (let i = 0; i < 50 && got < R; i++) await tick(20);
const after2 = netCounters();
reader.close();

// 3. a socket that never reads
const code = `const s=require('node:dgram').createSocket({type:'udp4',recvBufferSize:4096});s.bind(0,'127.0.0.1',()=>{process.stdout.write(s.address().port+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0);});`;
const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
const stuckPort = await new Promise<number>((resolve) => {
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    if (buf.includes('\n')) resolve(Number(buf.trim()));
  });
});
const before3 = netCounters();
for (let i = 0; i < 200; i++) await send(stuckPort, 1000);
await tick(100);
const after3 = netCounters();
child.kill('SIGKILL');
sender.close();

process.stdout.write(
  `${stringifyCounters({
    got,
    closedPort: deltaValues(counterDelta(before1, after1)),
    reader: deltaValues(counterDelta(before2, after2)),
    stuck: deltaValues(counterDelta(before3, after3)),
    icmpMsgBefore: before1.IcmpMsg ?? null,
  })}\n`,
);
process.exit(0);
