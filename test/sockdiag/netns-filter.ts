/**
 * Run inside a private network namespace by live.test.ts: sets up TCP
 * listeners and connections on several addresses and ports (including a
 * dual-stack listener reached over IPv4), then for many generated filter
 * expressions compares the kernel's filtered dump with the unfiltered dump
 * filtered in user space by the same compiled bytecode
 * (runInetDiagBytecode) and by the expression's meaning. Prints a JSON summary.
 */
import net from 'node:net';
import fc from 'fast-check';
import {
  compileInetDiagFilter,
  type InetSocket,
  inetSockets,
  parseInetAddress,
  runInetDiagBytecode,
  TcpState,
} from '../../src/sockdiag/index.ts';
import { filterArb } from './filter-arb.ts';

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
async function listen(host: string, ipv6Only = false): Promise<number> {
  const srv = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => srv.listen({ host, port: 0, ipv6Only }, () => r()));
  servers.push(srv);
  return (srv.address() as net.AddressInfo).port;
}
async function connect(host: string, port: number): Promise<void> {
  await new Promise<void>((r, j) => {
    const c = net.connect({ host, port }, () => r());
    c.on('error', j);
    sockets.push(c);
  });
}

const a = await listen('127.0.0.1');
const b = await listen('127.0.0.2');
const c = await listen('::1', true);
const d = await listen('::'); // dual stack
await connect('127.0.0.1', a);
await connect('127.0.0.2', b);
await connect('::1', c);
await connect('127.0.0.1', d); // shows up as ::ffff:127.0.0.1 on the server side
await connect('::1', d);
await new Promise((r) => setTimeout(r, 100));

const ports = [0, 1, a, b, c, d, Math.min(a, b, c, d) - 1, Math.max(a, b, c, d) + 1, 65535];
const addresses = [
  '127.0.0.1',
  '127.0.0.2/32',
  '127.0.0.0/8',
  '0.0.0.0/0',
  '::1',
  '::',
  '::/0',
  '::ffff:127.0.0.1',
  '10.0.0.0/8',
  'fe80::/10',
];
const toSock = (s: InetSocket) => ({
  family: s.family,
  localPort: s.localPort,
  remotePort: s.remotePort,
  localAddress: parseInetAddress(s.localAddress).bytes,
  remoteAddress: parseInetAddress(s.remoteAddress).bytes,
});

const all = await inetSockets({ family: 'all' });
const exprs = fc.sample(filterArb(ports, addresses), { numRuns: Number(process.argv[2] ?? 150), seed: 4242 });
const failures: unknown[] = [];
let nonTrivial = 0;
for (const expr of exprs) {
  const prog = compileInetDiagFilter(expr);
  const expected = all
    .filter((s) => runInetDiagBytecode(prog, toSock(s)))
    .map((s) => String(s.cookie))
    .sort();
  const legacy = (await inetSockets({ family: 'all', filter: expr })).map((s) => String(s.cookie)).sort();
  const v4 = await inetSockets({ family: 'inet', filter: expr });
  const v6 = await inetSockets({ family: 'inet6', filter: expr });
  const v2 = [...v4, ...v6].map((s) => String(s.cookie)).sort();
  if (expected.length > 0 && expected.length < all.length) nonTrivial++;
  if (JSON.stringify(legacy) !== JSON.stringify(expected) || JSON.stringify(v2) !== JSON.stringify(expected)) {
    failures.push({ expr, expected, legacy, v2 });
  }
}
// hand-written cases with known answers
const exact = {
  portA: (await inetSockets({ filter: { localPort: a }, states: [TcpState.LISTEN] })).map((s) => s.localPort),
  rangeAB: (
    await inetSockets({ filter: { localPort: { ge: Math.min(a, b), le: Math.max(a, b) } }, states: [TcpState.LISTEN] })
  ).map((s) => s.localPort),
  notLoopback4: (
    await inetSockets({ filter: { not: { localAddress: '127.0.0.0/8' } }, states: [TcpState.LISTEN] })
  ).map((s) => `${s.localAddress}:${s.localPort}`),
  mappedToD: (
    await inetSockets({
      filter: { and: [{ localPort: d }, { remoteAddress: '127.0.0.1' }] },
      states: [TcpState.ESTABLISHED],
    })
  ).map((s) => `${s.family} ${s.remoteAddress}`),
};
process.stdout.write(
  JSON.stringify({ ports: { a, b, c, d }, total: all.length, cases: exprs.length, nonTrivial, failures, exact }),
);
for (const s of sockets) s.destroy();
for (const s of servers) s.close();
