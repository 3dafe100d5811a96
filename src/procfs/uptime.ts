/**
 * `/proc/uptime`: time since boot and summed idle time (kernel `uptime_proc_show`). Not in Go procfs.
 * @module
 */
import { singleLineFields } from './rows.js';
import { fail, float } from './system_util.js';

/** `/proc/uptime` parsed. */
export interface Uptime {
  /** Seconds since boot, including time suspended (CLOCK_BOOTTIME; 1st field, 2 decimals). */
  uptimeSeconds: number;
  /** Idle time summed over all CPUs, in seconds (2nd field; can exceed uptime on SMP). */
  idleSeconds: number;
}

/**
 * Parse the text of `/proc/uptime` (`576.90 1054.50`).
 * @throws ParseError when the line does not have that shape.
 */
export function parseUptime(text: string, file = '/proc/uptime'): Uptime {
  const { f, w } = singleLineFields(text, file, 2);
  const uptimeSeconds = float(f[0], w, 'uptime');
  const idleSeconds = float(f[1], w, 'idle time');
  if (uptimeSeconds < 0 || idleSeconds < 0) fail(w, 'negative time');
  return { uptimeSeconds, idleSeconds };
}
