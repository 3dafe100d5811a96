/**
 * The `processes` collector: per selected process (by pid, by a pattern on
 * comm or command line, by cgroup, or the top N by CPU since the previous
 * scrape) CPU seconds, memory, descriptors, threads, I/O bytes and delays.
 *
 * Delays come from taskstats (generic netlink, needs CAP_NET_ADMIN): CPU run
 * queue (`cpu_delay_total`), block I/O (`blkio_delay_total`), swap-in
 * (`swapin_delay_total`), reclaim (`freepages_delay_total`) and thrashing
 * (`thrashing_delay_total`), all ns → seconds. Without the capability the
 * schedstat fallback gives the run-queue delay (`/proc/<pid>/schedstat`
 * `run_delay`, exact) and the collector reports itself degraded
 * (`reason="no_cap_net_admin"`). Command lines and environments are never
 * exported unless `cmdline: true` (then only in `raingauge_process_info`).
 * @module
 */
import { readKernelUnits } from '../../procfs/auxv.js';
import { ProcFS } from '../../procfs/fs.js';
import { ProcessSampler } from '../../procfs/sampler.js';
import type { ProcessField, ProcessSnapshot } from '../../procfs/scan.js';
import { TaskstatsClient } from '../../taskstats/client.js';
import type { TaskstatsRecord } from '../../taskstats/record.js';
import type { CollectContext, Collector } from '../collector.js';
import type { ExpositionFamily, ExpositionSeries } from '../exposition.js';

/** How to choose the processes. Criteria add up (a process matching any is exported). */
export interface ProcessesCollectorOptions {
  /** These pids. */
  pids?: readonly number[];
  /** A pattern tested on `comm` (and on the command line when `matchCmdline`). */
  pattern?: RegExp;
  /** Test `pattern` on the NUL-joined-by-space command line too (default false). */
  matchCmdline?: boolean;
  /** Processes whose cgroup path (any hierarchy) starts with this (e.g. `/system.slice/nginx.service`). */
  cgroup?: string;
  /** The N processes with the most CPU time since the previous scrape (default 10 when nothing else is given). */
  top?: number;
  /** Export the command line in `raingauge_process_info` (default false: it never leaves the host). */
  cmdline?: boolean;
  /** Read taskstats delays (default true; falls back to schedstat without CAP_NET_ADMIN). */
  taskstats?: boolean;
  /** At most this many processes per scrape (default 200): bounds the scrape's size. */
  maxProcesses?: number;
  /** procfs mount point (default `/proc`). */
  procRoot?: string;
}

const FIELDS: readonly ProcessField[] = ['stat', 'io', 'schedstat', 'fdCount', 'cgroup'];

interface Row {
  pid: number;
  comm: string;
  snap: ProcessSnapshot;
  ts?: TaskstatsRecord;
}

const ns = (v: bigint | undefined) => (v === undefined ? undefined : Number(v) / 1e9);

