/**
 * `raingauge listen [ADDR|PATH ...]`: raindrops' linux-listener-stats, better.
 * A table of address, active, queued, backlog, % of backlog used and owner,
 * once or every `--interval` seconds (redrawn in place on a terminal, one
 * line per sample otherwise), or JSON.
 * @module
 */

import { stripVTControlCharacters } from 'node:util';
import Table from 'cli-table3';
import type { Command } from 'commander';
import pc from 'picocolors';
import { parseTcpListenerAddress } from '../../listeners/address.js';
import { SocketOwnerCache } from '../../listeners/owners.js';
import { tcpListenerStats } from '../../listeners/tcp.js';
import type { ListenerStats } from '../../listeners/types.js';
import { unixListenerQuery, unixListenerStats } from '../../listeners/unix.js';
import { listenerUsage } from '../../listeners/usage.js';
import { sleep } from '../../util/time.js';
import { escapeControl as esc } from '../output.js';
import { parseNonNegativeInt, parsePositive, stopSignal, UsageError } from '../util.js';

/** One listener in a sample. */
export interface ListenRow {
  /** The key: as asked (canonical for TCP, verbatim for UNIX), or the listener's own key. */
  key: string;
  kind: 'tcp' | 'unix';
  stats: ListenerStats;
}

/** One sample: rows plus the asked keys that had no listener. */
export interface ListenSample {
  time: Date;
  rows: ListenRow[];
  missing: string[];
}

/** Command-line arguments split into TCP addresses and UNIX paths. */
export interface ListenTargets {
  tcp: string[];
  unix: string[];
}

/**
 * Sort command-line arguments into TCP addresses (`a.b.c.d:port`,
 * `[v6]:port`) and UNIX sockets (a path containing `/`, or `@abstract`).
 * @throws {UsageError} with a one-line reason for anything else.
 */
export function classifyListenArgs(args: readonly string[]): ListenTargets {
  const out: ListenTargets = { tcp: [], unix: [] };
  for (const a of args) {
    if (a.startsWith('@') || a.includes('/')) {
      try {
        unixListenerQuery(a);
      } catch (e) {
        throw new UsageError((e as Error).message, a);
      }
      out.unix.push(a);
      continue;
    }
    try {
      out.tcp.push(parseTcpListenerAddress(a).key);
    } catch (e) {
      const reason = (e as Error).message;
      throw new UsageError(
        /^[\w.-]+$/.test(a) && !a.includes(':')
          ? `${JSON.stringify(a)} is neither ADDRESS:PORT (127.0.0.1:80, [::1]:80) nor a UNIX socket path (/run/x.sock, ./x.sock, @abstract)`
          : reason,
        a,
      );
    }
  }
  return out;
}

/** Take one sample of the asked listeners (or all of them). */
export async function sampleListeners(
  targets: ListenTargets | undefined,
  opts: { owners: boolean; active: boolean; tcp: boolean; unix: boolean; ownerCache?: SocketOwnerCache },
): Promise<ListenSample> {
  const rows: ListenRow[] = [];
  const missing: string[] = [];
  const o = { owners: opts.owners, active: opts.active, ownerCache: opts.ownerCache };
  const doTcp = targets ? targets.tcp.length > 0 : opts.tcp;
  const doUnix = targets ? targets.unix.length > 0 : opts.unix;
  if (doTcp) {
    const m = await tcpListenerStats(targets?.tcp, o);
    for (const [key, stats] of m) rows.push({ key, kind: 'tcp', stats });
    if (targets) for (const k of targets.tcp) if (!m.has(k)) missing.push(k);
  }
  if (doUnix) {
    const m = await unixListenerStats(targets?.unix, o);
    const unixRows: ListenRow[] = [];
    for (const [key, stats] of m) unixRows.push({ key, kind: 'unix', stats });
    if (!targets) unixRows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    rows.push(...unixRows);
    if (targets) for (const k of targets.unix) if (!m.has(k)) missing.push(k);
  }
  return { time: new Date(), rows, missing };
}

/** Keep rows with `queued >= threshold`. */
export function applyThreshold(rows: readonly ListenRow[], threshold: number | undefined): ListenRow[] {
  return threshold === undefined ? [...rows] : rows.filter((r) => r.stats.queued >= threshold);
}

/** The JSON form of a sample: `{"127.0.0.1:8080":{"active":3,"queued":5,"backlog":16},…}` (one line). */
export function renderListenJson(rows: readonly ListenRow[]): string {
  const o: Record<string, { active: number; queued: number; backlog: number }> = {};
  for (const r of rows) o[r.key] = { active: r.stats.active, queued: r.stats.queued, backlog: r.stats.backlog };
  return JSON.stringify(o);
}

/** One line per sample (piped `--interval` output): time, then `key active=N queued=N backlog=N` per listener. */
export function renderListenLine(time: Date, rows: readonly ListenRow[]): string {
  const parts = rows.map(
    (r) => `${esc(r.key)} active=${r.stats.active} queued=${r.stats.queued} backlog=${r.stats.backlog}`,
  );
  return `${time.toISOString()}${parts.length ? `  ${parts.join('  ')}` : '  (no listeners)'}`;
}

