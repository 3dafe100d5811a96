/**
 * `raingauge sys [--json] [--interval ms] [--proc dir]`: a system snapshot from procfs — CPU
 * (usage from two `/proc/stat` samples), memory (`/proc/meminfo`), load (`/proc/loadavg`), PSI
 * (`/proc/pressure/*`), uptime, file handles (`/proc/sys/fs/file-nr`), disks (`/proc/diskstats`)
 * and interfaces (`/proc/net/dev`). Each section is read on its own: one that cannot be read is
 * left out with a warning instead of failing the snapshot.
 * @module
 */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { RaingaugeError } from '../../errors.js';
import {
  cpuBusyPercent,
  cpuStatTotalTicks,
  type NetDev,
  ProcFS,
  type PSIResource,
  type PSIStats,
  type Stat,
} from '../../procfs/index.js';
import { type Diskstats, parseDiskstats } from '../../sysfs/index.js';
import { sleep } from '../../util/time.js';
import { parsePositive } from '../util.js';

/** CPU usage over the sampling interval, in percent of elapsed CPU time (all CPUs together). */
export interface SysCPU {
  /** Online CPUs (`cpuN` lines of `/proc/stat`). */
  count: number;
  /** 100 − idle − iowait. Absent when no clock tick elapsed between the samples. */
  busyPercent?: number;
  /** user + nice. */
  userPercent?: number;
  /** system + irq + softirq. */
  systemPercent?: number;
  /** iowait (idle while I/O was outstanding). */
  iowaitPercent?: number;
  /** steal (time the hypervisor ran something else). */
  stealPercent?: number;
  /** idle. */
  idlePercent?: number;
  /** Busy percent per CPU. */
  perCpu: { cpu: number; busyPercent?: number }[];
}

/** Memory from `/proc/meminfo`, in bytes. */
export interface SysMemory {
  /** `MemTotal`. */
  totalBytes: number;
  /** `MemAvailable` (absent before Linux 3.14). */
  availableBytes?: number;
  /** `MemTotal − MemAvailable` (or − MemFree − Buffers − Cached before 3.14). */
  usedBytes: number;
  /** `MemFree`. */
  freeBytes: number;
  /** `Buffers` + `Cached` + `SReclaimable`. */
  cacheBytes: number;
  /** `SwapTotal`. */
  swapTotalBytes: number;
  /** `SwapTotal − SwapFree`. */
  swapUsedBytes: number;
}

/** One block device with I/O since boot (`/proc/diskstats`), with rates over the interval. */
export interface SysDisk {
  /** Kernel device name. */
  name: string;
  /** Bytes read since boot. */
  readBytes: number;
  /** Bytes written since boot. */
  writeBytes: number;
  /** Bytes read per second over the interval. */
  readBytesPerSecond: number;
  /** Bytes written per second over the interval. */
  writeBytesPerSecond: number;
  /** Reads completed per second. */
  readIOsPerSecond: number;
  /** Writes completed per second. */
  writeIOsPerSecond: number;
  /** Share of the interval with I/O in flight (`io_ticks` delta / interval), percent. */
  utilPercent: number;
}

/** One network interface (`/proc/net/dev`), counters since boot plus rates over the interval. */
export interface SysInterface {
  /** Interface name. */
  name: string;
  /** Bytes received since the counters started (bigint: u64). */
  rxBytes: bigint;
  /** Bytes sent (bigint: u64). */
  txBytes: bigint;
  /** Packets received. */
  rxPackets: bigint;
  /** Packets sent. */
  txPackets: bigint;
  /** Receive + transmit errors. */
  errors: bigint;
  /** Receive + transmit drops. */
  dropped: bigint;
  /** Bytes received per second over the interval. */
  rxBytesPerSecond: number;
  /** Bytes sent per second over the interval. */
  txBytesPerSecond: number;
}

