/**
 * OpenTelemetry adapter: observable instruments on the user's `Meter`, fed
 * by one `addBatchObservableCallback` per kernel read (the listeners' sock_diag
 * dumps, the TCP state dump, /proc/net/netstat, the process scan), so one
 * read fans out to every instrument it feeds. Semantic-convention names where
 * they exist (`system.network.connection.count`, `process.cpu.time`,
 * `process.memory.usage`, `process.memory.virtual`, `process.thread.count`,
 * `process.unix.file_descriptor.count`), a `raingauge.` namespace for the
 * rest (listener queues have no convention; the nearest, .NET Kestrel's
 * `kestrel.queued_connections`, is product-specific).
 *
 * `@opentelemetry/api` is an optional peer dependency: this module only
 * uses the structural shape of `Meter` below, so importing raingauge never
 * loads it.
 *
 * ```ts
 * import { metrics } from '@opentelemetry/api';
 * import { registerRaingaugeOtel } from 'raingauge';
 * const stop = registerRaingaugeOtel(metrics.getMeter('raingauge'));
 * ```
 * @module
 */
import { type Collector, runCollectors } from '../collector.js';
import { type ListenersCollectorOptions, listenersCollector } from '../collectors/listeners.js';
import { netstatCollector, tcpstatCollector } from '../collectors/network.js';
import { type ProcessesCollectorOptions, processesCollector } from '../collectors/processes.js';
import type { ExpositionFamily } from '../exposition.js';

/** Attributes as OpenTelemetry takes them. */
export type OtelAttributes = Record<string, string | number | boolean>;

/** An observable instrument (opaque to the adapter). */
export type OtelObservable = object;

/** The result object passed to a batch callback. */
export interface OtelBatchResult {
  observe(observable: OtelObservable, value: number, attributes?: OtelAttributes): void;
}

/** The part of `@opentelemetry/api`'s `Meter` the adapter uses. */
export interface OtelMeterLike {
  createObservableGauge(name: string, options?: { description?: string; unit?: string }): OtelObservable;
  createObservableCounter(name: string, options?: { description?: string; unit?: string }): OtelObservable;
  createObservableUpDownCounter(name: string, options?: { description?: string; unit?: string }): OtelObservable;
  addBatchObservableCallback(cb: (r: OtelBatchResult) => void | Promise<void>, observables: OtelObservable[]): void;
  removeBatchObservableCallback(cb: (r: OtelBatchResult) => void | Promise<void>, observables: OtelObservable[]): void;
}

/** Options of {@link registerRaingaugeOtel}. */
export interface RaingaugeOtelOptions {
  /** Listener instruments (default on); options of the listeners collector. */
  listeners?: ListenersCollectorOptions | false;
  /** `system.network.connection.count` from sock_diag (default on). */
  connections?: boolean;
  /** ListenOverflows / ListenDrops counters from /proc/net/netstat (default on). */
  netstat?: boolean;
  /** Process instruments for these processes (default off). */
  processes?: ProcessesCollectorOptions | false;
}

/** semconv `network.connection.state` values by node_exporter state label. */
const STATE: Record<string, string> = {
  established: 'established',
  syn_sent: 'syn_sent',
  syn_recv: 'syn_received',
  fin_wait1: 'fin_wait_1',
  fin_wait2: 'fin_wait_2',
  time_wait: 'time_wait',
  close: 'closed',
  close_wait: 'close_wait',
  last_ack: 'last_ack',
  listen: 'listen',
  closing: 'closing',
};

/** OTel attributes of a listener key (`127.0.0.1:8080`, `[::1]:8080`, `/run/app.sock`). */
export function listenerAttributes(key: string, family: string): OtelAttributes {
  if (family === 'unix') return { 'network.transport': 'unix', 'server.address': key };
  const colon = key.lastIndexOf(':');
  return {
    'network.transport': 'tcp',
    'network.type': family === 'inet6' ? 'ipv6' : 'ipv4',
    'server.address': key.slice(0, colon).replace(/^\[|\]$/g, ''),
    'server.port': Number(key.slice(colon + 1)),
  };
}

async function familiesOf(c: Collector): Promise<Map<string, ExpositionFamily>> {
  const [r] = await runCollectors([c]);
  return new Map((r?.families ?? []).map((f) => [f.name, f]));
}

/**
 * Create raingauge's observable instruments on `meter`. Returns a function
 * that removes the callbacks and closes the collectors.
 */
