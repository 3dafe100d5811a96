/**
 * `raingauge overflows`: watch ListenOverflows / ListenDrops / SYN cookies
 * with every listener's accept queue, and say which listener was full, who
 * owns it, what limited its queue and what to change.
 * @module
 */
import type { Command } from 'commander';
import {
  closeListenerStatsSockets,
  formatOverflowOwners,
  type ListenerFinding,
  type ListenerSource,
  type OverflowReport,
  readListenLimits,
  tcpListenerStats,
  watchListenOverflows,
} from '../../listeners/index.js';
import { stringifyCounters } from '../../netstat/index.js';
import { escapeControl as esc } from '../output.js';
import { parsePositive, stopSignal } from '../util.js';

interface OverflowsOptions {
  interval?: string;
  count?: string;
  json?: boolean;
  quiet?: boolean;
  sample?: string;
}

function fmtFinding(f: ListenerFinding): string {
  const q = f.queuedPeak > f.queued ? `${f.queued} (peak ${f.queuedPeak})` : String(f.queued);
  return `${f.key}  queued ${q}/${f.backlog}${f.full ? ' FULL' : ''}  limit set by ${
    f.limitedBy === 'somaxconn' ? 'net.core.somaxconn' : f.limitedBy === 'listen-backlog' ? 'the listen() backlog' : '?'
  }  ${formatOverflowOwners(f)}${
    f.member
      ? `  SO_REUSEPORT group of ${f.sockets}: fullest member socket:[${f.member.inode}] queued ${f.member.queuedPeak}/${f.member.backlog}${f.member.full ? ' FULL' : ''} ${formatOverflowOwners(f.member)}`
      : ''
  }`;
}

/** Human-readable text of one report (several lines when something was dropped, one otherwise). */
export function renderOverflowReport(r: OverflowReport): string {
  const c = r.counters;
  const time = new Date(r.timeMs).toISOString();
  const counts = `ListenOverflows +${c.ListenOverflows}  ListenDrops +${c.ListenDrops}  SyncookiesSent +${c.SyncookiesSent}  SyncookiesRecv +${c.SyncookiesRecv}  SyncookiesFailed +${c.SyncookiesFailed}`;
  if (!r.dropped) return `${time}  ok  ${counts}`;
  const lines = [`${time}  DROPS in ${r.seconds.toFixed(2)} s  ${counts}`];
  if (r.full.length > 0) {
    lines.push('  full listeners:');
    for (const f of r.full) lines.push(`    ${esc(fmtFinding(f))}`);
  } else if (r.busiest.length > 0) {
    lines.push('  no listener full when sampled; fullest:');
    for (const f of r.busiest) lines.push(`    ${esc(fmtFinding(f))}`);
  }
  const l = r.limits;
  lines.push(
    `  limits: net.core.somaxconn=${l.somaxconn ?? '?'}  net.ipv4.tcp_max_syn_backlog=${l.tcpMaxSynBacklog ?? '?'}  net.ipv4.tcp_syncookies=${l.tcpSyncookies ?? '?'}`,
  );
  lines.push('  what to change:');
  for (const a of r.advice) lines.push(`    - ${a}`);
  return lines.join('\n');
}

/**
 * Run the overflow watch and print each report. `listeners` replaces the
 * listener source (tests).
 */
export async function runOverflows(o: OverflowsOptions, listeners?: ListenerSource): Promise<void> {
  const seconds = o.interval === undefined ? 1 : parsePositive('--interval', o.interval);
  const count = o.count === undefined ? undefined : parsePositive('--count', o.count, { integer: true });
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const stop = stopSignal();
  try {
    if (!o.json) {
      const l = readListenLimits();
      out(
        `# watching TcpExt ListenOverflows/ListenDrops/Syncookies* every ${seconds} s and every TCP listener's queue every ${o.sample ?? Math.min(0.1, seconds)} s (net.core.somaxconn=${l.somaxconn ?? '?'}); Ctrl-C stops`,
      );
    }
    const source: ListenerSource = listeners ?? (() => tcpListenerStats(undefined, { active: false }));
    const owners: ListenerSource | undefined =
      listeners === undefined ? () => tcpListenerStats(undefined, { active: false, owners: true }) : undefined;
    for await (const r of watchListenOverflows({
      intervalMs: seconds * 1000,
      count,
      signal: stop.signal,
      listeners: source,
      owners,
      listenerSampleMs: o.sample === undefined ? undefined : parsePositive('--sample', o.sample) * 1000,
    })) {
      if (o.json) out(stringifyCounters(r));
      else if (r.dropped || !o.quiet) out(renderOverflowReport(r));
    }
  } finally {
    stop.dispose();
    if (listeners === undefined) closeListenerStatsSockets();
  }
}

/** Register `raingauge overflows`. */
export function register(program: Command): void {
  program
    .command('overflows')
    .description(
      'watch listen-queue overflows (TcpExt ListenOverflows/ListenDrops/Syncookies*) and name the full listeners, their processes and the fix',
    )
    .option('--interval <seconds>', 'seconds between samples (default 1)')
    .option('--count <n>', 'stop after N samples (default: until Ctrl-C)')
    .option('--json', 'one JSON report per sample')
    .option('--quiet', 'print only samples with drops')
    .option(
      '--sample <seconds>',
      "seconds between listener-queue samples within an interval (default 0.1): reports carry each queue's peak",
    )
    .action(async (o: OverflowsOptions) => {
      await runOverflows(o);
    });
}