/** What `raingauge sys` shows. Sections that could not be read are absent and explained in `warnings`. */
export interface SystemSnapshot {
  /** When the second sample was taken (ISO 8601). */
  time: string;
  /** Milliseconds between the two samples. */
  intervalMs: number;
  /** Seconds since boot (`/proc/uptime`). */
  uptimeSeconds?: number;
  /** Boot time (ISO 8601, from `btime` of `/proc/stat`). */
  bootTime?: string;
  /** CPU usage over the interval. */
  cpu?: SysCPU;
  /** Memory. */
  memory?: SysMemory;
  /** Load averages (`/proc/loadavg`). */
  load?: { load1: number; load5: number; load15: number; runnable: number; threads: number };
  /** Pressure stall information per resource: `some`/`full` avg10/avg60/avg300 (percent) and total µs. */
  pressure?: Partial<Record<PSIResource, PSIStats>>;
  /** File handles (`/proc/sys/fs/file-nr`). */
  fileHandles?: { allocated: number; max: bigint };
  /** Block devices that have done I/O. */
  disks?: SysDisk[];
  /** Network interfaces. */
  interfaces?: SysInterface[];
  /** Sections left out, with the reason. */
  warnings: string[];
}

function attempt<T>(warnings: string[], what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof RaingaugeError)) throw err;
    warnings.push(`${what}: ${err.message}`);
    return undefined;
  }
}

function pct(part: number, total: number): number {
  return total > 0 ? (100 * part) / total : 0;
}

function cpuSection(a: Stat, b: Stat): SysCPU {
  const x = a.cpuTotal;
  const y = b.cpuTotal;
  const total = cpuStatTotalTicks(y) - cpuStatTotalTicks(x);
  const d = (k: keyof typeof x) => ((y[k] as number | undefined) ?? 0) - ((x[k] as number | undefined) ?? 0);
  const out: SysCPU = {
    count: b.cpu.length,
    perCpu: b.cpu.map((c) => {
      const prev = a.cpu.find((p) => p.cpuId === c.cpuId);
      const busy = prev ? cpuBusyPercent(prev, c) : undefined;
      return busy === undefined ? { cpu: c.cpuId! } : { cpu: c.cpuId!, busyPercent: busy };
    }),
  };
  const busy = cpuBusyPercent(x, y);
  if (busy !== undefined && total > 0) {
    out.busyPercent = busy;
    out.userPercent = pct(d('userTicks') + d('niceTicks'), total);
    out.systemPercent = pct(d('systemTicks') + d('irqTicks') + d('softIRQTicks'), total);
    out.iowaitPercent = pct(Math.max(0, d('iowaitTicks')), total);
    out.stealPercent = pct(d('stealTicks'), total);
    out.idlePercent = pct(d('idleTicks'), total);
  }
  return out;
}

function diskSection(a: Diskstats[], b: Diskstats[], seconds: number): SysDisk[] {
  const out: SysDisk[] = [];
  for (const y of b) {
    if (y.readIOs + y.writeIOs === 0) continue;
    const x = a.find((p) => p.deviceName === y.deviceName) ?? y;
    out.push({
      name: y.deviceName,
      readBytes: y.readBytes,
      writeBytes: y.writeBytes,
      readBytesPerSecond: (y.readBytes - x.readBytes) / seconds,
      writeBytesPerSecond: (y.writeBytes - x.writeBytes) / seconds,
      readIOsPerSecond: (y.readIOs - x.readIOs) / seconds,
      writeIOsPerSecond: (y.writeIOs - x.writeIOs) / seconds,
      utilPercent: Math.min(100, pct(y.iosTotalTicks - x.iosTotalTicks, seconds * 1000)),
    });
  }
  return out;
}

function ifaceSection(a: NetDev, b: NetDev, seconds: number): SysInterface[] {
  return Object.keys(b)
    .sort()
    .map((name) => {
      const y = b[name]!;
      const x = a[name] ?? y;
      return {
        name,
        rxBytes: y.rxBytes,
        txBytes: y.txBytes,
        rxPackets: y.rxPackets,
        txPackets: y.txPackets,
        errors: y.rxErrors + y.txErrors,
        dropped: y.rxDropped + y.txDropped,
        rxBytesPerSecond: Number(y.rxBytes - x.rxBytes) / seconds,
        txBytesPerSecond: Number(y.txBytes - x.txBytes) / seconds,
      };
    });
}

/**
 * Take the snapshot: read `/proc/stat`, `/proc/diskstats` and `/proc/net/dev`, wait `intervalMs`,
 * read them again with everything else. Rates and CPU percentages cover the measured interval.
 */
