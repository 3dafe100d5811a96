/**
 * sysfs readers: network interfaces, block devices (with `/proc/diskstats`),
 * cpufreq and CPU topology, thermal zones and cooling devices, power supplies,
 * hwmon sensors and DMI. Start with {@link SysFS}.
 * @module
 */
export { type AttributeErrors, type AttrMap, type AttrValue, parseCpuList, SysfsAttributeError } from './attr.js';
export {
  type BlockDevice,
  type BlockQueueStats,
  buildBlockDevice,
  buildBlockQueueStats,
  type Diskstats,
  type IOStats,
  parseBlockScheduler,
  parseBlockStat,
  parseDiskstats,
} from './block.js';
export {
  buildCPUThermalThrottle,
  buildCPUTopology,
  buildCpufreq,
  type CPUThermalThrottle,
  type CPUTopology,
  type CpufreqStats,
  type CpufreqTimeInState,
  type CpufreqTransTable,
  parseCpufreqTimeInState,
  parseCpufreqTransTable,
  type SystemCPUCpufreqStats,
} from './cpu.js';
export { buildDMIClass, type DMIClass } from './dmi.js';
export { SysFS, type SysFSOptions } from './fs.js';
export { buildHwmonChip, HWMON_UNITS, type HwmonChip, type HwmonSensor, type HwmonSensorType } from './hwmon.js';
export { buildMdraid, type Mdraid, type MdraidComponent } from './md.js';
export { buildNetClassIface, type NetClass, type NetClassIface } from './net_class.js';
export { buildNVMeDevice, type NVMeDevice } from './nvme.js';
export { buildPciDevice, type PciAerCounters, type PciDevice } from './pci.js';
export { buildPowerSupply, type PowerSupply, type PowerSupplyClass } from './power_supply.js';
export {
  type ClockSource,
  parseClockSource,
  parseVulnerability,
  type Vulnerability,
  type VulnerabilityState,
} from './system_devices.js';
export {
  buildCoolingDevice,
  buildThermalZone,
  type ClassCoolingDeviceStats,
  type ClassThermalZoneStats,
  type ThermalTripPoint,
} from './thermal.js';
export { buildWatchdog, type WatchdogStats } from './watchdog.js';
