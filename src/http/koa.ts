/**
 * The Koa 3 adapter (Koa is an optional peer dependency and is never imported).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RaindropsMiddleware, type RaindropsMiddlewareOptions } from './middleware.js';

/** The part of Koa's context the adapter uses. */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  /** Set to false to answer on the raw response. */
  respond?: boolean;
}

/** A Koa middleware; carries its {@link RaindropsMiddleware} as `.raindrops`. */
export type KoaMiddleware = ((ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<unknown>) & {
  raindrops: RaindropsMiddleware;
};

/**
 * raindrops' middleware for Koa 3: `app.use(raindropsKoa())` first. Stats
 * requests are answered on the raw response (`ctx.respond = false`, byte for
 * byte raindrops' answer); every other request is counted from its arrival
 * until its response closes, including the 500 Koa writes for a thrown error.
 *
 * @example
 * ```ts
 * const app = new Koa();
 * app.use(raindropsKoa());
 * app.use((ctx) => { ctx.body = 'hi'; });
 * ```
 */
export function raindropsKoa(opts: RaindropsMiddlewareOptions | RaindropsMiddleware = {}): KoaMiddleware {
  const mw = opts instanceof RaindropsMiddleware ? opts : new RaindropsMiddleware(opts);
  const fn = (async (ctx, next) => {
    if (mw.isStatsRequest(ctx.req)) {
      ctx.respond = false;
      await mw.respond(ctx.req, ctx.res);
      return;
    }
    mw.track(ctx.req, ctx.res, false);
    return next();
  }) as KoaMiddleware;
  fn.raindrops = mw;
  return fn;
}
