/**
 * Live tests: SysFS against this machine's /sys and /proc, cross-checked
 * with what the kernel exposes elsewhere (os.networkInterfaces, /proc/net/dev,
 * `ip -j link`, os.cpus, /proc/diskstats, `lsblk`) and with traffic we send.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../../src/errors.ts';
import { SysFS } from '../../src/sysfs/index.ts';
import { have, needNetns, needRoot, repoRoot, runCapture, skipBecause } from '../helpers/env.ts';

const sys = new SysFS();

/** Interface → [rx bytes, rx packets, tx bytes, tx packets] from /proc/net/dev. */
function procNetDev(): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>();
  for (const line of readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(BigInt);
    out.set(m[1]!, [f[0]!, f[1]!, f[8]!, f[9]!]);
  }
  return out;
}

test('live net class: interfaces match /proc/net/dev; lo matches ip -j link and os.networkInterfaces()', (t) => {
  // interfaces may come and go while other tests run: the set read from sysfs must lie between two /proc/net/dev reads
  const devBefore = new Set(procNetDev().keys());
  const nc = sys.netClass();
  const devAfter = new Set(procNetDev().keys());
  for (const n of nc.keys()) assert.ok(devBefore.has(n) || devAfter.has(n), `${n} is in /proc/net/dev`);
  for (const n of devBefore) if (devAfter.has(n)) assert.ok(nc.has(n), `${n} (in /proc/net/dev) is in netClass()`);
  assert.ok(nc.has('lo'));
  const lo = sys.netClassByIface('lo');
  assert.equal(lo.type, 772);
  assert.equal((lo.flags ?? 0) & 0x9, 0x9, 'IFF_UP | IFF_LOOPBACK');
  const ni = os.networkInterfaces().lo;
  assert.ok(ni && ni.length > 0, 'os.networkInterfaces() lists lo');
  assert.equal(ni[0]!.mac, lo.address);
  for (const [name, iface] of nc) {
    const addrs = os.networkInterfaces()[name];
    if (addrs) assert.equal(addrs[0]!.mac, iface.address, name);
    assert.ok(iface.ifIndex !== undefined && iface.ifIndex > 0, name);
    assert.ok(iface.mtu !== undefined && iface.mtu > 0, name);
    // as the kernel says "no value" with EINVAL/EOPNOTSUPP, a healthy interface has no recorded errors
    assert.deepEqual(Object.keys(iface.errors), [], name);
  }
  if (!have('ip')) return void skipBecause(t, 'needs ip (iproute2) to cross-check');
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as {
    ifindex: number;
    ifname: string;
    mtu: number;
    txqlen?: number;
    address?: string;
    operstate: string;
  }[];
  const stable = links.filter((l) => nc.has(l.ifname) || existsSync(`/sys/class/net/${l.ifname}`));
  assert.ok(stable.some((l) => l.ifname === 'lo'));
  for (const l of stable) {
    const i = nc.get(l.ifname) ?? sys.netClassByIface(l.ifname);
    assert.equal(i.ifIndex, l.ifindex, l.ifname);
    assert.equal(i.mtu, l.mtu, l.ifname);
    if (l.txqlen !== undefined) assert.equal(i.txQueueLen, l.txqlen, l.ifname);
    if (l.address !== undefined) assert.equal(i.address, l.address, l.ifname);
    assert.equal(i.operState, l.operstate.toLowerCase(), l.ifname);
  }
});

test('live net class: lo statistics grow by at least the loopback traffic we send, and bracket /proc/net/dev', async () => {
  const before = sys.netClassByIface('lo').statistics;
  const dev = procNetDev().get('lo')!;
  const mid = sys.netClassByIface('lo').statistics;
  assert.ok(before.rx_bytes! <= dev[0]! && dev[0]! <= mid.rx_bytes!, 'sysfs ≤ /proc/net/dev ≤ sysfs (rx_bytes)');
  assert.ok(before.tx_packets! <= dev[3]! && dev[3]! <= mid.tx_packets!, 'sysfs ≤ /proc/net/dev ≤ sysfs (tx_packets)');

  const N = 50;
  const SIZE = 1000;
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const port = sock.address().port;
  let got = 0;
  const done = new Promise<void>((resolve) => {
    sock.on('message', () => {
      if (++got === N) resolve();
    });
  });
  const payload = Buffer.alloc(SIZE, 7);
  for (let i = 0; i < N; i++)
    await new Promise<void>((r, j) => sock.send(payload, port, '127.0.0.1', (e) => (e ? j(e) : r())));
  await done;
  sock.close();
  const after = sys.netClassByIface('lo').statistics;
  // each datagram is at least payload + UDP (8) + IPv4 (20) bytes on the wire of lo
  assert.ok(
    after.rx_bytes! - mid.rx_bytes! >= BigInt(N * (SIZE + 28)),
    `rx_bytes grew ${after.rx_bytes! - mid.rx_bytes!}`,
  );
  assert.ok(after.tx_bytes! - mid.tx_bytes! >= BigInt(N * (SIZE + 28)));
  assert.ok(after.rx_packets! - mid.rx_packets! >= BigInt(N));
});

