/**
 * sysfs readers added to match newer Go procfs: per-CPU online, cpuinfo_avg_freq, clock sources,
 * CPU vulnerabilities, watchdog, NVMe and PCI devices with AER counters. Fixtures: the synthetic
 * laptop tree (see test/fixtures/sysfs/README.md); fuzzing through test/helpers/fuzz.ts; live
 * checks against this machine's /sys where it has the files.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { InvalidArgumentError, NotFoundError, ParseError } from '../../src/errors.ts';
import {
  buildMdraid,
  buildNVMeDevice,
  buildPciDevice,
  buildWatchdog,
  parseClockSource,
  parseVulnerability,
  SysFS,
} from '../../src/sysfs/index.ts';
import { mutatedText, parserJunk, valueOrParseError } from '../helpers/fuzz.ts';

const fx = (p: string) => fileURLToPath(new URL(`../fixtures/sysfs/${p}`, import.meta.url));
const laptop = new SysFS(fx('laptop/sys'), { procMountPoint: fx('laptop/proc') });
const empty = new SysFS(fx('empty/sys'), { procMountPoint: fx('empty/proc') });
const live = new SysFS();

describe('per-CPU online and cpuinfo_avg_freq', () => {
  it('fixture: cpuN/online, and cpu0 without the file from the online list', () => {
    assert.equal(laptop.cpuIsOnline(0), true);
    assert.equal(laptop.cpuIsOnline(1), true);
    assert.equal(laptop.cpuIsOnline(3), false);
    assert.throws(() => laptop.cpuIsOnline(99), NotFoundError);
    assert.throws(() => laptop.cpuIsOnline(-1), InvalidArgumentError);
    const f = laptop.systemCpufreq().find((c) => c.cpu === 0)!;
    assert.equal(f.cpuinfoAverageFrequency, 2712345);
    assert.equal(laptop.systemCpufreq().find((c) => c.cpu === 1)?.cpuinfoAverageFrequency, undefined);
  });
  it('live: agrees with devices/system/cpu/online', () => {
    const online = live.cpuOnline();
    for (const cpu of live.cpus()) assert.equal(live.cpuIsOnline(cpu), online.includes(cpu), `cpu${cpu}`);
  });
});

describe('clock sources', () => {
  it('fixture: available and current', () => {
    assert.deepEqual(laptop.clockSources(), [{ name: '0', available: ['tsc', 'hpet', 'acpi_pm'], current: 'tsc' }]);
    assert.deepEqual(empty.clockSources(), []);
    assert.throws(() => parseClockSource('0', 'tsc', '\n'), ParseError);
  });
  it('live: the current clock source is one of the available ones', (t) => {
    const cs = live.clockSources();
    if (cs.length === 0) {
      t.diagnostic('no clock source directory on this machine');
      return;
    }
    const raw = readFileSync('/sys/devices/system/clocksource/clocksource0/current_clocksource', 'utf8').trim();
    assert.equal(cs[0]!.current, raw);
    assert.ok(cs[0]!.available.includes(raw));
  });
  it('fuzz: a value or a ParseError', () => {
    fc.assert(
      fc.property(mutatedText('tsc hpet acpi_pm \n'), mutatedText('tsc\n'), (a, c) => {
        valueOrParseError('clocksource', () => parseClockSource('0', a, c), `${a}|${c}`);
      }),
      { numRuns: 300, seed: 31 },
    );
  });
});

describe('CPU vulnerabilities', () => {
  it('fixture: every wording classified', () => {
    const v = laptop.cpuVulnerabilities();
    const st = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, [x.state, x.mitigation]]));
    assert.deepEqual(st, {
      itlb_multihit: ['mitigation', 'VMX disabled'],
      l1tf: ['vulnerable', ''],
      mds: ['vulnerable', 'Clear CPU buffers attempted, no microcode; SMT vulnerable'],
      meltdown: ['not affected', ''],
      retbleed: ['vulnerable', ''],
      spectre_v1: ['mitigation', 'usercopy/swapgs barriers and __user pointer sanitization'],
      spectre_v2: [
        'mitigation',
        'Enhanced / Automatic IBRS; IBPB: conditional; RSB filling; PBRSB-eIBRS: SW sequence; BHI: BHI_DIS_S',
      ],
      srbds: ['unknown', ''],
      tsa: ['unknown', ''],
    });
    assert.equal(v.tsa!.raw, 'Some future wording');
    assert.equal(Object.keys(empty.cpuVulnerabilities()).length, 0);
  });
  it('live: one entry per file, each with the raw text', (t) => {
    const dir = '/sys/devices/system/cpu/vulnerabilities';
    if (!existsSync(dir)) {
      t.diagnostic('no vulnerabilities directory on this kernel');
      return;
    }
    const v = live.cpuVulnerabilities();
    assert.deepEqual(Object.keys(v).sort(), readdirSync(dir).sort());
    for (const [k, x] of Object.entries(v)) {
      assert.equal(x.raw, readFileSync(`${dir}/${k}`, 'utf8').trim());
      if (x.raw === 'Not affected') assert.equal(x.state, 'not affected');
      if (x.raw.startsWith('Mitigation: ')) assert.equal(x.state, 'mitigation');
    }
  });
  it('fuzz: never throws', () => {
    fc.assert(
      fc.property(parserJunk(120), (s) => {
        const v = parseVulnerability('x', s);
        assert.ok(['not affected', 'vulnerable', 'mitigation', 'unknown'].includes(v.state));
      }),
      { numRuns: 500, seed: 32 },
    );
  });
});

describe('watchdog and NVMe classes', () => {
  it('fixture: every watchdog attribute; a garbage one recorded, not thrown', () => {
    const [w0, w1] = laptop.watchdogClass();
    assert.deepEqual(w0, {
      name: 'watchdog0',
      errors: {},
      bootstatus: 32,
      options: '0x8380',
      fwVersion: 0,
      identity: 'iTCO_wdt',
      nowayout: 0,
      state: 'active',
      status: '0x8000',
      timeleftSeconds: 27,
      timeoutSeconds: 30,
      minTimeoutSeconds: 2,
      maxTimeoutSeconds: 613,
      pretimeoutSeconds: 0,
      pretimeoutGovernor: 'noop',
      accessCs0: 1,
    });
    assert.equal(w1!.identity, 'Software Watchdog');
    assert.equal(w1!.nowayout, undefined);
    assert.ok(w1!.errors.nowayout instanceof ParseError);
    assert.deepEqual(empty.watchdogClass(), []);
  });
  it('fixture: NVMe controller with trimmed serial and model', () => {
    const [n] = laptop.nvmeClass();
    assert.equal(n!.name, 'nvme0');
    assert.equal(n!.serial, 'S4EWNX0R123456');
    assert.equal(n!.model, 'Samsung SSD 980 PRO 1TB');
    assert.equal(n!.firmwareRevision, '5B2QGXA7');
    assert.equal(n!.state, 'live');
    assert.equal(n!.controllerId, 6);
    assert.equal(n!.transport, 'pcie');
    assert.equal(n!.queueCount, 9);
    assert.deepEqual(n!.errors, {});
  });
  it('live: as many entries as the class directories have', () => {
    for (const [cls, read] of [
      ['watchdog', () => live.watchdogClass()],
      ['nvme', () => live.nvmeClass()],
    ] as const) {
      const dir = `/sys/class/${cls}`;
      const n = existsSync(dir) ? readdirSync(dir).length : 0;
      assert.equal(read().length, n, cls);
    }
  });
});

describe('PCI devices with AER counters', () => {
  it('fixture: IDs, link, driver, AER by type and total; a malformed AER file recorded', () => {
    const [audio, nvme] = laptop.pciDevices();
    assert.equal(nvme!.address, '0000:01:00.0');
    assert.equal(nvme!.class, 0x010802);
    assert.equal(nvme!.vendor, 0x144d);
    assert.equal(nvme!.device, 0xa80a);
    assert.equal(nvme!.numaNode, -1);
    assert.equal(nvme!.currentLinkSpeed, '16.0 GT/s PCIe');
    assert.equal(nvme!.maxLinkWidth, 4);
    assert.equal(nvme!.driver, 'nvme');
    assert.equal(nvme!.aerCorrectable?.total, 6);
    assert.equal(nvme!.aerCorrectable?.byType.RxErr, 3);
    assert.equal(nvme!.aerCorrectable?.byType.Timeout, 2);
    assert.equal(nvme!.aerFatal?.total, 0);
    assert.equal(nvme!.aerNonFatal?.byType.UnsupReq, 4);
    assert.equal(nvme!.aerNonFatal?.total, 5);
    assert.deepEqual(nvme!.errors, {});
    assert.equal(audio!.address, '0000:00:1f.3');
    assert.equal(audio!.driver, undefined);
    assert.equal(audio!.powerState, 'D3hot');
    assert.equal(audio!.aerCorrectable, undefined);
    assert.ok(audio!.errors.aer_dev_correctable instanceof ParseError);
    assert.deepEqual(empty.pciDevices(), []);
  });
  it('live: every device with its vendor and driver as sysfs has them', (t) => {
    const base = '/sys/bus/pci/devices';
    if (!existsSync(base)) {
      t.diagnostic('no PCI bus on this machine');
      return;
    }
    const devs = live.pciDevices();
    assert.deepEqual(
      devs.map((d) => d.address),
      readdirSync(base).sort(),
    );
    for (const d of devs) {
      assert.equal(d.vendor, Number.parseInt(readFileSync(`${base}/${d.address}/vendor`, 'utf8'), 16));
      const link = existsSync(`${base}/${d.address}/driver`) ? readlinkSync(`${base}/${d.address}/driver`) : undefined;
      assert.equal(d.driver, link?.split('/').pop());
      assert.deepEqual(d.errors, {});
    }
  });
  it('fuzz: AER text never throws, gives counters or a recorded ParseError', () => {
    const base = readFileSync(fx('laptop/sys/bus/pci/devices/0000:01:00.0/aer_dev_correctable'), 'utf8');
    fc.assert(
      fc.property(mutatedText(base), (s) => {
        const d = buildPciDevice('x', new Map([['aer_dev_correctable', s]]), undefined);
        assert.ok(d.aerCorrectable !== undefined || d.errors.aer_dev_correctable instanceof ParseError, s);
      }),
      { numRuns: 400, seed: 33 },
    );
  });
});

describe('md arrays in sysfs', () => {
  const md = new SysFS(fx('md/sys'));
  it('fixture: level, state, sync progress, members with state flags and slots', () => {
    const [md0, md5, md127] = md.mdraids(); // natural order: md0, md5, md127
    assert.equal(md0!.device, 'md0');
    assert.equal(md0!.level, 'raid1');
    assert.equal(md0!.arrayState, 'clean');
    assert.equal(md0!.disks, 2);
    assert.equal(md0!.degradedDisks, 1);
    assert.equal(md0!.syncAction, 'recover');
    assert.deepEqual(md0!.syncCompletedSectors, { done: 386304, total: 2093056 });
    assert.equal(md0!.syncCompleted, 386304 / 2093056);
    assert.equal(md0!.uuid, '3f1c9a2e-5b7d-4e21-9c0a-8d6e2f4b1a77');
    assert.deepEqual(md0!.components, [
      { device: 'sda1', state: ['in_sync'], slot: 0, errors: 0 },
      { device: 'sdb1', state: ['spare'], errors: 0 },
      { device: 'sdc1', state: ['faulty', 'write_mostly'], errors: 12 },
    ]);
    assert.deepEqual(md0!.errors, {});
    assert.equal(md127!.device, 'md127');
    assert.equal(md127!.level, '');
    assert.equal(md127!.arrayState, 'inactive');
    assert.equal(md127!.syncAction, undefined);
    assert.deepEqual(md127!.components, [{ device: 'sdd', state: ['spare'] }]);
    assert.equal(md5!.device, 'md5');
    assert.ok(md5!.errors.sync_completed instanceof ParseError);
    assert.ok(md5!.errors['dev-sde1/slot'] instanceof ParseError);
    assert.equal(md5!.mismatchSectors, 8);
    assert.equal(md.mdraids().length, 3, 'sda is not an array');
    assert.deepEqual(empty.mdraids(), []);
  });
  it('live: one entry per /sys/block/md* with an md directory', () => {
    const n = existsSync('/sys/block')
      ? readdirSync('/sys/block').filter((d) => d.startsWith('md') && existsSync(`/sys/block/${d}/md`)).length
      : 0;
    assert.equal(live.mdraids().length, n);
  });
});

describe('fuzz: watchdog, NVMe and md builders never throw', () => {
  it('mutated attribute values give a field or a recorded error', () => {
    const wd = readFileSync(fx('laptop/sys/class/watchdog/watchdog0/timeout'), 'utf8');
    const sc = readFileSync(fx('md/sys/block/md0/md/sync_completed'), 'utf8');
    fc.assert(
      fc.property(mutatedText(wd), mutatedText(sc), parserJunk(40), (a, b, c) => {
        const w = buildWatchdog(
          'w',
          new Map([
            ['timeout', a],
            ['bootstatus', c],
          ]),
        );
        assert.ok(w.timeoutSeconds !== undefined || w.errors.timeout instanceof ParseError);
        const n = buildNVMeDevice(
          'n',
          new Map([
            ['cntlid', c],
            ['model', a],
          ]),
        );
        assert.ok(n.controllerId !== undefined || n.errors.cntlid instanceof ParseError);
        const m = buildMdraid(
          'md0',
          new Map([
            ['sync_completed', b],
            ['dev-sda/slot', c],
          ]),
          ['sda'],
        );
        assert.equal(m.components.length, 1);
        assert.ok(
          m.syncCompleted !== undefined || m.errors.sync_completed !== undefined || /^\s*(none|delayed)?\s*$/.test(b),
        );
      }),
      { numRuns: 500, seed: 34 },
    );
  });
});
