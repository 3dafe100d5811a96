/**
 * The exporter's HTTP(S) server (`raingauge serve`): `GET /metrics` (text
 * 0.0.4 or OpenMetrics by `Accept`, gzip by `Accept-Encoding`, `collect[]=` /
 * `exclude[]=`), `GET /-/healthy`, the dashboard (`GET /`, its assets, a
 * Server-Sent Events feed at `/api/events`).
 *
 * Bounded whatever a client sends: loopback unless `allowRemote`; optional
 * bearer token or basic auth read from a file; TLS from cert/key files; at
 * most `maxConcurrentScrapes` scrapes at once (503 beyond); at most
 * `maxEventClients` SSE clients (503 beyond); request and header timeouts;
 * URLs over 8 KiB get 414, request bodies 413; only GET and HEAD.
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { InvalidArgumentError, RaingaugeError } from '../errors.js';
import { serveAsset, uplotAssetHandler } from './assets.js';
import { type Collector, CollectorSelectionError, checkCollectorNames } from './collector.js';
import { DashboardFeed, dashboardAsset, dashboardScriptAsset } from './dashboard.js';
import { acceptsGzip, negotiateFormat } from './exposition.js';
import { scrape } from './scrape.js';

const gzip = promisify(gzipCb);

/** Authentication of every route but `/-/healthy`. */
export type ExporterAuth =
  | { type: 'bearer'; tokenFile: string }
  | {
      /** A file with one `user:password` line per user. */
      type: 'basic';
      usersFile: string;
    };

/** Options of {@link startExporter}. */
export interface ExporterOptions {
  /** The collectors `/metrics` runs (in order). */
  collectors: readonly Collector[];
  /** Address to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port (default 9464; 0 = any free port). */
  port?: number;
  /** Allow a non-loopback `host` (default false: a remote address is refused with a typed error). */
  allowRemote?: boolean;
  /** Bearer token or basic auth, read from a file at start. */
  auth?: ExporterAuth;
  /** Serve HTTPS with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string };
  /** Scrapes served at once (default 4); more get 503. */
  maxConcurrentScrapes?: number;
  /** Time for one scrape (default 10 s); a slower scrape gets 503. */
  scrapeTimeoutMs?: number;
  /** Time to receive a whole request (default 10 s). */
  requestTimeoutMs?: number;
  /** Serve the dashboard at `/` (default true). */
  dashboard?: boolean;
  /** Dashboard feed interval (default 1000 ms). */
  dashboardIntervalMs?: number;
  /** SSE clients at once (default 8); more get 503. */
  maxEventClients?: number;
  /** A log line (degraded collectors once per reason, errors). Default: none. */
  log?: (line: string) => void;
}

/** A running exporter. */
export interface Exporter {
  /** The node:http / node:https server. */
  readonly server: Server;
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  /** The port bound. */
  readonly port: number;
  /** Stop listening, end SSE clients, close collectors. */
  close(): Promise<void>;
}

const MAX_URL = 8192;

/** Whether a host is a loopback address or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./i.test(h);
  return false;
}

/** Read the credentials of `auth` once; returns a checker of an `Authorization` header. */
function authChecker(auth: ExporterAuth): (header: string | undefined) => boolean {
  const eq = (a: string, b: string): boolean => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };
  if (auth.type === 'bearer') {
    const token = readSecret(auth.tokenFile).trim();
    if (token === '') throw new InvalidArgumentError(`bearer token file ${auth.tokenFile} is empty`, auth.tokenFile);
    return (h) => h?.startsWith('Bearer ') === true && eq(h.slice(7).trim(), token);
  }
  const users = readSecret(auth.usersFile)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (users.length === 0 || users.some((u) => !u.includes(':'))) {
    throw new InvalidArgumentError(
      `basic auth file ${auth.usersFile}: expected one user:password per line`,
      auth.usersFile,
    );
  }
  return (h) => {
    if (h === undefined || !h.startsWith('Basic ')) return false;
    const given = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
    let ok = false;
    for (const u of users) ok = eq(given, u) || ok;
    return ok;
  };
}

