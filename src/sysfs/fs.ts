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
 * The readers are synchronous: each item (an interface, a CPU, a chip)
 * costs a few dozen small file reads, well under a millisecond to a few
 * milliseconds. Collection readers have an `…Async` twin that reads one item
 * per event-loop turn, so a host with hundreds of interfaces never blocks the
 * loop for the whole class.
 * @module
 */
import { existsSync, readlinkSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InvalidArgumentError, NotFoundError, ParseError, RaingaugeError } from '../errors.js';
import {
  type AttrValue,
  listDir,
  parseCpuList,
  readAllAttrs,
  readAttrs,
  readWhole,
  SysfsAttributeError,
  sysfsError,
} from './attr.js';
import {
  type BlockDevice,
  type BlockQueueStats,
  buildBlockDevice,
  buildBlockQueueStats,
  type Diskstats,
  type IOStats,
  parseBlockStat,
  parseDiskstats,
} from './block.js';
import {
  buildCPUThermalThrottle,
  buildCPUTopology,
  buildCpufreq,
  CPU_THERMAL_THROTTLE_ATTRIBUTES,
  CPU_TOPOLOGY_ATTRIBUTES,
  CPUFREQ_ATTRIBUTES,
  type CPUThermalThrottle,
  type CPUTopology,
  type SystemCPUCpufreqStats,
} from './cpu.js';
import { buildDMIClass, type DMIClass, isDMIAttribute } from './dmi.js';
import { buildHwmonChip, type HwmonChip, type HwmonSensor, isHwmonAttribute } from './hwmon.js';
import { buildMdraid, MDRAID_ATTRIBUTES, MDRAID_MEMBER_ATTRIBUTES, type Mdraid } from './md.js';
import { buildNetClassIface, type NetClass, type NetClassIface, netClassAttributeNames } from './net_class.js';
import { buildNVMeDevice, NVME_ATTRIBUTES, type NVMeDevice } from './nvme.js';
import { buildPciDevice, PCI_ATTRIBUTES, type PciDevice } from './pci.js';
import { buildPowerSupply, isPowerSupplyAttribute, type PowerSupply, type PowerSupplyClass } from './power_supply.js';
import { type ClockSource, parseClockSource, parseVulnerability, type Vulnerability } from './system_devices.js';
import {
  buildCoolingDevice,
  buildThermalZone,
  type ClassCoolingDeviceStats,
  type ClassThermalZoneStats,
  isThermalZoneAttribute,
} from './thermal.js';
import { buildWatchdog, WATCHDOG_ATTRIBUTES, type WatchdogStats } from './watchdog.js';

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
  return { '.': err instanceof RaingaugeError ? err : sysfsError(err, path) };
}

