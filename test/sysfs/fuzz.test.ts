/**
 * Property tests: arbitrary attribute contents (and arbitrary read failures)
 * give each item a value or a typed error per attribute, never an exception;
 * mutated fixture files give a value or a ParseError; a whole fixture tree
 * with random contents never makes a class reader throw.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { NotFoundError, ParseError, PermissionError, RaingaugeError } from '../../src/errors.ts';
import {
  buildCPUThermalThrottle,
  CPU_THERMAL_THROTTLE_ATTRIBUTES,
  CPU_TOPOLOGY_ATTRIBUTES,
  CPUFREQ_ATTRIBUTES,
} from '../../src/sysfs/cpu.ts';
import {
  type AttrValue,
  buildBlockDevice,
  buildBlockQueueStats,
  buildCPUTopology,
  buildCpufreq,
  buildDMIClass,
  buildHwmonChip,
  buildNetClassIface,
  buildPowerSupply,
  buildThermalZone,
  parseBlockStat,
  parseCpufreqTimeInState,
  parseCpufreqTransTable,
  parseCpuList,
  parseDiskstats,
  SysFS,
  SysfsAttributeError,
} from '../../src/sysfs/index.ts';
import { NET_CLASS_ATTRIBUTES } from '../../src/sysfs/net_class.ts';
import { mutatedText, valueOrParseError } from '../helpers/fuzz.ts';

const fxPath = (p: string) => fileURLToPath(new URL(`../fixtures/sysfs/${p}`, import.meta.url));
const fx = (p: string) => readFileSync(fxPath(p), 'utf8');

const numRuns = 300;

/** Text an attribute might hold: numbers of all sizes and signs, hex, lists, junk, binary. */
const attrText = fc.oneof(
  fc.integer().map((n) => `${n}\n`),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => `${n}\n`),
  fc.nat().map((n) => `0x${n.toString(16)}\n`),
  fc.constantFrom(
    '',
    '\n',
    '-1\n',
    'enabled\n',
    'disabled\n',
    '0-3,5\n',
    '1e3\n',
    ' 12 \n',
    'NaN\n',
    '0x\n',
    '[none] mq-deadline\n',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** A read failure the kernel might produce. */
const attrError = fc.constantFrom<RaingaugeError>(
  new PermissionError('denied', { path: 'x' }),
  new SysfsAttributeError('x', 'EINVAL'),
  new SysfsAttributeError('x', 'EOPNOTSUPP'),
  new SysfsAttributeError('x', 'ENODATA'),
  new SysfsAttributeError('x', 'EISDIR'),
  new SysfsAttributeError('x', 'EIO'),
);

const attrValue: fc.Arbitrary<AttrValue> = fc.oneof(
  { weight: 5, arbitrary: attrText },
  { weight: 1, arbitrary: attrError },
);

/** An attribute map over `names` plus a few random names. */
function attrMap(names: readonly string[], extra: fc.Arbitrary<string> = fc.string({ minLength: 1, maxLength: 12 })) {
  return fc
    .tuple(
      fc.subarray([...names]),
      fc.array(extra, { maxLength: 4 }),
      fc.array(attrValue, { minLength: names.length + 4, maxLength: names.length + 4 }),
    )
    .map(([keys, more, values]) => new Map<string, AttrValue>([...keys, ...more].map((k, i) => [k, values[i]!])));
}

/** Every value in `item` is a string, finite number, bigint, boolean, or an array/object of those. */
function checkValues(v: unknown, path = 'item'): void {
  if (typeof v === 'number') assert.ok(Number.isFinite(v), `${path} is ${v}`);
  else if (typeof v === 'string' || typeof v === 'bigint' || typeof v === 'boolean') return;
  else if (v instanceof RaingaugeError)
    return; // nested per-sensor errors
  else if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) checkValues(x, `${path}[${i}]`);
  } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) checkValues(x, `${path}.${k}`);
  else assert.fail(`${path}: unexpected ${String(v)}`);
}

/** The item's errors are typed and name attributes of the map. */
function checkErrors(errors: Record<string, unknown>, attrs: Map<string, AttrValue>): void {
  for (const [k, e] of Object.entries(errors)) {
    assert.ok(e instanceof RaingaugeError, `errors.${k} is typed`);
    assert.ok(attrs.has(k), `errors.${k} names an attribute of the map`);
  }
}

function checkItem(item: { errors: Record<string, unknown> }, attrs: Map<string, AttrValue>): void {
  const { errors, ...rest } = item;
  checkErrors(errors, attrs);
  checkValues(rest);
}

test('fuzz: net class items from arbitrary attributes never throw', () => {
  const stats = ['statistics/rx_bytes', 'statistics/tx_packets', 'statistics/rx_dropped'];
  fc.assert(
    fc.property(attrMap([...NET_CLASS_ATTRIBUTES, ...stats]), (attrs) => {
      const i = buildNetClassIface('x', attrs);
      checkItem(i, attrs);
      for (const v of Object.values(i.statistics)) assert.equal(typeof v, 'bigint');
      if (i.speed !== undefined) assert.ok(i.speed >= 0);
    }),
    { numRuns },
  );
});

