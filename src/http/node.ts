/**
 * The `node:http` / `node:https` adapters: a request-handler wrapper and a
 * one-line server hook.
 * @module
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { RaindropsMiddleware, type RaindropsMiddlewareOptions } from './middleware.js';

/** A `node:http` request handler (sync, callback-style or async). */
export type NodeRequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

/** Run `handler` under the middleware: answer stats requests, count the others. */
function run(
  mw: RaindropsMiddleware,
  handler: NodeRequestHandler,
  self: unknown,
  req: IncomingMessage,
  res: ServerResponse,
) {
  if (mw.isStatsRequest(req)) return mw.respond(req, res);
  const x = mw.track(req, res, true);
  let r: unknown;
  try {
    r = handler.call(self, req, res);
  } catch (e) {
    x.handlerFailed();
    throw e;
  }
  if (isThenable(r)) {
    return Promise.resolve(r).then(
      (v) => {
        x.handlerReturned();
        return v;
      },
      (e) => {
        x.handlerFailed();
        throw e;
      },
    );
  }
  x.handlerReturned();
  return r;
}

/**
 * Wrap a `node:http` (or `https`) request handler: requests for the stats
 * path from allowed clients are answered by the middleware, every other
 * request runs `handler` and is counted in `calling`/`writing`. The handler
 * sees no difference; what it throws or rejects with propagates unchanged.
 * The returned function carries the middleware as `.raindrops`.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 * import { raindropsHandler } from 'raingauge';
 * http.createServer(raindropsHandler((req, res) => res.end('hello\n'))).listen(8080);
 * // curl http://127.0.0.1:8080/_raindrops
 * ```
 */
export function raindropsHandler<H extends NodeRequestHandler>(
  handler: H,
  opts: RaindropsMiddlewareOptions | RaindropsMiddleware = {},
): H & { raindrops: RaindropsMiddleware } {
  const mw = opts instanceof RaindropsMiddleware ? opts : new RaindropsMiddleware(opts);
  const wrapped = function (this: unknown, req: IncomingMessage, res: ServerResponse) {
    return run(mw, handler, this, req, res);
  } as unknown as H & { raindrops: RaindropsMiddleware };
  wrapped.raindrops = mw;
  return wrapped;
}

const kHooked = Symbol('raingauge.http.hooked');

/**
 * The one-line server hook: `instrumentServer(server)` counts every request
 * of `server` (an `http.Server` or `https.Server`, with listeners added
 * before or after the call) and answers the stats path, without touching the
 * handlers. The server's own listener is reported by default. Hooking the
 * same server twice returns the first middleware.
 *
 * It intercepts the server's `'request'` event: the listeners run inside the
 * hook, so a request is `calling` until they have returned and the response
 * head is written.
 *
 * @example
 * ```ts
 * const server = http.createServer(app);
 * instrumentServer(server, { listeners: ['0.0.0.0:8080'] });
 * ```
 */
export function instrumentServer(
  server: HttpServer | HttpsServer,
  opts: RaindropsMiddlewareOptions | RaindropsMiddleware = {},
): RaindropsMiddleware {
  const s = server as (HttpServer | HttpsServer) & { [kHooked]?: RaindropsMiddleware };
  if (s[kHooked]) return s[kHooked];
  const mw = opts instanceof RaindropsMiddleware ? opts : new RaindropsMiddleware(opts);
  s[kHooked] = mw;
  mw.addServer(server);
  const emit = server.emit as (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = function (this: HttpServer, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'request') return emit.call(this, event, ...args);
    const req = args[0] as IncomingMessage;
    const res = args[1] as ServerResponse;
    if (mw.isStatsRequest(req)) {
      void mw.respond(req, res);
      return true;
    }
    const x = mw.track(req, res, true);
    let r: boolean;
    try {
      r = emit.call(this, event, ...args);
    } catch (e) {
      x.handlerFailed();
      throw e;
    }
    x.handlerReturned();
    return r;
  } as typeof server.emit;
  return mw;
}
