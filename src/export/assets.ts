/**
 * Static assets for the dashboards: uPlot's distributed JS and CSS, read
 * from the installed `uplot` package (resolved with `createRequire`, so no
 * second copy and no CDN), and small text assets (the dashboard page) held
 * in memory. Each asset carries a strong ETag (SHA-256 of its bytes) and a
 * gzip copy; {@link serveAsset} answers `If-None-Match` with 304.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { NotFoundError } from '../errors.js';
import { acceptsGzip } from './exposition.js';

/** One asset ready to serve. */
export interface StaticAsset {
  /** File name, e.g. `uPlot.iife.min.js`. */
  readonly name: string;
  /** Content-Type header value. */
  readonly contentType: string;
  /** The bytes. */
  readonly body: Buffer;
  /** The gzip-compressed bytes. */
  readonly gzipBody: Buffer;
  /** Strong ETag (quoted), from SHA-256 of `body`. */
  readonly etag: string;
}

/** The uPlot files raingauge serves, by name (from `uplot/dist/`). */
export const UPLOT_ASSET_NAMES = ['uPlot.iife.min.js', 'uPlot.min.css', 'uPlot.esm.js'] as const;
/** A name in {@link UPLOT_ASSET_NAMES}. */
export type UplotAssetName = (typeof UPLOT_ASSET_NAMES)[number];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Content-Type for a file name by its extension (`application/octet-stream` when unknown). */
export function contentTypeOfName(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 ? TYPES[name.slice(dot).toLowerCase()] : undefined) ?? 'application/octet-stream';
}

/** Build an asset from bytes or text: ETag and gzip copy computed once. */
export function makeAsset(name: string, body: Buffer | string, contentType = contentTypeOfName(name)): StaticAsset {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const etag = `"${createHash('sha256').update(buf).digest('base64url').slice(0, 27)}"`;
  return { name, contentType, body: buf, gzipBody: gzipSync(buf), etag };
}

const uplotCache = new Map<string, StaticAsset>();

/**
 * The path of a file of the installed uPlot package (`uplot/dist/<name>`),
 * resolved like `import` would from this module.
 *
 * @throws {NotFoundError} when the `uplot` package is not installed.
 */
export function uplotAssetPath(name: UplotAssetName): string {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve(`uplot/dist/${name}`);
  } catch (e) {
    throw new NotFoundError(
      `uplot/dist/${name}`,
      `uPlot is not installed (npm install uplot): cannot resolve uplot/dist/${name}`,
      {
        cause: e,
      },
    );
  }
}

/** The installed uPlot's version (from its package.json). */
export function uplotVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('uplot/package.json') as { version: string }).version;
}

/**
 * One uPlot file as an asset, read once from `node_modules` and cached.
 *
 * @throws {NotFoundError} when the name is not one of {@link UPLOT_ASSET_NAMES} or uPlot is missing.
 */
export function uplotAsset(name: string): StaticAsset {
  if (!(UPLOT_ASSET_NAMES as readonly string[]).includes(name)) {
    throw new NotFoundError(
      name,
      `no uPlot asset named ${JSON.stringify(name)} (have: ${UPLOT_ASSET_NAMES.join(', ')})`,
    );
  }
  let a = uplotCache.get(name);
  if (a === undefined) {
    a = makeAsset(name, readFileSync(uplotAssetPath(name as UplotAssetName)));
    uplotCache.set(name, a);
  }
  return a;
}

/** Whether an `If-None-Match` header matches `etag` (`*`, or a list containing it, weak or strong). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  for (const t of ifNoneMatch.split(',')) {
    const v = t.trim();
    if (v === etag || v === `W/${etag}`) return true;
  }
  return false;
}

/** Options of {@link serveAsset}. */
export interface ServeAssetOptions {
  /** `Cache-Control` value (default `public, max-age=3600`; the ETag revalidates after). */
  cacheControl?: string;
}

/**
 * Answer a GET/HEAD request with `asset`: 304 when `If-None-Match` matches,
 * else 200 with the gzip copy when the client accepts gzip. Sets ETag,
 * Cache-Control, `Vary: Accept-Encoding` and `X-Content-Type-Options: nosniff`.
 */
export function serveAsset(
  req: IncomingMessage,
  res: ServerResponse,
  asset: StaticAsset,
  opts: ServeAssetOptions = {},
): void {
  res.setHeader('ETag', asset.etag);
  res.setHeader('Cache-Control', opts.cacheControl ?? 'public, max-age=3600');
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  const inm = req.headers['if-none-match'];
  if (etagMatches(typeof inm === 'string' ? inm : undefined, asset.etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const gz = acceptsGzip(req.headers['accept-encoding']);
  const body = gz ? asset.gzipBody : asset.body;
  res.statusCode = 200;
  res.setHeader('Content-Type', asset.contentType);
  if (gz) res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', body.length);
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/**
 * A request handler for uPlot's files under `prefix` (default `/assets/`):
 * returns true when it answered (`GET /assets/uPlot.iife.min.js`), false
 * when the URL is not one of them (so the caller routes it elsewhere).
 */
export function uplotAssetHandler(prefix = '/assets/'): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    if (!path.startsWith(prefix)) return false;
    const name = path.slice(prefix.length);
    if (!(UPLOT_ASSET_NAMES as readonly string[]).includes(name)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.setHeader('Allow', 'GET, HEAD');
      res.end();
      return true;
    }
    serveAsset(req, res, uplotAsset(name));
    return true;
  };
}
