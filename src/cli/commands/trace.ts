/**
 * `raingauge trace sockets`: live socket probes (the SystemTap socket tapset
 * on tracefs), and `raingauge trace events` for any tracepoint.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  BpfSocketSummary,
  type BpfSocketSummaryEntry,
  normalizeProbeName,
  openSocketProbes,
  SOCKET_PROBE_NAMES,
  type SocketProbeEvent,
  type SocketProbeSession,
  sockFamNum2Str,
  sockProtNum2Str,
  sockTypeNum2Str,
  tcpStateNum2Str,
} from '../../probes/index.js';
import { traceEvents } from '../../tracefs/index.js';
import { escapeControl as esc } from '../output.js';
import { parsePositive, stopSignal, UsageError } from '../util.js';

interface SocketsOptions {
  probe: string;
  pid?: string;
  comm?: string;
  family?: string;
  protocol?: string;
  duration?: string;
  json?: boolean;
  summary?: boolean;
  bufferKb?: string;
  backend?: string;
}

/** JSON with bigint kernel addresses as hex strings. */
function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x));
}

/** IP protocol names only mean something for INET/INET6 sockets; other families number their own protocols. */
function protoName(family: number | undefined, protocol: number): string {
  return family === 2 || family === 10 ? sockProtNum2Str(protocol) : `proto=${protocol}`;
}

