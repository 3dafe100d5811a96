/**
 * One request/response exchange's place in the `calling` → `writing` → done
 * life cycle, on the raw Node `IncomingMessage`/`ServerResponse` every
 * framework sits on, so each counter is incremented once and decremented
 * exactly once whatever happens (a handler that throws or rejects, a client
 * that aborts, a stream destroyed mid-body, `reply.hijack()`).
 *
 * - `calling` from the moment the request reaches the middleware until the
 *   application has started its response (the status line and headers are
 *   committed: `writeHead`, explicit or implicit through `write`/`end`/
 *   `flushHeaders`) **and**, where the adapter can see it (the `node:http`
 *   wrapper and server hook), the handler has returned (and its promise
 *   settled). A callback-style handler that returns before answering stays
 *   `calling` until it answers.
 * - `writing` from then until the response finishes (`'close'` of the
 *   `ServerResponse`, emitted after `'finish'` or when the connection closes).
 * - A handler that throws or rejects before answering: `calling` ends then,
 *   `writing` is never counted (raindrops: "calling restored, writing untouched").
 * - The connection closing first (an aborted client): `calling` ends at the
 *   close (or, with a visible handler still running, when it returns); no `writing`.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpCounters } from './counters.js';

const CALLING = 1;
const WRITING = 2;
const DONE = 3;

const kExchange = Symbol('raingauge.http.exchange');

type Res = ServerResponse & { [kExchange]?: Exchange };
type WriteHead = ServerResponse['writeHead'];

/** The per-exchange state (internal; one small object per request). */
export class Exchange {
  state = CALLING;
  /** The response head was committed. */
  head = false;
  /** The handler returned (always true when the adapter cannot see the handler). */
  handlerDone: boolean;
  /** The connection or response closed. */
  closed = false;
  readonly counters: HttpCounters;
  readonly res: Res;
  readonly writeHead: WriteHead;

  constructor(counters: HttpCounters, res: Res, handlerVisible: boolean) {
    this.counters = counters;
    this.res = res;
    this.handlerDone = !handlerVisible;
    this.writeHead = res.writeHead;
  }

  /** Move on when both conditions of the current state are met. */
  advance(): void {
    if (this.state !== CALLING || !this.handlerDone || !(this.head || this.closed)) return;
    this.counters.decr('calling');
    if (this.closed || this.res.writableFinished) {
      this.state = DONE;
    } else {
      this.counters.incr('writing');
      this.state = WRITING;
    }
  }

  /** The handler returned normally (or its promise resolved). */
  handlerReturned(): void {
    if (this.handlerDone) return;
    this.handlerDone = true;
    this.advance();
  }

  /** The handler threw or its promise rejected: `calling` ends now, `writing` is never counted. */
  handlerFailed(): void {
    this.handlerDone = true;
    if (this.state !== CALLING) return;
    this.counters.decr('calling');
    this.state = DONE;
  }

  /** The `ServerResponse` emitted `'close'`. */
  onClose(): void {
    this.closed = true;
    if (this.state === WRITING) {
      this.counters.decr('writing');
      this.state = DONE;
    } else this.advance();
  }

  /** `calling` (1), `writing` (2) or done (3). */
  get phase(): 'calling' | 'writing' | 'done' {
    return this.state === CALLING ? 'calling' : this.state === WRITING ? 'writing' : 'done';
  }
}

/** Installed as the response's own `writeHead`: marks the head, then calls the one it replaced. */
function trackedWriteHead(this: Res, ...args: unknown[]): ServerResponse {
  const x = this[kExchange]!;
  const r = (x.writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  if (!x.head) {
    x.head = true;
    x.advance();
  }
  return r;
}

function onResponseClose(this: Res): void {
  this[kExchange]?.onClose();
}

/**
 * Start tracking one exchange: `calling` +1 now; the rest follows from the
 * response's own events. `handlerVisible` says whether the caller will
 * report the handler's return ({@link Exchange.handlerReturned} /
 * {@link Exchange.handlerFailed}). Tracking the same response twice (two
 * middlewares on one app) returns the first exchange and counts nothing more.
 */
export function trackExchange(
  counters: HttpCounters,
  _req: IncomingMessage,
  res: ServerResponse,
  handlerVisible: boolean,
): Exchange {
  const r = res as Res;
  const seen = r[kExchange];
  if (seen) return seen;
  const x = new Exchange(counters, r, handlerVisible);
  counters.incr('calling');
  r[kExchange] = x;
  r.writeHead = trackedWriteHead as WriteHead;
  if (r.headersSent) {
    x.head = true;
  }
  r.on('close', onResponseClose);
  if (r.destroyed) x.onClose();
  else x.advance();
  return x;
}

/** The exchange tracked on `res`, if any. */
export function exchangeOf(res: ServerResponse): Exchange | undefined {
  return (res as Res)[kExchange];
}
