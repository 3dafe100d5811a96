/**
 * Regenerates test/fixtures/listeners/: sets up known listeners and
 * connections (described in setup.json), then saves the raw sock_diag reply
 * bytes this kernel sends and /proc/net/unix. Run as root in a private netns:
 *
 *   unshare --net sh -c 'ip link set lo up && node --import tsx test/listeners/scripts/capture-fixtures.ts'
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { NETLINK_SOCK_DIAG, NetlinkSocket } from '../../../src/netlink/index.ts';
import { acceptedBy, connectN, killChildren, reusePortServer, startChild, waitFor } from './lib.ts';

const out = fileURLToPath(new URL('../../fixtures/listeners/', import.meta.url));
const held: net.Socket[] = [];
async function server(opts: net.ListenOptions): Promise<net.Server> {
  const s = net.createServer((c) => held.push(c));
  await new Promise<void>((r) => s.listen(opts, r));
  return s;
}

await server({ host: '127.0.0.1', port: 7001, backlog: 20 });
await connectN(3, { host: '127.0.0.1', port: 7001 }, held);
await server({ host: '::1', port: 7002, backlog: 30 });
await connectN(2, { host: '::1', port: 7002 }, held);
await server({ host: '0.0.0.0', port: 7003, backlog: 40 });
await connectN(2, { host: '127.0.0.2', port: 7003 }, held);
await server({ host: '::', port: 7004, backlog: 50, ipv6Only: false });
await connectN(2, { host: '127.0.0.1', port: 7004 }, held);
await connectN(1, { host: '::1', port: 7004 }, held);
await startChild('blocked.mjs', ['tcp', '127.0.0.1', 7005, 4, 0]);
await connectN(2, { host: '127.0.0.1', port: 7005 }, held);
await reusePortServer('127.0.0.1', 7006, 8, held);
await reusePortServer('127.0.0.1', 7006, 8, held);
const sockPath = '/tmp/rg-fixture.sock';
const blockedUnix = await startChild('blocked.mjs', ['unix', sockPath, 10, 2]);
await connectN(5, { path: sockPath }, held);
await waitFor(() => acceptedBy(blockedUnix) === 2);
await server({ path: '\0rg-fixture', backlog: 6 });
await connectN(1, { path: '\0rg-fixture' }, held);
await new Promise((r) => setTimeout(r, 300));

const setup = {
  kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
  note: 'what capture-fixtures.ts set up; accepted = accepted open connections, pending = connections never accepted',
  tcp: [
    { key: '127.0.0.1:7001', backlog: 20, sockets: 1, accepted: 3, pending: 0 },
    { key: '[::1]:7002', backlog: 30, sockets: 1, accepted: 2, pending: 0 },
    { key: '0.0.0.0:7003', backlog: 40, sockets: 1, accepted: 2, pending: 0, dialed: '127.0.0.2' },
    {
      key: '[::]:7004',
      backlog: 50,
      sockets: 1,
      accepted: 3,
      pending: 0,
      dialed: '127.0.0.1 (2, as ::ffff:127.0.0.1), ::1 (1)',
    },
    { key: '127.0.0.1:7005', backlog: 4, sockets: 1, accepted: 0, pending: 2 },
    { key: '127.0.0.1:7006', backlog: 16, sockets: 2, accepted: 0, pending: 0, note: 'SO_REUSEPORT, 2 × backlog 8' },
  ],
  unix: [
    { key: sockPath, backlog: 10, sockets: 1, accepted: 2, pending: 3 },
    { key: '@rg-fixture', backlog: 6, sockets: 1, accepted: 1, pending: 0 },
  ],
};

const sock = NetlinkSocket.open(NETLINK_SOCK_DIAG);
function capture(type: number, payload: Buffer): Buffer {
  // re-frame each delivered message with its header, as the kernel sent it
  const parts: Buffer[] = [];
  sock.dumpSync(type, 1, payload, (buf, _t, off, len) => {
    parts.push(Buffer.from(buf.subarray(off - 16, off + len + ((4 - (len % 4)) % 4))));
  });
  return Buffer.concat(parts);
}
function legacy(states: number): Buffer {
  const b = Buffer.alloc(60);
  b.writeUInt32LE(states, 52);
  return b;
}
function unixReq(states: number): Buffer {
  const b = Buffer.alloc(24);
  b[0] = 1;
  b.writeUInt32LE(states, 4);
  b.writeUInt32LE(0x1 | 0x2 | 0x10, 12);
  return b;
}
writeFileSync(`${out}/tcp-listen.bin`, capture(18, legacy(1 << 10)));
writeFileSync(`${out}/tcp-established.bin`, capture(18, legacy(1 << 1)));
writeFileSync(`${out}/unix-listen-established.bin`, capture(20, unixReq((1 << 10) | (1 << 1))));
writeFileSync(`${out}/proc-net-unix.txt`, readFileSync('/proc/net/unix', 'utf8'));
writeFileSync(`${out}/setup.json`, `${JSON.stringify(setup, null, 2)}\n`);
sock.close();
killChildren();
rmSync(sockPath, { force: true });
process.stdout.write('captured\n');
process.exit(0);
