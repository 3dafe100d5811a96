/**
 * `/sys/bus/pci/devices/<address>/*`: PCI devices (drivers/pci/pci-sysfs.c) with their PCIe link
 * and, where the kernel has AER (`CONFIG_PCIEAER`) and the device reports it, the Advanced Error
 * Reporting counters (`aer_dev_correctable`, `aer_dev_fatal`, `aer_dev_nonfatal`:
 * drivers/pci/pcie/aer.c, one `Name count` line per error type and a `TOTAL_ERR_*` line).
 *
 * Go procfs (sysfs): `FS.PciDevices()` → `PciDevice` (with `AerCounters`).
 * @module
 */
import { type AttributeErrors, type AttrMap, AttrReader } from './attr.js';

/** AER counters of one kind (correctable, fatal or non-fatal): error name → count since boot. */
export interface PciAerCounters {
  /** Count per error type as the kernel names it (`RxErr`, `BadTLP`, `Timeout`, `DLP`, `ECRC` …). */
  byType: Record<string, number>;
  /** The `TOTAL_ERR_COR` / `TOTAL_ERR_FATAL` / `TOTAL_ERR_NONFATAL` line. */
  total: number;
}

/** One PCI device (Go procfs: `PciDevice`). Absent fields: the device or kernel does not provide them. */
export interface PciDevice {
  /** The device's address `domain:bus:device.function` (`0000:00:03.0`). */
  address: string;
  /** `class`: class code, e.g. 0x020000 (Ethernet controller). */
  class?: number;
  /** `vendor`: vendor ID (0x8086 Intel, 0x1af4 virtio …). */
  vendor?: number;
  /** `device`: device ID. */
  device?: number;
  /** `subsystem_vendor`. */
  subsystemVendor?: number;
  /** `subsystem_device`. */
  subsystemDevice?: number;
  /** `revision`. */
  revision?: number;
  /** `numa_node`: NUMA node of the device, -1 when unknown. */
  numaNode?: number;
  /** `current_link_speed` as written (`8.0 GT/s PCIe`); PCIe only. */
  currentLinkSpeed?: string;
  /** `max_link_speed` as written. */
  maxLinkSpeed?: string;
  /** `current_link_width`: lanes in use. */
  currentLinkWidth?: number;
  /** `max_link_width`: lanes the device supports. */
  maxLinkWidth?: number;
  /** `power_state`: `D0`, `D3hot`, `D3cold` … */
  powerState?: string;
  /** `enable`: how many times the device was enabled by drivers (0 = disabled). */
  enable?: number;
  /** The bound driver (last part of the `driver` link), absent when none. */
  driver?: string;
  /** `aer_dev_correctable`. */
  aerCorrectable?: PciAerCounters;
  /** `aer_dev_fatal`. */
  aerFatal?: PciAerCounters;
  /** `aer_dev_nonfatal`. */
  aerNonFatal?: PciAerCounters;
  /** Attributes that exist but could not be read or parsed. */
  errors: AttributeErrors;
}

/** The files {@link buildPciDevice} reads. */
export const PCI_ATTRIBUTES: readonly string[] = [
  'class',
  'vendor',
  'device',
  'subsystem_vendor',
  'subsystem_device',
  'revision',
  'numa_node',
  'current_link_speed',
  'max_link_speed',
  'current_link_width',
  'max_link_width',
  'power_state',
  'enable',
  'aer_dev_correctable',
  'aer_dev_fatal',
  'aer_dev_nonfatal',
];

function aer(r: AttrReader, name: string): PciAerCounters | undefined {
  const s = r.str(name);
  if (s === undefined) return undefined;
  const byType: Record<string, number> = Object.create(null);
  let total: number | undefined;
  for (const line of s.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(\w+)\s+(\d+)$/.exec(line.trim());
    if (!m || !Number.isSafeInteger(Number(m[2]))) return r.fail(name, 'expected "ErrorName count" lines', line);
    if (m[1]!.startsWith('TOTAL_ERR_')) total = Number(m[2]);
    else byType[m[1]!] = Number(m[2]);
  }
  if (total === undefined) return r.fail(name, 'no TOTAL_ERR_* line', s);
  return { byType, total };
}

/**
 * Build a {@link PciDevice} from the attributes of `bus/pci/devices/<address>` and the target of its
 * `driver` link (pure; never throws).
 */
export function buildPciDevice(
  address: string,
  attrs: AttrMap,
  driverLink: string | undefined,
  dir = address,
): PciDevice {
  const r = new AttrReader(attrs, dir);
  const out: PciDevice = { address, errors: r.errors };
  const set = <K extends keyof PciDevice>(k: K, v: PciDevice[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('class', r.int('class', true));
  set('vendor', r.int('vendor', true));
  set('device', r.int('device', true));
  set('subsystemVendor', r.int('subsystem_vendor', true));
  set('subsystemDevice', r.int('subsystem_device', true));
  set('revision', r.int('revision', true));
  set('numaNode', r.int('numa_node'));
  set('currentLinkSpeed', r.str('current_link_speed'));
  set('maxLinkSpeed', r.str('max_link_speed'));
  set('currentLinkWidth', r.int('current_link_width'));
  set('maxLinkWidth', r.int('max_link_width'));
  set('powerState', r.str('power_state'));
  set('enable', r.int('enable'));
  if (driverLink !== undefined) out.driver = driverLink.split('/').pop()!;
  set('aerCorrectable', aer(r, 'aer_dev_correctable'));
  set('aerFatal', aer(r, 'aer_dev_fatal'));
  set('aerNonFatal', aer(r, 'aer_dev_nonfatal'));
  return out;
}
