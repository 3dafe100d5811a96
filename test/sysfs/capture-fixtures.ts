/**
 * Copies the sysfs files the sysfs tests use from THIS machine into
 * test/fixtures/sysfs/vm/sys (and /proc/diskstats into test/fixtures/sysfs/vm/proc).
 * Symlinked device directories become plain directories; attributes the
 * kernel refuses to read (EINVAL, EOPNOTSUPP, write-only) are left out, as
 * they would be absent to a reader. Run as root:
 *
 *   node --import tsx test/sysfs/capture-fixtures.ts
 *
 * The synthesized trees (laptop/, broken/, diskstats/: see
 * test/fixtures/sysfs/README.md) are not touched.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Copy one small sysfs file (copyFileSync would trust the 4096-byte stat size and spin on sysfs). */
function copyFileSync(src: string, dst: string): void {
  writeFileSync(dst, readFileSync(src));
}

const root = fileURLToPath(new URL('../fixtures/sysfs/vm/', import.meta.url));
const skip = new Set(['uevent', 'modalias']);

/** Copy readable regular files of `src` to `dst`; recurse into `subdirs`. */
function copyAttrs(src: string, dst: string, subdirs: string[] = []): void {
  mkdirSync(dst, { recursive: true });
  for (const name of readdirSync(src)) {
    const p = join(src, name);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (subdirs.includes(name)) copyAttrs(p, join(dst, name));
      continue;
    }
    if (skip.has(name) || (st.mode & 0o444) === 0) continue;
    try {
      writeFileSync(join(dst, name), readFileSync(p));
    } catch {
      // the kernel refused (EINVAL, EOPNOTSUPP …): absent in the fixture too
    }
  }
}

const sys = join(root, 'sys');
for (const iface of readdirSync('/sys/class/net')) {
  const p = join('/sys/class/net', iface);
  if (statSync(p).isDirectory()) copyAttrs(p, join(sys, 'class/net', iface), ['statistics']);
}
for (const dev of readdirSync('/sys/block')) {
  copyAttrs(join('/sys/block', dev), join(sys, 'block', dev), ['queue']);
}
const cpuRoot = '/sys/devices/system/cpu';
const cpuDst = join(sys, 'devices/system/cpu');
mkdirSync(cpuDst, { recursive: true });
for (const f of ['online', 'offline', 'possible', 'present', 'isolated', 'kernel_max']) {
  if (existsSync(join(cpuRoot, f))) copyFileSync(join(cpuRoot, f), join(cpuDst, f));
}
for (const cpu of readdirSync(cpuRoot).filter((n) => /^cpu\d+$/.test(n))) {
  copyAttrs(join(cpuRoot, cpu, 'topology'), join(cpuDst, cpu, 'topology'));
  if (existsSync(join(cpuRoot, cpu, 'online'))) copyFileSync(join(cpuRoot, cpu, 'online'), join(cpuDst, cpu, 'online'));
  if (existsSync(join(cpuRoot, cpu, 'cpufreq')))
    copyAttrs(join(cpuRoot, cpu, 'cpufreq'), join(cpuDst, cpu, 'cpufreq'), ['stats']);
}
for (const cls of ['thermal', 'hwmon', 'power_supply']) {
  const base = join('/sys/class', cls);
  if (!existsSync(base)) continue;
  for (const item of readdirSync(base)) copyAttrs(join(base, item), join(sys, 'class', cls, item));
}
if (existsSync('/sys/class/dmi/id')) copyAttrs('/sys/class/dmi/id', join(sys, 'class/dmi/id'));
mkdirSync(join(root, 'proc'), { recursive: true });
writeFileSync(join(root, 'proc/diskstats'), readFileSync('/proc/diskstats'));
process.stdout.write(`captured into ${root}\n`);
