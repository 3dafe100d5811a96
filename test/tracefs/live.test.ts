/**
 * Live tracefs tests (root): private instances, filters and their kernel
 * explanations, stale-instance removal after SIGKILL, mounting, loss counts.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync as runSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  findTracefs,
  TraceFilterError,
  Tracefs,
  TracefsUnavailableError,
  TracepointMissingError,
  traceEvents,
} from '../../src/tracefs/index.ts';
import { have, needRoot, repoRoot, runCapture, skipBecause } from '../helpers/env.ts';

let tfs: Tracefs | undefined;
function tracefs(): Tracefs {
  tfs ??= Tracefs.open();
  return tfs;
}

/** Our own instances left in instances/ (must be none after every test). */
function ourInstances(): string[] {
  if (!tfs) return [];
  return readdirSync(join(tfs.root, 'instances')).filter((n) => n.startsWith(`raingauge-${process.pid}-`));
}

after(() => {
  assert.deepEqual(ourInstances(), [], 'instances left behind');
});

/** A node child that waits for SIGUSR2, then runs `body`, then prints "done" and waits for SIGTERM. */
function child(body: string): { proc: ChildProcess; done: Promise<void> } {
  const proc = spawn(
    process.execPath,
    [
      '-e',
      `process.on('SIGUSR2', () => { ${body} }); function finish() { process.stdout.write('done\\n'); } setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const done = new Promise<void>((resolve) => proc.stdout!.once('data', () => resolve()));
  return { proc, done };
}

/** Wait until the child has installed its SIGUSR2 handler. */
async function started(proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
    const caught = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)/m.exec(status)![1]}`);
    if (caught & (1n << 11n)) return; // SIGUSR2 = 12 → bit 11 (node itself catches SIGUSR1 for its inspector)
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('child did not start');
}

/** tracefs was mounted before these tests (if not, the library mounts it: unmount it again at the end). */
const mountedBefore = existsSync('/sys/kernel/tracing/events') || existsSync('/sys/kernel/debug/tracing/events');
after(() => {
  if (!mountedBefore && existsSync('/sys/kernel/tracing/events')) runSync('umount', ['/sys/kernel/tracing']);
});

describe('tracefs live', () => {
  test('traceEvents: exec of a child, decoded from the format, instance removed on break', async (t) => {
    if (needRoot(t)) return;
    const s = traceEvents({ events: ['sched:sched_process_exec'], pid: process.pid, tracefs: tracefs() });
    assert.equal(ourInstances().length, 1);
    const r = spawnSync('/bin/true');
    assert.equal(r.status, 0);
    let seen: { filename: unknown; pid: unknown } | undefined;
    const timer = setTimeout(() => s.close(), 5000);
    for await (const e of s) {
      if (e.fields.filename === '/bin/true') {
        seen = { filename: e.fields.filename, pid: e.fields.pid };
        assert.equal(e.tid, r.pid);
        assert.equal(e.interrupt, false);
        break;
      }
    }
    clearTimeout(timer);
    assert.deepEqual(seen, { filename: '/bin/true', pid: r.pid });
    assert.equal(s.isClosed, true);
    assert.deepEqual(ourInstances(), []);
  });

  test('a rejected filter is a TraceFilterError with the kernel error_log explanation', (t) => {
    if (needRoot(t)) return;
    assert.throws(
      () => traceEvents({ events: ['sock:sock_send_length'], filter: 'familyx == 2', tracefs: tracefs() }),
      (err: unknown) => {
        assert.ok(err instanceof TraceFilterError);
        assert.equal(err.event, 'sock:sock_send_length');
        assert.match(err.kernelExplanation, /Field not found/);
        assert.match(err.kernelExplanation, /familyx == 2/);
        assert.match(err.message, /Field not found/);
        return true;
      },
    );
    assert.throws(
      () => traceEvents({ events: ['sock:sock_send_length'], filter: 'family == ', tracefs: tracefs() }),
      (err: unknown) => err instanceof TraceFilterError && /Invalid value/.test(err.kernelExplanation),
    );
    assert.deepEqual(ourInstances(), []);
  });

  test('a missing tracepoint is named with the kernel version that added it', (t) => {
    if (needRoot(t)) return;
    assert.throws(
      () => traceEvents({ events: ['sock:no_such_event'], tracefs: tracefs() }),
      (err: unknown) => err instanceof TracepointMissingError && err.event === 'sock:no_such_event',
    );
    // an older kernel: a tracefs tree without sock_send_length
    const dir = mkdtempSync(join(tmpdir(), 'rg-tracefs-'));
    try {
      mkdirSync(join(dir, 'events', 'sock'), { recursive: true });
      mkdirSync(join(dir, 'instances'));
      const old = new Tracefs(findTracefs({ root: dir }));
      assert.throws(() => old.format('sock:sock_send_length'), /added in Linux 6\.3/);
      assert.throws(() => findTracefs({ root: join(dir, 'events') }), TracefsUnavailableError);
    } finally {
      rmSync(dir, { recursive: true });
    }
    assert.deepEqual(ourInstances(), []);
  });

  test('a tracer killed with SIGKILL: tracing stops (dead-man switch), the next start removes its instance', async (t) => {
    if (needRoot(t)) return;
    const script = join(repoRoot, 'test', 'tracefs', 'fixtures-child.tmp.ts');
    writeFileSync(
      script,
      `import { traceEvents } from '../../src/tracefs/index.ts';
const s = traceEvents({ events: ['sock:sock_send_length', 'sched:sched_process_exec'] });
process.stdout.write(s.instance.name + '\\n');
setInterval(() => {}, 1000);
`,
    );
    try {
      const proc = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const name = await new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.trim());
        });
        proc.on('exit', () => reject(new Error('child exited early')));
      });
      const dir = join(tracefs().root, 'instances', name);
      assert.match(name, new RegExp(`^raingauge-${proc.pid}-0$`));
      assert.equal(readFileSync(join(dir, 'tracing_on'), 'utf8').trim(), '1');
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      assert.ok(existsSync(dir), 'SIGKILL leaves the instance');
      assert.equal(readFileSync(join(dir, 'tracing_on'), 'utf8').trim(), '0', 'disable_on_free stopped tracing');
      const inst = tracefs().createInstance();
      try {
        assert.equal(existsSync(dir), false, 'stale instance removed at start');
      } finally {
        inst.close();
      }
    } finally {
      rmSync(script, { force: true });
    }
    assert.deepEqual(ourInstances(), []);
  });

  test('events + lost = what the child did, in overwrite and in no-overwrite mode', async (t) => {
    if (needRoot(t)) return;
    for (const overwrite of [true, false]) {
      const N = 3000;
      const c = child(`
        const s = require('dgram').createSocket('udp4');
        s.bind(0, '127.0.0.1', () => { const p = s.address().port; const b = Buffer.alloc(8);
          for (let i = 0; i < ${N}; i++) s.send(b, p, '127.0.0.1');
          setTimeout(finish, 200); });
        s.on('message', () => {});`);
      try {
        await started(c.proc);
        const s = traceEvents({
          events: ['sock:sock_send_length'],
          filter: 'family == 2',
          pid: c.proc.pid!,
          bufferSizeKb: 8,
          overwrite,
          tracefs: tracefs(),
        });
        c.proc.kill('SIGUSR2');
        await c.done; // nothing read meanwhile: the 8 KiB buffers overflow
        let events = 0;
        const stop = setTimeout(() => s.close(), 300);
        for await (const _ of s) events++;
        clearTimeout(stop);
        const st = s.stats();
        assert.equal(st.events, events);
        assert.ok(st.lost > 0, `overwrite=${overwrite}: nothing lost with an 8 KiB buffer?`);
        assert.equal(events + st.lost, N, `overwrite=${overwrite}: ${events} events + ${st.lost} lost`);
        const kernelCounter = st.perCpu.reduce((a, x) => a + (overwrite ? x.overrun : x.droppedEvents), 0);
        assert.equal(st.lost, kernelCounter);
      } finally {
        c.proc.kill('SIGTERM');
      }
    }
    assert.deepEqual(ourInstances(), []);
  });

  test('reading never blocks the event loop: timers keep firing while idle and under load', async (t) => {
    if (needRoot(t)) return;
    const s = traceEvents({ events: ['sock:sock_send_length'], tracefs: tracefs(), intervalMs: 20 });
    let ticks = 0;
    const iv = setInterval(() => ticks++, 10);
    const stop = setTimeout(() => s.close(), 500);
    for await (const _ of s) {
      // drain whatever the machine sends
    }
    clearTimeout(stop);
    clearInterval(iv);
    assert.ok(ticks >= 25, `only ${ticks} 10 ms ticks in 500 ms`);
    assert.deepEqual(ourInstances(), []);
  });

  test('tracefs not mounted: findTracefs mounts it (private mount namespace)', async (t) => {
    if (needRoot(t)) return;
    if (!have('unshare') || !have('umount')) {
      skipBecause(t, 'needs unshare (util-linux) and umount (mount)');
      return;
    }
    const script = join(repoRoot, 'test', 'tracefs', 'mount-child.tmp.ts');
    writeFileSync(
      script,
      `import { existsSync } from 'node:fs';
import { findTracefs, TracefsUnavailableError } from '../../src/tracefs/index.ts';
const before = existsSync('/sys/kernel/tracing/events');
let refused = false;
try { findTracefs({ mount: false }); } catch (e) { refused = e instanceof TracefsUnavailableError; }
const root = findTracefs();
process.stdout.write(JSON.stringify({ before, refused, root, after: existsSync(root + '/events/sock') }));
`,
    );
    try {
      const r = await runCapture('unshare', [
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        `umount /sys/kernel/tracing 2>/dev/null; umount /sys/kernel/debug 2>/dev/null; exec "${process.execPath}" --import tsx "${script}"`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), {
        before: false,
        refused: true,
        root: '/sys/kernel/tracing',
        after: true,
      });
    } finally {
      rmSync(script, { force: true });
    }
    assert.ok(existsSync(join(tracefs().root, 'events')), 'the outer mount is untouched');
  });
});
