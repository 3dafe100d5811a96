/**
 * The `system` collector: node_exporter's families for load (/proc/loadavg),
 * memory (/proc/meminfo), CPU seconds, boot time, context switches, forks,
 * interrupts and running/blocked processes (/proc/stat), pressure
 * (/proc/pressure/*), file descriptors (/proc/sys/fs/file-nr), network
 * devices (/proc/net/dev) and `node_uname_info` (uname(2) through node:os,
 * domainname from /proc/sys/kernel/domainname) — same names, types, labels
 * and HELP as node_exporter 1.x.
 * @module
 */
import { readFileSync } from 'node:fs';
import { machine, hostname as osHostname, type as osType, version as osVersion, release } from 'node:os';
import { readKernelUnits } from '../../procfs/auxv.js';
import { ProcFS } from '../../procfs/fs.js';
import type { NetDevLine } from '../../procfs/net_dev.js';
import type { CollectContext, Collector } from '../collector.js';
import type { ExpositionFamily, ExpositionMetricType, ExpositionSeries } from '../exposition.js';

const g = (
  name: string,
  help: string,
  value: number | bigint,
  type: ExpositionMetricType = 'gauge',
): ExpositionFamily => ({
  name,
  help,
  type,
  series: [{ value }],
});

/**
 * node_exporter's meminfo families from the text of /proc/meminfo (pure):
 * `Key: n kB` → `node_memory_<Key>_bytes` = n × 1024, a unit-less key →
 * `node_memory_<Key>`; `(anon)`/`(file)` become `_anon`/`_file`.
 */
