/**
 * Live scenario run inside a private network namespace by live.test.ts
 * (runInNetns): TCP (v4, v6) and UNIX (path, abstract) listeners with
 * ACCEPTED accepted clients and QUEUED clients left in the accept queues
 * (this process blocks its event loop so Node cannot accept them), each
 * client writing PAYLOAD. The live sock_diag API is then called
 * synchronously and a JSON summary printed for the test to check against
 * the set-up numbers (also printed).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inetSocketsSync, TcpState, tcpInfo, unixSocketsSync } from '../../src/sockdiag/index.ts';
import * as sys from '../../src/sys/index.ts';

const ACCEPTED = 2;
const QUEUED = 3;
const BACKLOG = 8;
const PAYLOAD = 'hello!';

const tmp = mkdtempSync(join(tmpdir(), 'rg-sockdiag-live-'));
const unixPath = join(tmp, 'l.sock');
const abstractName = `rg-live-${process.pid}`;
const ready = join(tmp, 'ready');
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const inodeOf = (x: unknown) =>
  Number(/socket:\[(\d+)\]/.exec(readlinkSync(`/proc/self/fd/${sys.descriptorOf(x)}`))![1]);

const kept: net.Socket[] = [];
const mk = () => net.createServer((s) => kept.push(s));
const listen = (srv: net.Server, arg: object) =>
  new Promise<void>((r) => srv.listen({ ...arg, backlog: BACKLOG }, () => r()));
const s4 = mk();
const s6 = mk();
const su = mk();
const sa = mk();
try {
  await listen(s4, { host: '127.0.0.1', port: 0 });
  await listen(s6, { host: '::1', port: 0, ipv6Only: true });
  await listen(su, { path: unixPath });
  await listen(sa, { path: `\0${abstractName}` });
  const p4 = (s4.address() as net.AddressInfo).port;
  const p6 = (s6.address() as net.AddressInfo).port;
  const clients = spawn(
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
  try {
    clients.stdin.write(`${ACCEPTED} ${PAYLOAD}\n`);
    for (let i = 0; i < 500 && kept.length < 4 * ACCEPTED; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    clients.stdin.write(`${QUEUED} ${PAYLOAD}\n`);
    for (let i = 0; i < 1000 && !existsSync(ready); i++) sleepSync(10);
    if (!existsSync(ready)) throw new Error('clients did not connect');
    sleepSync(100);
    // event loop blocked from here: nothing is accepted
    const tcp = inetSocketsSync({ family: 'all', extensions: ['info', 'cong', 'meminfo'] });
    const tcp4only = inetSocketsSync({ family: 'inet' });
    const listenOnly = inetSocketsSync({ states: [TcpState.LISTEN] });
    const unix = unixSocketsSync();
    const unixListen = unixSocketsSync({ states: [TcpState.LISTEN], show: ['name', 'rqlen', 'icons'] });
    const out = {
      setup: {
        p4,
        p6,
        unixPath,
        abstractName,
        accepted: ACCEPTED,
        queued: QUEUED,
        backlog: BACKLOG,
        payloadBytes: PAYLOAD.length,
        inodes: { s4: inodeOf(s4), s6: inodeOf(s6), su: inodeOf(su), sa: inodeOf(sa) },
        acceptedInodes: kept.map(inodeOf),
      },
      tcpInfoListener: tcpInfo(s4),
      tcp,
      tcp4only,
      listenOnly,
      unix,
      unixListen,
    };
    process.stdout.write(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  } finally {
    clients.kill();
  }
} finally {
  for (const s of kept) s.destroy();
  for (const s of [s4, s6, su, sa]) s.close();
  rmSync(tmp, { recursive: true, force: true });
}
