/**
 * The live dashboard of `raingauge serve`: one HTML page and one script
 * (held here as text, so the build ships them with no extra files and no
 * build step at install), uPlot served from the installed package, and a
 * Server-Sent Events feed that pushes one sample per interval.
 *
 * A sample is taken by the same collectors as `/metrics` (listeners,
 * tcpstat, netstat, processes — whichever are configured), reduced to what
 * the page draws: per-listener active/queued/backlog, TCP states, the
 * network counters (with their meaning from `describeCounter`), and the
 * processes' CPU and delay seconds. The page computes rates from
 * consecutive samples. Sampling runs only while a client is connected; the
 * last {@link DashboardFeedOptions.historySamples} samples are replayed to a
 * new client so its charts start filled.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeCounter } from '../netstat/meta.js';
import { makeAsset, type StaticAsset } from './assets.js';
import { type Collector, runCollectors } from './collector.js';
import type { ExpositionFamily } from './exposition.js';

/** One listener in a sample. */
export interface DashboardListener {
  key: string;
  family: string;
  active: number;
  queued: number;
  backlog: number;
}

/** One process in a sample. */
export interface DashboardProcess {
  pid: number;
  comm: string;
  /** CPU seconds (user + system) so far. */
  cpuSeconds: number;
  /** Run-queue + block-I/O + swap-in + reclaim + thrashing delay seconds so far. */
  delaySeconds: number;
}

/** What the feed pushes each interval. */
export interface DashboardSample {
  /** ms since the epoch. */
  t: number;
  listeners: DashboardListener[];
  /** TCP sockets by state (node_tcp_connection_states, without the queue pseudo-states). */
  tcp: Record<string, number>;
  /** Network counters, `Proto.Name` → value (numbers; bigints rounded). */
  counters: Record<string, number>;
  processes: DashboardProcess[];
}

/** Reduce a scrape's families to a dashboard sample (pure). */
export function dashboardSample(families: readonly ExpositionFamily[], t = Date.now()): DashboardSample {
  const byName = new Map(families.map((f) => [f.name, f]));
  const listeners = new Map<string, DashboardListener>();
  const lf = (name: string, field: 'active' | 'queued' | 'backlog') => {
    for (const s of byName.get(name)?.series ?? []) {
      const key = s.labels?.listener ?? '';
      let l = listeners.get(key);
      if (!l) {
        l = { key, family: s.labels?.family ?? '', active: 0, queued: 0, backlog: 0 };
        listeners.set(key, l);
      }
      l[field] = Number(s.value ?? 0);
    }
  };
  lf('raingauge_listener_active_connections', 'active');
  lf('raingauge_listener_queued_connections', 'queued');
  lf('raingauge_listener_backlog', 'backlog');
  const tcp: Record<string, number> = {};
  for (const s of byName.get('node_tcp_connection_states')?.series ?? []) {
    const st = s.labels?.state ?? '';
    if (!st.endsWith('_bytes')) tcp[st] = Number(s.value ?? 0);
  }
  const counters: Record<string, number> = {};
  for (const f of families) {
    if (!f.name.startsWith('node_netstat_')) continue;
    const rest = f.name.slice('node_netstat_'.length);
    const us = rest.indexOf('_');
    if (us < 0) continue;
    counters[`${rest.slice(0, us)}.${rest.slice(us + 1)}`] = Number(f.series[0]?.value ?? 0);
  }
  const procs = new Map<string, DashboardProcess>();
  const pf = (name: string, field: 'cpuSeconds' | 'delaySeconds') => {
    for (const s of byName.get(name)?.series ?? []) {
      const pid = s.labels?.pid ?? '';
      let p = procs.get(pid);
      if (!p) {
        p = { pid: Number(pid), comm: s.labels?.comm ?? '', cpuSeconds: 0, delaySeconds: 0 };
        procs.set(pid, p);
      }
      p[field] += Number(s.value ?? 0);
    }
  };
  pf('raingauge_process_cpu_seconds_total', 'cpuSeconds');
  for (const n of [
    'raingauge_process_cpu_delay_seconds_total',
    'raingauge_process_blkio_delay_seconds_total',
    'raingauge_process_swapin_delay_seconds_total',
    'raingauge_process_reclaim_delay_seconds_total',
    'raingauge_process_thrashing_delay_seconds_total',
  ]) {
    pf(n, 'delaySeconds');
  }
  return { t, listeners: [...listeners.values()], tcp, counters, processes: [...procs.values()] };
}

