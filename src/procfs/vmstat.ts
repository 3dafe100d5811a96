/**
 * `/proc/vmstat`: virtual memory event counters and page counts (kernel `vmstat_show`). Not in Go procfs.
 * @module
 */
import { fail, fields, lines, record, sint, type Where } from './system_util.js';

/**
 * `/proc/vmstat` parsed: every line `name value` as `name → value` (e.g. `pgfault`, `pswpin`,
 * `oom_kill`, `nr_free_pages`). The set of names changes with every kernel, so all are kept by the
 * kernel's own name. Values are page counts (`nr_*`) or event counts; `number`s, exact below 2^53.
 * A few gauges can be transiently negative (per-CPU drift), so negative values are accepted.
 */
export type VMStat = Record<string, number>;

/**
 * Parse the text of `/proc/vmstat`.
 * @throws ParseError on a line that is not `name integer`, or a repeated name.
 */
export function parseVMStat(text: string, file = '/proc/vmstat'): VMStat {
  const out: VMStat = record();
  lines(text).forEach((text, i) => {
    const w: Where = { file, line: i + 1, text };
    const f = fields(text);
    if (f.length === 0) return;
    if (f.length !== 2) fail(w, 'expected "name value"');
    if (f[0]! in out) fail(w, `name ${f[0]} repeated`);
    out[f[0]!] = sint(f[1], w, f[0]);
  });
  return out;
}