export async function systemSnapshot(fs = new ProcFS(), intervalMs = 200): Promise<SystemSnapshot> {
  const warnings: string[] = [];
  const ignore: string[] = [];
  const stat1 = attempt(ignore, 'cpu', () => fs.stat());
  const disk1 = attempt(ignore, 'disks', () => parseDiskstats(fs.readText('diskstats'), fs.path('diskstats')));
  const net1 = attempt(ignore, 'interfaces', () => fs.netDev());
  const t1 = performance.now();
  await sleep(intervalMs);
  const stat2 = attempt(warnings, 'cpu', () => fs.stat());
  const disk2 = attempt(warnings, 'disks', () => parseDiskstats(fs.readText('diskstats'), fs.path('diskstats')));
  const net2 = attempt(warnings, 'interfaces', () => fs.netDev());
  const seconds = (performance.now() - t1) / 1000;
  const snap: SystemSnapshot = { time: new Date().toISOString(), intervalMs: Math.round(seconds * 1000), warnings };
  const up = attempt(warnings, 'uptime', () => fs.uptime());
  if (up) snap.uptimeSeconds = up.uptimeSeconds;
  if (stat2) {
    snap.bootTime = new Date(stat2.bootTime * 1000).toISOString();
    snap.cpu = cpuSection(stat1 ?? stat2, stat2);
  }
  const m = attempt(warnings, 'memory', () => fs.meminfo());
  if (m) {
    const kb = (v: number | undefined) => (v ?? 0) * 1024;
    const total = kb(m.memTotal);
    const used =
      m.memAvailable !== undefined ? total - kb(m.memAvailable) : total - kb(m.memFree) - kb(m.buffers) - kb(m.cached);
    snap.memory = {
      totalBytes: total,
      usedBytes: used,
      freeBytes: kb(m.memFree),
      cacheBytes: kb(m.buffers) + kb(m.cached) + kb(m.sReclaimable),
      swapTotalBytes: kb(m.swapTotal),
      swapUsedBytes: kb(m.swapTotal) - kb(m.swapFree),
    };
    if (m.memAvailable !== undefined) snap.memory.availableBytes = kb(m.memAvailable);
  }
  const l = attempt(warnings, 'load', () => fs.loadAvg());
  if (l) snap.load = { load1: l.load1, load5: l.load5, load15: l.load15, runnable: l.runnable, threads: l.threads };
  const p = attempt(warnings, 'pressure', () => fs.pressure());
  if (p) snap.pressure = p;
  const f = attempt(warnings, 'file handles', () => fs.fileNr());
  if (f) snap.fileHandles = { allocated: f.allocated, max: f.max };
  if (disk2) snap.disks = diskSection(disk1 ?? disk2, disk2, seconds);
  if (net2) snap.interfaces = ifaceSection(net1 ?? net2, net2, seconds);
  return snap;
}

