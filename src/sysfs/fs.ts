/**
 * `SysFS`: typed access to a sysfs mount (default `/sys`) and, for
 * `/proc/diskstats`, a procfs mount (default `/proc`). Every reader takes its
 * paths from the mount points, so it runs unchanged on a fixture tree.
 *
 * Error policy:
 * - One attribute that cannot be read or parsed never fails its class or its
 *   item: it is recorded in the item's `errors` (attribute file → typed
 *   error) and its field is absent.
 * - A class directory that does not exist (`class/hwmon` on a VM, `class/dmi`
 *   on hardware without SMBIOS) gives an empty collection. Readers of one
 *   named thing (`netClassByIface('eth9')`, `blockQueueStats('sdz')`,
 *   `dmiClass()`) throw {@link NotFoundError} instead.
 * - A class directory that cannot be listed throws the typed error
 *   ({@link PermissionError} …).
 *
 * The readers are synchronous: each reads a few dozen small files
 * (typically well under a millisecond per item).
 * @module
 */
import { readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InvalidArgumentError, NotFoundError, type RaingaugeError } from '../errors.js';
import { type AttrValue, listDir, parseCpuList, readAllAttrs, readAttrs, readWhole, sysfsError } from './attr.js';
import {
  type BlockQueueStats,
  buildBlockQueueStats,
  type Diskstats,
  type IOStats,
  parseBlockStat,
  parseDiskstats,
} from './block.js';
import {
  buildCPUTopology,
  buildCpufreq,
  CPU_TOPOLOGY_ATTRIBUTES,
  CPUFREQ_ATTRIBUTES,
  type CPUTopology,
  type SystemCPUCpufreqStats,
} from './cpu.js';
import { buildDMIClass, type DMIClass, isDMIAttribute } from './dmi.js';
import { buildHwmonChip, type HwmonChip, type HwmonSensor, isHwmonAttribute } from './hwmon.js';
import { buildNetClassIface, type NetClass, type NetClassIface, netClassAttributeNames } from './net_class.js';
import { buildPowerSupply, isPowerSupplyAttribute, type PowerSupply, type PowerSupplyClass } from './power_supply.js';
import {
  buildCoolingDevice,
  buildThermalZone,
  type ClassCoolingDeviceStats,
  type ClassThermalZoneStats,
  isThermalZoneAttribute,
} from './thermal.js';

/** Options of {@link SysFS}. */
export interface SysFSOptions {
  /** procfs mount point for `/proc/diskstats` (default `/proc`). */
  procMountPoint?: string;
}

function checkName(what: string, name: string): void {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\0]/.test(name)) {
    throw new InvalidArgumentError(
      `invalid ${what} name ${JSON.stringify(name)}: expected a plain name like "eth0"`,
      name,
    );
  }
}

function checkCpu(cpu: number): void {
  if (!Number.isSafeInteger(cpu) || cpu < 0) {
    throw new InvalidArgumentError(`invalid CPU number ${String(cpu)}: expected an integer ≥ 0`, cpu);
  }
}

/** An item-level failure (its directory could not be listed) recorded under the key `.`. */
function itemError(err: unknown, path: string): Record<string, RaingaugeError> {
  const e =
    err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_RAINGAUGE')
      ? (err as RaingaugeError)
      : sysfsError(err, path);
  return { '.': e };
}

/** A sysfs mount point (plus the procfs mount point used for `/proc/diskstats`). */
export class SysFS {
  /** The sysfs mount point, e.g. `/sys` or a fixture directory. */
  readonly mountPoint: string;
  /** The procfs mount point used for `/proc/diskstats`. */
  readonly procMountPoint: string;

  constructor(mountPoint = '/sys', options: SysFSOptions = {}) {
    this.mountPoint = mountPoint;
    this.procMountPoint = options.procMountPoint ?? '/proc';
  }

  /** Absolute path of a file below the sysfs mount point. */
  path(...parts: (string | number)[]): string {
    return join(this.mountPoint, ...parts.map(String));
  }