/**
 * Percentage of the backlog in use, or undefined when the backlog is unknown.
 * For an SO_REUSEPORT group it is that of the fullest member (`listenerUsage`):
 * one full member drops connections whatever room the others have.
 */
export function backlogPercent(s: ListenerStats): number | undefined {
  return listenerUsage(s).percent;
}

function ownerCell(s: ListenerStats): string {
  if (s.owners === undefined) return '';
  if (s.owners.length === 0) return s.ownersComplete === false ? '?' : '-';
  return s.owners.map((o) => `${esc(o.command)}[${o.pid}]`).join(', ');
}

/** Render a sample as a table (plus notes under it). `color` turns emphasis on. */
export function renderListenTable(
  sample: ListenSample,
  opts: { color: boolean; owners: boolean; active: boolean },
  rows: readonly ListenRow[] = sample.rows,
): string {
  const c = pc.createColors(opts.color);
  const head = ['address', 'active', 'queued', 'backlog', '% used'];
  if (opts.owners) head.push('owner');
  const table = new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'left'],
  });
  const notes: string[] = [];
  let unknownOwners = 0;
  let noOwner = 0;
  for (const r of rows) {
    const s = r.stats;
    const pct = backlogPercent(s);
    const full = pct !== undefined && (pct >= 80 || listenerUsage(s).full);
    const emph = (t: string) => (full ? c.bold(c.red(t)) : s.queued > 0 ? c.yellow(t) : t);
    const addr = s.matchedKey ? `${esc(r.key)} ${c.dim(`→ ${esc(s.matchedKey)}`)}` : esc(r.key);
    const row = [
      addr,
      opts.active ? String(s.active) : c.dim('-'),
      emph(String(s.queued)),
      s.backlogUnknown ? c.dim('?') : String(s.backlog),
      pct === undefined ? c.dim('-') : emph(`${pct < 10 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`),
    ];
    if (opts.owners) {
      const o = ownerCell(s);
      if (o === '?') unknownOwners++;
      if (o === '-') noOwner++;
      row.push(o);
    }
    table.push(row);
    if (s.members && s.members.length > 1) {
      // an SO_REUSEPORT group: each member's own queue (one full member drops connections)
      s.members.forEach((m, i) => {
        const mp = Math.round((100 * m.queued) / Math.max(m.backlog, 1));
        const mfull = m.queued > 0 && m.queued >= m.backlog;
        const memph = (t: string) => (mfull || mp >= 80 ? c.bold(c.red(t)) : m.queued > 0 ? c.yellow(t) : t);
        const mrow = [
          c.dim(`${i === s.members!.length - 1 ? '└' : '├'} socket:[${m.inode}]`),
          '',
          memph(String(m.queued)),
          String(m.backlog),
          memph(`${mp}%${mfull ? ' FULL' : ''}`),
        ];
        if (opts.owners) mrow.push(m.owners ? m.owners.map((o) => `${esc(o.command)}[${o.pid}]`).join(', ') : '');
        table.push(mrow);
      });
    }
    if (s.matchedKey) {
      notes.push(
        `${esc(r.key)} has no listener of its own: the numbers are those of ${esc(s.matchedKey)}, which accepts its connections`,
      );
    }
  }
  for (const k of sample.missing) notes.push(`no listener on ${esc(k)} (not found)`);
  if (unknownOwners > 0) {
    notes.push(
      `owner "?": held by another user's process, which only root (or CAP_SYS_PTRACE) can see in /proc/<pid>/fd`,
    );
  }
  if (noOwner > 0) notes.push('owner "-": no process visible in this PID namespace holds the socket');
  if (!opts.active) notes.push('active connections not counted (--no-active)');
  const body =
    rows.length > 0 ? table.toString() : sample.rows.length > 0 ? 'no listener reaches the threshold' : 'no listeners';
  return [body, ...notes.map((n) => c.dim(n))].join('\n');
}

/** How many terminal rows `text` occupies at `columns` wide (long lines wrap; escape sequences take no room). */
export function screenLines(text: string, columns: number): number {
  let n = 0;
  for (const line of text.split('\n')) {
    const w = stripVTControlCharacters(line).length;
    n += columns > 0 && w > columns ? Math.ceil(w / columns) : 1;
  }
  return n;
}

interface ListenCliOptions {
  interval?: string;
  count?: string;
  threshold?: string;
  json?: boolean;
  owners?: boolean;
  active?: boolean;
  tcp?: boolean;
  unix?: boolean;
}

function useColor(): boolean {
  if (!process.stdout.isTTY) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return true;
}

