/**
 * The `listeners` collector: per TCP and UNIX listener, the accept-queue
 * figures raindrops defines (see `ListenerStats` in src/listeners), as
 * `raingauge_listener_{active_connections,queued_connections,backlog}`, plus
 * whether the queue is full and ListenOverflows attributed to the listener
 * that was full when they happened.
 * @module
 */
import { SocketOwnerCache } from '../../listeners/owners.js';
import { tcpListenerStats } from '../../listeners/tcp.js';
import type { ListenerStats } from '../../listeners/types.js';
import { unixListenerStats } from '../../listeners/unix.js';
import { NetCounterReader } from '../../netstat/read.js';
import type { CollectContext, Collector } from '../collector.js';
import type { ExpositionFamily, ExpositionSeries } from '../exposition.js';
import { LISTENER_METRICS } from '../names.js';

/** Options of {@link listenersCollector}. */
export interface ListenersCollectorOptions {
  /** Include UNIX listeners (default true). */
  unix?: boolean;
  /** Count accepted connections (default true; false dumps LISTEN sockets only). */
  active?: boolean;
  /**
   * Add `raingauge_listener_owner_info{listener,family,pid,command}` (default
   * false): scans `/proc/<pid>/fd`; other users' processes need root or CAP_SYS_PTRACE.
   */
  owners?: boolean;
  /** Only these listener keys (default: every listener). */
  match?: (key: string) => boolean;
  /** procfs mount point (default `/proc`). */
  procRoot?: string;
}

/** `inet` | `inet6` | `unix` for a listener key as raindrops prints it. */
export function listenerFamilyOf(key: string): 'inet' | 'inet6' | 'unix' {
  if (key.startsWith('[')) return 'inet6';
  if (key.startsWith('/') || key.startsWith('@') || !/:\d+$/.test(key)) return 'unix';
  return 'inet';
}

/**
 * The listeners collector. Between two scrapes, when TcpExt ListenOverflows
 * grew and exactly one TCP listener is full (`queued ≥ backlog`) now, the
 * increase is added to that listener's
 * `raingauge_listener_overflows_attributed_total`; otherwise to the series
 * with `listener="unattributed"`. Sampling at scrape time can miss a queue
 * that filled and drained between scrapes: the attribution is a hint.
 */
export function listenersCollector(opts: ListenersCollectorOptions = {}): Collector {
  const ownerCache = opts.owners ? new SocketOwnerCache(opts.procRoot) : undefined;
  let reader: NetCounterReader | undefined;
  let lastOverflows: number | undefined;
  const attributed = new Map<string, number>();
  return {
    name: 'listeners',
    description: 'TCP and UNIX listeners: accepted, queued and backlog (sock_diag)',
    async collect(ctx: CollectContext): Promise<ExpositionFamily[]> {
      const o = { active: opts.active !== false, owners: opts.owners === true, ownerCache, procRoot: opts.procRoot };
      const all: [string, ListenerStats][] = [];
      for (const [k, s] of await tcpListenerStats(null, o)) all.push([k, s]);
      if (opts.unix !== false) {
        try {
          for (const [k, s] of await unixListenerStats(null, o)) all.push([k, s]);
        } catch (e) {
          ctx.degraded('no_unix_diag', String((e as Error).message));
        }
      }
      const rows = opts.match ? all.filter(([k]) => opts.match!(k)) : all;
      rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const active: ExpositionSeries[] = [];
      const queued: ExpositionSeries[] = [];
      const backlog: ExpositionSeries[] = [];
      const full: ExpositionSeries[] = [];
      const owners: ExpositionSeries[] = [];
      const fullTcp: string[] = [];
      for (const [key, s] of rows) {
        const labels = { listener: key, family: listenerFamilyOf(key) };
        active.push({ labels, value: s.active });
        queued.push({ labels, value: s.queued });
        backlog.push({ labels, value: s.backlog });
        const isFull = s.backlog > 0 && s.queued >= s.backlog;
        full.push({ labels, value: isFull ? 1 : 0 });
        if (isFull && labels.family !== 'unix') fullTcp.push(key);
        if (s.owners) {
          for (const w of s.owners)
            owners.push({ labels: { ...labels, pid: String(w.pid), command: w.command }, value: 1 });
          if (s.ownersComplete === false)
            ctx.degraded('owners_incomplete', 'other users’ /proc/<pid>/fd need CAP_SYS_PTRACE');
        }
      }
      // attribution of ListenOverflows since the previous scrape
      try {
        reader ??= new NetCounterReader({ procMountPoint: opts.procRoot });
        const now = Number(reader.read().TcpExt?.ListenOverflows ?? 0);
        if (lastOverflows !== undefined && now > lastOverflows) {
          const k = fullTcp.length === 1 ? fullTcp[0]! : 'unattributed';
          attributed.set(k, (attributed.get(k) ?? 0) + (now - lastOverflows));
        }
        lastOverflows = now;
      } catch (e) {
        ctx.degraded('no_netstat', String((e as Error).message));
      }
      const attributedSeries: ExpositionSeries[] = [...attributed].map(([k, v]) => ({
        labels: { listener: k, family: k === 'unattributed' ? '' : listenerFamilyOf(k) },
        value: v,
      }));
      const fams: ExpositionFamily[] = [
        { ...LISTENER_METRICS.active, series: active },
        { ...LISTENER_METRICS.queued, series: queued },
        { ...LISTENER_METRICS.backlog, series: backlog },
        { ...LISTENER_METRICS.full, series: full },
        { ...LISTENER_METRICS.overflowsAttributed, series: attributedSeries },
      ];
      if (opts.owners) fams.push({ ...LISTENER_METRICS.ownerInfo, series: owners });
      return fams;
    },
    close() {
      reader?.close();
      reader = undefined;
    },
  };
}