  /** Read one file below the mount point whole as text; typed errors (NotFoundError, PermissionError, SysfsAttributeError). */
  readText(...parts: (string | number)[]): string {
    const p = this.path(...parts);
    try {
      return readWhole(p);
    } catch (err) {
      throw sysfsError(err, p);
    }
  }

  /** Names of the entries of a class directory that are devices (directories or links), naturally sorted. */
  private classMembers(dir: string, pattern?: RegExp): string[] {
    const entries = listDir(dir);
    if (entries === undefined) return [];
    return entries.filter((e) => !e.isFile && (pattern === undefined || pattern.test(e.name))).map((e) => e.name);
  }

  // ---------------------------------------------------------------- net class

  /** Interface names in `/sys/class/net` (regular files such as `bonding_masters` are skipped). */
  netClassDevices(): string[] {
    return this.classMembers(this.path('class/net'));
  }

  /**
   * Every interface of `/sys/class/net` with its attributes and
   * `statistics/*` counters (Go procfs `NetClass`). Empty when the directory
   * does not exist.
   */
  netClass(): NetClass {
    const out: NetClass = new Map();
    for (const name of this.netClassDevices()) out.set(name, this.readNetIface(name));
    return out;
  }

  /**
   * One interface of `/sys/class/net`.
   * @throws {NotFoundError} when there is no such interface.
   * @throws {InvalidArgumentError} when `name` is not a plain name.
   */
  netClassByIface(name: string): NetClassIface {
    checkName('interface', name);
    if (listDir(this.path('class/net', name)) === undefined) {
      throw new NotFoundError(
        this.path('class/net', name),
        `no network interface ${JSON.stringify(name)} in ${this.path('class/net')}`,
      );
    }
    return this.readNetIface(name);
  }

  private readNetIface(name: string): NetClassIface {
    const dir = this.path('class/net', name);
    let stats: string[] = [];
    const extra = new Map<string, AttrValue>();
    try {
      // a directory among the counters is an anomaly worth recording (EISDIR), not hiding
      stats = (listDir(join(dir, 'statistics')) ?? []).filter((e) => e.isFile || e.isDir).map((e) => e.name);
    } catch (err) {
      extra.set('statistics', err as RaingaugeError);
    }
    try {
      const attrs = readAttrs(dir, netClassAttributeNames(stats));
      for (const [k, v] of extra) attrs.set(k, v);
      return buildNetClassIface(name, attrs, dir);
    } catch (err) {
      return { name, statistics: {}, errors: itemError(err, dir) };
    }
  }

  // ---------------------------------------------------------------- block

  /**
   * `/proc/diskstats` of the procfs mount (every disk and partition).
   * @throws {NotFoundError}, {PermissionError} when the file cannot be read, {ParseError} on a malformed line.
   */
  diskstats(): Diskstats[] {
    const p = join(this.procMountPoint, 'diskstats');
    let text: string;
    try {
      text = readWhole(p);
    } catch (err) {
      throw sysfsError(err, p);
    }
    return parseDiskstats(text, p);
  }

  /** Whole-disk block device names in `/sys/block` (partitions are not listed there). */
  blockDevices(): string[] {
    return this.classMembers(this.path('block'));
  }

  /**
   * `/sys/block/<device>/stat`: the device's I/O counters.
   * @throws {NotFoundError} for an unknown device, {ParseError} for a malformed file.
   */
  blockDeviceStat(device: string): IOStats {
    checkName('block device', device);
    const p = this.path('block', device, 'stat');
    return parseBlockStat(this.readText('block', device, 'stat'), p);
  }

  /**
   * `/sys/block/<device>/queue/*`: the request queue's settings and limits.
   * @throws {NotFoundError} when the device (or its queue directory) does not exist.
   */
  blockQueueStats(device: string): BlockQueueStats {
    checkName('block device', device);
    const dir = this.path('block', device, 'queue');
    const attrs = readAllAttrs(dir);
    if (attrs === undefined) throw new NotFoundError(dir, `no block device queue ${dir}`);
    return buildBlockQueueStats(attrs, dir);
  }