test('live cpu: online list matches os.cpus(); possible ⊇ present ⊇ online; topology for each online CPU', () => {
  const online = sys.cpuOnline();
  assert.equal(online.length, os.cpus().length);
  const present = new Set(sys.cpuPresent());
  const possible = new Set(sys.cpuPossible());
  for (const c of online) assert.ok(present.has(c) && possible.has(c), `cpu${c}`);
  const offline = sys.cpuOffline();
  assert.deepEqual(
    [...new Set([...online, ...offline])].sort((a, b) => a - b),
    [...possible].sort((a, b) => a - b),
  );
  const dirs = sys.cpus();
  for (const c of online) assert.ok(dirs.includes(c));
  const topo = sys.cpuTopologies();
  for (const c of online) {
    const tp = topo.find((x) => x.cpu === c);
    assert.ok(tp, `topology of cpu${c}`);
    assert.deepEqual(tp.errors, {});
    assert.ok(tp.threadSiblingsList?.includes(c), 'a CPU is its own thread sibling');
    assert.ok(tp.coreSiblingsList?.includes(c), 'and in its own package');
  }
  const withThrottle = dirs.filter((c) => existsSync(`/sys/devices/system/cpu/cpu${c}/thermal_throttle`));
  assert.deepEqual(
    sys.cpuThermalThrottles().map((x) => x.cpu),
    withThrottle,
  );
  const withCpufreq = dirs.filter((c) => existsSync(`/sys/devices/system/cpu/cpu${c}/cpufreq`));
  assert.deepEqual(
    sys.systemCpufreq().map((f) => f.cpu),
    withCpufreq,
  );
});

test('live block: /proc/diskstats lists every /sys/block device; sysfs stat brackets the diskstats line', () => {
  const devs = sys.blockDevices();
  assert.deepEqual(
    devs,
    readdirSync('/sys/block').sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
  );
  const names = new Set(sys.diskstats().map((d) => d.deviceName));
  for (const d of devs) assert.ok(names.has(d), `${d} in /proc/diskstats`);
  // the counters only grow, so a diskstats read between two stat reads lies between them
  for (const d of devs) {
    const a = sys.blockDeviceStat(d);
    const mid = sys.diskstats().find((x) => x.deviceName === d)!;
    const b = sys.blockDeviceStat(d);
    for (const k of ['readIOs', 'writeIOs', 'readSectors', 'writeSectors', 'iosTotalTicks'] as const) {
      assert.ok(a[k] <= mid[k] && mid[k] <= b[k], `${d}.${k}: ${a[k]} ≤ ${mid[k]} ≤ ${b[k]}`);
    }
    assert.equal(mid.ioStatsCount, 17, 'Linux 5.5+ prints 17 counters');
    const info = sys.blockDevice(d);
    assert.deepEqual(info.errors, {});
    assert.equal(info.majorNumber, mid.majorNumber, `${d} major`);
    assert.equal(info.minorNumber, mid.minorNumber, `${d} minor`);
    for (const p of info.partitions) {
      assert.ok(names.has(p), `partition ${p} in /proc/diskstats`);
      assert.equal(typeof sys.blockDeviceStat(d, p).readIOs, 'number');
    }
  }
});

test('live block: queue attributes agree with lsblk', (t) => {
  for (const d of sys.blockDevices()) {
    const q = sys.blockQueueStats(d);
    assert.deepEqual(q.errors, {}, d);
    assert.ok((q.logicalBlockSize ?? 0) >= 512, d);
  }
  if (!have('lsblk')) return void skipBecause(t, 'needs lsblk (util-linux) to cross-check');
  const out = JSON.parse(
    execFileSync('lsblk', ['-b', '-J', '-d', '-o', 'NAME,SIZE,LOG-SEC,PHY-SEC,ROTA,SCHED,RA,MIN-IO,OPT-IO'], {
      encoding: 'utf8',
    }),
  ) as { blockdevices: Record<string, unknown>[] };
  assert.ok(out.blockdevices.length > 0);
  for (const b of out.blockdevices) {
    const q = sys.blockQueueStats(String(b.name));
    assert.equal(q.logicalBlockSize, b['log-sec'], `${b.name} log-sec`);
    assert.equal(q.physicalBlockSize, b['phy-sec'], `${b.name} phy-sec`);
    assert.equal(q.rotational === 1, b.rota === true || b.rota === '1', `${b.name} rota`);
    assert.equal(q.readAHeadKB, b.ra, `${b.name} read-ahead KiB`);
    assert.equal(q.minimumIOSize, b['min-io'], `${b.name} min-io`);
    assert.equal(q.optimalIOSize, b['opt-io'], `${b.name} opt-io`);
    if (b.sched) assert.equal(q.schedulerCurrent, b.sched, `${b.name} scheduler`);
    assert.equal(sys.blockDevice(String(b.name)).sizeBytes, Number(b.size), `${b.name} size in bytes`);
  }
});

