/**
 * Runs in a fresh network namespace (runInNetns): reads /proc/net/sockstat{,6}, tcp{,6}, udp,
 * unix and net/dev, opens a known set of sockets and sends loopback traffic, reads again and
 * prints both snapshots plus what it opened, as JSON, for system_live.test.ts to compare.
 */
import { createSocket } from 'node:dgram';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netSockstatProtocol, ProcFS } from '../../../src/procfs/index.ts';

const fs = new ProcFS();
const snap = () => ({
  tcp: netSockstatProtocol(fs.netSockstat(), 'TCP')?.inUse,
  udp: netSockstatProtocol(fs.netSockstat(), 'UDP')?.inUse,
  tcp6: netSockstatProtocol(fs.netSockstat6(), 'TCP6')?.inUse,
  loRx: String(fs.netDev().lo?.rxBytes),
  loTx: String(fs.netDev().lo?.txBytes),
  tcpRows: fs.netTCP().length,
  tcpSummary: fs.netTCPSummary(),
});

const before = snap();
const listen = (s: net.Server, port: number, host: string) => new Promise<void>((r) => s.listen(port, host, () => r()));
const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
// 3 IPv4 listeners, one with a held connection (2 more sockets), 1 IPv6 listener
for (let i = 0; i < 3; i++) {
  const s = net.createServer({ pauseOnConnect: true }, (c) => sockets.push(c));
  await listen(s, 0, '127.0.0.1');
  servers.push(s);
}
const s6 = net.createServer();
await listen(s6, 0, '::1');
servers.push(s6);
const port0 = (servers[0]!.address() as net.AddressInfo).port;
const client = net.connect(port0, '127.0.0.1');
await new Promise((r) => client.once('connect', r));
sockets.push(client);
// 50000 bytes over loopback (fits the receive buffer), left unread by the paused server side
const payload = Buffer.alloc(50_000, 7);
await new Promise<void>((r) => client.write(payload, () => r()));
const u = createSocket('udp4');
await new Promise<void>((r) => u.bind(0, '127.0.0.1', () => r()));
const unixPath = join(tmpdir(), `rg-sys-live-${process.pid}.sock`);
const us = net.createServer();
await new Promise<void>((r) => us.listen(unixPath, () => r()));
await new Promise((r) => setTimeout(r, 200));

const after = snap();
const tcpRows = fs.netTCP();
const listenerPorts = servers.slice(0, 3).map((s) => (s.address() as net.AddressInfo).port);
const out = {
  before,
  after,
  listenerPorts,
  port6: (s6.address() as net.AddressInfo).port,
  udpPort: u.address().port,
  unixPath,
  tcpListeners: tcpRows.filter((r) => r.st === 10).map((r) => [r.localAddr, r.localPort]),
  tcp6Listeners: fs
    .netTCP6()
    .filter((r) => r.st === 10)
    .map((r) => [r.localAddr, r.localPort]),
  held: tcpRows.filter((r) => r.st === 1).map((r) => ({ local: r.localPort, rem: r.remPort, rx: r.rxQueue })),
  udp: fs.netUDP().map((r) => [r.localAddr, r.localPort]),
  unix: fs.netUNIX().rows.filter((r) => r.path === unixPath).length,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
for (const c of sockets) c.destroy();
for (const s of servers) s.close();
us.close();
u.close();
rmSync(unixPath, { force: true });