  // ---------------------------------------------------------------- cpu

  /** CPU numbers that have a `/sys/devices/system/cpu/cpuN` directory, ascending. */
  cpus(): number[] {
    return this.classMembers(this.path('devices/system/cpu'), /^cpu\d+$/)
      .map((n) => Number(n.slice(3)))
      .sort((a, b) => a - b);
  }

  private cpuListFile(file: string): number[] {
    const p = this.path('devices/system/cpu', file);
    return parseCpuList(this.readText('devices/system/cpu', file), p);
  }

  /** `/sys/devices/system/cpu/online`: CPUs online now. */
  cpuOnline(): number[] {
    return this.cpuListFile('online');
  }

  /** `/sys/devices/system/cpu/offline`: CPUs possible but not online. */
  cpuOffline(): number[] {
    return this.cpuListFile('offline');
  }

  /** `/sys/devices/system/cpu/possible`: CPUs that could ever be online (resources allocated at boot). */
  cpuPossible(): number[] {
    return this.cpuListFile('possible');
  }

  /** `/sys/devices/system/cpu/present`: CPUs physically present. */
  cpuPresent(): number[] {
    return this.cpuListFile('present');
  }

  /** `/sys/devices/system/cpu/isolated`: CPUs isolated from scheduling (`isolcpus=`), Go procfs `IsolatedCPUs`. */
  cpuIsolated(): number[] {
    return this.cpuListFile('isolated');
  }

  /**
   * `/sys/devices/system/cpu/cpuN/topology/*` of one CPU.
   * @throws {NotFoundError} when the CPU (or its topology directory: offline CPUs on some kernels) does not exist.
   */
  cpuTopology(cpu: number): CPUTopology {
    checkCpu(cpu);
    const dir = this.path('devices/system/cpu', `cpu${cpu}`, 'topology');
    if (listDir(dir) === undefined) throw new NotFoundError(dir, `no topology for CPU ${cpu} (${dir})`);
    return buildCPUTopology(cpu, readAttrs(dir, CPU_TOPOLOGY_ATTRIBUTES), dir);
  }

  /** Topology of every CPU that has a `topology` directory, ascending by CPU. */
  cpuTopologies(): CPUTopology[] {
    const out: CPUTopology[] = [];
    for (const cpu of this.cpus()) {
      const dir = this.path('devices/system/cpu', `cpu${cpu}`, 'topology');
      try {
        if (listDir(dir) === undefined) continue;
        out.push(buildCPUTopology(cpu, readAttrs(dir, CPU_TOPOLOGY_ATTRIBUTES), dir));
      } catch (err) {
        out.push({ cpu, errors: itemError(err, dir) });
      }
    }
    return out;
  }

