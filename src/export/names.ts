/**
 * The names, types and HELP texts of raingauge's own metric families, in one
 * place: the exporter, the middleware's Prometheus output and the adapters
 * all use these (see docs/export.md for the list and the kernel field behind
 * each). Every name passes `promtool check metrics`.
 * @module
 */
import type { ExpositionMetricType } from './exposition.js';

/** Name, type, HELP (and unit) of one family, without series. */
export interface FamilyMeta {
  readonly name: string;
  readonly help: string;
  readonly type: ExpositionMetricType;
  readonly unit?: string;
}

/**
 * Listener families. Labels: `listener` = the address exactly as raindrops
 * prints it (`127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:80`, `/run/app.sock`),
 * `family` = `inet` | `inet6` | `unix`.
 */
export const LISTENER_METRICS = {
  /** ESTABLISHED sockets accepted from the listener (`idiag_state == TCP_ESTABLISHED`, `idiag_inode != 0`). */
  active: {
    name: 'raingauge_listener_active_connections',
    help: 'Accepted, not yet closed connections of the listener (sock_diag ESTABLISHED sockets with an inode).',
    type: 'gauge',
  },
  /** `idiag_rqueue` of the LISTEN socket = `sk_ack_backlog`. */
  queued: {
    name: 'raingauge_listener_queued_connections',
    help: 'Connections waiting in the accept queue of the listener (sk_ack_backlog, sock_diag idiag_rqueue).',
    type: 'gauge',
  },
  /** `idiag_wqueue` of the LISTEN socket = `sk_max_ack_backlog`. */
  backlog: {
    name: 'raingauge_listener_backlog',
    help: 'Maximum accept-queue length of the listener (sk_max_ack_backlog: listen() backlog capped by net.core.somaxconn).',
    type: 'gauge',
  },
  /** 1 when `queued ≥ backlog` at scrape time. */
  full: {
    name: 'raingauge_listener_queue_full',
    help: 'Whether the accept queue of the listener was full (queued >= backlog) at scrape time.',
    type: 'gauge',
  },
  /** ΔTcpExt.ListenOverflows attributed to the one listener that was full. */
  overflowsAttributed: {
    name: 'raingauge_listener_overflows_attributed_total',
    help: 'Increase of TcpExt ListenOverflows between scrapes, attributed to the one TCP listener full at the later scrape (listener="unattributed" otherwise).',
    type: 'counter',
  },
  /** Processes holding the listener (`/proc/<pid>/fd` → `socket:[inode]`). */
  ownerInfo: {
    name: 'raingauge_listener_owner_info',
    help: 'A process holding the listening socket open (pid, command from /proc/<pid>/comm).',
    type: 'gauge',
  },
} as const satisfies Record<string, FamilyMeta>;

/** Middleware gauges (raindrops' `calling` and `writing`). */
export const HTTP_METRICS = {
  calling: {
    name: 'raingauge_http_requests_calling',
    help: 'Requests inside the application (raindrops calling: between request start and response head).',
    type: 'gauge',
  },
  writing: {
    name: 'raingauge_http_responses_writing',
    help: 'Responses being written (raindrops writing: between response head and the end of the body).',
    type: 'gauge',
  },
} as const satisfies Record<string, FamilyMeta>;