/** Run the command; resolves when done or stopped (Ctrl-C). */
export async function runListen(args: string[], opts: ListenCliOptions): Promise<void> {
  const targets = args.length > 0 ? classifyListenArgs(args) : undefined;
  const intervalS = opts.interval !== undefined ? parsePositive('--interval', opts.interval) : undefined;
  const count = opts.count !== undefined ? parsePositive('--count', opts.count, { integer: true }) : undefined;
  const threshold = opts.threshold !== undefined ? parseNonNegativeInt('--threshold', opts.threshold) : undefined;
  if (opts.tcp === false && opts.unix === false) throw new UsageError('--no-tcp and --no-unix leave nothing to show');
  const repeat = intervalS !== undefined || count !== undefined;
  const everyMs = (intervalS ?? 1) * 1000;
  const samples = count ?? (repeat ? Number.POSITIVE_INFINITY : 1);
  const tty = process.stdout.isTTY === true;
  const json = opts.json === true;
  const lineMode = !json && repeat && !tty;
  const owners = !json && !lineMode && opts.owners !== false;
  const active = opts.active !== false;
  const color = useColor();
  const sampleOpts = {
    owners,
    active,
    tcp: opts.tcp !== false,
    unix: opts.unix !== false,
    // repeated samples re-check known owners instead of rescanning /proc/*/fd every time
    ownerCache: repeat ? new SocketOwnerCache() : undefined,
  };

  const stop = stopSignal();
  let broken = false;
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      broken = true;
      stop.dispose();
    }
  };
  process.stdout.on('error', onError);
  let prevLines = 0;
  try {
    for (let i = 0; i < samples && !stop.signal.aborted && !broken; i++) {
      const t0 = Date.now();
      const sample = await sampleListeners(targets, sampleOpts);
      const rows = applyThreshold(sample.rows, threshold);
      let out: string;
      if (json) out = renderListenJson(rows);
      else if (lineMode) out = renderListenLine(sample.time, rows);
      else {
        out = renderListenTable(sample, { color, owners, active }, rows);
        if (repeat) {
          const title = `${sample.time.toISOString()}  every ${everyMs / 1000} s${
            threshold !== undefined ? `, queued ≥ ${threshold}` : ''
          }  (Ctrl-C to stop)`;
          out = `${color ? pc.dim(title) : title}\n${out}`;
        }
      }
      if (repeat && tty && !json && i > 0) {
        const rowsAvail = process.stdout.rows ?? 0;
        // move back over the previous frame and clear it; clear the screen when it scrolled away
        const fits = rowsAvail === 0 || prevLines < rowsAvail;
        process.stdout.write(prevLines > 0 && fits ? `\x1b[${prevLines}F\x1b[J` : '\x1b[H\x1b[2J');
      }
      process.stdout.write(`${out}\n`);
      // an asked listener that does not exist is an error (exit 1), not a silent empty table
      if (sample.missing.length > 0) {
        process.exitCode = 1;
        if ((json || lineMode) && i === 0)
          process.stderr.write(`raingauge listen: no listener on ${sample.missing.map(esc).join(', ')} (not found)\n`);
      }
      prevLines = screenLines(out, process.stdout.columns ?? 0);
      if (i + 1 < samples) await sleep(Math.max(0, everyMs - (Date.now() - t0)), stop.signal);
    }
  } finally {
    stop.dispose();
    process.stdout.off('error', onError);
  }
}

/** Register `raingauge listen`. */
export function register(program: Command): void {
  program
    .command('listen')
    .description(
      'listen-queue statistics of TCP and UNIX listeners: active (accepted) connections, queued (not yet accepted), backlog, owner',
    )
    .argument(
      '[targets...]',
      'TCP addresses (127.0.0.1:8080, [::1]:8080, 0.0.0.0:80) and UNIX sockets (/run/app.sock, @abstract); none = every listener',
    )
    .option(
      '-i, --interval <seconds>',
      'repeat every S seconds (redrawn in place on a terminal, one line per sample when piped)',
    )
    .option('-n, --count <n>', 'stop after N samples (implies --interval 1 when no interval is given)')
    .option('-t, --threshold <n>', 'show only listeners with at least N queued connections')
    .option('--json', 'print one JSON object per sample (one per line): {"ADDR":{"active":N,"queued":N,"backlog":N},…}')
    .option('--no-owners', 'do not look up the processes holding each listener (saves a scan of /proc/*/fd)')
    .option('--no-active', 'queued and backlog only: never walks established connections (cheapest)')
    .option('--no-tcp', 'without targets: leave out TCP listeners')
    .option('--no-unix', 'without targets: leave out UNIX listeners')
    .addHelpText(
      'after',
      `
Numbers (raindrops' definitions): active = accepted, open connections; queued =
connections waiting for accept(); backlog = the listen() backlog (queued can reach
backlog + 1 before the kernel drops). An address served only by a wildcard listener
(127.0.0.1:80 when 0.0.0.0:80 listens) is shown with "→ 0.0.0.0:80".
TCP needs no privilege; owners of other users' processes need root (or CAP_SYS_PTRACE).`,
    )
    .action(async (targets: string[], opts: ListenCliOptions) => {
      await runListen(targets, opts);
    });
}
