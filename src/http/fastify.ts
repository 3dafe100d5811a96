/**
 * The Fastify 5 plugin (Fastify is an optional peer dependency and is never
 * imported).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RaindropsMiddleware, type RaindropsMiddlewareOptions } from './middleware.js';

/** The part of a Fastify request the plugin uses. */
export interface FastifyRequestLike {
  raw: IncomingMessage;
  url: string;
}
/** The part of a Fastify reply the plugin uses. */
export interface FastifyReplyLike {
  raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  headers(h: Record<string, string>): FastifyReplyLike;
  send(body?: unknown): FastifyReplyLike;
}
/** The part of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  addHook(
    name: 'onRequest',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: (err?: Error) => void) => void,
  ): unknown;
}

/** Plugin options: the middleware's options, or a {@link RaindropsMiddleware} as `middleware`. */
export interface RaindropsFastifyOptions extends RaindropsMiddlewareOptions {
  /** Share one middleware (its counters and servers) with other adapters. */
  middleware?: RaindropsMiddleware;
}

/** The plugin function, marked so Fastify does not encapsulate it (its hook sees every route). */
export type RaindropsFastifyPlugin = ((
  fastify: FastifyInstanceLike,
  opts: RaindropsFastifyOptions,
  done: (err?: Error) => void,
) => void) & { [k: symbol]: unknown };

/**
 * raindrops' middleware as a Fastify 5 plugin: `fastify.register(raindropsFastify)`.
 * One `onRequest` hook (registered at the root, not encapsulated, so it sees
 * every route and the 404 handler) answers the stats path for allowed clients
 * and starts counting every other request on the raw response; the count ends
 * with the raw response's `'close'`, so handlers that throw (Fastify's 500),
 * aborted clients and `reply.hijack()` routes are all counted once.
 *
 * @example
 * ```ts
 * const app = Fastify();
 * await app.register(raindropsFastify, { listeners: ['127.0.0.1:3000'] });
 * ```
 */
export const raindropsFastify: RaindropsFastifyPlugin = Object.assign(
  (fastify: FastifyInstanceLike, opts: RaindropsFastifyOptions, done: (err?: Error) => void) => {
    let mw: RaindropsMiddleware;
    try {
      const { middleware, ...rest } = opts ?? {};
      mw = middleware ?? new RaindropsMiddleware(rest);
    } catch (e) {
      done(e as Error);
      return;
    }
    fastify.addHook('onRequest', (request, reply, next) => {
      const req = request.raw;
      if (mw.isStatsRequest(req, req.url)) {
        mw.answer(req, req.url).then(
          (a) => {
            reply
              .code(a.status)
              .headers(a.headers)
              .send(req.method === 'HEAD' ? undefined : a.body);
          },
          (e: Error) => next(e),
        );
        return;
      }
      mw.track(req, reply.raw, false);
      next();
    });
    done();
  },
  { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'raingauge-raindrops' },
);
