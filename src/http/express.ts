/**
 * The Express 5 adapter (a plain `(req, res, next)` middleware; Express is an
 * optional peer dependency and is never imported).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RaindropsMiddleware, type RaindropsMiddlewareOptions } from './middleware.js';

/** An Express-style middleware: `(req, res, next)`; carries its {@link RaindropsMiddleware} as `.raindrops`. */
export type ConnectMiddleware = ((req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void) & {
  raindrops: RaindropsMiddleware;
};

/**
 * raindrops' middleware for Express 5 (and anything Connect-shaped): mount it
 * first with `app.use(raindropsExpress())`. It answers the stats path for
 * allowed clients and counts every other request from its arrival until its
 * response closes; errors that Express turns into a 500 are counted like any
 * response. Mounted under a prefix (`app.use('/ops', …)`), the path is
 * relative to it.
 *
 * @example
 * ```ts
 * const app = express();
 * app.use(raindropsExpress());
 * app.get('/', (req, res) => res.send('hi'));
 * ```
 */
export function raindropsExpress(opts: RaindropsMiddlewareOptions | RaindropsMiddleware = {}): ConnectMiddleware {
  const mw = opts instanceof RaindropsMiddleware ? opts : new RaindropsMiddleware(opts);
  const fn = ((req, res, next) => {
    if (mw.isStatsRequest(req)) {
      mw.respond(req, res).catch(next);
      return;
    }
    mw.track(req, res, false);
    next();
  }) as ConnectMiddleware;
  fn.raindrops = mw;
  return fn;
}