/** JSON text of a snapshot; `bigint` values are written as exact JSON numbers. */
export function snapshotJSON(snap: SystemSnapshot): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(snap, (_k, v) => (typeof v === 'bigint' ? `${marker}${v}` : v), 2);
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/** `1536` → `1.5 KiB`. */
export function formatBytes(n: number | bigint): string {
  let v = Number(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

function formatDuration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${d > 0 ? `${d}d ` : ''}${h}h ${m}m`;
}

const f1 = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(1));

function table(head: string[], rows: (string | number)[][], aligns?: ('left' | 'right')[]): string {
  const t = new Table({
    head: head.every((h) => h === '') ? [] : head,
    colAligns: aligns ?? head.map((_, i) => (i === 0 ? 'left' : 'right')),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of rows) t.push(r);
  return t.toString();
}

/** Render a snapshot as text tables (cli-table3). Pure. */
export function formatSystemSnapshot(s: SystemSnapshot): string {
  const parts: string[] = [];
  const summary: (string | number)[][] = [];
  if (s.uptimeSeconds !== undefined)
    summary.push(['uptime', `${formatDuration(s.uptimeSeconds)} (since ${s.bootTime ?? '?'})`]);
  if (s.cpu) {
    const c = s.cpu;
    summary.push([
      'cpu',
      c.busyPercent === undefined
        ? `${c.count} CPUs (no clock tick elapsed)`
        : `${c.count} CPUs, ${f1(c.busyPercent)}% busy: user ${f1(c.userPercent)}%, system ${f1(c.systemPercent)}%, iowait ${f1(c.iowaitPercent)}%, steal ${f1(c.stealPercent)}%`,
    ]);
    summary.push(['per cpu', c.perCpu.map((p) => `cpu${p.cpu} ${f1(p.busyPercent)}%`).join('  ')]);
  }
  if (s.load) {
    summary.push([
      'load',
      `${s.load.load1.toFixed(2)} ${s.load.load5.toFixed(2)} ${s.load.load15.toFixed(2)} (runnable ${s.load.runnable}/${s.load.threads} threads)`,
    ]);
  }
  if (s.memory) {
    const m = s.memory;
    summary.push([
      'memory',
      `${formatBytes(m.usedBytes)} used of ${formatBytes(m.totalBytes)} (${f1(pct(m.usedBytes, m.totalBytes))}%), available ${m.availableBytes === undefined ? '-' : formatBytes(m.availableBytes)}, free ${formatBytes(m.freeBytes)}, cache ${formatBytes(m.cacheBytes)}`,
    ]);
    summary.push([
      'swap',
      m.swapTotalBytes === 0 ? 'none' : `${formatBytes(m.swapUsedBytes)} used of ${formatBytes(m.swapTotalBytes)}`,
    ]);
  }
  if (s.fileHandles) summary.push(['file handles', `${s.fileHandles.allocated} allocated, max ${s.fileHandles.max}`]);
  parts.push(`system snapshot at ${s.time}, sampled over ${s.intervalMs} ms`);
  if (summary.length > 0) parts.push(table(['', ''], summary, ['left', 'left']));
  if (s.pressure && Object.keys(s.pressure).length > 0) {
    const rows: (string | number)[][] = [];
    for (const [r, v] of Object.entries(s.pressure)) {
      for (const kind of ['some', 'full'] as const) {
        const line = v?.[kind];
        if (line)
          rows.push([
            `${r} ${kind}`,
            f1(line.avg10),
            f1(line.avg60),
            f1(line.avg300),
            (line.totalMicros / 1e6).toFixed(1),
          ]);
      }
    }
    parts.push(table(['pressure', 'avg10 %', 'avg60 %', 'avg300 %', 'total s'], rows));
  }
  if (s.disks) {
    parts.push(
      s.disks.length === 0
        ? 'disks: no block device has done I/O'
        : table(
            ['disk', 'read/s', 'write/s', 'r IO/s', 'w IO/s', 'util %', 'read total', 'written total'],
            s.disks.map((d) => [
              d.name,
              formatBytes(Math.round(d.readBytesPerSecond)),
              formatBytes(Math.round(d.writeBytesPerSecond)),
              d.readIOsPerSecond.toFixed(0),
              d.writeIOsPerSecond.toFixed(0),
              f1(d.utilPercent),
              formatBytes(d.readBytes),
              formatBytes(d.writeBytes),
            ]),
          ),
    );
  }
  if (s.interfaces) {
    parts.push(
      table(
        ['interface', 'rx/s', 'tx/s', 'rx total', 'tx total', 'rx pkts', 'tx pkts', 'errors', 'dropped'],
        s.interfaces.map((i) => [
          i.name,
          formatBytes(Math.round(i.rxBytesPerSecond)),
          formatBytes(Math.round(i.txBytesPerSecond)),
          formatBytes(i.rxBytes),
          formatBytes(i.txBytes),
          String(i.rxPackets),
          String(i.txPackets),
          String(i.errors),
          String(i.dropped),
        ]),
      ),
    );
  }
  for (const w of s.warnings) parts.push(`warning: ${w}`);
  return `${parts.join('\n')}\n`;
}

/** Register `raingauge sys`. */
export function register(program: Command): void {
  program
    .command('sys')
    .description(
      'System snapshot from /proc: CPU, memory, load, pressure (PSI), uptime, file handles, disks, interfaces',
    )
    .option('--json', 'print the snapshot as JSON')
    .option('--interval <ms>', 'milliseconds between the two samples used for CPU % and rates', '200')
    .option('--proc <dir>', 'procfs mount point to read (e.g. a fixture tree)', '/proc')
    .action(async (o: { json?: boolean; interval: string; proc: string }) => {
      const ms = parsePositive('--interval', o.interval);
      const snap = await systemSnapshot(new ProcFS(o.proc), ms);
      process.stdout.write(o.json ? `${snapshotJSON(snap)}\n` : formatSystemSnapshot(snap));
    });
}
