/**
 * `/sys/devices/system/cpu`: CPU lists, per-CPU topology and cpufreq
 * (Documentation/ABI/stable/sysfs-devices-system-cpu,
 * Documentation/admin-guide/pm/cpufreq.rst, Documentation/cpu-freq/cpufreq-stats.rst).
 * @module
 */
import { join } from 'node:path';
import { ParseError, type RaingaugeError } from '../errors.js';
import { type AttributeErrors, type AttrMap, AttrReader } from './attr.js';

/**
 * `/sys/devices/system/cpu/cpuN/topology/*` of one CPU. IDs are as the
 * kernel prints them (`-1` or `65535` mean "not reported" on some
 * architectures); sibling lists are parsed from the `*_list` files.
 */
export interface CPUTopology {
  /** CPU number (N of `cpuN`). */
  cpu: number;
  /** `core_id`: core number within its package (not necessarily contiguous). */
  coreID?: number;
  /** `physical_package_id`: socket number. */
  physicalPackageID?: number;
  /** `die_id`: die number within the package (Linux 5.2+). */
  dieID?: number;
  /** `cluster_id`: cluster number (Linux 5.16+; 65535 or -1 when the platform has none). */
  clusterID?: number;
  /** `core_siblings_list` (alias of `package_cpus_list`): CPUs in the same package. */
  coreSiblingsList?: number[];
  /** `thread_siblings_list` (alias of `core_cpus_list`): hardware threads of the same core (SMT siblings). */
  threadSiblingsList?: number[];
  /** `die_cpus_list`: CPUs on the same die. */
  dieCpusList?: number[];
  /** `cluster_cpus_list`: CPUs in the same cluster. */
  clusterCpusList?: number[];
  /** Attributes that exist but could not be read or parsed, keyed by file name. */
  errors: AttributeErrors;
}

/** The topology files {@link buildCPUTopology} reads. */
export const CPU_TOPOLOGY_ATTRIBUTES: readonly string[] = [
  'core_id',
  'physical_package_id',
  'die_id',
  'cluster_id',
  'core_siblings_list',
  'thread_siblings_list',
  'die_cpus_list',
  'cluster_cpus_list',
];

/** Build a {@link CPUTopology} from the files of `cpuN/topology/` (pure; never throws). */
export function buildCPUTopology(cpu: number, attrs: AttrMap, dir = 'topology'): CPUTopology {
  const r = new AttrReader(attrs, dir);
  const t: CPUTopology = { cpu, errors: r.errors };
  const set = <K extends keyof CPUTopology>(k: K, v: CPUTopology[K] | undefined) => {
    if (v !== undefined) t[k] = v;
  };
  set('coreID', r.int('core_id'));
  set('physicalPackageID', r.int('physical_package_id'));
  set('dieID', r.int('die_id'));
  set('clusterID', r.int('cluster_id'));
  set('coreSiblingsList', r.cpuList('core_siblings_list'));
  set('threadSiblingsList', r.cpuList('thread_siblings_list'));
  set('dieCpusList', r.cpuList('die_cpus_list'));
  set('clusterCpusList', r.cpuList('cluster_cpus_list'));
  return t;
}

/** One row of `cpufreq/stats/time_in_state`. */
export interface CpufreqTimeInState {
  /** Frequency in kHz. */
  frequency: number;
  /** Time spent at this frequency, in the file's unit of 10 ms (USER_HZ clock ticks, 100 per second on every architecture). */
  time: number;
  /** {@link CpufreqTimeInState.time} in seconds (time / 100). */
  timeSeconds: number;
}

/** `cpufreq/stats/trans_table`: transitions between frequencies. */
export interface CpufreqTransTable {
  /** The frequencies (kHz) labelling both rows ("from") and columns ("to"). */
  frequencies: number[];
  /** `counts[i][j]`: transitions from `frequencies[i]` to `frequencies[j]`. */
  counts: number[][];
}

/** `cpufreq/stats/*` (present with CONFIG_CPU_FREQ_STAT). */
export interface CpufreqStats {
  /** `time_in_state`: time at each frequency. */
  timeInState?: CpufreqTimeInState[];
  /** `total_trans`: number of frequency transitions. */
  totalTrans?: number;
  /** `trans_table`: the transition matrix (absent when the kernel returns EFBIG for too many states: see `errors`). */
  transTable?: CpufreqTransTable;
}