/** Map `names` through `fn`, one item per event-loop turn (setImmediate between items). */
async function sliced<T, R>(names: T[], fn: (name: T) => R): Promise<R[]> {
  const out: R[] = [];
  for (const n of names) {
    out.push(fn(n));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

/** A sysfs mount point (plus the procfs mount point used for `/proc/diskstats`). */
export class SysFS {
  /** The sysfs mount point, e.g. `/sys` or a fixture directory. */
  readonly mountPoint: string;
  /** The procfs mount point used for `/proc/diskstats`. */
  readonly procMountPoint: string;

  /**
   * @param mountPoint where sysfs is mounted (or a fixture tree).
   * @throws {NotFoundError} when `mountPoint` is not a directory (a typo would otherwise read as "no devices").
   */
  constructor(mountPoint = '/sys', options: SysFSOptions = {}) {
    if (!statSync(mountPoint, { throwIfNoEntry: false })?.isDirectory()) {
      throw new NotFoundError(mountPoint, `sysfs mount point ${mountPoint} is not a directory (is sysfs mounted?)`);
    }
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
   * does not exist; an interface deleted while it is being read is left out.
   */
  netClass(): NetClass {
    const out: NetClass = new Map();
    for (const name of this.netClassDevices()) {
      const i = this.readNetIface(name);
      if (i) out.set(name, i);
    }
    return out;
  }

  /**
   * {@link SysFS.netClass}, yielding to the event loop between interfaces
   * (for hosts with hundreds of veths, where the whole class takes tens of ms).
   */
  async netClassAsync(): Promise<NetClass> {
    const items = await sliced(this.netClassDevices(), (name) => this.readNetIface(name));
    return new Map(items.filter((i) => i !== undefined).map((i) => [i.name, i]));
  }

  /**
   * One interface of `/sys/class/net`.
   * @throws {NotFoundError} when there is no such interface.
   * @throws {InvalidArgumentError} when `name` is not a plain name.
   */
  netClassByIface(name: string): NetClassIface {
    checkName('interface', name);
    const i = this.readNetIface(name);
    if (i === undefined) {
      throw new NotFoundError(
        this.path('class/net', name),
        `no network interface ${JSON.stringify(name)} in ${this.path('class/net')}`,
      );
    }
    return i;
  }

  /** One interface, or `undefined` when its directory vanished (the interface was deleted mid-scan). */
  private readNetIface(name: string): NetClassIface | undefined {
    const dir = this.path('class/net', name);
    try {
      const entries = listDir(dir);
      if (entries === undefined) return undefined;
      // read only the known attributes that exist (saves an ENOENT per missing one); a directory where an
      // attribute belongs is read anyway so that its EISDIR is recorded
      const present = new Set(entries.map((e) => e.name));
      let stats: string[] = [];
      let statsError: RaingaugeError | undefined;
      try {
        stats = (listDir(join(dir, 'statistics')) ?? []).filter((e) => e.isFile || e.isDir).map((e) => e.name);
      } catch (err) {
        statsError = err instanceof RaingaugeError ? err : sysfsError(err, join(dir, 'statistics'));
      }
      const attrs = readAttrs(
        dir,
        netClassAttributeNames(stats).filter((n) => n.startsWith('statistics/') || present.has(n)),
      );
      if (statsError) attrs.set('statistics', statsError);
      // Deleted while we read it: a partial item would mislead, drop it (the next scan will not see it
      // either). While a device unregisters, net-sysfs answers EINVAL to every attribute (dev_isalive() is
      // false) before its directory goes away; ifindex and the counters never give EINVAL otherwise.
      if (!existsSync(dir)) return undefined;
      for (const [k, v] of attrs) {
        if (
          (k === 'ifindex' || k.startsWith('statistics/')) &&
          v instanceof SysfsAttributeError &&
          v.errnoName === 'EINVAL'
        ) {
          return undefined;
        }
      }
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
   * `/sys/block/<device>/stat` (or `/sys/block/<device>/<partition>/stat`):
   * the device's or partition's I/O counters.
   * @throws {NotFoundError} for an unknown device or partition, {ParseError} for a malformed file.
   */
  blockDeviceStat(device: string, partition?: string): IOStats {
    checkName('block device', device);
    const parts = ['block', device];
    if (partition !== undefined) {
      checkName('partition', partition);
      parts.push(partition);
    }
    return parseBlockStat(this.readText(...parts, 'stat'), this.path(...parts, 'stat'));
  }

  /**
   * `/sys/block/<device>/{dev,size,ro,removable}` and its partitions.
   * @throws {NotFoundError} when the device does not exist.
   */
  blockDevice(device: string): BlockDevice {
    checkName('block device', device);
    const dir = this.path('block', device);
    const entries = listDir(dir);
    if (entries === undefined)
      throw new NotFoundError(dir, `no block device ${JSON.stringify(device)} in ${this.path('block')}`);
    const partitions = entries
      .filter((e) => !e.isFile && !e.isLink && listDir(join(dir, e.name))?.some((x) => x.name === 'partition'))
      .map((e) => e.name);
    return buildBlockDevice(device, readAttrs(dir, ['dev', 'size', 'ro', 'removable']), partitions, dir);
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
    return this.cpus()
      .map((cpu) => this.readTopology(cpu))
      .filter((t) => t !== undefined);
  }

  /** {@link SysFS.cpuTopologies}, yielding to the event loop between CPUs. */
  async cpuTopologiesAsync(): Promise<CPUTopology[]> {
    return (await sliced(this.cpus(), (cpu) => this.readTopology(cpu))).filter((t) => t !== undefined);
  }

  private readTopology(cpu: number): CPUTopology | undefined {
    const dir = this.path('devices/system/cpu', `cpu${cpu}`, 'topology');
    try {
      if (listDir(dir) === undefined) return undefined;
      return buildCPUTopology(cpu, readAttrs(dir, CPU_TOPOLOGY_ATTRIBUTES), dir);
    } catch (err) {
      return { cpu, errors: itemError(err, dir) };
    }
  }

  /**
   * `cpuN/thermal_throttle/*` of one CPU (Go procfs `CPU.ThermalThrottle`).
   * @throws {NotFoundError} when the CPU has no such directory (non-x86, most VMs).
   */
  cpuThermalThrottle(cpu: number): CPUThermalThrottle {
    checkCpu(cpu);
    const dir = this.path('devices/system/cpu', `cpu${cpu}`, 'thermal_throttle');
    if (listDir(dir) === undefined)
      throw new NotFoundError(dir, `no thermal throttle counters for CPU ${cpu} (${dir})`);
    return buildCPUThermalThrottle(cpu, readAttrs(dir, CPU_THERMAL_THROTTLE_ATTRIBUTES), dir);
  }

  /** Thermal throttle counters of every CPU that has them (empty on non-x86 and most VMs). */
  cpuThermalThrottles(): CPUThermalThrottle[] {
    const out: CPUThermalThrottle[] = [];
    for (const cpu of this.cpus()) {
      const dir = this.path('devices/system/cpu', `cpu${cpu}`, 'thermal_throttle');
      try {
        if (listDir(dir) === undefined) continue;
        out.push(buildCPUThermalThrottle(cpu, readAttrs(dir, CPU_THERMAL_THROTTLE_ATTRIBUTES), dir));
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
    return this.cpus()
      .map((cpu) => this.readCpufreq(cpu))
      .filter((c) => c !== undefined);
  }

  /** {@link SysFS.systemCpufreq}, yielding to the event loop between CPUs. */
  async systemCpufreqAsync(): Promise<SystemCPUCpufreqStats[]> {
    return (await sliced(this.cpus(), (cpu) => this.readCpufreq(cpu))).filter((c) => c !== undefined);
  }

  private readCpufreq(cpu: number): SystemCPUCpufreqStats | undefined {
    const dir = this.path('devices/system/cpu', `cpu${cpu}`, 'cpufreq');
    try {
      if (listDir(dir) === undefined) return undefined;
      return buildCpufreq(cpu, readAttrs(dir, CPUFREQ_ATTRIBUTES), dir);
    } catch (err) {
      return { name: String(cpu), cpu, errors: itemError(err, dir) };
    }
  }

  // ---------------------------------------------------------------- thermal

  private thermalZones(): string[] {
    return this.classMembers(this.path('class/thermal'), /^thermal_zone\d+$/);
  }

  /** Every `class/thermal/thermal_zone<N>` (Go procfs `ClassThermalZoneStats`), ascending by N. Empty without the class. */
  classThermalZoneStats(): ClassThermalZoneStats[] {
    return this.thermalZones().map((d) => this.readThermalZone(d));
  }

  /** {@link SysFS.classThermalZoneStats}, yielding to the event loop between zones. */
  classThermalZoneStatsAsync(): Promise<ClassThermalZoneStats[]> {
    return sliced(this.thermalZones(), (d) => this.readThermalZone(d));
  }

  private readThermalZone(d: string): ClassThermalZoneStats {
    const name = d.slice('thermal_zone'.length);
    const dir = this.path('class/thermal', d);
    try {
      return buildThermalZone(name, readAllAttrs(dir, new Set(['uevent']), isThermalZoneAttribute) ?? new Map(), dir);
    } catch (err) {
      return { name, tripPoints: [], errors: itemError(err, dir) };
    }
  }

  private coolingDevices(): string[] {
    return this.classMembers(this.path('class/thermal'), /^cooling_device\d+$/);
  }

  /** Every `class/thermal/cooling_device<N>` (Go procfs `ClassCoolingDeviceStats`), ascending by N. */
  classCoolingDeviceStats(): ClassCoolingDeviceStats[] {
    return this.coolingDevices().map((d) => this.readCoolingDevice(d));
  }

  /** {@link SysFS.classCoolingDeviceStats}, yielding to the event loop between devices. */
  classCoolingDeviceStatsAsync(): Promise<ClassCoolingDeviceStats[]> {
    return sliced(this.coolingDevices(), (d) => this.readCoolingDevice(d));
  }

  private readCoolingDevice(d: string): ClassCoolingDeviceStats {
    const name = d.slice('cooling_device'.length);
    const dir = this.path('class/thermal', d);
    try {
      return buildCoolingDevice(name, readAttrs(dir, ['type', 'cur_state', 'max_state']), dir);
    } catch (err) {
      return { name, errors: itemError(err, dir) };
    }
  }

  // ---------------------------------------------------------------- power supply

  /** Every supply of `class/power_supply` with all its attributes (Go procfs `PowerSupplyClass`). Empty without supplies. */
  powerSupplyClass(): PowerSupplyClass {
    return new Map(this.classMembers(this.path('class/power_supply')).map((n) => [n, this.readPowerSupply(n)]));
  }

  /** {@link SysFS.powerSupplyClass}, yielding to the event loop between supplies. */
  async powerSupplyClassAsync(): Promise<PowerSupplyClass> {
    const names = this.classMembers(this.path('class/power_supply'));
    const items = await sliced(names, (n) => this.readPowerSupply(n));
    return new Map(items.map((ps) => [ps.name, ps]));
  }

  private readPowerSupply(name: string): PowerSupply {
    const dir = this.path('class/power_supply', name);
    try {
      return buildPowerSupply(name, readAllAttrs(dir, new Set(['uevent']), isPowerSupplyAttribute) ?? new Map(), dir);
    } catch (err) {
      return { name, raw: {}, errors: itemError(err, dir) };
    }
  }

  // ---------------------------------------------------------------- hwmon

  /**
   * Every chip of `class/hwmon` with its sensors grouped (`temp1_*`,
   * `in0_*`, `fan1_*` …) and converted to SI units (see {@link HwmonSensor}).
   * Chips of old drivers that keep their files under `hwmonN/device/` are
   * read there. Empty without the class (most VMs).
   */
  hwmonChips(): HwmonChip[] {
    return this.classMembers(this.path('class/hwmon'), /^hwmon\d+$/).map((h) => this.readHwmonChip(h));
  }

  /** {@link SysFS.hwmonChips}, yielding to the event loop between chips. */
  hwmonChipsAsync(): Promise<HwmonChip[]> {
    return sliced(this.classMembers(this.path('class/hwmon'), /^hwmon\d+$/), (h) => this.readHwmonChip(h));
  }

  private readHwmonChip(h: string): HwmonChip {
    const dir = this.path('class/hwmon', h);
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

  // ---------------------------------------------------------------- system devices, watchdog, NVMe, PCI

  /**
   * Whether CPU `cpu` is online: `cpuN/online` (Go procfs `CPU.Online`), or, for a CPU without that
   * file (cpu0 on most machines cannot be taken offline), whether it is in `devices/system/cpu/online`.
   * @throws {NotFoundError} when the CPU does not exist.
   */
  cpuIsOnline(cpu: number): boolean {
    checkCpu(cpu);
    const dir = this.path('devices/system/cpu', `cpu${cpu}`);
    if (listDir(dir) === undefined) throw new NotFoundError(dir, `no CPU ${cpu} (${dir} does not exist)`);
    const v = readAttrs(dir, ['online']).get('online');
    if (typeof v === 'string') {
      const t = v.trim();
      if (t === '0' || t === '1') return t === '1';
      throw new ParseError(join(dir, 'online'), 'expected 0 or 1', { text: v });
    }
    if (v !== undefined) throw v;
    return this.cpuOnline().includes(cpu);
  }

  /**
   * `devices/system/clocksource/clocksourceN` (Go procfs `ClockSources`): the clock sources available
   * and the current one, ascending by N. Empty without the directory.
   */
  clockSources(): ClockSource[] {
    const base = this.path('devices/system/clocksource');
    const out: ClockSource[] = [];
    for (const n of this.classMembers(base, /^clocksource\d+$/)) {
      const dir = join(base, n);
      out.push(
        parseClockSource(
          n.slice('clocksource'.length),
          this.readText('devices/system/clocksource', n, 'available_clocksource'),
          this.readText('devices/system/clocksource', n, 'current_clocksource'),
          dir,
        ),
      );
    }
    return out;
  }

  /**
   * `devices/system/cpu/vulnerabilities/*` (Go procfs `CPUVulnerabilities`): each known hardware
   * vulnerability and what the kernel does about it, by file name. Empty on kernels without the
   * directory (before 4.15, or architectures without `CONFIG_GENERIC_CPU_VULNERABILITIES`).
   */
  cpuVulnerabilities(): Record<string, Vulnerability> {
    const dir = this.path('devices/system/cpu/vulnerabilities');
    const out: Record<string, Vulnerability> = Object.create(null);
    for (const e of listDir(dir) ?? []) {
      if (!e.isFile) continue;
      const v = readAttrs(dir, [e.name]).get(e.name);
      if (v === undefined) continue;
      if (typeof v !== 'string') throw v;
      out[e.name] = parseVulnerability(e.name, v);
    }
    return out;
  }

  /** `class/watchdog/*` (Go procfs `WatchdogClass`), by device name ascending. Empty without the class. */
  watchdogClass(): WatchdogStats[] {
    const base = this.path('class/watchdog');
    return this.classMembers(base).map((n) => {
      const dir = join(base, n);
      try {
        return buildWatchdog(n, readAttrs(dir, WATCHDOG_ATTRIBUTES), dir);
      } catch (err) {
        return { name: n, errors: itemError(err, dir) };
      }
    });
  }

  /** `class/nvme/*` (Go procfs `NVMeClass`): NVMe controllers by name ascending. Empty without NVMe. */
  nvmeClass(): NVMeDevice[] {
    const base = this.path('class/nvme');
    return this.classMembers(base).map((n) => {
      const dir = join(base, n);
      try {
        return buildNVMeDevice(n, readAttrs(dir, NVME_ATTRIBUTES), dir);
      } catch (err) {
        return { name: n, errors: itemError(err, dir) };
      }
    });
  }

  /**
   * `bus/pci/devices/*` (Go procfs `PciDevices`): every PCI device with its IDs, PCIe link, bound
   * driver and AER counters where present, by address ascending. Empty without PCI.
   */
  pciDevices(): PciDevice[] {
    const base = this.path('bus/pci/devices');
    return this.classMembers(base).map((n) => {
      const dir = join(base, n);
      try {
        let driver: string | undefined;
        try {
          driver = readlinkSync(join(dir, 'driver'));
        } catch {
          driver = undefined; // no driver bound
        }
        return buildPciDevice(n, readAttrs(dir, PCI_ATTRIBUTES), driver, dir);
      } catch (err) {
        return { address: n, errors: itemError(err, dir) };
      }
    });
  }

  /**
   * Every md array under `block/md*` with its `md/` attributes and members (Go procfs `Mdraids`), by
   * device name ascending. Empty without md arrays.
   */
  mdraids(): Mdraid[] {
    const base = this.path('block');
    const out: Mdraid[] = [];
    for (const n of this.classMembers(base, /^md/)) {
      const dir = join(base, n, 'md');
      try {
        const entries = listDir(dir);
        if (entries === undefined) continue;
        const members = entries.filter((e) => !e.isFile && e.name.startsWith('dev-')).map((e) => e.name.slice(4));
        const attrs = readAttrs(dir, [
          ...MDRAID_ATTRIBUTES,
          ...members.flatMap((m) => MDRAID_MEMBER_ATTRIBUTES.map((a) => `dev-${m}/${a}`)),
        ]);
        out.push(buildMdraid(n, attrs, members, dir));
      } catch (err) {
        out.push({ device: n, components: [], errors: itemError(err, dir) });
      }
    }
    return out;
  }
}
