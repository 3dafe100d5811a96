/**
 * Helpers for the netstat live scripts, which run inside a private network
 * namespace (runInNetns): a TCP listener that never accepts (a child process
 * whose event loop is blocked right after listen()), and clients.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';

/**
 * Make SYN retries deterministic in this (private) namespace: `n` retries →
 * n+1 SYNs. Since Linux 6.5 tcp_write_timeout() gives up on a SYN_SENT socket
 * after tcp_syn_retries + tcp_syn_linear_timeouts retransmissions, or earlier
 * by a time-based check whose boundary is racy; with linear timeouts 0 and
 * exponential RTOs (1 s, 2 s) the count-based limit decides: with n = 1 the
 * connect fails with ETIMEDOUT after 3 s, having sent exactly 2 SYNs.
 */
export function setSynRetries(n: number): void {
  writeFileSync('/proc/sys/net/ipv4/tcp_syn_retries', `${n}\n`);
  if (existsSync('/proc/sys/net/ipv4/tcp_syn_linear_timeouts')) {
    writeFileSync('/proc/sys/net/ipv4/tcp_syn_linear_timeouts', '0\n');
  }
}

/** Start a listener with `backlog` that never calls accept(). Resolves with its port and child process. */
export function startStuckListener(backlog: number): Promise<{ port: number; child: ChildProcess }> {
  const code = `const s=require('node:net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:${backlog}},()=>{process.stdout.write(s.address().port+'\\n');Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0);});`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve({ port: Number(buf.trim()), child });
    });
    child.on('error', reject);
    child.on('exit', (c) => reject(new Error(`listener exited ${c}`)));
  });
}

/** Connect and resolve with the socket on success, or the error code on failure. */
export function tryConnect(port: number): Promise<{ sock?: net.Socket; error?: string }> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => resolve({ sock: s }));
    s.once('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? String(e) }));
  });
}

/** A port on 127.0.0.1 that nobody listens on (bound briefly by a server that then closes). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
