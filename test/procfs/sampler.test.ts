/**
 * ProcessSampler on live processes: CPU % from stat tick deltas over wall
 * time, cross-checked against the scheduler's own nanoseconds
 * (/proc/<pid>/schedstat) over the same interval; RSS against status VmRSS;
 * gone PIDs dropped and their descriptors closed.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { ParseError } from '../../src/errors.ts';
import { ProcFS } from '../../src/procfs/fs.ts';
import { ProcessSampler } from '../../src/procfs/sampler.ts';
import { procFixtureRoot } from './fixtures.ts';

const fs = new ProcFS();
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function start(code: string): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  children.push(c);
  return new Promise((resolve, reject) => {
    c.once('spawn', () => setTimeout(() => resolve(c), 100));
    c.once('error', reject);
  });
}

const schedNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

describe('ProcessSampler', () => {
  it('CPU % of a busy and an idle child match the scheduler over the same interval', async () => {
    const busy = await start('for (;;) {}');
    const idle = await start('setInterval(() => {}, 1000)');
    const s = new ProcessSampler(fs);
    try {
      const first = s.sample([busy.pid!, idle.pid!, busy.pid!]);
      assert.equal(first.size, 2, 'duplicates sampled once');
      assert.ok(first.get(busy.pid!)!.cpuPercent > 0, 'first sample: average since start');
      assert.equal(s.openDescriptors, 3, 'two stat descriptors + /proc/uptime');
      const ns0 = schedNs(busy.pid!);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 800));
      const second = s.sample([busy.pid!, idle.pid!]);
      const ns1 = schedNs(busy.pid!);
      const wall = (performance.now() - t0) / 1000;
      const kernelPct = ((ns1 - ns0) / 1e9 / wall) * 100;
      const b = second.get(busy.pid!)!;
      const i = second.get(idle.pid!)!;
      // busy is single-threaded: its main thread's schedstat is its whole CPU time
      assert.ok(Math.abs(b.cpuPercent - kernelPct) < 15, `sampler ${b.cpuPercent}% vs schedstat ${kernelPct}%`);
      // no absolute threshold: on a machine shared by other work a spinning child may get little CPU
      assert.ok(
        b.cpuPercent > i.cpuPercent,
        `a spinning process shows more CPU use (${b.cpuPercent}% vs ${i.cpuPercent}%)`,
      );
      assert.ok(i.cpuPercent < 10, `idle child ${i.cpuPercent}%`);
      assert.equal(b.state, 'R');
      assert.equal(b.ppid, process.pid);
      assert.equal(b.comm, 'node');
      const vmRss = fs.proc(idle.pid!).status().vmRSS!;
      assert.ok(Math.abs(i.rssBytes - vmRss) < 2 * 1024 * 1024, `rss ${i.rssBytes} vs VmRSS ${vmRss}`);
      assert.ok(i.elapsedSeconds > 0 && i.elapsedSeconds < 60);
      assert.ok(b.cpuTimeSeconds > 0);
    } finally {
      s.close();
    }
    assert.equal(s.openDescriptors, 0);
  });

  it('drops a PID that exits and closes its descriptor; unknown PIDs are absent', async () => {
    const c = await start('setInterval(() => {}, 1000)');
    const s = new ProcessSampler(fs);
    try {
      assert.equal(s.sample([c.pid!, 0x3fffffff]).size, 1);
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
      assert.equal(s.sample([c.pid!]).size, 0);
      assert.equal(s.openDescriptors, 1, 'only /proc/uptime stays open');
    } finally {
      s.close();
    }
  });

  it('a corrupt stat on a fixture tree is a ParseError', () => {
    const s = new ProcessSampler(new ProcFS(procFixtureRoot));
    try {
      assert.throws(() => s.sample([4244]), ParseError);
      const odd = s.sample([4242]).get(4242)!;
      assert.equal(odd.comm, 'a) (b c)\nd', 'comm with spaces, parentheses and a newline');
      assert.equal(odd.state, 'S');
      const ok = s.sample([20920]).get(20920)!;
      assert.equal(ok.comm, 'sleep');
      assert.equal(ok.rssBytes, Number(readFileSync(`${procFixtureRoot}/20920/stat`, 'utf8').split(' ')[23]) * 4096);
    } finally {
      s.close();
    }
  });
});
