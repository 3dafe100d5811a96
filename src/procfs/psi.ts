/**
 * `/proc/pressure/<resource>`: pressure stall information (PSI, Linux 4.20+, `CONFIG_PSI`).
 *
 * Go procfs: `FS.PSIStatsForResource(resource) PSIStats`, `PSILine`.
 * @module
 */
import { fail, fields, float, lines, uint, type Where } from './system_util.js';

/** One line (`some` or `full`) of a pressure file (Go procfs: `PSILine`). */
export interface PSILine {
  /** Share of wall time stalled over the last 10 s, in percent (`avg10`). */
  avg10: number;
  /** Over the last 60 s, in percent (`avg60`). */
  avg60: number;
  /** Over the last 300 s, in percent (`avg300`). */
  avg300: number;
  /** Total stall time since boot, in microseconds (`total`; Go procfs: `Total`). */
  totalMicros: number;
}

/**
 * A pressure file parsed (Go procfs: `PSIStats`). `some`: at least one task stalled; `full`: all
 * non-idle tasks stalled at once. Absent when the file has no such line (`/proc/pressure/cpu`
 * had no `full` line before Linux 5.13; `/proc/pressure/irq` has only `full`).
 */
export interface PSIStats {
  /** The `some` line. */
  some?: PSILine;
  /** The `full` line. */
  full?: PSILine;
}

/** Resources with a file under `/proc/pressure/`. */
export type PSIResource = 'cpu' | 'memory' | 'io' | 'irq';

/**
 * Parse the text of a `/proc/pressure/*` file
 * (`some avg10=1.04 avg60=2.93 avg300=1.80 total=13010468`).
 * @throws ParseError on an unknown line kind, a missing or malformed key.
 */
export function parsePSIStats(text: string, file = '/proc/pressure'): PSIStats {
  const out: PSIStats = {};
  lines(text).forEach((text, i) => {
    const w: Where = { file, line: i + 1, text };
    const f = fields(text);
    if (f.length === 0) return;
    const kind = f[0];
    if (kind !== 'some' && kind !== 'full') fail(w, `expected "some" or "full", found ${JSON.stringify(kind)}`);
    if (out[kind]) fail(w, `${kind} repeated`);
    const kv: Record<string, string> = {};
    for (const p of f.slice(1)) {
      const eq = p.indexOf('=');
      if (eq <= 0) fail(w, `expected key=value, found ${JSON.stringify(p)}`);
      kv[p.slice(0, eq)] = p.slice(eq + 1);
    }
    out[kind] = {
      avg10: float(kv.avg10, w, 'avg10'),
      avg60: float(kv.avg60, w, 'avg60'),
      avg300: float(kv.avg300, w, 'avg300'),
      totalMicros: uint(kv.total, w, 'total'),
    };
  });
  if (!out.some && !out.full) fail({ file }, 'no "some" or "full" line');
  return out;
}
