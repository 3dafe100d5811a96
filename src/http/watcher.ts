/**
 * raindrops' `Raindrops::Watcher` as a mountable `node:http` handler: listener
 * samples every `delay` seconds into per-listener aggregates of active and
 * queued, with raindrops' pages, headers and semantics, its bugs fixed
 * (first request never hangs, reset redirects to a valid Location, tails end
 * with the client or the server), and a live uPlot chart fed by Server-Sent
 * Events. Links are relative, so it can be mounted under a prefix.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { InvalidArgumentError } from '../errors.js';
import { uplotAssetHandler } from '../export/assets.js';
import { tcpListenerStats } from '../listeners/tcp.js';
import type { ListenerStats } from '../listeners/types.js';
import { unixListenerStats } from '../listeners/unix.js';
import { Aggregate } from '../stats/index.js';
import { type AccessRule, compileAccess } from './access.js';
import { type ListenerTargets, parseListenerTargets } from './listeners.js';

/** Options of {@link Watcher}. */
export interface WatcherOptions {
  /** Listeners to watch (`a.b.c.d:port`, `[v6]:port`, `/path.sock`, `@name`). Default: every TCP and UNIX listener. */
  listeners?: readonly string[];
  /** Seconds between samples (default 1). */
  delay?: number;
  /** Samples kept for the live chart (default 300). */
  historySize?: number;
  /** Who may use the watcher (default: loopback and UNIX-socket clients; others get 403). */
  allow?: AccessRule;
  /** Called with each failing sample's error (default: kept and shown on the pages only). */
  onError?: (err: Error) => void;
}

/** The first and last time a listener's value reached a new or equal maximum (raindrops' Peak). */
interface Peak {
  first: Date;
  last: Date;
}

interface Entry {
  active: Aggregate;
  queued: Aggregate;
  peakActive: Peak;
  peakQueued: Peak;
  reset: Date;
}

/** One sample: time and the listener numbers. */
export interface WatcherSample {
  time: Date;
  listeners: Map<string, ListenerStats>;
}

const DOC_URL = 'https://yhbt.net/raindrops/Raindrops/Watcher.html';
const MAX_BUFFERED = 64 * 1024;

/** Ruby's Float#to_s for the X-Mean / X-Std-Dev headers ("1.0", "NaN", "0.09090909090909091"). */
export function rubyFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e16 || a < 1e-4)) {
    const [m, e] = x.toExponential().split('e');
    const mant = m!.includes('.') ? m! : `${m}.0`;
    const ex = Number(e);
    return `${mant}e${ex < 0 ? '-' : '+'}${String(Math.abs(ex)).padStart(2, '0')}`;
  }
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** HTML-escape text and attribute values. */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]!);
}

