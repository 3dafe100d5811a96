/**
 * raindrops' `Raindrops::Middleware` for Node: the stats endpoint
 * (`/_raindrops`) and the `calling`/`writing` life-cycle counters, framework
 * independent. The adapters (`node:http`, Express, Fastify, Koa, Hono) are
 * thin layers over {@link RaindropsMiddleware}.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import { type AccessRule, compileAccess } from './access.js';
import { DEFAULT_COUNTERS_NAME, type HttpCounters, sharedHttpCounters } from './counters.js';
import { type Exchange, trackExchange } from './exchange.js';
import { chooseStatsFormat, encodeStats, type HttpStats, type StatsFormat } from './format.js';
import { type ListenerTargets, listenerRows, parseListenerTargets, targetsOfServers } from './listeners.js';

/** Options of {@link RaindropsMiddleware} and every adapter. */
export interface RaindropsMiddlewareOptions {
  /** The stats endpoint's path, matched exactly (query string aside), any method. Default `/_raindrops`. */
  path?: string;
  /**
   * The listeners to report: `a.b.c.d:port`, `[v6]:port`, `/path/to.sock`,
   * `@abstract`. Default: every listener of the servers the middleware is
   * mounted on (learnt from the requests it sees and from the server hook),
   * including a cluster primary's shared listener.
   */
  listeners?: readonly string[];
  /**
   * Who may read the endpoint. Default: clients connecting from a loopback
   * address (127.0.0.0/8, ::1) or over a UNIX socket; anyone else falls
   * through to the application as if the middleware were absent. An array of
   * addresses / CIDR prefixes, or a predicate over the request, replaces that.
   */
  allow?: AccessRule;
  /**
   * The name of the shared counters (default `http-middleware`): every worker
   * and thread of the application using the same name adds to the same
   * `calling`/`writing`. Give two middlewares of one application different
   * names to count them apart.
   */
  name?: string;
  /** Your own counters instead of the named shared ones (e.g. for tests). */
  counters?: HttpCounters;
}

/** Everything a stats request needs, computed once per request. */
interface StatsRoute {
  format: StatsFormat | undefined;
}

/**
 * Concurrent stats requests share listener dumps: a request joins the dump
 * that starts next (never one already under way, which could miss its own
 * connection), so at most one dump runs and one waits, whatever the number of
 * requests (1 000 concurrent scrapes cost two dumps, not 1 000).
 */
class DumpQueue<T> {
  #running: Promise<T> | undefined;
  #next: Promise<T> | undefined;
  constructor(private readonly run: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.#running) return this.#start();
    if (!this.#next) {
      const after = this.#running.then(
        () => undefined,
        () => undefined,
      );
      this.#next = after.then(() => {
        this.#next = undefined;
        return this.#start();
      });
    }
    return this.#next;
  }

  #start(): Promise<T> {
    const p = this.run().finally(() => {
      if (this.#running === p) this.#running = undefined;
    });
    this.#running = p;
    return p;
  }
}

/**
 * The middleware's state: options, the counters, the servers seen, and the
 * two operations every adapter needs: answer a stats request, track an exchange.
 *
 * @example
 * ```ts
 * const mw = new RaindropsMiddleware({ listeners: ['0.0.0.0:8080'] });
 * http.createServer((req, res) => {
 *   if (mw.isStatsRequest(req)) return void mw.respond(req, res);
 *   const x = mw.track(req, res, true);
 *   try { app(req, res); x.handlerReturned(); } catch (e) { x.handlerFailed(); throw e; }
 * });
 * ```
 */
export class RaindropsMiddleware {
  /** The stats endpoint's path. */
  readonly path: string;
  /** The counters (`calling`, `writing`). */
  readonly counters: HttpCounters;
  readonly #allowed: (req: IncomingMessage) => boolean;
  readonly #explicit: ListenerTargets | undefined;
  readonly #servers = new Set<Server>();
  #lastServer: Server | undefined;
  readonly #queue: DumpQueue<HttpStats>;

