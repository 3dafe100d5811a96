/**
 * `raingauge exits [--json]`: the stream of exiting tasks from taskstats
 * exit events — pid, command, exit status, run time, CPU, I/O and delays —
 * with lost events reported. Stops on Ctrl-C/SIGTERM, deregistering first.
 * @module
 */
import type { Command } from 'commander';
import {
  formatExitStatus,
  TaskstatsClient,
  type TaskstatsExitEvent,
  type TaskstatsRecord,
  taskstatsDelays,
  taskstatsJsonReplacer,
  taskstatsNamespaceProblem,
} from '../../taskstats/index.js';
import { escapeControl as esc } from '../output.js';
import { parsePositive, stopSignal, UsageError } from '../util.js';
import { fmtBytes } from './taskstats.js';

const ms = (ns: bigint) => `${(Number(ns) / 1e6).toFixed(1)}ms`;
const secs = (us: bigint) => `${(Number(us) / 1e6).toFixed(3)}s`;

/** Header line of the text stream. */
export const EXITS_HEADER = `${'PID'.padStart(8)} ${'TGID'.padStart(8)} ${'COMMAND'.padEnd(16)} ${'STATUS'.padEnd(
  18,
)} ${'RUN'.padStart(9)} ${'CPU'.padStart(9)} ${'READ'.padStart(9)} ${'WRITE'.padStart(9)}  DELAYS (cpu io swap reclaim …)`;

function delaysText(rec: TaskstatsRecord): string {
  return taskstatsDelays(rec)
    .filter((d) => d.kind === 'cpu' || d.count > 0n)
    .map((d) => `${d.label.toLowerCase()} ${ms(d.delayTotalNs)}/${d.count}`)
    .join(' ');
}

/** One text line (two for the last thread of a multi-threaded process) for an exit event. Pure. */
export function formatExitEventText(ev: TaskstatsExitEvent): string {
  if (ev.kind === 'lost') {
    return `# lost exit events: the receive buffer overflowed (ENOBUFS), ${ev.totalOverruns} overrun(s) so far; raise --rcvbuf\n`;
  }
  const s = ev.stats;
  const cols = (pid: string, tgid: string, what: string, run: string, rec: TaskstatsRecord) =>
    [
      pid.padStart(8),
      tgid.padStart(8),
      what,
      run.padStart(9),
      secs(rec.acUtime + rec.acStime).padStart(9),
      fmtBytes(rec.readChar).padStart(9),
      fmtBytes(rec.writeChar).padStart(9),
      ` ${delaysText(rec)}`,
    ].join(' ');
  const what = `${esc(ev.comm).padEnd(16)} ${formatExitStatus(s.acExitcode).padEnd(18)}`;
  let out = `${cols(String(ev.pid), String(ev.tgid), what, secs(s.acEtime), s)}\n`;
  if (ev.group) out += `${cols('', String(ev.group.tgid), '└ process total'.padEnd(35), '-', ev.group.stats)}\n`;
  return out;
}

/** The JSON form of an exit event (one object per line; u64 as decimal strings). Pure. */
export function formatExitEventJson(ev: TaskstatsExitEvent): string {
  if (ev.kind === 'lost') return `${JSON.stringify(ev)}\n`;
  const out = {
    kind: ev.kind,
    pid: ev.pid,
    tgid: ev.tgid,
    comm: ev.comm,
    exitStatus: ev.exitStatus,
    delays: taskstatsDelays(ev.stats),
    stats: ev.stats,
    group: ev.group
      ? { tgid: ev.group.tgid, delays: taskstatsDelays(ev.group.stats), stats: ev.group.stats }
      : undefined,
  };
  return `${JSON.stringify(out, taskstatsJsonReplacer)}\n`;
}

/** Register `raingauge exits`. */
export function register(program: Command): void {
  program
    .command('exits')
    .description(
      'stream exiting tasks from taskstats exit events: pid, command, exit status, run time, CPU, I/O, delays (needs CAP_NET_ADMIN, initial network namespace)',
    )
    .option('--json', 'one JSON object per line (u64 values as decimal strings)')
    .option('--rcvbuf <bytes>', 'kernel receive buffer for events (default 4194304; larger loses fewer under bursts)')
    .option(
      '--cpumask <list>',
      'only tasks exiting on these CPUs, a cpulist such as 0-3,5 (default: all possible CPUs)',
    )
    .option('--duration <seconds>', 'stop after this many seconds (default: until Ctrl-C / SIGTERM)')
    .action(async (opts: { json?: boolean; rcvbuf?: string; cpumask?: string; duration?: string }) => {
      const rcvbuf = opts.rcvbuf === undefined ? undefined : parsePositive('--rcvbuf', opts.rcvbuf, { integer: true });
      const duration = opts.duration === undefined ? undefined : parsePositive('--duration', opts.duration);
      if (opts.cpumask !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(opts.cpumask)) {
        throw new UsageError(`--cpumask must be a cpulist such as 0-3,5, got ${JSON.stringify(opts.cpumask)}`);
      }
      const nsProblem = taskstatsNamespaceProblem();
      if (nsProblem) process.stderr.write(`raingauge: warning: ${nsProblem}\n`);
      const stop = stopSignal(duration);
      const client = await TaskstatsClient.open(rcvbuf === undefined ? {} : { eventRcvbufBytes: rcvbuf });
      let exits = 0;
      let lost = 0;
      try {
        await client.registerCpumask(opts.cpumask);
        if (!opts.json) process.stdout.write(`${EXITS_HEADER}\n`);
        for await (const ev of client.exits({ signal: stop.signal })) {
          if (ev.kind === 'exit') exits++;
          else lost++;
          process.stdout.write(opts.json ? formatExitEventJson(ev) : formatExitEventText(ev));
        }
      } finally {
        stop.dispose();
        await client.close(); // deregisters first
      }
      process.stderr.write(
        `raingauge exits: ${exits} exit(s)${lost ? `, ${lost} overrun(s): events were lost` : ', no events lost'}\n`,
      );
    });
}