/** URL-escape a listener name for a link (`:` → %3A, `/` → %2F, `[` → %5B). */
function escUrl(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Ruby's `Time#iso8601` of a UTC time: no fraction. */
function iso(t: Date): string {
  return `${t.toISOString().slice(0, 19)}Z`;
}

/** A tail line: `sprintf("%20s % Ns % 10u % 10u\n", time.iso8601, addr, active, queued)`. */
export function tailLine(time: Date, addr: string, active: number, queued: number): string {
  const u = (n: number) => ` ${n}`.padStart(10);
  return `${iso(time).padStart(20)} ${addr} ${u(active)} ${u(queued)}\n`;
}

/**
 * The watcher: samples in the background (an unref'd timer; each sample is an
 * async sock_diag dump that never blocks the event loop) and serves the pages.
 *
 * Routes (relative to where it is mounted): `GET /`, `GET|HEAD
 * /active/ADDR.txt|.html`, `/queued/ADDR.txt|.html`, `POST /reset/ADDR`,
 * `GET /tail/ADDR.txt?active_min=N&queued_min=N`, `GET /events` (SSE),
 * `GET /history.json`, `GET /assets/uPlot.*`.
 *
 * @example
 * ```ts
 * const w = new Watcher({ delay: 1 });
 * http.createServer(w.handler).listen(9080, '127.0.0.1');
 * ```
 */
export class Watcher {
  /** Seconds between samples. */
  readonly delay: number;
  readonly startTime = new Date();
  readonly #targets: ListenerTargets | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #history: { t: number; l: Record<string, [number, number]> }[] = [];
  readonly #historySize: number;
  readonly #allowed: (req: IncomingMessage) => boolean;
  readonly #onError: ((e: Error) => void) | undefined;
  readonly #assets = uplotAssetHandler('/assets/');
  readonly #waiters = new Set<(s: WatcherSample | undefined) => void>();
  readonly #streams = new Set<{ res: ServerResponse; each: (s: WatcherSample) => void }>();
  #snapshot: WatcherSample | undefined;
  #lastError: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #sampling = false;
  /** Samples taken and time spent in them (for the benchmark). */
  readonly cost = { samples: 0, ms: 0 };

  constructor(opts: WatcherOptions = {}) {
    const delay = opts.delay ?? 1;
    if (typeof delay !== 'number' || !(delay >= 0.001) || delay > 2 ** 31 / 1000) {
      throw new InvalidArgumentError(`delay must be seconds from 0.001, got ${String(delay)}`, delay);
    }
    this.delay = delay;
    this.#historySize = opts.historySize ?? 300;
    this.#targets = opts.listeners ? parseListenerTargets(opts.listeners) : undefined;
    this.#allowed = compileAccess(opts.allow);
    this.#onError = opts.onError;
    this.handler = this.handler.bind(this);
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#sample(), ms);
    this.#timer.unref();
  }

  async #sample(): Promise<void> {
    if (this.#sampling || this.#closed) return;
    this.#sampling = true;
    const t0 = performance.now();
    try {
      const t = this.#targets;
      const [tcp, unix] = await Promise.all([
        !t || t.tcp.length ? tcpListenerStats(t?.tcp) : new Map<string, ListenerStats>(),
        !t || t.unix.length ? unixListenerStats(t?.unix) : new Map<string, ListenerStats>(),
      ]);
      const listeners = new Map([...tcp, ...unix]);
      this.#record({ time: new Date(), listeners });
      this.#lastError = undefined;
    } catch (e) {
      this.#lastError = e as Error;
      this.#onError?.(e as Error);
      for (const w of this.#waiters) w(undefined);
      this.#waiters.clear();
    } finally {
      this.cost.samples++;
      this.cost.ms += performance.now() - t0;
      this.#sampling = false;
      this.#schedule(this.delay * 1000);
    }
  }

  #record(s: WatcherSample): void {
    const now = s.time;
    for (const [addr, st] of s.listeners) {
      let e = this.#entries.get(addr);
      if (!e) {
        e = {
          active: new Aggregate(),
          queued: new Aggregate(),
          peakActive: { first: this.startTime, last: this.startTime },
          peakQueued: { first: this.startTime, last: this.startTime },
          reset: this.startTime,
        };
        this.#entries.set(addr, e);
      }
      aggregate(e.active, e.peakActive, st.active, now);
      aggregate(e.queued, e.peakQueued, st.queued, now);
    }
    this.#snapshot = s;
    const l: Record<string, [number, number]> = {};
    for (const [k, v] of s.listeners) l[k] = [v.active, v.queued];
    this.#history.push({ t: now.getTime() / 1000, l });
    if (this.#history.length > this.#historySize) this.#history.shift();
    for (const w of this.#waiters) w(s);
    this.#waiters.clear();
    for (const st of this.#streams) st.each(s);
  }

  /** The latest sample, waiting for the next one when there is none yet (undefined if that sample fails). */
  #current(): Promise<WatcherSample | undefined> {
    if (this.#snapshot) return Promise.resolve(this.#snapshot);
    return this.#nextSample();
  }

  #nextSample(): Promise<WatcherSample | undefined> {
    if (this.#closed) return Promise.resolve(this.#snapshot);
    return new Promise((resolve) => this.#waiters.add(resolve));
  }

  /** The latest sample, if any. */
  get snapshot(): WatcherSample | undefined {
    return this.#snapshot;
  }

  /** Stop sampling and end every tail and event stream. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const w of this.#waiters) w(this.#snapshot);
    this.#waiters.clear();
    for (const s of this.#streams) s.res.end();
    this.#streams.clear();
  }

  /** The request handler (bound; mount it as is, or under a prefix that strips itself from `req.url`). */
  handler(req: IncomingMessage, res: ServerResponse): void {
    this.#handle(req, res).catch((e: Error) => {
      if (!res.headersSent) send(res, req, 500, 'text/plain', `watcher error: ${e.message}\n`);
      else res.destroy(e);
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#allowed(req)) return send(res, req, 403, 'text/plain', 'Forbidden\n');
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi === -1 ? url : url.slice(0, qi);
    const query = new URLSearchParams(qi === -1 ? '' : url.slice(qi + 1));
    const m = req.method ?? 'GET';
    if (this.#assets(req, res)) return;
    const isGet = m === 'GET' || m === 'HEAD';
    if (path === '/' || path === '') {
      if (!isGet) return notAllowed(res, req, 'GET, HEAD');
      return this.#index(req, res);
    }
    let route = /^\/(active|queued)\/(.+)\.(txt|html)$/.exec(path);
    if (route) {
      if (!isGet) return notAllowed(res, req, 'GET, HEAD');
      const addr = unescapeName(route[2]!);
      if (addr === undefined) return send(res, req, 400, 'text/plain', 'malformed percent-encoding in the address\n');
      return this.#histogram(req, res, route[1] as 'active' | 'queued', addr, route[3] as 'txt' | 'html');
    }
    route = /^\/reset\/(.+)$/.exec(path);
    if (route) {
      if (m !== 'POST') return notAllowed(res, req, 'POST');
      const addr = unescapeName(route[1]!);
      if (addr === undefined) return send(res, req, 400, 'text/plain', 'malformed percent-encoding in the address\n');
      return this.#reset(req, res, addr);
    }
    route = /^\/tail\/(.+)\.txt$/.exec(path);
    if (route) {
      if (!isGet) return notAllowed(res, req, 'GET, HEAD');
      const addr = unescapeName(route[1]!);
      if (addr === undefined) return send(res, req, 400, 'text/plain', 'malformed percent-encoding in the address\n');
      return this.#tail(req, res, addr, query);
    }
    if (path === '/events') {
      if (!isGet) return notAllowed(res, req, 'GET, HEAD');
      return this.#events(req, res);
    }
    if (path === '/favicon.ico') {
      res.writeHead(204, { 'Cache-Control': 'max-age=86400' });
      return void res.end();
    }
    if (path === '/history.json') {
      if (!isGet) return notAllowed(res, req, 'GET, HEAD');
      return send(res, req, 200, 'application/json', JSON.stringify(this.#history));
    }
    return send(res, req, 404, 'text/plain', 'Not Found');
  }

  /** The sample to answer with, or an answer saying why there is none (a failing sampler never hangs a request). */
  async #needSample(req: IncomingMessage, res: ServerResponse): Promise<WatcherSample | undefined> {
    const s = await this.#current();
    if (!s) {
      send(res, req, 503, 'text/plain', `no listener sample yet: ${this.#lastError?.message ?? 'watcher closed'}\n`);
    }
    return s;
  }

  async #index(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const s = await this.#needSample(req, res);
    if (!s) return;
    const rows = [...s.listeners].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    let body = `<html><head><title>${esc(hostname())} - all interfaces</title>${CHART_HEAD}</head><body><h3>Updated at ${iso(s.time)}</h3>`;
    if (this.#lastError) body += `<p class='error'>sampling failed: ${esc(this.#lastError.message)}</p>`;
    body += '<table><tr><th>address</th><th>active</th><th>queued</th><th>reset</th></tr>';
    for (const [addr, st] of rows) {
      const e = escUrl(addr);
      body +=
        `<tr><td><a href='tail/${e}.txt' title='&quot;tail&quot; output in real time'>${esc(addr)}</a></td>` +
        `<td><a href='active/${e}.html' title='show active connection stats'>${st.active}</a></td>` +
        `<td><a href='queued/${e}.html' title='show queued connection stats'>${st.queued}</a></td>` +
        `<td><form action='reset/${e}' method='post'><input title='reset statistics' type='submit' name='x' value='x' /></form></td></tr>`;
    }
    body += `</table><div id='chart'></div>${chartScript('', undefined)}<p>This is running the raingauge Watcher (raindrops' Raindrops::Watcher), see <a href='${DOC_URL}'>${DOC_URL}</a> for more information and options.</p></body></html>`;
    send(res, req, 200, 'text/html', body, {
      'Last-Modified': s.time.toUTCString(),
      Expires: new Date(s.time.getTime() + this.delay * 1000).toUTCString(),
    });
  }

  async #histogram(
    req: IncomingMessage,
    res: ServerResponse,
    which: 'active' | 'queued',
    addr: string,
    ext: 'txt' | 'html',
  ): Promise<void> {
    const s = await this.#needSample(req, res);
    if (!s) return;
    const e = this.#entries.get(addr);
    if (!e) {
      const known = [...this.#entries.keys()].sort().join(', ') || 'none yet';
      return send(res, req, 404, 'text/plain', `no such listener: ${addr} (known: ${known})\n`);
    }
    const agg = e[which];
    const peak = which === 'active' ? e.peakActive : e.peakQueued;
    const cur = s.listeners.get(addr);
    const x: [string, string][] = [
      ['Count', String(agg.count)],
      ['Min', agg.min === undefined ? '' : String(agg.min)],
      ['Max', agg.max === undefined ? '' : String(agg.max)],
      ['Mean', rubyFloat(agg.mean)],
      ['Std-Dev', rubyFloat(agg.stdDev)],
      ['Outliers-Low', String(agg.outliersLow)],
      ['Outliers-High', String(agg.outliersHigh)],
      ['Last-Reset', e.reset.toUTCString()],
      ['Current', String(cur ? cur[which] : 0)],
      ['First-Peak-At', peak.first.toUTCString()],
      ['Last-Peak-At', peak.last.toUTCString()],
    ];
    const headers: Record<string, string> = {};
    for (const [k, v] of x) headers[`X-${k}`] = v;
    headers.Expires = new Date(s.time.getTime() + this.delay * 1000).toUTCString();
    const text = agg.toString();
    if (ext === 'txt') return send(res, req, 200, 'text/plain', text, headers);
    let body = `<html><head><title>${esc(hostname())} - ${esc(addr)}</title>${CHART_HEAD}</head><body><table>`;
    for (const [k, v] of x) body += `<tr><td>${k}</td><td>${esc(v)}</td></tr>`;
    body += `</table><pre>${esc(text)}</pre><form action='../reset/${escUrl(addr)}' method='post'><input type='submit' name='x' value='reset' /></form><div id='chart'></div>${chartScript('../', addr)}</body></html>`;
    send(res, req, 200, 'text/html', body, headers);
  }

  async #reset(req: IncomingMessage, res: ServerResponse, addr: string): Promise<void> {
    const e = this.#entries.get(addr);
    if (!e) return send(res, req, 404, 'text/plain', `no such listener: ${addr}\n`);
    // raindrops keeps the peaks across a reset; so do we (First-Peak-At / Last-Peak-At are unchanged)
    e.active.reset();
    e.queued.reset();
    e.reset = new Date();
    // raindrops waits for the next sample before redirecting, so the page shows fresh numbers
    await Promise.race([this.#nextSample(), new Promise((r) => setTimeout(r, this.delay * 1000 + 1000).unref())]);
    const location = sameOriginReferer(req) ?? '../';
    send(res, req, 302, 'text/plain', `Redirecting to ${location}`, { Location: location });
  }

  #tail(req: IncomingMessage, res: ServerResponse, addr: string, q: URLSearchParams): void {
    const min = (k: string): number | string => {
      const all = q.getAll(k);
      if (all.length === 0) return 0;
      const v = all[all.length - 1]!;
      return /^\d+$/.test(v) ? Number(v) : `${k} must be a non-negative integer, got ${JSON.stringify(v)}`;
    }; // a repeated parameter: the last one wins (raindrops crashes with NoMethodError)
    const activeMin = min('active_min');
    const queuedMin = min('queued_min');
    if (typeof activeMin === 'string' || typeof queuedMin === 'string') {
      send(res, req, 400, 'text/plain', `${typeof activeMin === 'string' ? activeMin : queuedMin}\n`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/plain',
      'Cache-Control': 'no-transform',
      Expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
    });
    if (req.method === 'HEAD') return void res.end();
    this.#stream(req, res, (s) => {
      const st = s.listeners.get(addr);
      if (!st || st.active < activeMin || st.queued < queuedMin) return undefined; // a vanished listener: no rows
      return tailLine(s.time, addr, st.active, st.queued);
    });
  }

  #events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform' });
    if (req.method === 'HEAD') return void res.end();
    res.write(`retry: ${Math.max(1000, this.delay * 1000)}\n\n`);
    this.#stream(req, res, (s) => {
      const l: Record<string, [number, number]> = {};
      for (const [k, v] of s.listeners) l[k] = [v.active, v.queued];
      return `data: ${JSON.stringify({ t: s.time.getTime() / 1000, l })}\n\n`;
    });
  }

  /**
   * A long-lived response fed by the sampler: no timer of its own, nothing
   * queued beyond 64 KiB for a client that does not read (lines are dropped
   * instead), ended when the client goes away, when the watcher closes, or at
   * the first sample after its server stopped listening (so `server.close()`
   * is never held up for more than one delay).
   */
  #stream(req: IncomingMessage, res: ServerResponse, line: (s: WatcherSample) => string | undefined): void {
    const server = (req.socket as { server?: { listening?: boolean } }).server;
    const entry = {
      res,
      each: (s: WatcherSample) => {
        if (server && server.listening === false) {
          this.#streams.delete(entry);
          res.end();
          return;
        }
        const text = line(s);
        if (text !== undefined && res.writableLength < MAX_BUFFERED) res.write(text);
      },
    };
    this.#streams.add(entry);
    res.on('close', () => this.#streams.delete(entry));
    if (this.#closed) res.end();
  }
}

/** raindrops' peak rule: a non-zero value reaching the max moves `last`; exceeding it moves `first` too. */
function aggregate(agg: Aggregate, peak: Peak, n: number, now: Date): void {
  const max = agg.max;
  if (max !== undefined && n > 0 && n >= max) {
    peak.last = now;
    if (n > max) peak.first = now;
  }
  agg.add(n);
}

function unescapeName(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The Referer when it points at the same host (so a reset cannot redirect elsewhere). */
function sameOriginReferer(req: IncomingMessage): string | undefined {
  const ref = req.headers.referer;
  const host = req.headers.host;
  if (!ref || !host) return undefined;
  try {
    const u = new URL(ref);
    return u.host === host && (u.protocol === 'http:' || u.protocol === 'https:') ? ref : undefined;
  } catch {
    return undefined;
  }
}

function send(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function notAllowed(res: ServerResponse, req: IncomingMessage, allow: string): void {
  send(res, req, 405, 'text/plain', 'Method Not Allowed', { Allow: allow });
}

const CHART_HEAD = '';

/** The live chart: uPlot from the package (EXPORT's asset handler), fed by `events` (relative links). */
function chartScript(base: string, only: string | undefined): string {
  const cfg = JSON.stringify({ base, only: only ?? null });
  return `<link rel='stylesheet' href='${base}assets/uPlot.min.css'><script src='${base}assets/uPlot.iife.min.js'></script><script>(function(){
var cfg=${cfg.replace(/</g, '\\u003c')};var el=document.getElementById('chart');var plot=null,keys=[],data=[[]];
function build(){var series=[{}];keys.forEach(function(k){series.push({label:k+' active',stroke:'#1f77b4'});series.push({label:k+' queued',stroke:'#d62728'});});
if(plot)plot.destroy();plot=new uPlot({width:Math.max(400,(el.clientWidth||800)),height:240,series:series},data,el);window.__watcherChart=plot;}
function push(s){var ks=Object.keys(s.l).filter(function(k){return !cfg.only||k===cfg.only}).sort();
if(ks.join('\\n')!==keys.join('\\n')){var old=keys;keys=ks;var nd=[data[0]];ks.forEach(function(k){var i=old.indexOf(k);nd.push(i<0?data[0].map(function(){return null}):data[1+2*i]);nd.push(i<0?data[0].map(function(){return null}):data[2+2*i]);});data=nd;data[0]=data[0]||[];build();}
data[0].push(s.t);keys.forEach(function(k,i){var v=s.l[k];data[1+2*i].push(v?v[0]:null);data[2+2*i].push(v?v[1]:null);});
if(data[0].length>300)data.forEach(function(a){a.shift()});plot.setData(data);window.__watcherSamples=(window.__watcherSamples||0)+1;}
fetch(cfg.base+'history.json').then(function(r){return r.json()}).then(function(h){h.forEach(push);if(!plot)build();
var es=new EventSource(cfg.base+'events');es.onmessage=function(ev){push(JSON.parse(ev.data))};});})();</script>`;
}
