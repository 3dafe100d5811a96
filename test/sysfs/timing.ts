/**
 * Rough per-call cost of the sysfs readers on this machine (not a test):
 *
 *   node --import tsx test/sysfs/timing.ts
 */
import { SysFS } from '../../src/sysfs/index.ts';

const sys = new SysFS();
const disk = sys.blockDevices().find((d) => !d.startsWith('loop')) ?? sys.blockDevices()[0];
const cases: [string, () => unknown][] = [
  ['netClass()', () => sys.netClass()],
  ['diskstats()', () => sys.diskstats()],
  [`blockQueueStats('${disk}')`, () => (disk ? sys.blockQueueStats(disk) : undefined)],
  [`blockDeviceStat('${disk}')`, () => (disk ? sys.blockDeviceStat(disk) : undefined)],
  ['cpuOnline()', () => sys.cpuOnline()],
  ['cpuTopologies()', () => sys.cpuTopologies()],
  ['systemCpufreq()', () => sys.systemCpufreq()],
  ['classThermalZoneStats()', () => sys.classThermalZoneStats()],
  ['hwmonChips()', () => sys.hwmonChips()],
];
for (const [name, fn] of cases) {
  for (let i = 0; i < 20; i++) fn();
  const n = 200;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const us = Number(process.hrtime.bigint() - t0) / n / 1000;
  process.stdout.write(`${name.padEnd(28)} ${us.toFixed(1).padStart(9)} µs\n`);
}
process.stdout.write(`(${sys.netClassDevices().length} interfaces, ${sys.cpus().length} CPUs)\n`);
