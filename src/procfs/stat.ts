/**
 * `/proc/stat`: kernel and CPU activity since boot (kernel `show_stat`).
 *
 * Go procfs: `FS.Stat() Stat`, `CPUStat`, `SoftIRQStat`.
 * @module
 */
import { fail, fields, lines, record, uint, type Where } from './system_util.js';

/**
 * Time one CPU (or all CPUs, for `cpuTotal`) spent in each state, in clock ticks
 * (`USER_HZ`, see `ProcFS.clockTicks()`), from a `cpu`/`cpuN` line of `/proc/stat`.
 *
 * Go procfs's `CPUStat` gives seconds; ours keeps the kernel's ticks and converts with
 * {@link cpuStatSeconds}. Columns added after Linux 2.6.0 are optional (absent on kernels that
 * do not print them). `guestTicks`/`guestNiceTicks` are already included in `userTicks`/`niceTicks`.
 * `iowaitTicks` can go backwards on an idle CPU (a kernel quirk).
 */
export interface CPUStat {
  /** CPU number for a `cpuN` line; absent for the aggregate `cpu` line. */
  cpuId?: number;
  /** Normal processes in user mode (`user`). */
  userTicks: number;
  /** Niced processes in user mode (`nice`). */
  niceTicks: number;
  /** Kernel mode (`system`). */
  systemTicks: number;
  /** Idle (`idle`). */
  idleTicks: number;
  /** Idle while I/O was outstanding (`iowait`, Linux 2.5.41+). */
  iowaitTicks?: number;
  /** Servicing hardware interrupts (`irq`, 2.6.0+). */
  irqTicks?: number;
  /** Servicing softirqs (`softirq`, 2.6.0+). */
  softIRQTicks?: number;
  /** Stolen by the hypervisor (`steal`, 2.6.11+). */
  stealTicks?: number;
  /** Running a guest vCPU (`guest`, 2.6.24+). */
  guestTicks?: number;
  /** Running a niced guest vCPU (`guest_nice`, 2.6.33+). */
  guestNiceTicks?: number;
}

/** {@link CPUStat} converted to seconds (Go procfs: `CPUStat` fields `User`, `Nice`, …). */
export interface CPUStatSeconds {
  /** `user` ticks / clock ticks per second. */
  userSeconds: number;
  /** `nice` in seconds. */
  niceSeconds: number;
  /** `system` in seconds. */
  systemSeconds: number;
  /** `idle` in seconds. */
  idleSeconds: number;
  /** `iowait` in seconds (absent when the kernel did not print it). */
  iowaitSeconds?: number;
  /** `irq` in seconds. */
  irqSeconds?: number;
  /** `softirq` in seconds. */
  softIRQSeconds?: number;
  /** `steal` in seconds. */
  stealSeconds?: number;
  /** `guest` in seconds. */
  guestSeconds?: number;
  /** `guest_nice` in seconds. */
  guestNiceSeconds?: number;
}

/** Softirqs run since boot, by kind: the `softirq` line of `/proc/stat` (Go procfs: `SoftIRQStat`). */
export interface SoftIRQStat {
  /** `HI` (high-priority tasklets). */
  hi: number;
  /** `TIMER`. */
  timer: number;
  /** `NET_TX`. */
  netTx: number;
  /** `NET_RX`. */
  netRx: number;
  /** `BLOCK`. */
  block: number;
  /** `IRQ_POLL` (formerly `BLOCK_IOPOLL`). */
  blockIoPoll: number;
  /** `TASKLET`. */
  tasklet: number;
  /** `SCHED`. */
  sched: number;
  /** `HRTIMER`. */
  hrtimer: number;
  /** `RCU`. */
  rcu: number;
}

/**
 * `/proc/stat` parsed (Go procfs: `Stat`). Counters are `number`s (exact below 2^53, which these
 * event counts do not reach in practice).
 */
export interface Stat {
  /** Boot time, seconds since the Unix epoch (`btime`). */
  bootTime: number;
  /** Sum over all CPUs (the `cpu` line). */
  cpuTotal: CPUStat;
  /** Per-CPU lines (`cpuN`), in file order; offline CPUs are not listed, so use `cpuId`. */
  cpu: CPUStat[];
  /** Interrupts serviced since boot, numbered and unnumbered (first number of `intr`). */
  irqTotal: number;
  /** Per numbered IRQ counts (rest of `intr`); index = IRQ number. */
  irq: number[];
  /** Context switches since boot (`ctxt`). */
  contextSwitches: number;
  /** Forks since boot (`processes`). */
  processCreated: number;
  /** Runnable threads now (`procs_running`, 2.5.45+). */
  processesRunning?: number;
  /** Threads blocked on I/O now (`procs_blocked`, 2.5.45+). */
  processesBlocked?: number;
  /** Softirqs since boot (first number of `softirq`, 2.6.31+). */
  softIRQTotal?: number;
  /** Softirqs by kind (rest of `softirq`); absent when the kernel prints fewer than the 10 kinds. */
  softIRQ?: SoftIRQStat;
  /** Lines this parser does not know (e.g. `page`, `swap` of 2.4 kernels), raw numbers by key. */
  other: Record<string, number[]>;
}