/**
 * `/sys/devices/system/cpu/cpuN/cpufreq/*` of one CPU (the files of its
 * cpufreq policy). Frequencies are in kHz as the kernel gives them.
 */
export interface SystemCPUCpufreqStats {
  /** CPU number as a string (N of `cpuN`), as Go procfs names it. */
  name: string;
  /** CPU number. */
  cpu: number;
  /** `cpuinfo_cur_freq`: current frequency read from hardware, kHz (root only on many drivers). */
  cpuinfoCurrentFrequency?: number;
  /**
   * `cpuinfo_avg_freq` (Linux 6.13+, x86 APERF/MPERF and arm64 AMU): the average frequency the CPU
   * actually ran at over the last few milliseconds, kHz.
   */
  cpuinfoAverageFrequency?: number;
  /** `cpuinfo_min_freq`: lowest hardware frequency, kHz. */
  cpuinfoMinimumFrequency?: number;
  /** `cpuinfo_max_freq`: highest hardware frequency, kHz. */
  cpuinfoMaximumFrequency?: number;
  /** `cpuinfo_transition_latency`: time to switch frequency, nanoseconds. */
  cpuinfoTransitionLatency?: number;
  /** `scaling_cur_freq`: current frequency as the governor sees it, kHz. */
  scalingCurrentFrequency?: number;
  /** `scaling_min_freq`: lower limit set for the governor, kHz. */
  scalingMinimumFrequency?: number;
  /** `scaling_max_freq`: upper limit set for the governor, kHz. */
  scalingMaximumFrequency?: number;
  /** `scaling_available_governors`: governors that can be chosen. */
  availableGovernors?: string[];
  /** `scaling_available_frequencies`: frequencies the driver offers, kHz (not every driver lists them). */
  availableFrequencies?: number[];
  /** `scaling_driver`: the cpufreq driver (`intel_pstate`, `acpi-cpufreq`, `cppc_cpufreq` …). */
  driver?: string;
  /** `scaling_governor`: the active governor (`schedutil`, `performance`, `powersave` …). */
  governor?: string;
  /** `related_cpus`: CPUs sharing this policy, online or not. */
  relatedCpus?: number[];
  /** `affected_cpus`: online CPUs sharing this policy. */
  affectedCpus?: number[];
  /** `scaling_setspeed`: the userspace governor's target, kHz, or `<unsupported>`; kept as text. */
  setSpeed?: string;
  /** `energy_performance_preference` (intel_pstate, amd-pstate): e.g. `balance_performance`. */
  energyPerformancePreference?: string;
  /** `stats/*` where the kernel provides them. */
  stats?: CpufreqStats;
  /** Attributes that exist but could not be read or parsed, keyed by file name (`stats/trans_table` …). */
  errors: AttributeErrors;
}

/** The cpufreq files {@link buildCpufreq} reads (relative to `cpuN/cpufreq/`). */
export const CPUFREQ_ATTRIBUTES: readonly string[] = [
  'cpuinfo_cur_freq',
  'cpuinfo_avg_freq',
  'cpuinfo_min_freq',
  'cpuinfo_max_freq',
  'cpuinfo_transition_latency',
  'scaling_cur_freq',
  'scaling_min_freq',
  'scaling_max_freq',
  'scaling_available_governors',
  'scaling_available_frequencies',
  'scaling_driver',
  'scaling_governor',
  'related_cpus',
  'affected_cpus',
  'scaling_setspeed',
  'energy_performance_preference',
  'stats/time_in_state',
  'stats/total_trans',
  'stats/trans_table',
];

function intToken(tok: string, file: string, line: number, text: string): number {
  if (!/^\d+$/.test(tok))
    throw new ParseError(file, `expected an unsigned integer, got ${JSON.stringify(tok)}`, { line, text });
  const n = Number(tok);
  if (!Number.isSafeInteger(n)) throw new ParseError(file, `integer beyond 2^53: ${tok}`, { line, text });
  return n;
}

/**
 * Parse `cpufreq/stats/time_in_state`: lines of `<frequency kHz> <time in
 * 10 ms units>`.
 * @throws {ParseError} on a line that is not two unsigned integers.
 */
