/**
 * Captures real sock_diag replies into test/fixtures/sockdiag/ from a private
 * network namespace with a known set of sockets:
 *
 *   unshare --net sh -c 'ip link set lo up && node --import tsx test/sockdiag/capture.ts'
 *
 * A client process (test/sockdiag/clients.ts) connects CLIENTS_ACCEPTED
 * clients to each listener, which this process accepts, then CLIENTS_QUEUED
 * more while this process blocks its event loop (so they stay in the accept
 * queues), each client writing PAYLOAD. The replies are then captured
 * synchronously. `setup.json` records what was set up; the fixture tests
 * derive every expected number from it.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NETLINK_SOCK_DIAG, NLM_F_DUMP } from '../../src/netlink/index.ts';
import {
  encodeInetDiagRequest,
  encodeTcpDiagLegacyRequest,
  encodeUnixDiagRequest,
  SOCK_DIAG_BY_FAMILY,
  TCPDIAG_GETSOCK,
  TcpState,
} from '../../src/sockdiag/index.ts';
import * as sys from '../../src/sys/index.ts';
import { captureReply } from '../netlink/capture.ts';

export const CLIENTS_ACCEPTED = 2;
export const CLIENTS_QUEUED = 3;
export const BACKLOG = 8;
export const PAYLOAD = 'hello';

const dir = new URL('../fixtures/sockdiag/', import.meta.url);
const tmp = mkdtempSync(join(tmpdir(), 'rg-sockdiag-'));
const unixPath = join(tmp, 'listener.sock');
const abstractName = `rg-sockdiag-${process.pid}`;
const ready = join(tmp, 'ready');

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const listen = (srv: net.Server, arg: object) =>
  new Promise<void>((r) => srv.listen({ ...arg, backlog: BACKLOG }, () => r()));
const kept: net.Socket[] = [];
const mk = () =>
  net.createServer((s) => {
    kept.push(s);
  });
const s4 = mk();
const s6 = mk();
const su = mk();
const sa = mk();
await listen(s4, { host: '127.0.0.1', port: 0 });
await listen(s6, { host: '::1', port: 0, ipv6Only: true });
await listen(su, { path: unixPath });
await listen(sa, { path: `\0${abstractName}` });
const u4 = dgram.createSocket('udp4');
await new Promise<void>((r) => u4.bind(0, '127.0.0.1', () => r()));
const p4 = (s4.address() as net.AddressInfo).port;
const p6 = (s6.address() as net.AddressInfo).port;
const pu = u4.address().port;

const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    new URL('./clients.ts', import.meta.url).pathname,
    String(p4),
    String(p6),
    unixPath,
    abstractName,
    ready,
  ],
  { stdio: ['pipe', 'inherit', 'inherit'] },
);
child.stdin.write(`${CLIENTS_ACCEPTED} ${PAYLOAD}\n`);
while (kept.length < 4 * CLIENTS_ACCEPTED) await new Promise((r) => setTimeout(r, 10));
await new Promise((r) => setTimeout(r, 100));
child.stdin.write(`${CLIENTS_QUEUED} ${PAYLOAD}\n`);
// block the event loop: from now on nothing is accepted
for (let i = 0; i < 1000 && !existsSync(ready); i++) sleepSync(10);
if (!existsSync(ready)) throw new Error('clients did not connect');
sleepSync(100);

const all = ['meminfo', 'info', 'ccinfo', 'cong', 'tos', 'tclass', 'skmeminfo', 'shutdown'] as const;
const save = (name: string, b: Buffer) => {
  writeFileSync(new URL(name, dir), b);
  console.log(name, b.length);
};
save(
  'tcp-legacy-all-ext.bin',
  captureReply(NETLINK_SOCK_DIAG, TCPDIAG_GETSOCK, NLM_F_DUMP, encodeTcpDiagLegacyRequest({ extensions: [...all] })),
);
save(
  'tcp-inet6-v2-info.bin',
  captureReply(
    NETLINK_SOCK_DIAG,
    SOCK_DIAG_BY_FAMILY,
    NLM_F_DUMP,
    encodeInetDiagRequest({ family: 'inet6', protocol: 'tcp', extensions: ['info', 'cong'] }),
  ),
);
save(
  'tcp-inet-listen-filtered.bin',
  captureReply(
    NETLINK_SOCK_DIAG,
    SOCK_DIAG_BY_FAMILY,
    NLM_F_DUMP,
    encodeInetDiagRequest({ family: 'inet', states: [TcpState.LISTEN], filter: { localPort: p4 } }),
  ),
);
save(
  'udp-inet.bin',
  captureReply(
    NETLINK_SOCK_DIAG,
    SOCK_DIAG_BY_FAMILY,
    NLM_F_DUMP,
    encodeInetDiagRequest({ family: 'inet', protocol: 'udp' }),
  ),
);
save('unix-all.bin', captureReply(NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, encodeUnixDiagRequest({})));
const badBytecode = encodeInetDiagRequest({ family: 'inet', filter: Buffer.from([99, 4, 8, 0]) });
save('error-bad-bytecode.bin', captureReply(NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, badBytecode));
const badProto = encodeInetDiagRequest({ family: 'inet', protocol: 200 });
save('error-bad-protocol.bin', captureReply(NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, badProto));
const ti = Buffer.alloc(512);
save('tcpinfo-listen.bin', Buffer.from(ti.subarray(0, sys.getsockopt(sys.descriptorOf(s4), 6, 11, ti))));
save(
  'tcpinfo-established.bin',
  Buffer.from(ti.subarray(0, sys.getsockopt(sys.descriptorOf(kept.find((k) => k.remoteFamily === 'IPv4')), 6, 11, ti))),
);

writeFileSync(
  new URL('setup.json', dir),
  `${JSON.stringify(
    {
      tcp4Port: p4,
      tcp6Port: p6,
      udp4Port: pu,
      backlog: BACKLOG,
      accepted: CLIENTS_ACCEPTED,
      queued: CLIENTS_QUEUED,
      payloadBytes: PAYLOAD.length,
      unixPath,
      abstractName,
    },
    null,
    2,
  )}\n`,
);
child.kill();
for (const s of kept) s.destroy();
for (const s of [s4, s6, su, sa]) s.close();
u4.close();
rmSync(tmp, { recursive: true, force: true });
