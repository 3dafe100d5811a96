/**
 * SysFS readers on fixture trees:
 * - vm/: files captured from this machine (test/sysfs/capture-fixtures.ts),
 * - laptop/: synthesized parts this VM lacks (battery, thermal, hwmon, cpufreq stats, DMI),
 * - broken/: deliberately malformed attributes and directories where files are expected.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, NotFoundError, ParseError } from '../../src/errors.ts';
import { SysFS, SysfsAttributeError } from '../../src/sysfs/index.ts';

const fx = (p: string) => fileURLToPath(new URL(`../fixtures/sysfs/${p}`, import.meta.url));
const vm = new SysFS(fx('vm/sys'), { procMountPoint: fx('vm/proc') });
const laptop = new SysFS(fx('laptop/sys'), { procMountPoint: fx('laptop/proc') });
const broken = new SysFS(fx('broken/sys'), { procMountPoint: fx('broken/proc') });
const empty = new SysFS(fx('empty/sys'), { procMountPoint: fx('empty/proc') });

const text = (p: string) => readFileSync(fx(p), 'utf8').trim();

test('net class (captured): lo has the loopback attributes and bigint counters', () => {
  const nc = vm.netClass();
  assert.deepEqual([...nc.keys()], ['eth0', 'ifb0', 'ifb1', 'lo']);
  const lo = nc.get('lo')!;
  assert.equal(lo.name, 'lo');
  assert.equal(lo.mtu, Number(text('vm/sys/class/net/lo/mtu')));
  assert.equal(lo.ifIndex, 1);
  assert.equal(lo.type, 772); // ARPHRD_LOOPBACK
  assert.equal(lo.flags, 0x9); // IFF_UP | IFF_LOOPBACK
  assert.equal(lo.address, '00:00:00:00:00:00');
  assert.equal(lo.ifAlias, '');
  assert.equal(lo.devID, 0);
  // lo's speed and duplex are EINVAL on the real kernel; the capture left them out: absent, not zero.
  assert.equal(lo.speed, undefined);
  assert.equal(lo.duplex, undefined);
  assert.equal(typeof lo.statistics.rx_bytes, 'bigint');
  assert.equal(lo.statistics.rx_bytes, BigInt(text('vm/sys/class/net/lo/statistics/rx_bytes')));
  assert.equal(Object.keys(lo.statistics).length, 24);
  assert.deepEqual(lo.errors, {});
  // eth0 (virtio) reports speed -1 = SPEED_UNKNOWN → absent
  const eth0 = nc.get('eth0')!;
  assert.equal(text('vm/sys/class/net/eth0/speed'), '-1');
  assert.equal(eth0.speed, undefined);
  assert.equal(eth0.speedBytesPerSecond, undefined);
  assert.equal(eth0.operState, 'up');
});

test('net class (synthesized): speed, hex flags, counters beyond 2^53, bonding_masters skipped', () => {
  const nc = laptop.netClass();
  assert.deepEqual([...nc.keys()], ['enp0s31f6', 'wlan0']);
  const en = nc.get('enp0s31f6')!;
  assert.equal(en.speed, 1000);
  assert.equal(en.speedBytesPerSecond, 125_000_000);
  assert.equal(en.duplex, 'full');
  assert.equal(en.physPortID, '0123abcd');
  assert.equal(en.flags, 0x1003);
  const wl = nc.get('wlan0')!;
  assert.equal(wl.speed, undefined);
  assert.equal(wl.statistics.rx_bytes, 18446744073709551615n);
  assert.equal(wl.statistics.tx_bytes, 9007199254740993n); // 2^53 + 1: exact only as bigint
  assert.equal(laptop.netClassByIface('wlan0').ifIndex, 3);
});

test('a mount point that is not a directory is a NotFoundError, not an empty machine', () => {
  assert.throws(() => new SysFS(fx('does-not-exist/sys')), NotFoundError);
  assert.throws(() => new SysFS(fx('README.md')), /is not a directory/);
});

test('net class: unknown interface → NotFoundError, bad name → InvalidArgumentError', () => {
  assert.throws(() => vm.netClassByIface('nope0'), NotFoundError);
  assert.throws(() => vm.netClassByIface('../block'), InvalidArgumentError);
  assert.throws(() => vm.netClassByIface(''), InvalidArgumentError);
  assert.deepEqual(empty.netClass(), new Map());
});

test('net class (broken): bad attributes land in errors, the rest of the item and class survive', () => {
  const nc = broken.netClass();
  assert.deepEqual([...nc.keys()], ['bad0', 'good0']);
  const bad = nc.get('bad0')!;
  assert.equal(bad.address, 'de:ad:be:ef:00:01');
  assert.equal(bad.operState, 'up');
  assert.equal(bad.mtu, undefined);
  assert.ok(bad.errors.mtu instanceof ParseError);
  assert.match(bad.errors.mtu.message, /mtu.*garbage/);
  assert.ok(bad.errors.flags instanceof ParseError);
  assert.ok(bad.errors.ifindex instanceof ParseError, 'beyond 2^53 is an error, not a rounded number');
  assert.ok(bad.errors.carrier instanceof SysfsAttributeError);
  assert.equal((bad.errors.carrier as SysfsAttributeError).errnoName, 'EISDIR');
  assert.equal(bad.statistics.rx_packets, 12n);
  assert.equal(bad.statistics.rx_bytes, undefined);
  assert.ok(bad.errors['statistics/tx_bytes'] instanceof ParseError);
  assert.equal((bad.errors['statistics/rx_bytes'] as SysfsAttributeError).errnoName, 'EISDIR');
  assert.deepEqual(Object.keys(bad.errors).sort(), [
    'carrier',
    'flags',
    'ifindex',
    'mtu',
    'statistics/rx_bytes',
    'statistics/tx_bytes',
  ]);
  const good = nc.get('good0')!;
  assert.deepEqual(good.errors, {});
  assert.equal(good.statistics.rx_bytes, 42n);
});

test('diskstats (captured 6.18, 20-field layout) matches the raw file', () => {
  const ds = vm.diskstats();
  const lines = text('vm/proc/diskstats').split('\n');
  assert.equal(ds.length, lines.length);
  const vda = ds.find((d) => d.deviceName === 'vda')!;
  const f = lines
    .find((l) => l.includes(' vda '))!
    .trim()
    .split(/\s+/)
    .map(Number);
  assert.equal(vda.majorNumber, 254);
  assert.equal(vda.ioStatsCount, 17);
  assert.equal(vda.readIOs, f[3]);
  assert.equal(vda.readSectors, f[5]);
  assert.equal(vda.readBytes, f[5]! * 512);
  assert.equal(vda.weightedIOTicks, f[13]);
  assert.equal(vda.discardIOs, f[14]);
  assert.equal(vda.flushRequestsCompleted, f[18]);
  assert.equal(vda.timeSpentFlushing, f[19]);
  // every whole disk in /sys/block has a diskstats line
  const names = new Set(ds.map((d) => d.deviceName));
  for (const b of vm.blockDevices()) assert.ok(names.has(b), b);
});

test('block: sysfs stat and queue attributes (captured)', () => {
  const st = vm.blockDeviceStat('vda');
  const f = text('vm/sys/block/vda/stat').split(/\s+/).map(Number);
  assert.equal(st.readIOs, f[0]);
  assert.equal(st.writeSectors, f[6]);
  assert.equal(st.timeSpentFlushing, f[16]);
  const q = vm.blockQueueStats('vda');
  assert.equal(q.logicalBlockSize, Number(text('vm/sys/block/vda/queue/logical_block_size')));
  assert.equal(q.schedulerCurrent, 'mq-deadline');
  assert.deepEqual(q.schedulerList, ['none', 'mq-deadline', 'kyber', 'bfq']);
  assert.equal(q.writeCache, 'write back');
  assert.equal(q.ioPollDelay, -1);
  assert.equal(q.raw.dma_alignment, text('vm/sys/block/vda/queue/dma_alignment'));
  assert.deepEqual(q.errors, {});
  assert.throws(() => vm.blockQueueStats('sdz'), NotFoundError);
  assert.throws(() => vm.blockDeviceStat('sdz'), NotFoundError);
  assert.deepEqual(empty.blockDevices(), []);
});

test('block devices: identity, size and partitions; partition stat (captured and synthesized)', () => {
  const vda = vm.blockDevice('vda');
  assert.equal(vda.majorNumber, 254);
  assert.equal(vda.minorNumber, 0);
  assert.equal(vda.size, Number(text('vm/sys/block/vda/size')));
  assert.equal(vda.sizeBytes, vda.size! * 512);
  assert.equal(vda.ro, 0);
  assert.deepEqual(vda.partitions, []);
  assert.deepEqual(vda.errors, {});
  const nvme = laptop.blockDevice('nvme0n1');
  assert.deepEqual(nvme.partitions, ['nvme0n1p1', 'nvme0n1p2'], 'holders/ has no partition file');
  assert.equal(nvme.sizeBytes, 1000215216 * 512);
  assert.equal(laptop.blockDeviceStat('nvme0n1', 'nvme0n1p2').readIOs, 402);
  const ds = new Map(laptop.diskstats().map((d) => [d.deviceName, d]));
  for (const p of nvme.partitions) assert.equal(laptop.blockDeviceStat('nvme0n1', p).readIOs, ds.get(p)!.readIOs);
  assert.equal(laptop.blockDeviceStat('nvme0n1').flushRequestsCompleted, ds.get('nvme0n1')!.flushRequestsCompleted);
  assert.equal(laptop.blockQueueStats('nvme0n1').schedulerCurrent, 'none');
  assert.throws(() => laptop.blockDeviceStat('nvme0n1', 'nvme0n1p9'), NotFoundError);
  assert.throws(() => laptop.blockDeviceStat('nvme0n1', '../x'), InvalidArgumentError);
  assert.throws(() => vm.blockDevice('sdz'), NotFoundError);
  const sdx = broken.blockDevice('sdx');
  assert.equal(sdx.majorNumber, undefined);
  assert.deepEqual(sdx.errors, {});
});

test('block (broken): bad queue attribute recorded; bad stat and diskstats throw ParseError with the line', () => {
  const q = broken.blockQueueStats('sdx');
  assert.equal(q.rotational, undefined);
  assert.ok(q.errors.rotational instanceof ParseError);
  assert.equal(q.nrRequests, 64);
  assert.equal(q.schedulerCurrent, 'none');
  assert.throws(
    () => broken.blockDeviceStat('sdx'),
    (e: unknown) => e instanceof ParseError && /found 3/.test(e.message),
  );
  assert.throws(
    () => broken.diskstats(),
    (e: unknown) => e instanceof ParseError && e.line === 2 && /sda1/.test(e.text ?? ''),
  );
  assert.throws(() => empty.diskstats(), NotFoundError);
});

test('cpu lists and topology (captured)', () => {
  assert.deepEqual(vm.cpus(), [0, 1]);
  assert.deepEqual(vm.cpuOnline(), [0, 1]);
  assert.deepEqual(vm.cpuPossible(), [0, 1]);
  assert.deepEqual(vm.cpuOffline(), []);
  assert.deepEqual(vm.cpuIsolated(), []);
  const t = vm.cpuTopology(0);
  assert.equal(t.coreID, 0);
  assert.equal(t.physicalPackageID, 0);
  assert.deepEqual(t.coreSiblingsList, [0, 1]);
  assert.deepEqual(t.threadSiblingsList, [0]);
  assert.equal(t.clusterID, 65535);
  assert.equal(vm.cpuTopologies().length, 2);
  assert.deepEqual(vm.systemCpufreq(), [], 'this VM has no cpufreq');
  assert.throws(() => vm.cpuTopology(7), NotFoundError);
  assert.throws(() => vm.cpuTopology(-1), InvalidArgumentError);
});

test('cpu lists, SMT topology and cpufreq with stats (synthesized)', () => {
  assert.deepEqual(laptop.cpuOnline(), [0, 1, 2, 3]);
  assert.deepEqual(laptop.cpuOffline(), [4, 5, 6, 7]);
  assert.deepEqual(laptop.cpuTopology(2).threadSiblingsList, [0, 2]);
  const cf = laptop.systemCpufreq();
  assert.deepEqual(
    cf.map((c) => c.name),
    ['0', '1', '2', '3'],
  );
  const c0 = cf[0]!;
  assert.equal(c0.cpuinfoCurrentFrequency, 1799998);
  assert.equal(c0.scalingCurrentFrequency, 1800000);
  assert.equal(c0.cpuinfoMaximumFrequency, 4700000);
  assert.equal(c0.governor, 'schedutil');
  assert.equal(c0.driver, 'acpi-cpufreq');
  assert.deepEqual(c0.relatedCpus, [0]);
  assert.equal(c0.setSpeed, '<unsupported>');
  assert.deepEqual(c0.availableFrequencies, [4700000, 2400000, 1800000, 400000]);
  assert.ok(c0.availableGovernors?.includes('performance'));
  assert.equal(c0.stats?.totalTrans, 38);
  assert.deepEqual(c0.stats?.timeInState?.[3], { frequency: 400000, time: 424242, timeSeconds: 4242.42 });
  assert.deepEqual(c0.stats?.transTable?.frequencies, [4700000, 2400000, 1800000, 400000]);
  assert.deepEqual(c0.stats?.transTable?.counts[2], [2, 2, 0, 6]);
  // every transition counted in the table adds up to total_trans
  const sum = c0.stats!.transTable!.counts.flat().reduce((a, b) => a + b, 0);
  assert.equal(sum, c0.stats!.totalTrans);
  assert.equal(cf[1]!.cpuinfoCurrentFrequency, undefined);
  assert.equal(cf[2]!.stats, undefined, 'no stats directory → no stats');
  assert.deepEqual(c0.errors, {});
});

test('cpu (broken): list and topology errors are typed; cpufreq keeps what parses', () => {
  assert.throws(
    () => broken.cpuOnline(),
    (e: unknown) => e instanceof ParseError && e.text === '0-x',
  );
  assert.throws(() => broken.cpuPossible(), ParseError);
  assert.throws(() => broken.cpuOffline(), NotFoundError);
  const t = broken.cpuTopology(0);
  assert.ok(t.errors.core_id instanceof ParseError);
  assert.ok(t.errors.core_siblings_list instanceof ParseError);
  assert.deepEqual(t.threadSiblingsList, [0]);
  const [c0] = broken.systemCpufreq();
  assert.equal(c0!.governor, 'schedutil');
  assert.ok(c0!.errors.scaling_cur_freq instanceof ParseError);
  assert.ok(c0!.errors.related_cpus instanceof ParseError, 'related_cpus is space-separated, not a range list');
  assert.ok(c0!.errors['stats/time_in_state'] instanceof ParseError);
  assert.ok(c0!.errors['stats/trans_table'] instanceof ParseError);
  assert.equal(c0!.stats?.totalTrans, 7);
});

test('thermal zones and cooling devices (synthesized)', () => {
  const zones = laptop.classThermalZoneStats();
  assert.deepEqual(
    zones.map((z) => z.name),
    ['0', '1', '10'],
  );
  const z0 = zones[0]!;
  assert.equal(z0.type, 'x86_pkg_temp');
  assert.equal(z0.temp, 45000);
  assert.equal(z0.tempCelsius, 45);
  assert.equal(z0.policy, 'step_wise');
  assert.equal(z0.mode, true);
  assert.deepEqual(z0.tripPoints, [
    { index: 0, type: 'passive', temp: 95000, hyst: 0 },
    { index: 1, type: 'critical', temp: 105000, hyst: 0 },
  ]);
  assert.equal(zones[1]!.tempCelsius, -2.5);
  assert.equal(zones[1]!.mode, false);
  assert.equal(zones[1]!.passive, 0);
  assert.equal(zones[2]!.mode, undefined);
  const cd = laptop.classCoolingDeviceStats();
  assert.deepEqual(
    cd.map((c) => [c.name, c.type, c.curState, c.maxState]),
    [
      ['0', 'Processor', 0, 3],
      ['1', 'intel_powerclamp', 12, 50],
    ],
  );
  assert.deepEqual(vm.classThermalZoneStats(), [], 'this VM has an empty class/thermal');
  assert.deepEqual(empty.classCoolingDeviceStats(), []);
});

test('thermal (broken): garbage temp, a directory for temp, bad mode and states are recorded per zone', () => {
  const [z0, z1] = broken.classThermalZoneStats();
  assert.equal(z0!.type, 'acpitz');
  assert.ok(z0!.errors.temp instanceof ParseError);
  assert.ok(z0!.errors.mode instanceof ParseError);
  assert.equal(z0!.policy, 'step_wise');
  assert.equal((z1!.errors.temp as SysfsAttributeError).errnoName, 'EISDIR');
  assert.ok(z1!.errors.trip_point_0_temp instanceof ParseError);
  const [c0] = broken.classCoolingDeviceStats();
  assert.equal(c0!.type, 'Fan');
  assert.ok(c0!.errors.cur_state instanceof ParseError);
  assert.ok(c0!.errors.max_state instanceof ParseError);
});

test('power_supply (synthesized): typed known attributes, unknown ones raw, uevent skipped', () => {
  const ps = laptop.powerSupplyClass();
  assert.deepEqual([...ps.keys()], ['AC', 'BAT0']);
  assert.equal(ps.get('AC')!.online, 1);
  assert.equal(ps.get('AC')!.type, 'Mains');
  const b = ps.get('BAT0')!;
  assert.equal(b.type, 'Battery');
  assert.equal(b.status, 'Discharging');
  assert.equal(b.capacity, 78);
  assert.equal(b.energyNow, 40000000);
  assert.equal(b.energyFullDesign, 57000000);
  assert.equal(b.voltageMinDesign, 11580000);
  assert.equal(b.cycleCount, 123);
  assert.equal(b.technology, 'Li-poly');
  assert.deepEqual(b.raw, {
    alarm: '2560000',
    charge_control_end_threshold: '80',
    charge_control_start_threshold: '75',
    charge_types: '[Standard] Long_Life',
  });
  assert.deepEqual(b.errors, {});
  assert.deepEqual(vm.powerSupplyClass(), new Map());
  const bad = broken.powerSupplyClass().get('BAT0')!;
  assert.equal(bad.status, 'Charging');
  assert.ok(bad.errors.capacity instanceof ParseError);
  assert.equal((bad.errors.energy_now as SysfsAttributeError).errnoName, 'EISDIR');
});

test('hwmon (synthesized): sensors grouped, labels, SI conversions, old-style device/ chips', () => {
  const chips = laptop.hwmonChips();
  assert.deepEqual(
    chips.map((c) => [c.hwmon, c.name, c.device]),
    [
      ['hwmon0', 'coretemp', 'coretemp.0'],
      ['hwmon1', 'nct6775', undefined],
      ['hwmon2', 'w83627ehf', undefined],
    ],
  );
  const [core, nct, old] = chips as [(typeof chips)[0], (typeof chips)[0], (typeof chips)[0]];
  assert.deepEqual(
    core.sensors.map((s) => [s.id, s.label, s.input]),
    [
      ['temp1', 'Package id 0', 45],
      ['temp2', 'Core 0', 43],
    ],
  );
  assert.deepEqual(core.sensors[0]!.raw, { input: 45000, max: 100000, crit: 100000, crit_alarm: 0 });
  assert.deepEqual(core.sensors[0]!.values, { input: 45, max: 100, crit: 100 });
  assert.equal(core.sensors[0]!.unit, 'celsius');
  const by = new Map(nct.sensors.map((s) => [s.id, s]));
  assert.deepEqual(
    nct.sensors.map((s) => s.id),
    [
      'temp1',
      'temp10',
      'in0',
      'curr1',
      'power1',
      'energy1',
      'humidity1',
      'fan1',
      'fan2',
      'freq1',
      'pwm1',
      'intrusion0',
    ],
  );
  assert.equal(by.get('in0')!.input, 1.032);
  assert.equal(by.get('in0')!.label, 'Vcore');
  assert.equal(by.get('in0')!.values.max, 1.744);
  assert.equal(by.get('in0')!.unit, 'volts');
  assert.equal(by.get('curr1')!.input, 1.5);
  assert.equal(by.get('power1')!.input, 12.5);
  assert.equal(by.get('power1')!.raw.average_interval, 1000);
  assert.equal(by.get('power1')!.values.average_interval, undefined, 'ms interval is not a power');
  assert.equal(by.get('energy1')!.input, 123.456789);
  assert.equal(by.get('humidity1')!.input, 45.5);
  assert.equal(by.get('fan1')!.input, 1205);
  assert.equal(by.get('fan1')!.label, 'CPU Fan');
  assert.equal(by.get('pwm1')!.input, 128);
  assert.equal(by.get('pwm1')!.raw.enable, 5);
  assert.equal(by.get('temp1')!.raw.type, 4);
  assert.equal(by.get('intrusion0')!.raw.alarm, 1);
  assert.equal(by.get('freq1')!.input, 1e9);
  assert.deepEqual(nct.attributes, { update_interval: '1000' });
  assert.deepEqual(
    old.sensors.map((s) => [s.id, s.input]),
    [
      ['temp1', 30],
      ['in1', 3.3],
    ],
  );
  assert.deepEqual(empty.hwmonChips(), []);
});

test('hwmon (broken): a directory and garbage are recorded on the sensor and the chip', () => {
  const [chip] = broken.hwmonChips();
  assert.equal(chip!.name, 'bad');
  const by = new Map(chip!.sensors.map((s) => [s.id, s]));
  assert.equal(by.get('temp2')!.input, 41);
  assert.equal((by.get('temp1')!.errors.temp1_input as SysfsAttributeError).errnoName, 'EISDIR');
  assert.ok(by.get('fan1')!.errors.fan1_input instanceof ParseError);
  assert.deepEqual(Object.keys(chip!.errors).sort(), ['fan1_input', 'temp1_input']);
});

test('DMI (synthesized): all identification fields, modalias/uevent skipped', () => {
  const d = laptop.dmiClass();
  assert.equal(d.biosVendor, 'LENOVO');
  assert.equal(d.biosVersion, 'N32ET91W (1.67 )');
  assert.equal(d.biosDate, '03/14/2024');
  assert.equal(d.biosRelease, '1.67');
  assert.equal(d.boardName, '20XWCTO1WW');
  assert.equal(d.chassisType, '10');
  assert.equal(d.productFamily, 'ThinkPad X1 Carbon Gen 9');
  assert.equal(d.productUUID, '4c4c4544-0051-3310-8052-b4c04f4e4e32');
  assert.equal(d.productSKU, 'LENOVO_MT_20XW_BU_Think_FM_ThinkPad X1 Carbon Gen 9');
  assert.equal(d.systemVendor, 'LENOVO');
  assert.equal(d.ecFirmwareRelease, '1.32');
  assert.deepEqual(d.raw, {});
  assert.deepEqual(d.errors, {});
  assert.throws(
    () => vm.dmiClass(),
    (e: unknown) => e instanceof NotFoundError && /no DMI/.test(e.message),
  );
  const b = broken.dmiClass();
  assert.equal(b.systemVendor, 'QEMU');
  assert.equal(b.productUUID, undefined);
  assert.equal((b.errors.product_uuid as SysfsAttributeError).errnoName, 'EISDIR');
  assert.match(b.errors.product_uuid!.message, /directory is where an attribute file was expected/);
});

test('async twins return what the sync readers return, one item per event-loop turn', async () => {
  for (const sys of [vm, laptop]) {
    assert.deepEqual(await sys.netClassAsync(), sys.netClass());
    assert.deepEqual(await sys.systemCpufreqAsync(), sys.systemCpufreq());
    assert.deepEqual(await sys.cpuTopologiesAsync(), sys.cpuTopologies());
    assert.deepEqual(await sys.classThermalZoneStatsAsync(), sys.classThermalZoneStats());
    assert.deepEqual(await sys.classCoolingDeviceStatsAsync(), sys.classCoolingDeviceStats());
    assert.deepEqual(await sys.powerSupplyClassAsync(), sys.powerSupplyClass());
    assert.deepEqual(await sys.hwmonChipsAsync(), sys.hwmonChips());
  }
  let turns = 0;
  const tick = () => {
    turns++;
    if (turns < 1000) timer = setImmediate(tick);
  };
  let timer = setImmediate(tick);
  const nc = await vm.netClassAsync();
  clearImmediate(timer);
  assert.ok(turns >= nc.size - 1, `the event loop ran ${turns} times while reading ${nc.size} interfaces`);
});

test('cpu thermal throttle counters (synthesized; absent on the VM)', () => {
  const t = laptop.cpuThermalThrottle(1);
  assert.deepEqual(t, {
    cpu: 1,
    coreThrottleCount: 3,
    coreThrottleMaxTimeMs: 250,
    coreThrottleTotalTimeMs: 700,
    packageThrottleCount: 17,
    packageThrottleMaxTimeMs: 400,
    packageThrottleTotalTimeMs: 5100,
    errors: {},
  });
  assert.equal(laptop.cpuThermalThrottles().length, 4);
  assert.deepEqual(vm.cpuThermalThrottles(), []);
  assert.throws(() => vm.cpuThermalThrottle(0), NotFoundError);
});
