/** Pure sysfs parsers and item builders (no filesystem except reading fixture texts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ParseError, PermissionError } from '../../src/errors.ts';
import {
  type AttrValue,
  buildDMIClass,
  buildHwmonChip,
  buildNetClassIface,
  buildPowerSupply,
  parseBlockScheduler,
  parseBlockStat,
  parseCpufreqTimeInState,
  parseCpufreqTransTable,
  parseCpuList,
  parseDiskstats,
  SysfsAttributeError,
} from '../../src/sysfs/index.ts';

const fx = (p: string) => readFileSync(fileURLToPath(new URL(`../fixtures/sysfs/${p}`, import.meta.url)), 'utf8');

test('parseCpuList: ranges, singles, strides, empty; errors name the file and text', () => {
  assert.deepEqual(parseCpuList('0-3,5'), [0, 1, 2, 3, 5]);
  assert.deepEqual(parseCpuList('0\n'), [0]);
  assert.deepEqual(parseCpuList('\n'), []);
  assert.deepEqual(parseCpuList(''), []);
  assert.deepEqual(parseCpuList('8-11,0-3'), [0, 1, 2, 3, 8, 9, 10, 11]);
  assert.deepEqual(parseCpuList('0-3,2-5'), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(parseCpuList('0-15:2/4'), [0, 1, 4, 5, 8, 9, 12, 13]);
  for (const bad of ['0-x', '3-1', '1,,2', '-1', '0-3:5/4', '0-3:0/4', '99999999', ' 0 - 3']) {
    assert.throws(
      () => parseCpuList(bad, '/sys/devices/system/cpu/online'),
      (e: unknown) => e instanceof ParseError && e.file === '/sys/devices/system/cpu/online',
      bad,
    );
  }
});

test('parseDiskstats: 14-field (pre-4.18) layout has no discard/flush fields', () => {
  const ds = parseDiskstats(fx('diskstats/linux-4.14.txt'));
  assert.equal(ds.length, 3);
  const [sda, sda1, dm] = ds as [(typeof ds)[0], (typeof ds)[0], (typeof ds)[0]];
  assert.deepEqual([sda.majorNumber, sda.minorNumber, sda.deviceName, sda.ioStatsCount], [8, 0, 'sda', 11]);
  assert.equal(sda.readIOs, 1234);
  assert.equal(sda.readMerges, 56);
  assert.equal(sda.readSectors, 7890);
  assert.equal(sda.readBytes, 7890 * 512);
  assert.equal(sda.writeTicks, 345);
  assert.equal(sda.iosInProgress, 0);
  assert.equal(sda.iosTotalTicks, 678);
  assert.equal(sda.weightedIOTicks, 910);
  assert.equal(sda.discardIOs, undefined);
  assert.equal(sda.flushRequestsCompleted, undefined);
  assert.ok(!('discardBytes' in sda));
  assert.equal(sda1.deviceName, 'sda1');
  assert.equal(dm.deviceName, 'dm-0');
});

test('parseDiskstats: 18-field (4.18+) and 20-field (5.5+) layouts', () => {
  const d18 = parseDiskstats(fx('diskstats/linux-4.19.txt'));
  assert.equal(d18[0]!.ioStatsCount, 15);
  assert.equal(d18[0]!.discardIOs, 3);
  assert.equal(d18[0]!.discardSectors, 24);
  assert.equal(d18[0]!.discardBytes, 24 * 512);
  assert.equal(d18[0]!.flushRequestsCompleted, undefined);
  assert.equal(d18[1]!.iosInProgress, 2);
  const d20 = parseDiskstats(fx('diskstats/linux-5.10.txt'));
  const nvme = d20[0]!;
  assert.equal(nvme.ioStatsCount, 17);
  assert.equal(nvme.readIOs, 1395468);
  assert.equal(nvme.discardSectors, 199815288);
  assert.equal(nvme.flushRequestsCompleted, 104680);
  assert.equal(nvme.timeSpentFlushing, 90282);
  assert.equal(d20[2]!.deviceName, 'dm-0');
  assert.equal(d20[2]!.iosInProgress, 1);
});

test('parseDiskstats: extra fields of a future kernel are kept, not fatal; the captured file parses', () => {
  const [d] = parseDiskstats(fx('diskstats/future-19-counters.txt'));
  assert.equal(d!.ioStatsCount, 19);
  assert.equal(d!.timeSpentFlushing, 17);
  assert.deepEqual(d!.extraFields, [18, 19]);
  const live = parseDiskstats(fx('vm/proc/diskstats'));
  assert.ok(live.length >= 1);
  assert.ok(live.every((x) => x.ioStatsCount === 17));
});

test('parseDiskstats: malformed lines are ParseErrors with line and text', () => {
  const cases: [string, RegExp][] = [
    ['   8 0 sda 1 2 3\n', /at least 11 counters/],
    ['   8 0 sda 1 2 3 4 5 6 7 8 9 10 11 12\n', /expected 11, 15 or 17/],
    ['   8 0 sda 1 2 3 4 5 6 7 8 9 10 -11\n', /not an unsigned integer/],
    ['   x 0 sda 1 2 3 4 5 6 7 8 9 10 11\n', /major and minor/],
    ['   8 0 sda 1 2 3 4 5 6 7 8 9 10 99999999999999999999\n', /beyond 2\^53/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseDiskstats(`\n${text}`),
      (e: unknown) => e instanceof ParseError && e.line === 2 && re.test(e.message) && e.file === '/proc/diskstats',
      text,
    );
  }
  assert.deepEqual(parseDiskstats(''), []);
  assert.deepEqual(parseDiskstats('\n\n'), []);
});

test('parseBlockStat: 11, 15 and 17 fields; wrong counts rejected', () => {
  assert.equal(parseBlockStat('1 2 3 4 5 6 7 8 9 10 11\n').weightedIOTicks, 11);
  assert.equal(parseBlockStat('1 2 3 4 5 6 7 8 9 10 11 12 13 14 15').discardTicks, 15);
  const st = parseBlockStat(fx('vm/sys/block/vda/stat'));
  assert.equal(typeof st.timeSpentFlushing, 'number');
  assert.throws(() => parseBlockStat(''), ParseError);
  assert.throws(() => parseBlockStat('1 2 3 4 5 6 7 8 9 10 11 12'), ParseError);
});

test('parseBlockScheduler: bracketed current, single entry, none', () => {
  assert.deepEqual(parseBlockScheduler('none [mq-deadline] kyber bfq \n'), {
    list: ['none', 'mq-deadline', 'kyber', 'bfq'],
    current: 'mq-deadline',
  });
  assert.deepEqual(parseBlockScheduler('[none] mq-deadline'), { list: ['none', 'mq-deadline'], current: 'none' });
  assert.deepEqual(parseBlockScheduler('none\n'), { list: ['none'], current: 'none' });
  assert.deepEqual(parseBlockScheduler('noop deadline'), { list: ['noop', 'deadline'], current: undefined });
});

test('cpufreq stats parsers: time_in_state and trans_table, including malformed ones', () => {
  assert.deepEqual(parseCpufreqTimeInState('3000000 12\n800000 34567\n'), [
    { frequency: 3000000, time: 12, timeSeconds: 0.12 },
    { frequency: 800000, time: 34567, timeSeconds: 345.67 },
  ]);
  assert.throws(() => parseCpufreqTimeInState('1 2 3\n'), ParseError);
  assert.throws(() => parseCpufreqTimeInState('1 x\n'), ParseError);
  const tt = parseCpufreqTransTable(
    '   From  :    To\n         :   2000   1000 \n   2000:     0     3 \n   1000:     4     0 \n',
  );
  assert.deepEqual(tt, {
    frequencies: [2000, 1000],
    counts: [
      [0, 3],
      [4, 0],
    ],
  });
  assert.throws(() => parseCpufreqTransTable('nonsense'), /From : To/);
  assert.throws(() => parseCpufreqTransTable('   From  :    To\n :  2000 1000\n  2000: 0\n'), /1 counts for 2 columns/);
  assert.throws(() => parseCpufreqTransTable('   From  :    To\n :  2000 1000\n  2000: 0 1\n'), /1 rows for 2 columns/);
  assert.throws(
    () => parseCpufreqTransTable('   From  :    To\n :  2000 1000\n  1000: 0 1\n  2000: 1 0\n'),
    /column order/,
  );
});

const m = (o: Record<string, AttrValue>) => new Map(Object.entries(o));

test('buildNetClassIface: kernel "no value" errnos mean absent; permission errors are recorded', () => {
  const einval = new SysfsAttributeError('/sys/class/net/x/speed', 'EINVAL');
  const eperm = new PermissionError('denied', { path: '/sys/class/net/x/phys_port_id' });
  const i = buildNetClassIface(
    'x',
    m({
      speed: einval,
      duplex: new SysfsAttributeError('d', 'EOPNOTSUPP'),
      phys_port_id: eperm,
      mtu: '1500\n',
      flags: '0x1003\n',
      dev_id: '0x0\n',
      'statistics/rx_bytes': '123\n',
    }),
  );
  assert.equal(i.speed, undefined);
  assert.equal(i.duplex, undefined);
  assert.equal(i.mtu, 1500);
  assert.equal(i.flags, 0x1003);
  assert.equal(i.devID, 0);
  assert.deepEqual(i.statistics, { rx_bytes: 123n });
  assert.deepEqual(Object.keys(i.errors), ['phys_port_id']);
  assert.equal(i.errors.phys_port_id, eperm);
  // hex is only accepted where the kernel prints hex
  const j = buildNetClassIface('y', m({ mtu: '0x10\n', speed: '-1\n' }));
  assert.ok(j.errors.mtu instanceof ParseError);
  assert.equal(j.speed, undefined);
});

test('buildDMIClass: root-only serials become PermissionErrors on the item, other fields stay', () => {
  const d = buildDMIClass(
    m({
      sys_vendor: 'QEMU\n',
      product_name: 'Standard PC (Q35 + ICH9, 2009)\n',
      product_serial: new PermissionError('denied', { path: 'product_serial' }),
      product_uuid: new PermissionError('denied', { path: 'product_uuid' }),
      modalias: 'dmi:x\n',
      something_new: 'v\n',
    }),
  );
  assert.equal(d.systemVendor, 'QEMU');
  assert.equal(d.productName, 'Standard PC (Q35 + ICH9, 2009)');
  assert.equal(d.productSerial, undefined);
  assert.ok(d.errors.product_serial instanceof PermissionError);
  assert.ok(d.errors.product_uuid instanceof PermissionError);
  assert.deepEqual(d.raw, { something_new: 'v' });
});

test('buildPowerSupply and buildHwmonChip: numbers typed, text kept, negative values allowed', () => {
  const ps = buildPowerSupply('BAT1', m({ current_now: '-1234567\n', status: 'Not charging\n', uevent: 'X=1\n' }));
  assert.equal(ps.currentNow, -1234567);
  assert.equal(ps.status, 'Not charging');
  assert.deepEqual(ps.raw, {});
  const chip = buildHwmonChip(
    'hwmon9',
    m({ name: 'nvme\n', temp1_input: '-5000\n', temp1_label: 'Composite\n', temp1_alarm: '0\n' }),
  );
  assert.equal(chip.name, 'nvme');
  assert.equal(chip.sensors[0]!.input, -5);
  assert.deepEqual(chip.sensors[0]!.raw, { input: -5000, alarm: 0 });
  assert.deepEqual(chip.sensors[0]!.values, { input: -5 });
  const meter = buildHwmonChip(
    'hwmon3',
    m({
      name: 'power_meter\n',
      power1_average: '245000000\n',
      power1_model_number: 'ACME PM-1\n',
      power1_oem_info: '\n',
    }),
  );
  assert.deepEqual(meter.sensors[0]!.text, { model_number: 'ACME PM-1', oem_info: '' });
  assert.equal(meter.sensors[0]!.values.average, 245);
  assert.deepEqual(meter.errors, {});
});