export function meminfoFamilies(text: string): ExpositionFamily[] {
  const out: ExpositionFamily[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line
      .slice(0, colon)
      .replace(/\((\w+)\)/, '_$1')
      .replace(/[^a-zA-Z0-9_]/g, '_');
    const rest = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const n = Number(rest[0]);
    if (!Number.isFinite(n)) continue;
    const kb = rest[1] === 'kB';
    const name = `node_memory_${key}${kb ? '_bytes' : ''}`;
    out.push(g(name, `Memory information field ${key}${kb ? '_bytes' : ''}.`, kb ? n * 1024 : n));
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

const NETDEV: [keyof NetDevLine, string][] = [
  ['rxBytes', 'receive_bytes'],
  ['rxCompressed', 'receive_compressed'],
  ['rxDropped', 'receive_drop'],
  ['rxErrors', 'receive_errs'],
  ['rxFIFO', 'receive_fifo'],
  ['rxFrame', 'receive_frame'],
  ['rxMulticast', 'receive_multicast'],
  ['rxPackets', 'receive_packets'],
  ['txBytes', 'transmit_bytes'],
  ['txCarrier', 'transmit_carrier'],
  ['txCollisions', 'transmit_colls'],
  ['txCompressed', 'transmit_compressed'],
  ['txDropped', 'transmit_drop'],
  ['txErrors', 'transmit_errs'],
  ['txFIFO', 'transmit_fifo'],
  ['txPackets', 'transmit_packets'],
];

/** Options of {@link systemCollector}. */
export interface SystemCollectorOptions {
  /** procfs mount point (default `/proc`). */
  procRoot?: string;
}

/** The `system` collector. */
export function systemCollector(opts: SystemCollectorOptions = {}): Collector {
  const fs = new ProcFS(opts.procRoot);
  let clkTck: number | undefined;
  return {
    name: 'system',
    description: 'node_exporter families: load, memory, cpu, stat, pressure, filefd, netdev, uname',
    collect(ctx: CollectContext): ExpositionFamily[] {
      const out: ExpositionFamily[] = [];
      const la = fs.loadAvg();
      out.push(g('node_load1', '1m load average.', la.load1));
      out.push(g('node_load5', '5m load average.', la.load5));
      out.push(g('node_load15', '15m load average.', la.load15));

      for (const f of meminfoFamilies(fs.readText('meminfo'))) out.push(f);

      clkTck ??= readKernelUnits(fs).clockTicksPerSecond;
      const st = fs.stat();
      const cpu: ExpositionSeries[] = [];
      const guest: ExpositionSeries[] = [];
      for (const c of st.cpu) {
        const id = String(c.cpuId ?? 0);
        const modes: [string, number | undefined][] = [
          ['idle', c.idleTicks],
          ['iowait', c.iowaitTicks],
          ['irq', c.irqTicks],
          ['nice', c.niceTicks],
          ['softirq', c.softIRQTicks],
          ['steal', c.stealTicks],
          ['system', c.systemTicks],
          ['user', c.userTicks],
        ];
        for (const [mode, ticks] of modes) {
          if (ticks !== undefined) cpu.push({ labels: { cpu: id, mode }, value: ticks / clkTck });
        }
        if (c.guestNiceTicks !== undefined)
          guest.push({ labels: { cpu: id, mode: 'nice' }, value: c.guestNiceTicks / clkTck });
        if (c.guestTicks !== undefined) guest.push({ labels: { cpu: id, mode: 'user' }, value: c.guestTicks / clkTck });
      }
      out.push({
        name: 'node_cpu_seconds_total',
        help: 'Seconds the CPUs spent in each mode.',
        type: 'counter',
        series: cpu,
      });
      out.push({
        name: 'node_cpu_guest_seconds_total',
        help: 'Seconds the CPUs spent in guests (VMs) for each mode.',
        type: 'counter',
        series: guest,
      });
      out.push(g('node_boot_time_seconds', 'Node boot time, in unixtime.', st.bootTime));
      out.push(g('node_context_switches_total', 'Total number of context switches.', st.contextSwitches, 'counter'));
      out.push(g('node_forks_total', 'Total number of forks.', st.processCreated, 'counter'));
      out.push(g('node_intr_total', 'Total number of interrupts serviced.', st.irqTotal, 'counter'));
      if (st.processesRunning !== undefined) {
        out.push(g('node_procs_running', 'Number of processes in runnable state.', st.processesRunning));
      }
      if (st.processesBlocked !== undefined) {
        out.push(
          g('node_procs_blocked', 'Number of processes blocked waiting for I/O to complete.', st.processesBlocked),
        );
      }

      let psi: ReturnType<ProcFS['pressure']> = {};
      try {
        psi = fs.pressure();
      } catch (e) {
        ctx.degraded('no_psi', (e as Error).message);
      }
      const sec = (us: number | undefined) => (us === undefined ? undefined : us / 1e6);
      const pressure: [string, string, number | undefined][] = [
        [
          'node_pressure_cpu_waiting_seconds_total',
          'Total time in seconds that processes have waited for CPU time',
          sec(psi.cpu?.some?.totalMicros),
        ],
        [
          'node_pressure_io_waiting_seconds_total',
          'Total time in seconds that processes have waited due to IO congestion',
          sec(psi.io?.some?.totalMicros),
        ],
        [
          'node_pressure_io_stalled_seconds_total',
          'Total time in seconds no process could make progress due to IO congestion',
          sec(psi.io?.full?.totalMicros),
        ],
        [
          'node_pressure_memory_waiting_seconds_total',
          'Total time in seconds that processes have waited for memory',
          sec(psi.memory?.some?.totalMicros),
        ],
        [
          'node_pressure_memory_stalled_seconds_total',
          'Total time in seconds no process could make progress due to memory congestion',
          sec(psi.memory?.full?.totalMicros),
        ],
        [
          'node_pressure_irq_stalled_seconds_total',
          'Total time in seconds no process could make progress due to IRQ congestion',
          sec(psi.irq?.full?.totalMicros),
        ],
      ];
      for (const [name, help, v] of pressure) if (v !== undefined) out.push(g(name, help, v, 'counter'));

      const fnr = fs.fileNr();
      out.push(g('node_filefd_allocated', 'File descriptor statistics: allocated.', fnr.allocated));
      out.push(g('node_filefd_maximum', 'File descriptor statistics: maximum.', fnr.max));

      const dev = fs.netDev();
      const names = Object.keys(dev).sort();
      for (const [field, stat] of NETDEV) {
        out.push({
          name: `node_network_${stat}_total`,
          help: `Network device statistic ${stat}.`,
          type: 'counter',
          series: names.map((d) => ({ labels: { device: d }, value: dev[d]![field] as bigint })),
        });
      }

      let domainname = '(none)';
      try {
        domainname = readFileSync(fs.path('sys/kernel/domainname'), 'utf8').trim();
      } catch {}
      out.push({
        name: 'node_uname_info',
        help: 'Labeled system information as provided by the uname system call.',
        type: 'gauge',
        series: [
          {
            labels: {
              domainname,
              machine: machine(),
              nodename: osHostname(),
              release: release(),
              sysname: osType(),
              version: osVersion(),
            },
            value: 1,
          },
        ],
      });
      return out;
    },
  };
}
