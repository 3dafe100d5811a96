/**
 * HTTP surfaces: raindrops' Middleware (the `/_raindrops` stats endpoint and
 * the `calling`/`writing` counters) with adapters for `node:http`/`https`,
 * Express 5, Fastify 5, Koa 3 and Hono 4, and raindrops' Watcher (listener
 * history pages, tail, reset, a live chart). See docs/http.md.
 * @module
 */
export { type AccessRule, compileAccess, isLoopbackAddress } from './access.js';
export {
  DEFAULT_COUNTERS_NAME,
  HTTP_COUNTER_NAMES,
  type HttpCounterName,
  type HttpCounters,
  sharedHttpCounters,
} from './counters.js';
export { type Exchange, exchangeOf, trackExchange } from './exchange.js';
export { type ConnectMiddleware, raindropsExpress } from './express.js';
export {
  type FastifyInstanceLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
  type RaindropsFastifyOptions,
  type RaindropsFastifyPlugin,
  raindropsFastify,
} from './fastify.js';
export {
  chooseStatsFormat,
  encodeStats,
  formatRaindropsText,
  formatStatsJson,
  type HttpStats,
  JSON_CONTENT_TYPE,
  RAINDROPS_CONTENT_TYPE,
  type StatsFormat,
  safeListenerName,
  statsFamilies,
} from './format.js';
export { type HonoContextLike, type HonoMiddleware, raindropsHono } from './hono.js';
export { type KoaContextLike, type KoaMiddleware, raindropsKoa } from './koa.js';
export {
  type HttpListenerRow,
  type ListenerFamily,
  type ListenerTargets,
  listenerRows,
  parseListenerTargets,
  serverListenerKey,
} from './listeners.js';
export { RaindropsMiddleware, type RaindropsMiddlewareOptions } from './middleware.js';
export { instrumentServer, type NodeRequestHandler, raindropsHandler } from './node.js';
export { rubyFloat, tailLine, Watcher, type WatcherOptions, type WatcherSample } from './watcher.js';
