/**
 * Race test: scan every process repeatedly while short-lived processes are
 * spawned and killed at a high rate (bounded to a few seconds). No unhandled
 * error, no PID reported twice in one scan, children seen by some scans.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { ProcFS } from '../../src/procfs/fs.ts';
import type { ProcessField } from '../../src/procfs/scan.ts';

const fs = new ProcFS();
const FIELDS: ProcessField[] = ['stat', 'status', 'cmdline', 'io', 'fdCount', 'statm', 'exe'];

describe('scanning while processes come and go', () => {
  it('one-shot and kept-open scans survive a spawn/kill storm', async () => {
    const live = new Set<ChildProcess>();
    const spawned = new Set<number>();
    let stop = false;
    const storm = (async () => {
      while (!stop) {
        for (let i = 0; i < 8; i++) {
          const c = spawn('sleep', ['5'], { stdio: 'ignore' });
          if (c.pid) spawned.add(c.pid);
          live.add(c);
          c.once('exit', () => live.delete(c));
        }
        await new Promise((r) => setTimeout(r, 5));
        for (const c of live) if (Math.random() < 0.7) c.kill('SIGKILL');
      }
    })();
    const kept = fs.processScanner({ fields: FIELDS, keepOpen: true });
    let scans = 0;
    let seenChildren = 0;
    const deadline = Date.now() + 3000;
    try {
      while (Date.now() < deadline) {
        for (const snaps of [fs.processes({ fields: FIELDS }), kept.scan(), await kept.scanAsync(16)]) {
          scans++;
          const pids = snaps.map((s) => s.pid);
          assert.equal(new Set(pids).size, pids.length, 'no pid twice');
          for (const s of snaps) {
            if (s.stat) assert.equal(s.stat.pid, s.pid);
            if (spawned.has(s.pid)) seenChildren++;
            for (const e of Object.values(s.errors ?? {})) {
              // a live process may lack a field (e.g. exe of a zombie), never a ProcessGoneError
              assert.notEqual(e.name, 'ProcessGoneError');
            }
          }
        }
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      stop = true;
      await storm;
      for (const c of live) c.kill('SIGKILL');
      kept.close();
    }
    assert.equal(kept.openDescriptors, 0);
    assert.ok(scans >= 6, `${scans} scans`);
    assert.ok(spawned.size > 50, `${spawned.size} processes spawned`);
    assert.ok(seenChildren > 0, 'scans saw some of the short-lived children');
    // wait for the last children to be reaped
    await new Promise((r) => setTimeout(r, 100));
  });
});
