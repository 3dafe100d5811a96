/**
 * Refresh the per-process fixtures under test/fixtures/procfs/proc/<pid>/ from
 * this machine's /proc (not a test; run by hand as root):
 *
 *   node --import tsx test/procfs/proc_capture.ts
 *
 * Captures this node process (also linked as `self`), PID 1, PID 2 (a kernel
 * thread) and a spawned `sleep` child with a known command line and
 * environment. Files a process cannot give are simply not written, which is
 * itself a fixture case ("missing optional file").
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { procFixtureRoot as root } from './fixtures.ts';

const FILES = [
  'stat',
  'status',
  'statm',
  'cmdline',
  'comm',
  'environ',
  'io',
  'limits',
  'schedstat',
  'wchan',
  'cgroup',
  'mountinfo',
  'mountstats',
  'maps',
  'smaps_rollup',
  'oom_score',
  'oom_score_adj',
  'auxv',
  'net/dev',
];
const LINKS = ['cwd', 'exe', 'root'];

/** Keep the fixtures free of this machine's private details (environment, tool paths). */
function sanitize(name: string, b: Buffer): Buffer {
  if (name === 'mountinfo' || name === 'mountstats') {
    const keep = b
      .toString('utf8')
      .split('\n')
      .filter((l) => !l.includes('/mnt/sandboxing'))
      .join('\n');
    return Buffer.from(keep);
  }
  return b;
}

function copyText(src: string, dst: string): void {
  try {
    const b = sanitize(src.split('/').pop()!, readFileSync(src));
    mkdirSync(join(dst, '..'), { recursive: true });
    writeFileSync(dst, b);
  } catch {
    /* not readable for this process: leave it out */
  }
}

function capture(pid: number, dst: string, { threads = 0, fds = 6 } = {}): void {
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(dst, { recursive: true });
  const src = `/proc/${pid}`;
  for (const f of FILES) copyText(join(src, f), join(dst, f));
  for (const l of LINKS) {
    try {
      symlinkSync(readlinkSync(join(src, l)), join(dst, l));
    } catch {}
  }
  mkdirSync(join(dst, 'ns'));
  for (const n of readdirSync(join(src, 'ns'))) {
    try {
      symlinkSync(readlinkSync(join(src, 'ns', n)), join(dst, 'ns', n));
    } catch {}
  }
  mkdirSync(join(dst, 'fd'));
  mkdirSync(join(dst, 'fdinfo'));
  let fdNames: string[] = [];
  try {
    fdNames = readdirSync(join(src, 'fd')).slice(0, fds);
  } catch {}
  for (const fd of fdNames) {
    try {
      let target = readlinkSync(join(src, 'fd', fd));
      if (target.startsWith('/tmp/')) target = '/tmp/raingauge-fixture.log';
      const info = readFileSync(join(src, 'fdinfo', fd));
      symlinkSync(target, join(dst, 'fd', fd));
      writeFileSync(join(dst, 'fdinfo', fd), info);
    } catch {}
  }
  if (threads > 0) {
    for (const tid of readdirSync(join(src, 'task')).slice(0, threads)) {
      for (const f of ['stat', 'status', 'comm', 'schedstat', 'io', 'statm']) {
        copyText(join(src, 'task', tid, f), join(dst, 'task', tid, f));
      }
    }
  }
}

const child = spawn('sleep', ['1000'], { env: { RG_FIXTURE: 'a b', EMPTY: '' }, stdio: 'ignore' });
try {
  await new Promise((r) => setTimeout(r, 200));
  capture(process.pid, join(root, String(process.pid)), { threads: 3 });
  // the capturing shell's environment is private: replace it with a synthetic one
  writeFileSync(join(root, String(process.pid), 'environ'), 'PATH=/usr/bin:/bin\0HOME=/root\0LANG=C.UTF-8\0');
  capture(1, join(root, '1'));
  capture(2, join(root, '2'));
  capture(child.pid!, join(root, String(child.pid)));
} finally {
  child.kill();
}
const self = join(root, 'self');
rmSync(self, { force: true });
symlinkSync(String(process.pid), self);
if (!existsSync(join(root, 'stat'))) writeFileSync(join(root, 'stat'), readFileSync('/proc/stat'));
if (!existsSync(join(root, 'uptime'))) writeFileSync(join(root, 'uptime'), readFileSync('/proc/uptime'));
process.stdout.write(`captured self=${process.pid} child=${child.pid} into ${root}\n`);
