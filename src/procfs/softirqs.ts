/**
 * `/proc/softirqs`: softirqs run per CPU, by kind (kernel `show_softirqs`). Beyond Go procfs (which
 * only has the `/proc/stat` totals).
 * @module
 */
import { firstLineAt, rowsAt } from './rows.js';
import { fail, fields, lines, parseCPUHeader, record, uint } from './system_util.js';

/** `/proc/softirqs` parsed. Counts are per CPU, in the column order of `cpus`. */
export interface Softirqs {
  /** CPU numbers of the columns (from the `CPU0 CPU1 …` header). */
  cpus: number[];
  /** Kind as printed (`HI`, `TIMER`, `NET_TX`, `NET_RX`, `BLOCK`, `IRQ_POLL`, `TASKLET`, `SCHED`, `HRTIMER`, `RCU`) → one count per CPU. */
  counts: Record<string, number[]>;
}

/**
 * Parse the text of `/proc/softirqs`.
 * @throws ParseError on a missing header or a row whose count differs from the number of CPUs.
 */
export function parseSoftirqs(text: string, file = '/proc/softirqs'): Softirqs {
  const ls = lines(text);
  const cpus = parseCPUHeader(ls[0], firstLineAt(ls, file));
  const counts: Record<string, number[]> = record();
  for (const w of rowsAt(ls, file)) {
    const t = w.text;
    const c = t.indexOf(':');
    if (c < 0) fail(w, 'expected "NAME: counts…"');
    const name = t.slice(0, c).trim();
    const vals = fields(t.slice(c + 1));
    if (vals.length !== cpus.length) fail(w, `expected ${cpus.length} counts, found ${vals.length}`);
    if (name in counts) fail(w, `${name} repeated`);
    counts[name] = vals.map((v) => uint(v, w, name));
  }
  return { cpus, counts };
}