/** Options of {@link DashboardFeed}. */
export interface DashboardFeedOptions {
  /** Sampling interval (default 1000 ms, at least 200). */
  intervalMs?: number;
  /** SSE clients at once (default 8); more get 503. */
  maxClients?: number;
  /** Samples kept for new clients (default 300). */
  historySamples?: number;
}

const FEED_COLLECTORS = new Set(['listeners', 'tcpstat', 'netstat', 'processes']);

/** The Server-Sent Events feed of the dashboard. */
export class DashboardFeed {
  private readonly collectors: Collector[];
  private readonly clients = new Set<ServerResponse>();
  private readonly history: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private closed = false;
  private readonly intervalMs: number;
  private readonly maxClients: number;
  private readonly historySamples: number;
  private meta: string | undefined;

  constructor(collectors: readonly Collector[], opts: DashboardFeedOptions = {}) {
    this.collectors = collectors.filter((c) => FEED_COLLECTORS.has(c.name));
    this.intervalMs = Math.max(200, opts.intervalMs ?? 1000);
    this.maxClients = opts.maxClients ?? 8;
    this.historySamples = opts.historySamples ?? 300;
  }

  /** Connected clients. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Answer `GET /api/events`: 503 past the client cap, else an event stream. */
  attach(req: IncomingMessage, res: ServerResponse): void {
    if (this.closed || this.clients.size >= this.maxClients) {
      res.statusCode = 503;
      res.setHeader('Retry-After', '5');
      res.end('too many dashboard clients\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-store',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.write(`retry: 2000\n\n`);
    if (this.meta) res.write(this.meta);
    for (const h of this.history) res.write(h);
    this.clients.add(res);
    req.socket.setTimeout(0);
    const drop = () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    };
    res.on('close', drop);
    this.start();
  }

  private start(): void {
    if (this.timer || this.closed) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private send(chunk: string): void {
    for (const c of this.clients) {
      // a client that does not read is dropped rather than buffered without bound
      if (c.writableLength > 1 << 20) c.destroy();
      else c.write(chunk);
    }
  }

  private async tick(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      const results = await runCollectors(this.collectors);
      const fams: ExpositionFamily[] = [];
      for (const r of results) for (const f of r.families) fams.push(f);
      const sample = dashboardSample(fams);
      if (this.meta === undefined) {
        const meanings: Record<string, { meaning: string; kind: string }> = {};
        for (const k of Object.keys(sample.counters)) {
          const [proto, name] = [k.slice(0, k.indexOf('.')), k.slice(k.indexOf('.') + 1)];
          const d = describeCounter(proto, name);
          if (d) meanings[k] = { meaning: d.meaning, kind: d.kind };
        }
        this.meta = `event: meta\ndata: ${JSON.stringify({ counters: meanings, intervalMs: this.intervalMs })}\n\n`;
        this.send(this.meta);
      }
      const chunk = `event: sample\ndata: ${JSON.stringify(sample)}\n\n`;
      this.history.push(chunk);
      if (this.history.length > this.historySamples) this.history.shift();
      this.send(chunk);
    } finally {
      this.busy = false;
    }
  }

  /** Stop sampling and end every client. */
  close(): void {
    this.closed = true;
    this.stop();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>raingauge</title>
<link rel="stylesheet" href="/assets/uPlot.min.css">
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#f6f7f9;color:#222}
header{display:flex;align-items:center;gap:1em;padding:.6em 1em;background:#1f2d3d;color:#fff}
header h1{font-size:1.1em;margin:0}
header .status{margin-left:auto;font-size:.9em;opacity:.85}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:12px;padding:12px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:8px 10px;min-height:120px}
section h2{font-size:1em;margin:.2em 0 .5em}
table{border-collapse:collapse;width:100%;font-size:.9em}
td,th{padding:2px 6px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#777;font-size:.85em}
select{font:inherit}
</style>
</head>
<body>
<header><h1>raingauge</h1>
<label>window <select id="window"><option value="60">1 min</option><option value="300" selected>5 min</option><option value="900">15 min</option></select></label>
<span class="status" id="status">connecting…</span></header>
<main>
<section><h2>Accept queue: queued connections</h2><div id="c-queued"></div></section>
<section><h2>Accept queue: % of backlog used</h2><div id="c-used"></div></section>
<section><h2>Active (accepted) connections</h2><div id="c-active"></div></section>
<section><h2>Overflow and drop rates (/s)</h2><div id="c-drops"></div></section>
<section><h2>TCP connection states</h2><div id="c-tcp"></div></section>
<section><h2>Listeners now</h2><table id="t-listeners"></table></section>
<section><h2>Top processes by CPU</h2><table id="t-cpu"></table></section>
<section><h2>Top processes by delay (waiting for CPU, I/O, memory)</h2><table id="t-delay"></table></section>
<section style="grid-column:1/-1"><h2>Network counters (rate over the last interval)</h2><table id="t-counters"></table></section>
</main>
<script src="/assets/uPlot.iife.min.js"></script>
<script src="/dashboard.js"></script>
</body>
</html>
`;

const SCRIPT = `'use strict';
(function () {
  var MAX = 900, DROPS = ['TcpExt.ListenOverflows', 'TcpExt.ListenDrops', 'TcpExt.TCPBacklogDrop', 'TcpExt.TCPReqQFullDrop', 'TcpExt.SyncookiesSent', 'Tcp.RetransSegs'];
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#393b79', '#637939'];
  var samples = [], meanings = {}, charts = {}, windowS = 300;
  var $ = function (id) { return document.getElementById(id); };
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }
  function fmt(v, d) { if (v === null || v === undefined || isNaN(v)) return ''; return v >= 100 ? Math.round(v).toString() : v.toFixed(d === undefined ? 2 : d); }
  function visible() { var now = samples.length ? samples[samples.length - 1].t : 0; return samples.filter(function (s) { return s.t >= now - windowS * 1000; }); }
  function topListeners(n) {
    var last = samples[samples.length - 1];
    if (!last) return [];
    return last.listeners.slice().sort(function (a, b) { return (b.queued / (b.backlog || 1)) - (a.queued / (a.backlog || 1)) || b.active - a.active || (a.key < b.key ? -1 : 1); }).slice(0, n).map(function (l) { return l.key; });
  }
  function draw(id, names, rows, opts) {
    var el = $(id), width = Math.max(300, el.clientWidth || 520);
    var sig = names.join('|');
    var data = [rows.map(function (r) { return r.t / 1000; })];
    names.forEach(function (_, i) { data.push(rows.map(function (r) { return r.v[i]; })); });
    var c = charts[id];
    if (!c || c.sig !== sig) {
      if (c) c.plot.destroy();
      var series = [{}].concat(names.map(function (n, i) { return { label: n, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }; }));
      var plot = new uPlot({ width: width, height: 200, series: series, scales: { x: { time: true }, y: opts && opts.pct ? { range: function (u, mn, mx) { return [0, Math.max(100, mx || 0)]; } } : {} }, axes: [{}, { size: 60 }] }, data, el);
      charts[id] = { plot: plot, sig: sig };
    } else {
      c.plot.setData(data);
    }
  }
  function rate(a, b, key) { var dt = (b.t - a.t) / 1000; if (dt <= 0) return null; var x = b.counters[key], y = a.counters[key]; if (x === undefined || y === undefined) return null; return Math.max(0, x - y) / dt; }
  function render() {
    var vis = visible();
    if (!vis.length) return;
    var keys = topListeners(8);
    function lrows(f) { return vis.map(function (s) { var m = {}; s.listeners.forEach(function (l) { m[l.key] = l; }); return { t: s.t, v: keys.map(function (k) { return m[k] ? f(m[k]) : null; }) }; }); }
    draw('c-queued', keys, lrows(function (l) { return l.queued; }));
    draw('c-used', keys, lrows(function (l) { return l.backlog > 0 ? 100 * l.queued / l.backlog : null; }), { pct: true });
    draw('c-active', keys, lrows(function (l) { return l.active; }));
    var last = vis[vis.length - 1];
    var drops = DROPS.filter(function (k) { return last.counters[k] !== undefined; });
    var drows = [];
    for (var i = 1; i < vis.length; i++) drows.push({ t: vis[i].t, v: drops.map(function (k) { return rate(vis[i - 1], vis[i], k); }) });
    draw('c-drops', drops, drows);
    var states = Object.keys(last.tcp).sort();
    draw('c-tcp', states, vis.map(function (s) { return { t: s.t, v: states.map(function (k) { return s.tcp[k] === undefined ? 0 : s.tcp[k]; }) }; }));
    var lt = '<tr><th>listener</th><th class="n">active</th><th class="n">queued</th><th class="n">backlog</th><th class="n">% used</th></tr>';
    last.listeners.slice().sort(function (a, b) { return a.key < b.key ? -1 : 1; }).slice(0, 50).forEach(function (l) {
      lt += '<tr><td>' + esc(l.key) + '</td><td class="n">' + l.active + '</td><td class="n">' + l.queued + '</td><td class="n">' + l.backlog + '</td><td class="n">' + (l.backlog ? fmt(100 * l.queued / l.backlog, 1) : '') + '</td></tr>';
    });
    $('t-listeners').innerHTML = lt;
    var prev = vis.length > 1 ? vis[vis.length - 2] : null, dt = prev ? (last.t - prev.t) / 1000 : 0;
    var pm = {}; if (prev) prev.processes.forEach(function (p) { pm[p.pid] = p; });
    var procs = last.processes.map(function (p) { var o = pm[p.pid]; return { pid: p.pid, comm: p.comm, cpu: o && dt > 0 ? 100 * (p.cpuSeconds - o.cpuSeconds) / dt : null, delay: o && dt > 0 ? 100 * (p.delaySeconds - o.delaySeconds) / dt : null }; });
    function ptable(id, field, title) {
      var rows = procs.filter(function (p) { return p[field] !== null; }).sort(function (a, b) { return b[field] - a[field]; }).slice(0, 10);
      var h = '<tr><th class="n">pid</th><th>command</th><th class="n">' + title + '</th></tr>';
      rows.forEach(function (p) { h += '<tr><td class="n">' + p.pid + '</td><td>' + esc(p.comm) + '</td><td class="n">' + fmt(p[field], 1) + '</td></tr>'; });
      $(id).innerHTML = h;
    }
    ptable('t-cpu', 'cpu', '% of a CPU');
    ptable('t-delay', 'delay', 'delay, % of wall time');
    var ct = '<tr><th>counter</th><th class="n">value</th><th class="n">/s</th><th>meaning</th></tr>';
    Object.keys(last.counters).sort().forEach(function (k) {
      var m = meanings[k], r = prev ? rate(prev, last, k) : null;
      ct += '<tr><td>' + esc(k) + '</td><td class="n">' + last.counters[k] + '</td><td class="n">' + (m && m.kind === 'gauge' ? '' : fmt(r)) + '</td><td class="muted">' + (m ? esc(m.meaning) : '') + '</td></tr>';
    });
    $('t-counters').innerHTML = ct;
  }
  window.raingaugeDashboard = { charts: charts, samples: samples };
  $('window').addEventListener('change', function (e) { windowS = Number(e.target.value); render(); });
  var es = new EventSource('/api/events');
  es.addEventListener('meta', function (e) { var m = JSON.parse(e.data); meanings = m.counters || {}; });
  es.addEventListener('sample', function (e) {
    samples.push(JSON.parse(e.data));
    if (samples.length > MAX) samples.shift();
    $('status').textContent = 'live · ' + new Date(samples[samples.length - 1].t).toLocaleTimeString() + ' · ' + samples.length + ' samples';
    render();
  });
  es.onerror = function () { $('status').textContent = 'reconnecting…'; };
})();
`;

let pageAsset: StaticAsset | undefined;
let scriptAsset: StaticAsset | undefined;

/** The dashboard page (`GET /`). */
export function dashboardAsset(): StaticAsset {
  pageAsset ??= makeAsset('index.html', PAGE);
  return pageAsset;
}

/** The dashboard script (`GET /dashboard.js`). */
export function dashboardScriptAsset(): StaticAsset {
  scriptAsset ??= makeAsset('dashboard.js', SCRIPT);
  return scriptAsset;
}