export function parseCpufreqTimeInState(text: string, file = 'time_in_state'): CpufreqTimeInState[] {
  const out: CpufreqTimeInState[] = [];
  text.split('\n').forEach((line, i) => {
    const f = line.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') return;
    if (f.length !== 2) throw new ParseError(file, 'expected "<frequency> <time>"', { line: i + 1, text: line });
    const frequency = intToken(f[0]!, file, i + 1, line);
    const time = intToken(f[1]!, file, i + 1, line);
    out.push({ frequency, time, timeSeconds: time / 100 });
  });
  return out;
}

/**
 * Parse `cpufreq/stats/trans_table`:
 * ```
 *    From  :    To
 *          :   2000000   1000000
 *   2000000:         0         3
 *   1000000:         4         0
 * ```
 * @throws {ParseError} when the header is missing or a row does not match the columns.
 */
export function parseCpufreqTransTable(text: string, file = 'trans_table'): CpufreqTransTable {
  const lines = text.split('\n');
  if (!/^\s*From\s*:\s*To\s*$/.test(lines[0] ?? '')) {
    throw new ParseError(file, 'expected the header "From : To"', { line: 1, text: lines[0] ?? '' });
  }
  const head = lines[1] ?? '';
  const hm = /^\s*:(.*)$/.exec(head);
  if (!hm) throw new ParseError(file, 'expected the column line ": <frequencies>"', { line: 2, text: head });
  const cols = hm[1]!.trim();
  const frequencies = cols === '' ? [] : cols.split(/\s+/).map((t) => intToken(t, file, 2, head));
  const counts: number[][] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const m = /^\s*(\d+)\s*:(.*)$/.exec(line);
    if (!m) throw new ParseError(file, 'expected "<frequency>: <counts>"', { line: i + 1, text: line });
    const from = intToken(m[1]!, file, i + 1, line);
    const cells = m[2]!.trim() === '' ? [] : m[2]!.trim().split(/\s+/);
    if (cells.length !== frequencies.length) {
      throw new ParseError(file, `row has ${cells.length} counts for ${frequencies.length} columns`, {
        line: i + 1,
        text: line,
      });
    }
    if (from !== frequencies[counts.length]) {
      throw new ParseError(file, 'row frequency does not match the column order', { line: i + 1, text: line });
    }
    counts.push(cells.map((c) => intToken(c, file, i + 1, line)));
  }
  if (counts.length !== frequencies.length) {
    throw new ParseError(file, `${counts.length} rows for ${frequencies.length} columns`, { text });
  }
  return { frequencies, counts };
}

function spacedCpus(r: AttrReader, file: string): number[] | undefined {
  const s = r.str(file);
  if (s === undefined) return undefined;
  const toks = s === '' ? [] : s.split(/\s+/);
  if (toks.every((t) => /^\d{1,6}$/.test(t))) return toks.map(Number);
  return r.fail(file, 'expected CPU numbers separated by spaces', s);
}