function readSecret(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${path}: ${(e as Error).message}`, path);
  }
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(`${text}\n`);
}

/**
 * Start the exporter. Resolves once it listens.
 *
 * @throws {InvalidArgumentError} for a remote host without `allowRemote`, unreadable auth or TLS files, bad collector names.
 */
export async function startExporter(opts: ExporterOptions): Promise<Exporter> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && opts.allowRemote !== true) {
    throw new InvalidArgumentError(
      `refusing to listen on ${host}: not a loopback address (pass --allow-remote to expose metrics beyond this host, ideally with --tls-cert/--tls-key and --auth-*)`,
      host,
    );
  }
  checkCollectorNames(opts.collectors);
  const checkAuth = opts.auth ? authChecker(opts.auth) : undefined;
  const maxScrapes = opts.maxConcurrentScrapes ?? 4;
  const scrapeTimeoutMs = opts.scrapeTimeoutMs ?? 10_000;
  const log = opts.log ?? (() => {});
  const seenDegraded = new Set<string>();
  let inFlight = 0;
  const withDashboard = opts.dashboard !== false;
  const feed = withDashboard
    ? new DashboardFeed(opts.collectors, {
        intervalMs: opts.dashboardIntervalMs,
        maxClients: opts.maxEventClients ?? 8,
      })
    : undefined;
  const uplot = uplotAssetHandler('/assets/');

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    if (url.length > MAX_URL) return plain(res, 414, 'URI too long');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return plain(res, 405, 'only GET and HEAD', { Allow: 'GET, HEAD' });
    const cl = req.headers['content-length'];
    if ((cl !== undefined && cl !== '0') || req.headers['transfer-encoding'] !== undefined) {
      return plain(res, 413, 'no request body accepted', { Connection: 'close' });
    }
    let parsed: URL;
    try {
      parsed = new URL(url, 'http://x');
    } catch {
      return plain(res, 400, 'bad request URL');
    }
    const path = parsed.pathname;
    if (path === '/-/healthy') return plain(res, 200, 'Healthy');
    if (path === '/favicon.ico') {
      res.statusCode = 204;
      res.end();
      return;
    }
    if (checkAuth && !checkAuth(req.headers.authorization)) {
      return plain(res, 401, 'Unauthorized', {
        'WWW-Authenticate': opts.auth?.type === 'basic' ? 'Basic realm="raingauge"' : 'Bearer realm="raingauge"',
      });
    }
    if (path === '/metrics') {
      if (inFlight >= maxScrapes) {
        return plain(res, 503, `too many concurrent scrapes (limit ${maxScrapes})`, { 'Retry-After': '1' });
      }
      inFlight++;
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), scrapeTimeoutMs);
      try {
        const include = parsed.searchParams.getAll('collect[]');
        const exclude = parsed.searchParams.getAll('exclude[]');
        const format = negotiateFormat(req.headers.accept);
        const out = await Promise.race([
          scrape(opts.collectors, {
            include,
            exclude,
            format,
            signal: ac.signal,
            onDegraded: (c, reason, detail) => {
              const k = `${c}/${reason}`;
              if (seenDegraded.has(k)) return;
              seenDegraded.add(k);
              log(`collector ${c} degraded (${reason}): ${detail}`);
            },
            onError: (c, e) => log(`collector ${c} failed: ${(e as Error)?.message ?? String(e)}`),
          }),
          new Promise<never>((_, reject) =>
            ac.signal.addEventListener('abort', () => reject(new ScrapeTimeoutError(scrapeTimeoutMs)), { once: true }),
          ),
        ]);
        let body = Buffer.from(out.text, 'utf8');
        res.setHeader('Content-Type', out.contentType);
        res.setHeader('Vary', 'Accept, Accept-Encoding');
        res.setHeader('Cache-Control', 'no-store');
        if (acceptsGzip(req.headers['accept-encoding'])) {
          body = await gzip(body);
          res.setHeader('Content-Encoding', 'gzip');
        }
        res.setHeader('Content-Length', body.length);
        res.statusCode = 200;
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch (e) {
        if (e instanceof CollectorSelectionError) return plain(res, 400, e.message);
        if (e instanceof ScrapeTimeoutError) return plain(res, 503, e.message);
        log(`scrape failed: ${(e as Error)?.message ?? String(e)}`);
        return plain(res, 500, 'scrape failed');
      } finally {
        clearTimeout(timer);
        inFlight--;
      }
      return;
    }
    if (withDashboard && feed) {
      if (path === '/' || path === '/index.html') {
        res.setHeader(
          'Content-Security-Policy',
          "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
        );
        return serveAsset(req, res, dashboardAsset(), { cacheControl: 'no-cache' });
      }
      if (path === '/dashboard.js') return serveAsset(req, res, dashboardScriptAsset(), { cacheControl: 'no-cache' });
      if (path === '/api/events') return feed.attach(req, res);
      if (uplot(req, res)) return;
    }
    return plain(res, 404, 'not found: try /metrics');
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((e) => {
      log(`request failed: ${(e as Error)?.message ?? String(e)}`);
      if (!res.headersSent) plain(res, 500, 'internal error');
      else res.destroy();
    });
  };
  let server: Server;
  if (opts.tls) {
    const cert = readSecret(opts.tls.certFile);
    const key = readSecret(opts.tls.keyFile);
    server = createHttpsServer({ cert, key }, listener) as unknown as Server;
  } else {
    server = createHttpServer(listener);
  }
  const requestTimeout = opts.requestTimeoutMs ?? 10_000;
  server.requestTimeout = requestTimeout;
  server.headersTimeout = Math.min(requestTimeout, 10_000);
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 100;
  server.maxRequestsPerSocket = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 9464, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  return {
    server,
    port,
    url: `${opts.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    async close() {
      feed?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      for (const c of opts.collectors) c.close?.();
    },
  };
}

/** A scrape took longer than the scrape timeout (HTTP 503). */
export class ScrapeTimeoutError extends RaingaugeError {
  constructor(ms: number) {
    super(`scrape timed out after ${ms} ms`, 'ERR_RAINGAUGE_SCRAPE_TIMEOUT');
  }
}
