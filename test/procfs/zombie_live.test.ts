/**
 * A zombie on this kernel: a child that exited and whose parent never reaps it
 * (`sh -c 'sleep 0 & exec sleep 60'`: the shell becomes `sleep 60`, which never waits).
 * Its stat, status and cmdline stay readable; the files that need its memory,
 * mounts or namespaces fail with ESRCH/EINVAL/ENOENT from the kernel, which must
 * come back as ProcessExitedError per file — never a raw errno, never "gone".
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ProcessExitedError, ProcessGoneError } from '../../src/errors.ts';
import { ProcFS } from '../../src/procfs/fs.ts';
import { spawnCli } from '../helpers/cli.ts';

const fs = new ProcFS();
let parent: ChildProcess | undefined;
let zombie = 0;

async function findZombie(ppid: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    let kids: number[] = [];
    try {
      kids = readFileSync(`/proc/${ppid}/task/${ppid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {}
    for (const k of kids) {
      const st = readFileSync(`/proc/${k}/stat`, 'utf8');
      if (st.charAt(st.lastIndexOf(')') + 2) === 'Z') return k;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no zombie child of ${ppid} appeared`);
}

before(async () => {
  parent = spawn('sh', ['-c', 'sleep 0 & exec sleep 60'], { stdio: 'ignore' });
  await new Promise((r) => parent!.once('spawn', r));
  zombie = await findZombie(parent.pid!);
});
after(async () => {
  if (parent && parent.exitCode === null && parent.signalCode === null) {
    const done = new Promise((r) => parent!.once('exit', r));
    parent.kill('SIGKILL');
    await done;
  }
});

describe('a zombie process', () => {
  it('stat, status and cmdline are readable', () => {
    const p = fs.proc(zombie);
    const st = p.stat();
    assert.equal(st.state, 'Z');
    assert.equal(st.ppid, parent!.pid);
    assert.equal(p.status().state, 'Z');
    assert.deepEqual(p.cmdLine(), []);
  });

  it('files that need its memory, mounts or namespaces → ProcessExitedError naming the file', () => {
    const p = fs.proc(zombie);
    const cases: [string, () => unknown][] = [
      ['environ', () => p.environ()],
      ['mountinfo', () => p.mountInfo()],
      ['exe', () => p.executable()],
      ['cwd', () => p.cwd()],
      ['mountinfo', () => p.cgroupStats()],
    ];
    for (const [file, read] of cases) {
      assert.throws(
        read,
        (e) =>
          e instanceof ProcessExitedError &&
          !(e instanceof ProcessGoneError) &&
          e.pid === zombie &&
          e.path === `/proc/${zombie}/${file}` &&
          /has exited/.test(e.message),
        file,
      );
    }
  });

  it('a scan keeps the zombie and records the unreadable field', () => {
    const [s] = fs.processes({ fields: ['stat', 'environ', 'cmdline'], pids: [zombie] });
    assert.ok(s, 'the zombie is not dropped');
    assert.equal(s.stat?.state, 'Z');
    assert.deepEqual(s.cmdline, []);
    assert.ok(s.errors?.environ instanceof ProcessExitedError);
  });

  it('raingauge proc <zombie> shows what is readable and marks the rest', async () => {
    const r = await spawnCli(['proc', String(zombie), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal((rep.stat as { state: string }).state, 'Z');
    assert.match((rep.executable as { error: string }).error, /has exited/);
    assert.match((rep.cgroupStats as { error: string }).error, /has exited/);
    assert.doesNotMatch(r.stdout + r.stderr, /EINVAL: invalid argument/);
    const t = await spawnCli(['proc', String(zombie)]);
    assert.equal(t.code, 0, t.stderr);
  });
});