/** Build a {@link SystemCPUCpufreqStats} from the files of `cpuN/cpufreq/` (pure; never throws). */
export function buildCpufreq(cpu: number, attrs: AttrMap, dir = 'cpufreq'): SystemCPUCpufreqStats {
  const r = new AttrReader(attrs, dir);
  const out: SystemCPUCpufreqStats = { name: String(cpu), cpu, errors: r.errors };
  const set = <K extends keyof SystemCPUCpufreqStats>(k: K, v: SystemCPUCpufreqStats[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('cpuinfoCurrentFrequency', r.int('cpuinfo_cur_freq'));
  set('cpuinfoAverageFrequency', r.int('cpuinfo_avg_freq'));
  set('cpuinfoMinimumFrequency', r.int('cpuinfo_min_freq'));
  set('cpuinfoMaximumFrequency', r.int('cpuinfo_max_freq'));
  set('cpuinfoTransitionLatency', r.int('cpuinfo_transition_latency'));
  set('scalingCurrentFrequency', r.int('scaling_cur_freq'));
  set('scalingMinimumFrequency', r.int('scaling_min_freq'));
  set('scalingMaximumFrequency', r.int('scaling_max_freq'));
  const govs = r.str('scaling_available_governors');
  if (govs !== undefined) out.availableGovernors = govs === '' ? [] : govs.split(/\s+/);
  const freqs = r.str('scaling_available_frequencies');
  if (freqs !== undefined) {
    const toks = freqs === '' ? [] : freqs.split(/\s+/);
    if (toks.every((t) => /^\d+$/.test(t) && Number.isSafeInteger(Number(t))))
      out.availableFrequencies = toks.map(Number);
    else r.fail('scaling_available_frequencies', 'expected frequencies in kHz separated by spaces', freqs);
  }
  set('driver', r.str('scaling_driver'));
  set('governor', r.str('scaling_governor'));
  // related_cpus and affected_cpus are space-separated CPU numbers (cpufreq_show_cpus), not ranges.
  set('relatedCpus', spacedCpus(r, 'related_cpus'));
  set('affectedCpus', spacedCpus(r, 'affected_cpus'));
  set('setSpeed', r.str('scaling_setspeed'));
  set('energyPerformancePreference', r.str('energy_performance_preference'));

  const stats: CpufreqStats = {};
  const tis = r.str('stats/time_in_state');
  if (tis !== undefined) {
    try {
      stats.timeInState = parseCpufreqTimeInState(tis, join(dir, 'stats/time_in_state'));
    } catch (err) {
      r.errors['stats/time_in_state'] = err as RaingaugeError;
    }
  }
  const total = r.int('stats/total_trans');
  if (total !== undefined) stats.totalTrans = total;
  const tt = attrs.get('stats/trans_table');
  if (typeof tt === 'string') {
    try {
      stats.transTable = parseCpufreqTransTable(tt, join(dir, 'stats/trans_table'));
    } catch (err) {
      r.errors['stats/trans_table'] = err as RaingaugeError;
    }
  } else if (tt !== undefined) r.errors['stats/trans_table'] = tt;
  if (Object.keys(stats).length > 0) out.stats = stats;
  return out;
}

/**
 * `/sys/devices/system/cpu/cpuN/thermal_throttle/*` (x86 with the thermal
 * interrupt, arch/x86/kernel/cpu/mce/therm_throt.c): how often and how long
 * the core and its package were throttled for heat since boot.
 */
export interface CPUThermalThrottle {
  /** CPU number. */
  cpu: number;
  /** `core_throttle_count`: times this core went above its thermal limit. */
  coreThrottleCount?: number;
  /** `core_throttle_max_time_ms`: longest single core throttling episode, ms (Linux 5.17+). */
  coreThrottleMaxTimeMs?: number;
  /** `core_throttle_total_time_ms`: total core throttling time, ms (5.17+). */
  coreThrottleTotalTimeMs?: number;
  /** `package_throttle_count`: times the package went above its thermal limit. */
  packageThrottleCount?: number;
  /** `package_throttle_max_time_ms`: longest package throttling episode, ms (5.17+). */
  packageThrottleMaxTimeMs?: number;
  /** `package_throttle_total_time_ms`: total package throttling time, ms (5.17+). */
  packageThrottleTotalTimeMs?: number;
  /** Attributes that exist but could not be read or parsed, keyed by file name. */
  errors: AttributeErrors;
}

const THROTTLE_ATTRS: [string, keyof CPUThermalThrottle][] = [
  ['core_throttle_count', 'coreThrottleCount'],
  ['core_throttle_max_time_ms', 'coreThrottleMaxTimeMs'],
  ['core_throttle_total_time_ms', 'coreThrottleTotalTimeMs'],
  ['package_throttle_count', 'packageThrottleCount'],
  ['package_throttle_max_time_ms', 'packageThrottleMaxTimeMs'],
  ['package_throttle_total_time_ms', 'packageThrottleTotalTimeMs'],
];

/** The files {@link buildCPUThermalThrottle} reads. */
export const CPU_THERMAL_THROTTLE_ATTRIBUTES: readonly string[] = THROTTLE_ATTRS.map(([f]) => f);

/** Build a {@link CPUThermalThrottle} from the files of `cpuN/thermal_throttle/` (pure; never throws). */
export function buildCPUThermalThrottle(cpu: number, attrs: AttrMap, dir = 'thermal_throttle'): CPUThermalThrottle {
  const r = new AttrReader(attrs, dir);
  const out: CPUThermalThrottle = { cpu, errors: r.errors };
  const o = out as unknown as Record<string, unknown>;
  for (const [file, field] of THROTTLE_ATTRS) {
    const v = r.int(file);
    if (v !== undefined) o[field] = v;
  }
  return out;
}
