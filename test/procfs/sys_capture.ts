/**
 * Captures the system-wide procfs files of this machine into the fixture tree
 * test/fixtures/procfs/proc/ (run as root: `node --import tsx test/procfs/sys_capture.ts`).
 * Opens a few TCP/UDP/Unix sockets first so the socket tables have rows. Per-process
 * directories belong to proc_capture.ts; `stat` and `uptime` are left alone when present
 * (that capture writes them too).
 */

import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { procFixtureRoot as root } from './fixtures.ts';

const FILES = [
  'meminfo',
  'loadavg',
  'vmstat',
  'buddyinfo',
  'cpuinfo',
  'crypto',
  'cmdline',
  'interrupts',
  'softirqs',
  'slabinfo',
  'swaps',
  'zoneinfo',
  'pressure/cpu',
  'pressure/memory',
  'pressure/io',
  'sys/fs/file-nr',
  'sys/kernel/random/entropy_avail',
  'sys/kernel/random/poolsize',
  'sys/kernel/random/urandom_min_reseed_secs',
  'sys/kernel/random/write_wakeup_threshold',
  'sys/kernel/random/boot_id',
  'sys/kernel/hung_task_detect_count',
  'sys/kernel/ostype',
  'sys/net/core/somaxconn',
  'sys/net/ipv4/tcp_rmem',
  'sys/fs/file-max',
  'net/dev',
  'net/sockstat',
  'net/sockstat6',
  'net/softnet_stat',
  'net/tcp',
  'net/tcp6',
  'net/udp',
  'net/udp6',
  'net/unix',
  'net/route',
  'net/arp',
  'net/protocols',
  'net/xfrm_stat',
  'net/netstat',
  'net/snmp',
  'net/snmp6',
];

function copy(rel: string): void {
  const dst = join(root, rel);
  mkdirSync(dirname(dst), { recursive: true });
  try {
    writeFileSync(dst, readFileSync(join('/proc', rel)));
  } catch (err) {
    process.stderr.write(`skip ${rel}: ${(err as Error).message}\n`);
  }
}

async function main(): Promise<void> {
  // sockets so /proc/net/{tcp,tcp6,udp,udp6,unix} have rows
  const servers: Server[] = [];
  const clients: Socket[] = [];
  const listen = (s: Server, ...args: unknown[]) =>
    new Promise<void>((resolve) => (s.listen as (...a: unknown[]) => void)(...args, () => resolve()));
  const s4 = createServer({ pauseOnConnect: true }, (c) => clients.push(c));
  await listen(s4, 0, '127.0.0.1', 511);
  servers.push(s4);
  const s6 = createServer({ pauseOnConnect: true }, (c) => clients.push(c));
  await listen(s6, 0, '::1');
  servers.push(s6);
  const sockPath = join(tmpdir(), `raingauge fixture ${process.pid}.sock`);
  rmSync(sockPath, { force: true });
  const su = createServer((c) => clients.push(c));
  await listen(su, sockPath);
  servers.push(su);
  const port4 = (s4.address() as { port: number }).port;
  for (const [port, host] of [
    [port4, '127.0.0.1'],
    [(s6.address() as { port: number }).port, '::1'],
  ] as const) {
    const c = connect(port, host);
    await new Promise((r) => c.once('connect', r));
    c.write('x'.repeat(1000)); // unread by the server: shows in rx_queue
    clients.push(c);
  }
  const u4 = createSocket('udp4');
  await new Promise<void>((r) => u4.bind(0, '127.0.0.1', () => r()));
  const u6 = createSocket('udp6');
  await new Promise<void>((r) => u6.bind(0, '::1', () => r()));
  await new Promise((r) => setTimeout(r, 100));

  for (const f of FILES) copy(f);
  if (!existsSync(join(root, 'stat'))) copy('stat');
  if (!existsSync(join(root, 'uptime'))) copy('uptime');
  rmSync(join(root, 'net/stat'), { recursive: true, force: true });
  mkdirSync(join(root, 'net/stat'), { recursive: true });
  for (const n of readdirSync('/proc/net/stat')) copy(`net/stat/${n}`);
  // /proc/sys/vm: every readable file (write-only ones are skipped, as the reader records them)
  rmSync(join(root, 'sys/vm'), { recursive: true, force: true });
  for (const n of readdirSync('/proc/sys/vm')) {
    if (n === 'stat_refresh' || n === 'compact_memory' || n === 'drop_caches') continue;
    copy(`sys/vm/${n}`);
  }

  for (const c of clients) c.destroy();
  for (const s of servers) s.close();
  u4.close();
  u6.close();
  rmSync(sockPath, { force: true });
}

await main();