const CPU_COLS = [
  'userTicks',
  'niceTicks',
  'systemTicks',
  'idleTicks',
  'iowaitTicks',
  'irqTicks',
  'softIRQTicks',
  'stealTicks',
  'guestTicks',
  'guestNiceTicks',
] as const;
const SOFTIRQ_COLS = [
  'hi',
  'timer',
  'netTx',
  'netRx',
  'block',
  'blockIoPoll',
  'tasklet',
  'sched',
  'hrtimer',
  'rcu',
] as const;

function parseCPU(f: string[], w: Where): CPUStat {
  if (f.length < 5) fail(w, `a cpu line needs at least 4 numbers, found ${f.length - 1}`);
  const out: Record<string, number> = {};
  f.slice(1, 1 + CPU_COLS.length).forEach((v, i) => {
    out[CPU_COLS[i]!] = uint(v, w, CPU_COLS[i]);
  });
  const cpu = out as unknown as CPUStat;
  if (f[0] !== 'cpu') cpu.cpuId = uint(f[0]!.slice(3), w, 'cpu number');
  return cpu;
}

/**
 * Parse the text of `/proc/stat`.
 * @throws ParseError on a malformed number, a missing `cpu`/`btime`/`intr`/`ctxt`/`processes` line.
 */
export function parseStat(text: string, file = '/proc/stat'): Stat {
  const st: Partial<Stat> & { cpu: CPUStat[]; other: Record<string, number[]> } = { cpu: [], other: record() };
  const seen = new Set<string>();
  lines(text).forEach((line, i) => {
    const w: Where = { file, line: i + 1, text: line };
    const f = fields(line);
    if (f.length === 0) return;
    const key = f[0]!;
    if (seen.has(key)) fail(w, `line ${key} repeated`);
    seen.add(key);
    const one = () => {
      if (f.length !== 2) fail(w, `${key} takes exactly one number`);
      return uint(f[1], w, key);
    };
    if (key === 'cpu') st.cpuTotal = parseCPU(f, w);
    else if (/^cpu\d+$/.test(key)) st.cpu.push(parseCPU(f, w));
    else if (key === 'intr') {
      if (f.length < 2) fail(w, 'intr needs a total');
      st.irqTotal = uint(f[1], w, 'intr total');
      st.irq = f.slice(2).map((v) => uint(v, w, 'irq count'));
    } else if (key === 'ctxt') st.contextSwitches = one();
    else if (key === 'btime') st.bootTime = one();
    else if (key === 'processes') st.processCreated = one();
    else if (key === 'procs_running') st.processesRunning = one();
    else if (key === 'procs_blocked') st.processesBlocked = one();
    else if (key === 'softirq') {
      if (f.length < 2) fail(w, 'softirq needs a total');
      st.softIRQTotal = uint(f[1], w, 'softirq total');
      // older kernels (before 2.6.37) print fewer kinds: then only the total is kept
      if (f.length - 2 >= SOFTIRQ_COLS.length) {
        const s: Record<string, number> = {};
        SOFTIRQ_COLS.forEach((name, j) => {
          s[name] = uint(f[2 + j], w, name);
        });
        st.softIRQ = s as unknown as SoftIRQStat;
      }
      for (const v of f.slice(2 + SOFTIRQ_COLS.length)) uint(v, w, 'softirq count');
    } else {
      if (!/^[A-Za-z_][\w]*$/.test(key)) fail(w, `unexpected line ${JSON.stringify(key)}`);
      st.other[key] = f.slice(1).map((v) => uint(v, w, key));
    }
  });
  const w: Where = { file };
  for (const [k, name] of [
    ['cpuTotal', 'cpu'],
    ['bootTime', 'btime'],
    ['irqTotal', 'intr'],
    ['contextSwitches', 'ctxt'],
    ['processCreated', 'processes'],
  ] as const) {
    if (st[k] === undefined) fail(w, `no ${name} line`);
  }
  return st as Stat;
}

/**
 * Convert a {@link CPUStat} from clock ticks to seconds.
 * @param clkTck clock ticks per second (`ProcFS.clockTicks()`, from `AT_CLKTCK` in `/proc/self/auxv`).
 */
export function cpuStatSeconds(cpu: CPUStat, clkTck: number): CPUStatSeconds {
  const out: Record<string, number> = {};
  for (const k of CPU_COLS) {
    const v = cpu[k];
    if (v !== undefined) out[k.replace(/Ticks$/, 'Seconds')] = v / clkTck;
  }
  return out as unknown as CPUStatSeconds;
}

/** Total ticks of a {@link CPUStat}, excluding guest time (already counted in user/nice). */
export function cpuStatTotalTicks(cpu: CPUStat): number {
  return (
    cpu.userTicks +
    cpu.niceTicks +
    cpu.systemTicks +
    cpu.idleTicks +
    (cpu.iowaitTicks ?? 0) +
    (cpu.irqTicks ?? 0) +
    (cpu.softIRQTicks ?? 0) +
    (cpu.stealTicks ?? 0)
  );
}

/**
 * CPU utilisation between two samples of the same CPU, in percent of elapsed ticks:
 * busy = everything except idle and iowait. Returns `undefined` when no ticks elapsed.
 */
export function cpuBusyPercent(before: CPUStat, after: CPUStat): number | undefined {
  const total = cpuStatTotalTicks(after) - cpuStatTotalTicks(before);
  if (total <= 0) return undefined;
  const idle = after.idleTicks + (after.iowaitTicks ?? 0) - (before.idleTicks + (before.iowaitTicks ?? 0));
  return Math.min(100, Math.max(0, (100 * (total - idle)) / total));
}