test('live thermal, power_supply, hwmon, DMI: one item per directory entry, or empty/NotFound when the class is absent', () => {
  const count = (dir: string, re: RegExp) => (existsSync(dir) ? readdirSync(dir).filter((n) => re.test(n)).length : 0);
  const zones = sys.classThermalZoneStats();
  assert.equal(zones.length, count('/sys/class/thermal', /^thermal_zone\d+$/));
  assert.equal(sys.classCoolingDeviceStats().length, count('/sys/class/thermal', /^cooling_device\d+$/));
  assert.equal(sys.powerSupplyClass().size, count('/sys/class/power_supply', /./));
  const chips = sys.hwmonChips();
  assert.equal(chips.length, count('/sys/class/hwmon', /^hwmon\d+$/));
  for (const z of zones) if (z.temp !== undefined) assert.ok(z.tempCelsius! > -100 && z.tempCelsius! < 200);
  for (const c of chips)
    for (const s of c.sensors)
      if (s.type === 'temp' && s.input !== undefined) assert.ok(s.input > -100 && s.input < 200);
  if (existsSync('/sys/class/dmi/id')) assert.equal(typeof sys.dmiClass().raw, 'object');
  else assert.throws(() => sys.dmiClass(), NotFoundError);
});

test('live privileges: root-only DMI attributes read by nobody are PermissionErrors on the item; net class needs no privilege', async (t) => {
  if (needRoot(t)) return;
  const tmp = mkdtempSync(join(os.tmpdir(), 'rg-sysfs-perm-'));
  try {
    chmodSync(tmp, 0o755);
    const src = fileURLToPath(new URL('../fixtures/sysfs/laptop/sys/class/dmi', import.meta.url));
    cpSync(src, join(tmp, 'class/dmi'), { recursive: true });
    for (const f of ['board_serial', 'chassis_serial', 'product_serial', 'product_uuid'])
      chmodSync(join(tmp, 'class/dmi/id', f), 0o400);
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/sysfs/read-as-user.ts'), tmp], {
        cwd: repoRoot,
        uid: 65534,
        gid: 65534,
        env: { ...process.env, TSX_DISABLE_CACHE: '1' }, // leave no /tmp/tsx-65534 cache behind
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d;
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code: number | null) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.uid, 65534);
    assert.equal(out.dmi.systemVendor, 'LENOVO');
    assert.equal(out.dmi.productName, '20XWCTO1WW');
    assert.equal(out.dmi.productSerial, undefined);
    assert.deepEqual(out.dmi.errors, {
      board_serial: ['PermissionError', 'ERR_RAINGAUGE_PERMISSION'],
      chassis_serial: ['PermissionError', 'ERR_RAINGAUGE_PERMISSION'],
      product_serial: ['PermissionError', 'ERR_RAINGAUGE_PERMISSION'],
      product_uuid: ['PermissionError', 'ERR_RAINGAUGE_PERMISSION'],
    });
    assert.ok(out.net.length > 0);
    for (const i of out.net) assert.deepEqual(i.errors, [], `${i.name} readable without privilege`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('live race: net class read while veth pairs are created and deleted (own netns, fresh sysfs mount)', async (t) => {
  if (needNetns(t)) return;
  const script = join(repoRoot, 'test/sysfs/netns-race.ts');
  // --mount gives a private mount namespace: the sysfs mounted here disappears with it
  const r = await runCapture(
    'unshare',
    [
      '--net',
      '--mount',
      '--',
      'sh',
      '-c',
      'mount -t sysfs sysfs /sys && ip link set lo up && exec "$0" --import tsx "$1"',
      process.execPath,
      script,
    ],
    60_000,
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { scans: number; seen: number; distinct: number; problems: string[] };
  assert.deepEqual(out.problems, []);
  assert.ok(out.scans >= 10, `scanned ${out.scans} times`);
  assert.ok(out.distinct > 1, `saw ${out.distinct} interfaces: the churn was visible through the fresh sysfs`);
});
