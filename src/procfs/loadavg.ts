/**
 * `/proc/loadavg`: run-queue load averages (kernel `loadavg_proc_show`).
 *
 * Go procfs: `FS.LoadAvg() *LoadAvg`.
 * @module
 */
import { singleLineFields } from './rows.js';
import { fail, float, uint } from './system_util.js';

/** `/proc/loadavg` parsed (Go procfs: `LoadAvg`; the last three fields are not in Go procfs). */
export interface LoadAvg {
  /** Load average over 1 minute (runnable + uninterruptible tasks, exponentially damped). */
  load1: number;
  /** Load average over 5 minutes. */
  load5: number;
  /** Load average over 15 minutes. */
  load15: number;
  /** Currently runnable scheduling entities (numerator of the 4th field, `nr_running()`). */
  runnable: number;
  /** Scheduling entities (threads) that exist (denominator of the 4th field, `nr_threads`). */
  threads: number;
  /** PID most recently assigned in the reader's PID namespace (5th field). */
  lastPid: number;
}

/**
 * Parse the text of `/proc/loadavg` (`0.48 0.23 0.12 1/100 7831`).
 * @throws ParseError when the line does not have that shape.
 */
export function parseLoadAvg(text: string, file = '/proc/loadavg'): LoadAvg {
  const { f, w } = singleLineFields(text, file, 5);
  const rt = f[3]!.split('/');
  if (rt.length !== 2) fail(w, 'the 4th field must be runnable/threads');
  return {
    load1: float(f[0], w, 'load1'),
    load5: float(f[1], w, 'load5'),
    load15: float(f[2], w, 'load15'),
    runnable: uint(rt[0], w, 'runnable'),
    threads: uint(rt[1], w, 'threads'),
    lastPid: uint(f[4], w, 'last pid'),
  };
}
