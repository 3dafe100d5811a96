/**
 * Network collectors with node_exporter's names, types and HELP texts:
 * - `netstat`: `node_netstat_<Proto>_<Name>` (untyped, `Statistic <Proto><Name>.`)
 *   from /proc/net/{netstat,snmp,snmp6}, node_exporter's default field set or all;
 * - `sockstat`: `node_sockstat_<PROTO>_<field>` (gauges) from /proc/net/sockstat{,6};
 * - `tcpstat`: `node_tcp_connection_states{state}` from one sock_diag dump per
 *   address family, with node_exporter's `rx_queued_bytes`/`tx_queued_bytes`
 *   pseudo-states (Σ idiag_rqueue / Σ idiag_wqueue — for LISTEN sockets those
 *   are accept-queue lengths and backlog limits, node_exporter's mix; the
 *   listeners collector has them separately).
 * @module
 */
import { NLM_F_REQUEST } from '../../netlink/constants.js';
import type { NetlinkSocket } from '../../netlink/socket.js';
import { nodeExporterDefaultField, prometheusName } from '../../netstat/meta.js';
import { NetCounterReader } from '../../netstat/read.js';
import { ProcFS } from '../../procfs/fs.js';
import type { NetSockstat } from '../../procfs/net_sockstat.js';
import { SOCK_DIAG_BY_FAMILY, TcpState } from '../../sockdiag/constants.js';
import { encodeInetDiagRequest } from '../../sockdiag/request.js';
import { dumpSendOptions, sockDiagSocket } from '../../sockdiag/shared.js';
import type { CollectContext, Collector } from '../collector.js';
import type { ExpositionFamily, ExpositionSeries } from '../exposition.js';

/** Options of {@link netstatCollector}. */
export interface NetstatCollectorOptions {
  /** Export every counter, not only node_exporter's default `--collector.netstat.fields` set. */
  all?: boolean;
  /** procfs mount point (default `/proc`). */
  procRoot?: string;
}

/** The `netstat` collector: node_exporter's `node_netstat_*` families. */
export function netstatCollector(opts: NetstatCollectorOptions = {}): Collector {
  let reader: NetCounterReader | undefined;
  return {
    name: 'netstat',
    description: 'node_netstat_* from /proc/net/netstat, snmp, snmp6 (node_exporter default fields, or all)',
    collect(): ExpositionFamily[] {
      reader ??= new NetCounterReader({ procMountPoint: opts.procRoot });
      const set = reader.read();
      const out: ExpositionFamily[] = [];
      for (const proto of Object.keys(set)) {
        if (proto === '') continue;
        const sec = set[proto]!;
        for (const name of Object.keys(sec)) {
          if (!opts.all && !nodeExporterDefaultField(proto, name)) continue;
          out.push({
            name: prometheusName(proto, name),
            help: `Statistic ${proto}${name}.`,
            type: 'untyped',
            series: [{ value: sec[name]! }],
          });
        }
      }
      out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return out;
    },
    close() {
      reader?.close();
      reader = undefined;
    },
  };
}

const SOCKSTAT_FIELDS = ['inuse', 'orphan', 'tw', 'alloc', 'mem', 'mem_bytes', 'memory'] as const;

