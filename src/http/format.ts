/**
 * The stats endpoint's three answers: raindrops' text (byte-compatible with
 * `Raindrops::Middleware`, parsed by Telegraf's `inputs.raindrops`), JSON, and
 * Prometheus / OpenMetrics text with the exporter's metric names.
 * @module
 */
import { contentTypeFor, type ExpositionFamily, encodeFamilies } from '../export/exposition.js';
import type { HttpListenerRow } from './listeners.js';

/** What the stats endpoint reports. */
export interface HttpStats {
  /** Requests inside the application (every worker and thread sharing the counters). */
  calling: number;
  /** Responses whose handler is done while the body is still being written. */
  writing: number;
  /** Listener rows, TCP first then UNIX. */
  listeners: HttpListenerRow[];
}

/** The formats the stats endpoint answers in. */
export type StatsFormat = 'raindrops' | 'json' | 'prometheus' | 'openmetrics';

/** Content-Type of raindrops' text: exactly what `Raindrops::Middleware` sends (no charset). */
export const RAINDROPS_CONTENT_TYPE = 'text/plain';
/** Content-Type of the JSON answer. */
export const JSON_CONTENT_TYPE = 'application/json';

/**
 * A listener name made safe for a space-splitting parser: raindrops prints
 * names as they are, and Telegraf splits each line on single spaces, so a
 * UNIX path with a space, a newline or another control character would shift
 * or split the fields. Such bytes (and `%`, to stay reversible) are written
 * `%XX`; ordinary names (every TCP key, normal paths) are unchanged.
 */
export function safeListenerName(name: string): string {
  return /[\x00-\x20%\x7f]/.test(name)
    ? name.replace(/[\x00-\x20%\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    : name;
}

/** Format an unsigned counter like raindrops (decimal, no sign). */
function u(n: number): string {
  return n >= 0 && Number.isFinite(n) ? String(Math.trunc(n)) : '0';
}

/**
 * raindrops' text: `calling: N\nwriting: N\n`, then per listener
 * `ADDR active: N\nADDR queued: N\n`, TCP listeners first, UNIX after.
 *
 * @example
 * ```ts
 * formatRaindropsText({ calling: 0, writing: 1, listeners: [{ listener: '127.0.0.1:8080', family: 'inet', active: 2, queued: 0, backlog: 511 }] });
 * // 'calling: 0\nwriting: 1\n127.0.0.1:8080 active: 2\n127.0.0.1:8080 queued: 0\n'
 * ```
 */
export function formatRaindropsText(s: HttpStats): string {
  let out = `calling: ${u(s.calling)}\nwriting: ${u(s.writing)}\n`;
  for (const l of s.listeners) {
    const name = safeListenerName(l.listener);
    out += `${name} active: ${u(l.active)}\n${name} queued: ${u(l.queued)}\n`;
  }
  return out;
}

/** The JSON answer: `{"calling":0,"writing":0,"listeners":[{"listener":"127.0.0.1:8080","family":"inet","active":1,"queued":0,"backlog":511}]}`. */
export function formatStatsJson(s: HttpStats): string {
  return JSON.stringify({ calling: s.calling, writing: s.writing, listeners: s.listeners });
}

/** The metric families of the stats endpoint, with the names of the exporter's contract. */
export function statsFamilies(s: HttpStats): ExpositionFamily[] {
  const per = (pick: (l: HttpListenerRow) => number) =>
    s.listeners.map((l) => ({ labels: { listener: l.listener, family: l.family }, value: pick(l) }));
  return [
    {
      name: 'raingauge_http_requests_calling',
      help: "Requests inside the application's handlers, over every process and thread sharing the counters.",
      type: 'gauge',
      series: [{ labels: {}, value: s.calling }],
    },
    {
      name: 'raingauge_http_responses_writing',
      help: 'Responses whose handler is done while the body is still being written.',
      type: 'gauge',
      series: [{ labels: {}, value: s.writing }],
    },
    {
      name: 'raingauge_listener_active_connections',
      help: 'Accepted, open connections of the listener (ESTABLISHED sockets with an inode, from sock_diag).',
      type: 'gauge',
      series: per((l) => l.active),
    },
    {
      name: 'raingauge_listener_queued_connections',
      help: 'Connections waiting for accept() (idiag_rqueue of the LISTEN socket: sk_ack_backlog).',
      type: 'gauge',
      series: per((l) => l.queued),
    },
    {
      name: 'raingauge_listener_backlog',
      help: 'The listen() backlog (idiag_wqueue of the LISTEN socket: sk_max_ack_backlog).',
      type: 'gauge',
      series: per((l) => l.backlog),
    },
  ];
}

/** Encode `s` in `format`: the body and its Content-Type. */
export function encodeStats(s: HttpStats, format: StatsFormat): { body: string; contentType: string } {
  switch (format) {
    case 'json':
      return { body: formatStatsJson(s), contentType: JSON_CONTENT_TYPE };
    case 'prometheus':
    case 'openmetrics':
      return { body: encodeFamilies(statsFamilies(s), { format }), contentType: contentTypeFor(format) };
    default:
      return { body: formatRaindropsText(s), contentType: RAINDROPS_CONTENT_TYPE };
  }
}

const FORMAT_PARAM = /(?:^|&)format=([^&]*)/;

/**
 * Pick the answer's format: `?format=json|prometheus|openmetrics|text` wins;
 * otherwise the `Accept` header's supported media range with the highest q
 * (`application/json`, `text/plain;version=0.0.4` → Prometheus text,
 * `application/openmetrics-text`); raindrops' text for anything else
 * (no Accept, `*∕*`, plain `text/plain`), which is what Telegraf and scripts get.
 * Returns undefined for an unknown `?format=` value.
 */
export function chooseStatsFormat(query: string, accept: string | undefined): StatsFormat | undefined {
  if (query) {
    const m = FORMAT_PARAM.exec(query);
    if (m) {
      const v = decodeURIComponent(m[1]!.replace(/\+/g, ' ')).toLowerCase();
      if (v === 'json') return 'json';
      if (v === 'prometheus') return 'prometheus';
      if (v === 'openmetrics') return 'openmetrics';
      if (v === 'text' || v === 'raindrops') return 'raindrops';
      return undefined;
    }
  }
  if (!accept) return 'raindrops';
  let best: StatsFormat = 'raindrops';
  let bestQ = 0;
  for (const part of accept.slice(0, 4096).split(',')) {
    const bits = part.split(';');
    const type = bits[0]!.trim().toLowerCase();
    let q = 1;
    let version: string | undefined;
    for (let i = 1; i < bits.length; i++) {
      const [k, v] = bits[i]!.split('=').map((x) => x.trim().toLowerCase());
      if (k === 'q') q = Number.isFinite(Number(v)) ? Number(v) : 0;
      else if (k === 'version') version = v?.replace(/^"|"$/g, '');
    }
    let f: StatsFormat | undefined;
    if (type === 'application/json') f = 'json';
    else if (type === 'application/openmetrics-text') f = 'openmetrics';
    else if (type === 'text/plain') f = version === '0.0.4' || version === '1.0.0' ? 'prometheus' : 'raindrops';
    else if (type === '*/*' || type === 'text/*') f = 'raindrops';
    if (f !== undefined && q > bestQ) {
      best = f;
      bestQ = q;
    }
  }
  return best;
}
