/**
 * raindrops' `LastDataRecv` rack app as a Node HTTP handler: the
 * last-data-recv aggregate (see `recordLastDataRecv`) as raindrops prints it.
 *
 * Any method and path: 200 with, in this order, `Content-Type: text/plain`,
 * `X-Count`, and only when count > 1 `X-Min`, `X-Max`, `X-Mean` and
 * `X-Std-Dev` (rounded half away from zero, as Ruby's `round`),
 * `X-Outliers-Low`, `X-Outliers-High`; then `Content-Length`. The body is
 * the aggregate's histogram text (byte-identical to raindrops / the
 * aggregate gem), nothing for HEAD.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Aggregate } from '../stats/aggregate.js';
import { defaultLastDataRecvAggregate } from '../stats/last-data-recv.js';
import type { SharedAggregate } from '../stats/shared-aggregate.js';

/** What the handler reads: an in-process or a shared aggregate, or a function returning one. */
export type LastDataRecvSource = Aggregate | SharedAggregate | (() => Aggregate);

function snapshot(src: LastDataRecvSource): Aggregate {
  if (src instanceof Aggregate) return src;
  if (typeof src === 'function') return src();
  return src.read();
}

/** The response raindrops' LastDataRecv app gives for `a`: `[headers as name/value pairs, body]`. */
export function lastDataRecvResponse(a: Aggregate): { headers: [string, string][]; body: string } {
  const body = a.toString();
  const headers: [string, string][] = [
    ['Content-Type', 'text/plain'],
    ['X-Count', String(a.count)],
  ];
  if (a.count > 1) {
    headers.push(
      ['X-Min', String(a.min)],
      ['X-Max', String(a.max)],
      ['X-Mean', String(rubyRound(a.mean))],
      ['X-Std-Dev', String(rubyRound(a.stdDev))],
      ['X-Outliers-Low', String(a.outliersLow)],
      ['X-Outliers-High', String(a.outliersHigh)],
    );
  }
  headers.push(['Content-Length', String(Buffer.byteLength(body))]);
  return { headers, body };
}

function rubyRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * A `(req, res)` handler answering like raindrops' `LastDataRecv` app, for
 * `http.createServer`, Express, or any framework that passes Node's objects.
 * @param source the aggregate to show (default: the application-wide shared
 *   `last_data_recv` aggregate that `recordLastDataRecv` fills by default)
 */
export function lastDataRecvHandler(source?: LastDataRecvSource): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const { headers, body } = lastDataRecvResponse(snapshot(source ?? defaultLastDataRecvAggregate()));
    res.writeHead(200, headers.flat());
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