test('fuzz: block queue, cpu topology, cpufreq, thermal, power_supply, hwmon and DMI builders never throw', () => {
  const queue = ['rotational', 'scheduler', 'write_cache', 'nr_requests', 'io_poll_delay', 'zoned', 'max_sectors_kb'];
  const thermal = [
    'type',
    'temp',
    'policy',
    'mode',
    'passive',
    'available_policies',
    'trip_point_0_temp',
    'trip_point_1_type',
  ];
  const ps = ['type', 'status', 'capacity', 'energy_now', 'voltage_now', 'temp', 'model_name', 'alarm'];
  const hw = [
    'name',
    'temp1_input',
    'temp1_label',
    'in0_input',
    'fan1_input',
    'pwm1',
    'power1_average_interval',
    'update_interval',
  ];
  const dmi = ['bios_vendor', 'product_uuid', 'product_serial', 'chassis_type', 'modalias'];
  fc.assert(
    fc.property(
      attrMap(queue),
      attrMap(CPU_TOPOLOGY_ATTRIBUTES),
      attrMap(CPUFREQ_ATTRIBUTES),
      attrMap(thermal),
      attrMap(ps),
      attrMap(hw),
      attrMap(dmi),
      attrMap(CPU_THERMAL_THROTTLE_ATTRIBUTES),
      attrMap(['dev', 'size', 'ro', 'removable']),
      (q, t, f, z, p, h, d, th, bd) => {
        checkItem(buildBlockDevice('sda', bd, ['sda1']), bd);
        checkItem(buildCPUThermalThrottle(0, th), th);
        checkItem(buildBlockQueueStats(q), q);
        checkItem(buildCPUTopology(0, t), t);
        checkItem(buildCpufreq(0, f), f);
        checkItem(buildThermalZone('0', z), z);
        checkItem(buildPowerSupply('BAT0', p), p);
        const chip = buildHwmonChip('hwmon0', h);
        checkItem(chip, h);
        for (const s of chip.sensors) checkItem(s, h);
        checkItem(buildDMIClass(d), d);
      },
    ),
    { numRuns },
  );
});

test('fuzz: mutated diskstats, stat, cpu lists and cpufreq stats give a value or a ParseError', () => {
  const files: [string, string, (s: string) => unknown][] = [
    ['diskstats', fx('vm/proc/diskstats'), (s) => parseDiskstats(s)],
    ['diskstats 4.14', fx('diskstats/linux-4.14.txt'), (s) => parseDiskstats(s)],
    ['diskstats 5.10', fx('diskstats/linux-5.10.txt'), (s) => parseDiskstats(s)],
    ['block stat', fx('vm/sys/block/vda/stat'), (s) => parseBlockStat(s)],
    ['cpu list', '0-3,8-11\n', (s) => parseCpuList(s)],
    [
      'time_in_state',
      fx('laptop/sys/devices/system/cpu/cpu0/cpufreq/stats/time_in_state'),
      (s) => parseCpufreqTimeInState(s),
    ],
    [
      'trans_table',
      fx('laptop/sys/devices/system/cpu/cpu0/cpufreq/stats/trans_table'),
      (s) => parseCpufreqTransTable(s),
    ],
  ];
  for (const [name, base, fn] of files) {
    const check = (s: string) => valueOrParseError(name, () => checkValues(fn(s)), s);
    fc.assert(fc.property(mutatedText(base), check), { numRuns: 200 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), check), { numRuns: 100 });
  }
});

/** Every regular file below `dir`. */
function files(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) files(p, out);
    else if (st?.isFile()) out.push(p);
  }
  return out;
}

test('fuzz: a fixture tree with random attribute contents never fails a class reader', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rg-sysfs-fuzz-'));
  try {
    cpSync(fxPath('laptop'), tmp, { recursive: true, verbatimSymlinks: true });
    cpSync(fxPath('vm/sys/class/net/lo'), join(tmp, 'sys/class/net/lo'), { recursive: true });
    const all = files(join(tmp, 'sys'));
    const sys = new SysFS(join(tmp, 'sys'), { procMountPoint: join(tmp, 'proc') });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: all.length - 1 }), attrText), { minLength: 1, maxLength: 40 }),
        (edits) => {
          for (const [i, text] of edits) writeFileSync(all[i]!, text);
          for (const [, i] of sys.netClass()) checkValues(i.statistics);
          sys.classThermalZoneStats();
          sys.classCoolingDeviceStats();
          sys.powerSupplyClass();
          for (const c of sys.hwmonChips()) for (const s of c.sensors) checkValues(s.values);
          sys.systemCpufreq();
          sys.cpuTopologies();
          sys.cpuThermalThrottles();
          sys.dmiClass();
          // single-file readers: a value or a typed error
          for (const fn of [() => sys.cpuOnline(), () => sys.diskstats()]) {
            try {
              fn();
            } catch (err) {
              assert.ok(err instanceof ParseError || err instanceof NotFoundError, String(err));
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