function endpoint(addr: string | undefined, port: number | undefined): string {
  if (addr === undefined) return '?';
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** One human-readable line for an event. */
export function formatSocketEventLine(e: SocketProbeEvent): string {
  const who = e.interrupt ? '[interrupt]' : `${esc(e.comm ?? '?')} ${e.pid ?? '?'}/${e.tid ?? '?'}`;
  const parts = [`${(e.timeNs / 1e9).toFixed(6)}`, who, e.name];
  if (e.family !== undefined) parts.push(sockFamNum2Str(e.family));
  if (e.protocol !== undefined) parts.push(protoName(e.family, e.protocol));
  if (e.type !== undefined) parts.push(sockTypeNum2Str(e.type));
  if (e.size !== undefined) parts.push(`size=${e.size}`);
  if (e.success !== undefined) parts.push(`success=${e.success}`);
  if (e.err) parts.push(`err=${e.err}`);
  if (e.fd !== undefined) parts.push(`fd=${e.fd}`);
  if (e.oldState !== undefined) parts.push(`${tcpStateNum2Str(e.oldState)}->${tcpStateNum2Str(e.newState ?? 0)}`);
  else if (e.newState !== undefined) parts.push(`state=${tcpStateNum2Str(e.newState)}`);
  if (e.saddr !== undefined) parts.push(`${endpoint(e.saddr, e.sport)} -> ${endpoint(e.daddr, e.dport)}`);
  if (e.direction) parts.push(e.direction);
  if (e.reason !== undefined || e.reasonCode !== undefined) parts.push(`reason=${e.reason ?? e.reasonCode}`);
  return parts.join(' ');
}

interface Counters {
  sendCalls: number;
  sendBytes: number;
  recvCalls: number;
  recvBytes: number;
  errors: number;
}

const zero = (): Counters => ({ sendCalls: 0, sendBytes: 0, recvCalls: 0, recvBytes: 0, errors: 0 });

/** Per process and per connection totals (what tcptop / tcplife show). */
export class SocketSummary {
  readonly processes = new Map<string, Counters & { pid: number | undefined; comm: string | undefined }>();
  readonly connections = new Map<
    bigint,
    Counters & {
      family?: number;
      protocol?: number;
      saddr?: string;
      daddr?: string;
      sport?: number;
      dport?: number;
      pid?: number;
      comm?: string;
    }
  >();

  add(e: SocketProbeEvent): void {
    if (e.sock !== undefined && (e.name === 'tcp.state' || e.name === 'socket.close') && e.saddr !== undefined) {
      const c = this.connections.get(e.sock) ?? { ...zero() };
      Object.assign(c, { family: e.family, saddr: e.saddr, daddr: e.daddr, sport: e.sport, dport: e.dport });
      c.protocol ??= e.protocol;
      this.connections.set(e.sock, c);
    }
    if (e.name !== 'socket.send' && e.name !== 'socket.receive') return;
    const key = `${e.pid ?? '?'}`;
    const p = this.processes.get(key) ?? { ...zero(), pid: e.pid, comm: e.comm };
    this.processes.set(key, p);
    const targets: Counters[] = [p];
    if (e.sock !== undefined) {
      const c = this.connections.get(e.sock) ?? { ...zero() };
      c.family ??= e.family;
      c.protocol ??= e.protocol;
      c.pid ??= e.pid;
      c.comm ??= e.comm;
      this.connections.set(e.sock, c);
      targets.push(c);
    }
    for (const t of targets) {
      if (e.success === 0) t.errors++;
      else if (e.name === 'socket.send') {
        t.sendCalls++;
        t.sendBytes += e.size ?? 0;
      } else {
        t.recvCalls++;
        t.recvBytes += e.size ?? 0;
      }
    }
  }

  /** Add one entry of the kernel-aggregated summary ({@link BpfSocketSummary}). */
  addKernelTotals(e: BpfSocketSummaryEntry, comm: string | undefined): void {
    const key = `${e.pid}`;
    const p = this.processes.get(key) ?? { ...zero(), pid: e.pid, comm };
    this.processes.set(key, p);
    const c = this.connections.get(e.cookie) ?? { ...zero(), family: e.family, protocol: e.protocol, pid: e.pid, comm };
    if (e.sport) c.sport = e.sport;
    if (e.dport) c.dport = e.dport;
    this.connections.set(e.cookie, c);
    for (const t of [p, c]) {
      t.errors += e.errors;
      if (e.name === 'socket.send') {
        t.sendCalls += e.calls - e.errors;
        t.sendBytes += e.bytes;
      } else {
        t.recvCalls += e.calls - e.errors;
        t.recvBytes += e.bytes;
      }
    }
  }

  toJSON(): unknown {
    return {
      processes: [...this.processes.values()],
      connections: [...this.connections.entries()]
        .filter(([, c]) => c.sendCalls + c.recvCalls + c.errors > 0)
        .map(([sock, c]) => ({ sock: `0x${sock.toString(16)}`, ...c })),
    };
  }

  toText(): string {
    const lines: string[] = [];
    lines.push('PROCESS            PID   SEND_CALLS   SEND_BYTES   RECV_CALLS   RECV_BYTES  ERRORS');
    const procs = [...this.processes.values()].sort((a, b) => b.sendBytes + b.recvBytes - (a.sendBytes + a.recvBytes));
    for (const p of procs) {
      lines.push(
        `${esc(p.comm ?? '?').padEnd(16)} ${String(p.pid ?? '?').padStart(5)} ${String(p.sendCalls).padStart(12)} ${String(
          p.sendBytes,
        ).padStart(
          12,
        )} ${String(p.recvCalls).padStart(12)} ${String(p.recvBytes).padStart(12)} ${String(p.errors).padStart(7)}`,
      );
    }
    lines.push('');
    lines.push(
      'CONNECTION (local -> remote, or kernel socket address)     PROTO  PID   SEND_CALLS SEND_BYTES RECV_CALLS RECV_BYTES',
    );
    const conns = [...this.connections.entries()]
      .filter(([, c]) => c.sendCalls + c.recvCalls > 0)
      .sort(([, a], [, b]) => b.sendBytes + b.recvBytes - (a.sendBytes + a.recvBytes));
    for (const [sock, c] of conns) {
      const name =
        c.saddr !== undefined
          ? `${endpoint(c.saddr, c.sport)} -> ${endpoint(c.daddr, c.dport)}`
          : `${c.family !== undefined ? sockFamNum2Str(c.family) : '?'} sk=0x${sock.toString(16)}`;
      lines.push(
        `${name.padEnd(56)} ${(c.protocol !== undefined ? protoName(c.family, c.protocol) : '?').padEnd(6)} ${String(
          c.pid ?? '?',
        ).padStart(5)} ${String(c.sendCalls).padStart(10)} ${String(c.sendBytes).padStart(10)} ${String(
          c.recvCalls,
        ).padStart(10)} ${String(c.recvBytes).padStart(10)}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}

function writeOut(s: string): boolean {
  try {
    return process.stdout.write(s);
  } catch {
    return false;
  }
}

/**
 * `--summary` on the BPF backend: counters aggregated in the kernel, read once
 * at the end. Returns false (caller uses the event path) when BPF cannot serve it.
 */
async function runKernelSummary(
  opts: SocketsOptions,
  probes: string[],
  backend: 'auto' | 'bpf',
  pid: number | undefined,
  duration: number | undefined,
  family: string[] | undefined,
  protocol: string[] | undefined,
): Promise<boolean> {
  const sendRecv = probes.filter((p) => p === 'socket.send' || p === 'socket.receive') as (
    | 'socket.send'
    | 'socket.receive'
  )[];
  let sum: BpfSocketSummary;
  try {
    if (sendRecv.length !== probes.length)
      throw new Error('the kernel summary has socket.send and socket.receive only');
    sum = new BpfSocketSummary({ probes: sendRecv, filter: { pid, comm: opts.comm, family, protocol } });
  } catch (err) {
    if (backend === 'bpf') throw err;
    process.stderr.write(`raingauge: using tracefs: ${(err as Error).message}\n`);
    return false;
  }
  const stop = stopSignal(duration);
  try {
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const summary = new SocketSummary();
    for (const e of sum.read()) summary.addKernelTotals(e, readCommOf(e.pid));
    writeOut(opts.json ? `${toJson(summary.toJSON())}\n` : summary.toText());
  } finally {
    stop.dispose();
    sum.close();
  }
  return true;
}

function readCommOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

async function runSockets(opts: SocketsOptions): Promise<void> {
  let probes: string[];
  try {
    probes = opts.probe
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map(normalizeProbeName);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (probes.length === 0) throw new UsageError(`--probe needs at least one of ${SOCKET_PROBE_NAMES.join(', ')}`);
  const pid = opts.pid !== undefined ? parsePositive('--pid', opts.pid, { integer: true }) : undefined;
  const duration = opts.duration !== undefined ? parsePositive('--duration', opts.duration) : undefined;
  const bufferSizeKb =
    opts.bufferKb !== undefined ? parsePositive('--buffer-kb', opts.bufferKb, { integer: true }) : undefined;
  const family = opts.family?.split(',').map((f) => f.trim());
  const protocol = opts.protocol?.split(',').map((f) => f.trim());
  const summary = opts.summary ? new SocketSummary() : undefined;
  const backend = (opts.backend ?? 'tracefs') as 'auto' | 'bpf' | 'tracefs';
  if (!['auto', 'bpf', 'tracefs'].includes(backend)) throw new UsageError('--backend must be auto, bpf or tracefs');
  if (
    summary &&
    backend !== 'tracefs' &&
    (await runKernelSummary(opts, probes, backend, pid, duration, family, protocol))
  ) {
    return;
  }
  // the summary names connections from TCP state changes (addresses and ports)
  if (summary && !probes.includes('tcp.state') && !(family && !family.some((f) => /inet/i.test(f)))) {
    probes.push('tcp.state');
  }
  const printState = !summary || opts.probe.includes('state');
  const stop = stopSignal(duration);
  let session: SocketProbeSession;
  try {
    session = openSocketProbes({
      probes,
      filter: { pid, comm: opts.comm, family, protocol },
      bufferSizeKb,
      signal: stop.signal,
      backend,
    });
    if (backend === 'auto' && session.fallbackReason)
      process.stderr.write(`raingauge: using tracefs: ${session.fallbackReason}\n`);
  } catch (err) {
    stop.dispose();
    if ((err as { code?: string }).code === 'ERR_RAINGAUGE_INVALID_ARGUMENT')
      throw new UsageError((err as Error).message);
    throw err;
  }
  process.stdout.on('error', () => session.close());
  try {
    for await (const batch of session.batches()) {
      let out = '';
      for (const e of batch) {
        summary?.add(e);
        if (summary) continue;
        if (e.name === 'tcp.state' && !printState) continue;
        out += opts.json ? `${toJson(e)}\n` : `${formatSocketEventLine(e)}\n`;
      }
      if (out) writeOut(out);
    }
  } finally {
    stop.dispose();
    session.close();
  }
  const st = session.stats();
  if (summary) writeOut(opts.json ? `${toJson(summary.toJSON())}\n` : summary.toText());
  if (st.lost > 0 || st.badPages > 0) {
    process.stderr.write(
      `raingauge: the kernel lost ${st.lost} events (buffer too small for the rate: try --buffer-kb)${
        st.badPages ? `; ${st.badPages} pages failed to decode` : ''
      }\n`,
    );
  }
}

async function runEvents(events: string[], opts: { filter?: string; pid?: string; duration?: string }): Promise<void> {
  const pid = opts.pid !== undefined ? parsePositive('--pid', opts.pid, { integer: true }) : undefined;
  const duration = opts.duration !== undefined ? parsePositive('--duration', opts.duration) : undefined;
  const stop = stopSignal(duration);
  let session: ReturnType<typeof traceEvents>;
  try {
    session = traceEvents({ events, filter: opts.filter, pid, signal: stop.signal });
  } catch (err) {
    stop.dispose();
    throw err;
  }
  process.stdout.on('error', () => session.close());
  try {
    for await (const batch of session.batches()) {
      writeOut(batch.map((e) => `${toJson(e)}\n`).join(''));
    }
  } finally {
    stop.dispose();
    session.close();
  }
}

/** Register `raingauge trace sockets` and `raingauge trace events`. */
export function register(program: Command): void {
  const trace = program.command('trace').description('live kernel events through tracefs (needs root)');
  trace
    .command('sockets')
    .description(
      'socket probes (SystemTap socket tapset names) from kernel tracepoints: one line per event, JSON lines, or a summary',
    )
    .option(
      '--probe <list>',
      `comma-separated probes: ${SOCKET_PROBE_NAMES.join(', ')} (short: send, receive, create, create.return, close, state, retransmit, reset, drop)`,
      'send,receive',
    )
    .option('--pid <n>', 'only this process and its children (set_event_pid)')
    .option('--comm <name>', 'only this command name (glob with * ? [...])')
    .option('--family <list>', 'only these address families: inet, inet6, unix (comma-separated)')
    .option('--protocol <list>', 'only these protocols: tcp, udp, … or numbers (comma-separated)')
    .option('--duration <s>', 'stop after this many seconds (default: until Ctrl-C / SIGTERM)')
    .option('--json', 'one JSON object per line (name = probe name)')
    .option('--summary', 'at the end, bytes and calls sent/received per process and per connection')
    .option('--buffer-kb <n>', 'per-CPU ring buffer size in KiB (kernel default when omitted)')
    .option(
      '--backend <name>',
      'tracefs (default), bpf (tp_btf: state/flags/type filled, in-kernel filters; --summary aggregates in the kernel) or auto (bpf when permitted)',
    )
    .action(async (opts: SocketsOptions) => {
      await runSockets(opts);
    });
  trace
    .command('events')
    .description('any tracepoints ("system:name"), decoded from their format files, as JSON lines')
    .argument('<event...>', 'events such as sched:sched_process_exec')
    .option('--filter <expr>', 'kernel filter applied to every event (e.g. "common_pid != 0")')
    .option('--pid <n>', 'only this process and its children')
    .option('--duration <s>', 'stop after this many seconds')
    .action(async (events: string[], opts: { filter?: string; pid?: string; duration?: string }) => {
      await runEvents(events, opts);
    });
}
