/**
 * `/proc/schedstat`: scheduler statistics per CPU (`CONFIG_SCHEDSTATS`; counting is enabled by
 * `kernel.sched_schedstats=1` or `schedstats=enable` on the command line).
 *
 * Go procfs: `FS.Schedstat() *Schedstat`, `SchedstatCPU`.
 * @module
 */
import { fail, fields, lines, ubig, uint, type Where } from './system_util.js';

/**
 * One `cpuN` line (Go procfs: `SchedstatCPU`). The two times are cumulative nanoseconds per CPU and
 * pass 2^53 after ~104 days of busy CPU time, so they are `bigint`s.
 */
export interface SchedstatCPU {
  /** CPU number as printed after `cpu` (Go procfs: `CPUNum`). */
  cpuNum: string;
  /** Time tasks spent running on this CPU, ns (`rq_cpu_time`, 7th number). */
  runningNanoseconds: bigint;
  /** Time tasks spent waiting to run on this CPU, ns (`run_delay`, 8th number). */
  waitingNanoseconds: bigint;
  /** Timeslices run on this CPU (`pcount`, 9th number). */
  runTimeslices: number;
}

/** `/proc/schedstat` parsed (Go procfs: `Schedstat`). */
export interface Schedstat {
  /** Format version (`version`, e.g. 15, 16, 17). */
  version: number;
  /** Jiffies when the file was generated (`timestamp`). */
  timestamp?: number;
  /** One entry per `cpuN` line. */
  cpus: SchedstatCPU[];
}

/**
 * Parse the text of `/proc/schedstat` (`domainN` lines are skipped).
 * @throws ParseError on a missing `version`, or a `cpuN` line with fewer than 9 numbers.
 */
export function parseSchedstat(text: string, file = '/proc/schedstat'): Schedstat {
  let version: number | undefined;
  let timestamp: number | undefined;
  const cpus: SchedstatCPU[] = [];
  lines(text).forEach((text, i) => {
    const w: Where = { file, line: i + 1, text };
    const f = fields(text);
    if (f.length === 0) return;
    if (f[0] === 'version') version = uint(f[1], w, 'version');
    else if (f[0] === 'timestamp') timestamp = uint(f[1], w, 'timestamp');
    else if (/^cpu\d+$/.test(f[0]!)) {
      if (f.length < 10) fail(w, `a cpu line needs 9 numbers, found ${f.length - 1}`);
      for (const v of f.slice(1)) uint(v, w, 'counter');
      cpus.push({
        cpuNum: f[0]!.slice(3),
        runningNanoseconds: ubig(f[7], w, 'rq_cpu_time'),
        waitingNanoseconds: ubig(f[8], w, 'run_delay'),
        runTimeslices: uint(f[9], w, 'pcount'),
      });
    } else if (!/^domain\d+$/.test(f[0]!)) fail(w, `unexpected line ${JSON.stringify(f[0])}`);
  });
  if (version === undefined) fail({ file, line: 1 }, 'no version line');
  const out: Schedstat = { version, cpus };
  if (timestamp !== undefined) out.timestamp = timestamp;
  return out;
}