  /**
   * `cpuN/cpufreq/*` (with `stats/*` where present) of every CPU that has a
   * cpufreq directory (Go procfs `SystemCpufreq`). Empty on machines without
   * cpufreq (most VMs).
   */
  systemCpufreq(): SystemCPUCpufreqStats[] {
    const out: SystemCPUCpufreqStats[] = [];
    for (const cpu of this.cpus()) {
      const dir = this.path('devices/system/cpu', `cpu${cpu}`, 'cpufreq');
      try {
        if (listDir(dir) === undefined) continue;
        out.push(buildCpufreq(cpu, readAttrs(dir, CPUFREQ_ATTRIBUTES), dir));
      } catch (err) {
        out.push({ name: String(cpu), cpu, errors: itemError(err, dir) });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- thermal

  /** Every `class/thermal/thermal_zone<N>` (Go procfs `ClassThermalZoneStats`), ascending by N. */
  classThermalZoneStats(): ClassThermalZoneStats[] {
    const base = this.path('class/thermal');
    return this.classMembers(base, /^thermal_zone\d+$/).map((d) => {
      const name = d.slice('thermal_zone'.length);
      const dir = join(base, d);
      try {
        return buildThermalZone(name, readAllAttrs(dir, new Set(['uevent']), isThermalZoneAttribute) ?? new Map(), dir);
      } catch (err) {
        return { name, tripPoints: [], errors: itemError(err, dir) };
      }
    });
  }

  /** Every `class/thermal/cooling_device<N>` (Go procfs `ClassCoolingDeviceStats`), ascending by N. */
  classCoolingDeviceStats(): ClassCoolingDeviceStats[] {
    const base = this.path('class/thermal');
    return this.classMembers(base, /^cooling_device\d+$/).map((d) => {
      const name = d.slice('cooling_device'.length);
      const dir = join(base, d);
      try {
        return buildCoolingDevice(name, readAttrs(dir, ['type', 'cur_state', 'max_state']), dir);
      } catch (err) {
        return { name, errors: itemError(err, dir) };
      }
    });
  }

  // ---------------------------------------------------------------- power supply

  /** Every supply of `class/power_supply` with all its attributes (Go procfs `PowerSupplyClass`). */
  powerSupplyClass(): PowerSupplyClass {
    const base = this.path('class/power_supply');
    const out: PowerSupplyClass = new Map();
    for (const name of this.classMembers(base)) {
      const dir = join(base, name);
      let ps: PowerSupply;
      try {
        ps = buildPowerSupply(name, readAllAttrs(dir, new Set(['uevent']), isPowerSupplyAttribute) ?? new Map(), dir);
      } catch (err) {
        ps = { name, raw: {}, errors: itemError(err, dir) };
      }
      out.set(name, ps);
    }
    return out;
  }

  // ---------------------------------------------------------------- hwmon

  /**
   * Every chip of `class/hwmon` with its sensors grouped (`temp1_*`,
   * `in0_*`, `fan1_*` …) and converted to SI units (see {@link HwmonSensor}).
   * Chips of old drivers that keep their files under `hwmonN/device/` are read there.
   */
  hwmonChips(): HwmonChip[] {
    const base = this.path('class/hwmon');
    return this.classMembers(base, /^hwmon\d+$/).map((h) => {
      const dir = join(base, h);
      try {
        let device: string | undefined;
        try {
          device = basename(readlinkSync(join(dir, 'device')));
        } catch {
          device = undefined;
        }
        let attrs = readAllAttrs(dir, new Set(['uevent']), isHwmonAttribute) ?? new Map<string, AttrValue>();
        let from = dir;
        const hasOwn = [...attrs.keys()].some((k) => k === 'name' || /^[a-z]+\d+_/.test(k));
        if (!hasOwn) {
          const devAttrs = readAllAttrs(join(dir, 'device'), new Set(['uevent', 'modalias']), isHwmonAttribute);
          if (devAttrs !== undefined && [...devAttrs.keys()].some((k) => /^[a-z]+\d+(_|$)/.test(k))) {
            attrs = devAttrs;
            from = join(dir, 'device');
          }
        }
        return buildHwmonChip(h, attrs, device, from);
      } catch (err) {
        return { hwmon: h, sensors: [], attributes: {}, errors: itemError(err, dir) };
      }
    });
  }

  // ---------------------------------------------------------------- dmi

  /**
   * `class/dmi/id/*` (Go procfs `DMIClass`). Root-only attributes read by
   * another user are recorded in `errors` as {@link PermissionError}.
   * @throws {NotFoundError} when the machine exposes no DMI (many VMs, most non-x86 boards).
   */
  dmiClass(): DMIClass {
    const dir = this.path('class/dmi/id');
    const attrs = readAllAttrs(dir, new Set(), isDMIAttribute);
    if (attrs === undefined) {
      throw new NotFoundError(
        dir,
        `no DMI information: ${dir} does not exist (firmware without SMBIOS, or a VM that does not emulate it)`,
      );
    }
    return buildDMIClass(attrs, dir);
  }
}
