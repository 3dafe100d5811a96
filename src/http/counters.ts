/**
 * The middleware's two counters, `calling` and `writing`, in the shared
 * counters of `src/stats` (a named {@link defineStruct}): every cluster
 * worker and worker thread that mounts a middleware with the same name adds
 * to the same two numbers, with no preload trick (raindrops needs its Stats
 * created before `fork()` and shows `calling: 0` with `preload_app false`).
 * @module
 */
import { defineStruct } from '../stats/index.js';

/** The counter names. */
export const HTTP_COUNTER_NAMES = ['calling', 'writing'] as const;

/** A counter name: `calling` or `writing`. */
export type HttpCounterName = (typeof HTTP_COUNTER_NAMES)[number];

/**
 * What the middleware needs from its counters: the shape of a
 * `defineStruct(['calling', 'writing'])` instance. Pass your own (e.g. one
 * struct shared by several middlewares) with the `counters` option.
 */
export interface HttpCounters {
  incr(k: HttpCounterName, n?: number): number;
  decr(k: HttpCounterName, n?: number): number;
  get(k: HttpCounterName): number;
}

/** The default name of the shared counters: every middleware of an application with no `name` shares them. */
export const DEFAULT_COUNTERS_NAME = 'http-middleware';

const opened = new Map<string, HttpCounters & { close(): void }>();
const structs = new Map<string, new () => HttpCounters & { close(): void }>();

/**
 * The shared `calling`/`writing` counters called `name` (one mapping per
 * name and process, opened on first use and kept for the process's life).
 */
export function sharedHttpCounters(name: string = DEFAULT_COUNTERS_NAME): HttpCounters {
  let c = opened.get(name);
  if (c) return c;
  let S = structs.get(name);
  if (!S) {
    S = defineStruct(HTTP_COUNTER_NAMES, { name: `raingauge.http.${name}` });
    structs.set(name, S);
  }
  c = new S();
  opened.set(name, c);
  return c;
}