/** The `processes` collector. */
export function processesCollector(opts: ProcessesCollectorOptions = {}): Collector {
  const fs = new ProcFS(opts.procRoot);
  const sampler = new ProcessSampler(fs);
  const units = readKernelUnits(fs);
  const max = opts.maxProcesses ?? 200;
  const nothingGiven = !opts.pids && !opts.pattern && opts.cgroup === undefined && opts.top === undefined;
  const top = opts.top ?? (nothingGiven ? 10 : 0);
  let ts: TaskstatsClient | undefined;
  let tsFailed: string | undefined;
  return {
    name: 'processes',
    description: 'selected processes: CPU, memory, fds, threads, I/O, taskstats delays (schedstat fallback)',
    async collect(ctx: CollectContext): Promise<ExpositionFamily[]> {
      const chosen = new Set<number>(opts.pids ?? []);
      const all = fs.pids();
      if (top > 0) {
        const usage = sampler.sample(all);
        const ranked = [...usage.values()].sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, top);
        for (const u of ranked) chosen.add(u.pid);
      }
      if (opts.pattern || opts.cgroup !== undefined) {
        const fields: ProcessField[] = ['comm'];
        if (opts.matchCmdline) fields.push('cmdline');
        if (opts.cgroup !== undefined) fields.push('cgroup');
        for (const p of fs.processes({ fields, pids: all })) {
          if (chosen.size >= max) break;
          const byPattern =
            opts.pattern !== undefined &&
            ((p.comm !== undefined && opts.pattern.test(p.comm)) ||
              (opts.matchCmdline === true && p.cmdline !== undefined && opts.pattern.test(p.cmdline.join(' '))));
          const byCgroup = opts.cgroup !== undefined && (p.cgroup ?? []).some((c) => c.path.startsWith(opts.cgroup!));
          if (byPattern || byCgroup) chosen.add(p.pid);
        }
      }
      const pids = [...chosen].sort((a, b) => a - b).slice(0, max);
      const fields = opts.cmdline ? [...FIELDS, 'cmdline' as const] : FIELDS;
      const rows: Row[] = [];
      for (const snap of fs.processes({ fields, pids })) {
        if (snap.stat === undefined) continue; // gone between listing and reading
        rows.push({ pid: snap.pid, comm: snap.stat.comm, snap });
        if (snap.errors?.io) ctx.degraded('no_cap_sys_ptrace', 'other users’ /proc/<pid>/io needs CAP_SYS_PTRACE');
      }
      if (opts.taskstats !== false && tsFailed === undefined) {
        try {
          ts ??= await TaskstatsClient.open();
          for (const r of rows) {
            try {
              r.ts = await ts.tgidStats(r.pid);
            } catch (e) {
              if ((e as { code?: string }).code === 'ERR_RAINGAUGE_PERMISSION') throw e;
            }
          }
        } catch (e) {
          tsFailed = (e as Error).message;
          void ts?.close();
          ts = undefined;
        }
      }
      if (opts.taskstats !== false && tsFailed !== undefined) ctx.degraded('no_cap_net_admin', tsFailed);

      const S = (): ExpositionSeries[] => [];
      const cpu = S();
      const rss = S();
      const vms = S();
      const fds = S();
      const threads = S();
      const rd = S();
      const wr = S();
      const dCpu = S();
      const dBlk = S();
      const dSwap = S();
      const dReclaim = S();
      const dThrash = S();
      const info = S();
      const push = (arr: ExpositionSeries[], labels: Record<string, string>, v: number | bigint | undefined) => {
        if (v !== undefined) arr.push({ labels, value: v });
      };
      for (const r of rows) {
        const st = r.snap.stat!;
        const l = { pid: String(r.pid), comm: r.comm };
        cpu.push({ labels: { ...l, mode: 'user' }, value: st.utime / units.clockTicksPerSecond });
        cpu.push({ labels: { ...l, mode: 'system' }, value: st.stime / units.clockTicksPerSecond });
        rss.push({ labels: l, value: st.rss * units.pageSizeBytes });
        vms.push({ labels: l, value: st.vsize });
        threads.push({ labels: l, value: st.numThreads });
        push(fds, l, r.snap.fdCount);
        push(rd, l, r.snap.io?.readBytes);
        push(wr, l, r.snap.io?.writeBytes);
        if (r.ts) {
          push(dCpu, l, ns(r.ts.cpuDelayTotal));
          push(dBlk, l, ns(r.ts.blkioDelayTotal));
          push(dSwap, l, ns(r.ts.swapinDelayTotal));
          push(dReclaim, l, ns(r.ts.freepagesDelayTotal));
          push(dThrash, l, ns(r.ts.thrashingDelayTotal));
        } else {
          push(dCpu, l, ns(r.snap.schedstat?.waitingNanoseconds));
        }
        if (opts.cmdline)
          info.push({ labels: { ...l, cmdline: (r.snap.cmdline ?? []).join(' ').slice(0, 1024) }, value: 1 });
      }
      const fam = (
        name: string,
        help: string,
        type: 'counter' | 'gauge',
        series: ExpositionSeries[],
      ): ExpositionFamily => ({
        name,
        help,
        type,
        series,
      });
      const out = [
        fam(
          'raingauge_process_cpu_seconds_total',
          'CPU time of the process by mode (/proc/<pid>/stat utime, stime).',
          'counter',
          cpu,
        ),
        fam(
          'raingauge_process_resident_memory_bytes',
          'Resident set size (/proc/<pid>/stat rss × page size).',
          'gauge',
          rss,
        ),
        fam('raingauge_process_virtual_memory_bytes', 'Virtual memory size (/proc/<pid>/stat vsize).', 'gauge', vms),
        fam('raingauge_process_open_fds', 'Open file descriptors (size of /proc/<pid>/fd).', 'gauge', fds),
        fam('raingauge_process_threads', 'Threads of the process (/proc/<pid>/stat num_threads).', 'gauge', threads),
        fam(
          'raingauge_process_io_read_bytes_total',
          'Bytes read from storage (/proc/<pid>/io read_bytes).',
          'counter',
          rd,
        ),
        fam(
          'raingauge_process_io_write_bytes_total',
          'Bytes written to storage (/proc/<pid>/io write_bytes).',
          'counter',
          wr,
        ),
        fam(
          'raingauge_process_cpu_delay_seconds_total',
          'Time runnable but waiting for a CPU (taskstats cpu_delay_total, or /proc/<pid>/schedstat run_delay).',
          'counter',
          dCpu,
        ),
        fam(
          'raingauge_process_blkio_delay_seconds_total',
          'Time waiting for block I/O (taskstats blkio_delay_total).',
          'counter',
          dBlk,
        ),
        fam(
          'raingauge_process_swapin_delay_seconds_total',
          'Time waiting for swap-in (taskstats swapin_delay_total).',
          'counter',
          dSwap,
        ),
        fam(
          'raingauge_process_reclaim_delay_seconds_total',
          'Time waiting for memory reclaim (taskstats freepages_delay_total).',
          'counter',
          dReclaim,
        ),
        fam(
          'raingauge_process_thrashing_delay_seconds_total',
          'Time waiting on thrashing page cache (taskstats thrashing_delay_total).',
          'counter',
          dThrash,
        ),
      ];
      if (opts.cmdline)
        out.push(fam('raingauge_process_info', 'Command line of the process (/proc/<pid>/cmdline).', 'gauge', info));
      return out;
    },
    close() {
      sampler.close();
      void ts?.close();
      ts = undefined;
    },
  };
}