export function registerRaingaugeOtel(meter: OtelMeterLike, opts: RaingaugeOtelOptions = {}): () => void {
  const undo: (() => void)[] = [];
  const batch = (
    c: Collector,
    observables: OtelObservable[],
    feed: (f: Map<string, ExpositionFamily>, r: OtelBatchResult) => void,
  ) => {
    const cb = async (r: OtelBatchResult) => feed(await familiesOf(c), r);
    meter.addBatchObservableCallback(cb, observables);
    undo.push(() => {
      meter.removeBatchObservableCallback(cb, observables);
      c.close?.();
    });
  };

  if (opts.listeners !== false) {
    const c = listenersCollector({ ...(opts.listeners || {}) });
    const queued = meter.createObservableUpDownCounter('raingauge.listener.queued_connections', {
      description: 'Connections waiting in the accept queue of the listener (sk_ack_backlog).',
      unit: '{connection}',
    });
    const active = meter.createObservableUpDownCounter('raingauge.listener.active_connections', {
      description: 'Accepted, not yet closed connections of the listener.',
      unit: '{connection}',
    });
    const backlog = meter.createObservableGauge('raingauge.listener.backlog', {
      description: 'Maximum accept-queue length of the listener (sk_max_ack_backlog).',
      unit: '{connection}',
    });
    batch(c, [queued, active, backlog], (f, r) => {
      const each = (name: string, inst: OtelObservable) => {
        for (const s of f.get(name)?.series ?? []) {
          r.observe(inst, Number(s.value ?? 0), listenerAttributes(s.labels?.listener ?? '', s.labels?.family ?? ''));
        }
      };
      each('raingauge_listener_queued_connections', queued);
      each('raingauge_listener_active_connections', active);
      each('raingauge_listener_backlog', backlog);
    });
  }

  if (opts.connections !== false) {
    const count = meter.createObservableUpDownCounter('system.network.connection.count', {
      description: 'TCP connections by state (sock_diag, IPv4 + IPv6).',
      unit: '{connection}',
    });
    batch(tcpstatCollector(), [count], (f, r) => {
      for (const s of f.get('node_tcp_connection_states')?.series ?? []) {
        const st = STATE[s.labels?.state ?? ''];
        if (st) r.observe(count, Number(s.value ?? 0), { 'network.connection.state': st, 'network.transport': 'tcp' });
      }
    });
  }

  if (opts.netstat !== false) {
    const overflows = meter.createObservableCounter('raingauge.tcp.listen_overflows', {
      description: 'Times an accept queue was full when a handshake completed (TcpExt ListenOverflows).',
      unit: '{event}',
    });
    const drops = meter.createObservableCounter('raingauge.tcp.listen_drops', {
      description: 'Connection attempts dropped at a listener (TcpExt ListenDrops).',
      unit: '{event}',
    });
    batch(netstatCollector(), [overflows, drops], (f, r) => {
      const v = (n: string) => f.get(n)?.series[0]?.value;
      const o = v('node_netstat_TcpExt_ListenOverflows');
      const d = v('node_netstat_TcpExt_ListenDrops');
      if (o !== undefined) r.observe(overflows, Number(o));
      if (d !== undefined) r.observe(drops, Number(d));
    });
  }

  if (opts.processes) {
    const c = processesCollector(opts.processes);
    const cpu = meter.createObservableCounter('process.cpu.time', { description: 'CPU time by mode.', unit: 's' });
    const mem = meter.createObservableUpDownCounter('process.memory.usage', {
      description: 'Resident set size.',
      unit: 'By',
    });
    const vmem = meter.createObservableUpDownCounter('process.memory.virtual', {
      description: 'Virtual memory size.',
      unit: 'By',
    });
    const threads = meter.createObservableUpDownCounter('process.thread.count', {
      description: 'Threads.',
      unit: '{thread}',
    });
    const fds = meter.createObservableUpDownCounter('process.unix.file_descriptor.count', {
      description: 'Open file descriptors.',
      unit: '{file_descriptor}',
    });
    const delay = meter.createObservableCounter('raingauge.process.cpu.delay', {
      description: 'Time runnable but waiting for a CPU (taskstats cpu_delay_total or schedstat run_delay).',
      unit: 's',
    });
    batch(c, [cpu, mem, vmem, threads, fds, delay], (f, r) => {
      const each = (name: string, inst: OtelObservable, extra?: (l: Record<string, string>) => OtelAttributes) => {
        for (const s of f.get(name)?.series ?? []) {
          const l = s.labels ?? {};
          r.observe(inst, Number(s.value ?? 0), {
            'process.pid': Number(l.pid),
            'process.executable.name': l.comm ?? '',
            ...(extra ? extra(l) : {}),
          });
        }
      };
      each('raingauge_process_cpu_seconds_total', cpu, (l) => ({ 'cpu.mode': l.mode ?? '' }));
      each('raingauge_process_resident_memory_bytes', mem);
      each('raingauge_process_virtual_memory_bytes', vmem);
      each('raingauge_process_threads', threads);
      each('raingauge_process_open_fds', fds);
      each('raingauge_process_cpu_delay_seconds_total', delay);
    });
  }
  return () => {
    for (const u of undo) u();
  };
}