/** node_exporter's sockstat families of one parsed file (pure). */
export function sockstatFamilies(files: readonly NetSockstat[]): ExpositionFamily[] {
  const out: ExpositionFamily[] = [];
  const fam = (name: string, help: string, value: number): void => {
    out.push({ name, help, type: 'gauge', series: [{ value }] });
  };
  for (const f of files) {
    if (f.used !== undefined) fam('node_sockstat_sockets_used', 'Number of IPv4 sockets in use.', f.used);
    for (const p of f.protocols) {
      const v: Record<(typeof SOCKSTAT_FIELDS)[number], number | undefined> = {
        inuse: p.inUse,
        orphan: p.orphan,
        tw: p.tw,
        alloc: p.alloc,
        mem: p.mem,
        mem_bytes: p.memBytes,
        memory: p.memory,
      };
      for (const k of SOCKSTAT_FIELDS) {
        const x = v[k];
        if (x === undefined) continue;
        fam(`node_sockstat_${p.protocol}_${k}`, `Number of ${p.protocol} sockets in state ${k}.`, x);
      }
    }
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** The `sockstat` collector: node_exporter's `node_sockstat_*` families. */
export function sockstatCollector(opts: { procRoot?: string } = {}): Collector {
  const fs = new ProcFS(opts.procRoot);
  return {
    name: 'sockstat',
    description: 'node_sockstat_* from /proc/net/sockstat and sockstat6',
    collect(ctx: CollectContext): ExpositionFamily[] {
      const files = [fs.netSockstat()];
      try {
        files.push(fs.netSockstat6());
      } catch (e) {
        ctx.degraded('no_ipv6', (e as Error).message);
      }
      return sockstatFamilies(files);
    },
  };
}

/** node_exporter's state label values, by kernel TCP state number (`include/net/tcp_states.h`). */
const STATE_LABEL: Record<number, string> = {
  [TcpState.ESTABLISHED]: 'established',
  [TcpState.SYN_SENT]: 'syn_sent',
  [TcpState.SYN_RECV]: 'syn_recv',
  [TcpState.FIN_WAIT1]: 'fin_wait1',
  [TcpState.FIN_WAIT2]: 'fin_wait2',
  [TcpState.TIME_WAIT]: 'time_wait',
  [TcpState.CLOSE]: 'close',
  [TcpState.CLOSE_WAIT]: 'close_wait',
  [TcpState.LAST_ACK]: 'last_ack',
  [TcpState.LISTEN]: 'listen',
  [TcpState.CLOSING]: 'closing',
};

/** Counts by state plus the queue sums, from one pass over the dumps. */
export interface TcpStateTally {
  /** Sockets by kernel state number (1..12). */
  byState: Float64Array;
  /** Σ idiag_rqueue over every socket. */
  rxQueued: number;
  /** Σ idiag_wqueue over every socket. */
  txQueued: number;
}

/** `inet_diag_msg` offsets: `idiag_state` (u8 at 1), `idiag_rqueue` (u32 at 56), `idiag_wqueue` (u32 at 60). */
const STATE_OFF = 1;
const RQUEUE_OFF = 56;
const WQUEUE_OFF = 60;
const MSG_MIN = 72;

const REQ_V4 = encodeInetDiagRequest({ family: 'inet', protocol: 'tcp', states: 'all' });
const REQ_V6 = encodeInetDiagRequest({ family: 'inet6', protocol: 'tcp', states: 'all' });

/**
 * Count TCP sockets by state over IPv4 and IPv6 (two SOCK_DIAG_BY_FAMILY
 * dumps, decoding only three fields of each `inet_diag_msg`: no objects per
 * socket, so 100 000 sockets cost one pass over the bytes).
 */
export async function tcpStateTally(sock: NetlinkSocket = sockDiagSocket()): Promise<TcpStateTally> {
  const t: TcpStateTally = { byState: new Float64Array(16), rxQueued: 0, txQueued: 0 };
  const onMsg = (buf: Buffer, _type: number, off: number, len: number): void => {
    if (len < MSG_MIN) return;
    const st = buf[off + STATE_OFF]!;
    if (st < 16) t.byState[st]!++;
    t.rxQueued += buf.readUInt32LE(off + RQUEUE_OFF);
    t.txQueued += buf.readUInt32LE(off + WQUEUE_OFF);
  };
  const send = dumpSendOptions(false);
  await sock.dump(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, REQ_V4, onMsg, 'SOCK_DIAG_BY_FAMILY inet tcp all states', send);
  try {
    await sock.dump(
      SOCK_DIAG_BY_FAMILY,
      NLM_F_REQUEST,
      REQ_V6,
      onMsg,
      'SOCK_DIAG_BY_FAMILY inet6 tcp all states',
      send,
    );
  } catch {
    // no IPv6 in this kernel: IPv4 only, as node_exporter does without /proc/net/tcp6
  }
  return t;
}

/** `node_tcp_connection_states` from a tally: only states that are present, then the two pseudo-states. */
export function tcpStateFamily(t: TcpStateTally): ExpositionFamily {
  const series: ExpositionSeries[] = [];
  for (const [num, label] of Object.entries(STATE_LABEL)) {
    const n = t.byState[Number(num)]!;
    if (n > 0) series.push({ labels: { state: label }, value: n });
  }
  series.push({ labels: { state: 'rx_queued_bytes' }, value: t.rxQueued });
  series.push({ labels: { state: 'tx_queued_bytes' }, value: t.txQueued });
  return { name: 'node_tcp_connection_states', help: 'Number of connection states.', type: 'gauge', series };
}

/** The `tcpstat` collector: node_exporter's `node_tcp_connection_states{state}` from sock_diag. */
export function tcpstatCollector(opts: { socket?: NetlinkSocket } = {}): Collector {
  return {
    name: 'tcpstat',
    description: 'node_tcp_connection_states{state} from sock_diag (IPv4 + IPv6)',
    async collect(): Promise<ExpositionFamily[]> {
      return [tcpStateFamily(await tcpStateTally(opts.socket))];
    },
  };
}