  constructor(opts: RaindropsMiddlewareOptions = {}) {
    if (opts === null || typeof opts !== 'object') {
      throw new InvalidArgumentError('options must be an object like { path: "/_raindrops" }', opts);
    }
    const path = opts.path ?? '/_raindrops';
    if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?')) {
      throw new InvalidArgumentError(
        `path must be a URL path starting with "/" and without "?", got ${JSON.stringify(path)}`,
        path,
      );
    }
    this.path = path;
    this.#allowed = compileAccess(opts.allow);
    this.#explicit = opts.listeners === undefined ? undefined : parseListenerTargets(opts.listeners);
    this.counters = opts.counters ?? sharedHttpCounters(opts.name ?? DEFAULT_COUNTERS_NAME);
    this.#queue = new DumpQueue(() => this.#collect());
  }

  /** Remember a server whose listener is reported (the server hook calls this; requests do it too). */
  addServer(server: Server): void {
    this.#servers.add(server);
    this.#lastServer = server;
  }

  /** The request's path (without the query string) is the stats path. */
  matchesPath(url: string | undefined): boolean {
    if (url === undefined) return false;
    const p = this.path;
    if (!url.startsWith(p)) return false;
    return url.length === p.length || url.charCodeAt(p.length) === 63; /* ? */
  }

  /** This request is for the stats endpoint and its client may read it. */
  isStatsRequest(req: IncomingMessage, url: string | undefined = req.url): boolean {
    return this.matchesPath(url) && this.#allowed(req);
  }

  /**
   * Start counting an exchange (see {@link trackExchange}); `handlerVisible`
   * when the caller reports the handler's return on the returned exchange.
   */
  track(req: IncomingMessage, res: ServerResponse, handlerVisible = false): Exchange {
    const server = (req.socket as { server?: Server } | null)?.server;
    if (server !== undefined && server !== this.#lastServer) this.addServer(server);
    return trackExchange(this.counters, req, res, handlerVisible);
  }

  /** `calling`, `writing` and the listener rows, right now. */
  stats(): Promise<HttpStats> {
    return this.#queue.get();
  }

  async #collect(): Promise<HttpStats> {
    const targets = this.#explicit ?? targetsOfServers(this.#servers);
    const listeners = await listenerRows(targets);
    return { calling: this.counters.get('calling'), writing: this.counters.get('writing'), listeners };
  }

  /**
   * The answer to a stats request: status, headers and body. 200 with
   * raindrops' text (`Content-Type: text/plain`, `Content-Length`), JSON or
   * Prometheus text by `?format=` / `Accept`; 400 for an unknown `?format=`;
   * 500 with the reason when the listener statistics cannot be read.
   */
  async answer(
    req: IncomingMessage,
    url: string | undefined = req.url,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const server = (req.socket as { server?: Server } | null)?.server;
    if (server !== undefined && server !== this.#lastServer) this.addServer(server);
    const q = url?.indexOf('?') ?? -1;
    const route: StatsRoute = {
      format: chooseStatsFormat(q === -1 ? '' : url!.slice(q + 1), req.headers.accept),
    };
    if (route.format === undefined) {
      return plain(400, 'unknown format: use ?format=text, json, prometheus or openmetrics\n');
    }
    let s: HttpStats;
    try {
      s = await this.stats();
    } catch (e) {
      return plain(500, `cannot read listener statistics: ${(e as Error).message}\n`);
    }
    const { body, contentType } = encodeStats(s, route.format);
    return {
      status: 200,
      headers: { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) },
      body,
    };
  }

  /** Answer a stats request on a raw Node response (HEAD gets the headers only). */
  async respond(req: IncomingMessage, res: ServerResponse, url: string | undefined = req.url): Promise<void> {
    const a = await this.answer(req, url);
    if (res.destroyed) return;
    res.writeHead(a.status, a.headers);
    res.end(req.method === 'HEAD' ? undefined : a.body);
  }
}

function plain(status: number, body: string) {
  return {
    status,
    headers: { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(body)) },
    body,
  };
}
