/**
 * Helpers for the live listener scripts (run inside a private network
 * namespace by test/listeners/*.test.ts through runInNetns).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import * as sys from '../../../src/sys/index.ts';

export const scriptsDir = fileURLToPath(new URL('.', import.meta.url));
const SO_REUSEPORT = 15;

/** Encode a sockaddr_in / sockaddr_in6 for `host:port`. */
export function sockaddr(host: string, port: number): Buffer {
  if (net.isIPv4(host)) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(sys.AF_INET, 0);
    b.writeUInt16BE(port, 2);
    host.split('.').forEach((o, i) => {
      b[4 + i] = Number(o);
    });
    return b;
  }
  const b = Buffer.alloc(28);
  b.writeUInt16LE(sys.AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  // expand "::"-forms through the WHATWG URL parser, which normalizes IPv6 hosts
  const groups = new URL(`http://[${host}]/`).hostname.slice(1, -1);
  const [head, tail] = groups.includes('::') ? groups.split('::') : [groups, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  words.forEach((w, i) => {
    b.writeUInt16BE(Number.parseInt(w, 16), 8 + 2 * i);
  });
  return b;
}

/** A bound, not yet listening TCP socket with SO_REUSEPORT set; hand it to `net.Server.listen({ fd })`. */
export function reusePortSocket(host: string, port: number): number {
  const fd = sys.socket(net.isIPv4(host) ? sys.AF_INET : sys.AF_INET6, sys.SOCK_STREAM, 0);
  sys.setsockoptInt(fd, sys.SOL_SOCKET, SO_REUSEPORT, 1);
  sys.bind(fd, sockaddr(host, port));
  return fd;
}

/** A listening net.Server on a SO_REUSEPORT socket (accepting, connections held in `held`). */
export async function reusePortServer(
  host: string,
  port: number,
  backlog: number,
  held: net.Socket[],
): Promise<net.Server> {
  const s = net.createServer((c) => held.push(c));
  await new Promise<void>((r) => s.listen({ fd: reusePortSocket(host, port) }, backlog, r));
  return s;
}

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Kill every child started by {@link startChild}. */
export function killChildren(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
}

/** Start a helper script (`.mjs` plain, `.ts` through tsx) and wait for its "ready" line. */
export async function startChild(
  script: string,
  args: (string | number)[],
): Promise<ChildProcess & { lines: string[] }> {
  const file = `${scriptsDir}/${script}`;
  const argv = script.endsWith('.ts') ? ['--import', 'tsx', file] : [file];
  const c = spawn(process.execPath, [...argv, ...args.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  const lines: string[] = [];
  let buf = '';
  c.stdout!.on('data', (d) => {
    buf += d;
    let i = buf.indexOf('\n');
    while (i >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
  });
  await waitFor(() => lines.includes('ready'), 20_000, `${script} ready`);
  return Object.assign(c, { lines });
}

/** Poll `cond` every 20 ms until true; throw after `timeoutMs` naming `what`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Open `n` connections (all must complete), kept in `held`. */
export async function connectN(n: number, opts: net.NetConnectOpts, held: net.Socket[]): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, () => {
      const c = net.connect(opts);
      c.on('error', () => {});
      held.push(c);
      return new Promise((r) => c.once('connect', r));
    }),
  );
}

/** Start `n` connections without waiting for them (some may never complete, e.g. to a full queue). */
export function connectNoWait(n: number, opts: net.NetConnectOpts, held: net.Socket[]): void {
  for (let i = 0; i < n; i++) {
    const c = net.connect(opts);
    c.on('error', () => {});
    held.push(c);
  }
}

/** A listening row of `ss -ltn` / `ss -lxn`: key (as raingauge spells it) → summed queued (Recv-Q) and backlog (Send-Q). */
export function parseSsListeners(
  text: string,
  unix = false,
): Map<string, { queued: number; backlog: number; sockets: number }> {
  const out = new Map<string, { queued: number; backlog: number; sockets: number }>();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const [state, rq, sq, local] = unix ? f.slice(1) : f;
    if (state !== 'LISTEN') continue;
    let key = local!;
    if (!unix && key.startsWith('*:')) key = `[::]:${key.slice(2)}`; // ss writes a dual-stack [::] listener as *
    if (unix && key.startsWith('@')) key = key.replace(/(?<=.)@+$/, '');
    const e = out.get(key) ?? { queued: 0, backlog: 0, sockets: 0 };
    e.queued += Number(rq);
    e.backlog += Number(sq);
    e.sockets++;
    out.set(key, e);
  }
  return out;
}

/** Sum of `accepted N` lines printed so far by a blocked.mjs child (its last count). */
export function acceptedBy(c: { lines: string[] }): number {
  const last = [...c.lines].reverse().find((l) => l.startsWith('accepted '));
  return last ? Number(last.slice(9)) : 0;
}
