/**
 * The Hono 4 adapter for `@hono/node-server` (both optional peer
 * dependencies, never imported).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RaindropsMiddleware, type RaindropsMiddlewareOptions } from './middleware.js';

/** The part of Hono's context the adapter uses; `env` is `@hono/node-server`'s `HttpBindings`. */
export interface HonoContextLike {
  env: unknown;
  body(data: string | null, status: number, headers: Record<string, string>): Response;
}

/** A Hono middleware; carries its {@link RaindropsMiddleware} as `.raindrops`. */
export type HonoMiddleware = ((c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined>) & {
  raindrops: RaindropsMiddleware;
};

/**
 * raindrops' middleware for Hono on `@hono/node-server`:
 * `app.use(raindropsHono())`. It reads the raw Node request and response from
 * the server's bindings (`c.env.incoming`, `c.env.outgoing`), answers the
 * stats path for allowed clients with a `Response`, and counts every other
 * request on the raw response (errors turned into 500 by Hono included). On
 * another runtime (no Node bindings) it passes requests through uncounted.
 *
 * @example
 * ```ts
 * const app = new Hono();
 * app.use(raindropsHono());
 * serve({ fetch: app.fetch, port: 3000 });
 * ```
 */
export function raindropsHono(opts: RaindropsMiddlewareOptions | RaindropsMiddleware = {}): HonoMiddleware {
  const mw = opts instanceof RaindropsMiddleware ? opts : new RaindropsMiddleware(opts);
  const fn = (async (c, next) => {
    const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
    const req = env?.incoming;
    const res = env?.outgoing;
    if (!req || !res) {
      await next();
      return undefined;
    }
    if (mw.isStatsRequest(req)) {
      const a = await mw.answer(req);
      return c.body(req.method === 'HEAD' ? null : a.body, a.status, a.headers);
    }
    mw.track(req, res, false);
    await next();
    return undefined;
  }) as HonoMiddleware;
  fn.raindrops = mw;
  return fn;
}
