/**
 * `raingauge ps` and `raingauge proc` end to end (the CLI run in a child
 * process through tsx) against spawned processes, plus usage errors and exit codes.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { collectProc } from '../../src/cli/commands/proc.ts';
import { formatPs, type PsRow, sortPs } from '../../src/cli/commands/ps.ts';
import { ProcessGoneError } from '../../src/errors.ts';
import { ProcFS } from '../../src/procfs/fs.ts';
import { Proc } from '../../src/procfs/proc.ts';
import { spawnCli } from '../helpers/cli.ts';

const cli = (...args: string[]) => spawnCli(args);

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
function start(code: string, ...args: string[]): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['-e', code, ...args], { stdio: 'ignore' });
  children.push(c);
  return new Promise((resolve, reject) => {
    c.once('spawn', () => setTimeout(() => resolve(c), 150));
    c.once('error', reject);
  });
}

describe('raingauge ps', () => {
  it('--json --sort cpu shows a spinning child near the top with its command line', async () => {
    const busy = await start('for (;;) {}', 'rg-ps-busy');
    const r = await cli('ps', '--json', '--sort', 'cpu', '--interval', '400');
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as PsRow[];
    const pids = rows.map((x) => x.pid);
    assert.equal(new Set(pids).size, pids.length);
    const me = rows.find((x) => x.pid === busy.pid);
    assert.ok(me, 'the child is listed');
    assert.equal(me.command, `${process.execPath} -e for (;;) {} rg-ps-busy`);
    assert.ok(me.cpuPercent > 10, `${me.cpuPercent}%`);
    assert.equal(me.threads > 0, true);
    assert.equal(me.user, 'root');
    assert.ok((me.fds ?? 0) >= 3);
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.cpuPercent >= rows[i]!.cpuPercent, 'sorted by CPU');
    assert.ok(
      rows.some((x) => x.command.startsWith('[') && x.command.endsWith(']')),
      'kernel threads as [comm]',
    );
  });

  it('--limit and --sort rss; table output', async () => {
    const r = await cli('ps', '--json', '--sort', 'rss', '--limit', '3', '--interval', '50');
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as PsRow[];
    assert.equal(rows.length, 3);
    assert.ok(rows[0]!.rssBytes >= rows[1]!.rssBytes && rows[1]!.rssBytes >= rows[2]!.rssBytes);
    const t = await cli('ps', '--limit', '2', '--interval', '50');
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /PID.*USER.*CPU%.*RSS.*THR.*FDS.*S.*COMMAND/);
  });

  it('bad options exit 2 with a reason', async () => {
    for (const args of [
      ['--sort', 'nope'],
      ['--limit', '-1'],
      ['--interval', '0'],
    ]) {
      const r = await cli('ps', ...args);
      assert.equal(r.code, 2, `${args}: ${r.stderr}`);
      assert.match(r.stderr, /raingauge: /);
    }
  });

  it('sortPs and formatPs', () => {
    const rows: PsRow[] = [
      { pid: 2, ppid: 1, cpuPercent: 1, rssBytes: 5, threads: 1, state: 'S', command: 'b\nc' },
      { pid: 1, ppid: 0, cpuPercent: 9, rssBytes: 1, threads: 3, fds: 4, state: 'R', command: 'a', user: 'root' },
    ];
    assert.deepEqual(
      sortPs(rows, 'cpu').map((r) => r.pid),
      [1, 2],
    );
    assert.deepEqual(
      sortPs(rows, 'rss').map((r) => r.pid),
      [2, 1],
    );
    assert.deepEqual(
      sortPs(rows, 'pid').map((r) => r.pid),
      [1, 2],
    );
    assert.deepEqual(
      sortPs(rows, 'fds').map((r) => r.pid),
      [1, 2],
    );
    const out = formatPs(rows);
    assert.match(out, /b\\nc/, 'a newline in a command line is shown escaped');
    assert.match(out, / - /, 'missing fds shown as -');
  });
});

describe('raingauge proc', () => {
  it('--json: everything about a spawned child', async () => {
    const c = await start('setInterval(() => {}, 1000)', 'rg-proc-arg');
    const r = await cli('proc', String(c.pid), '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.pid, c.pid);
    assert.equal(j.stat.ppid, process.pid);
    assert.equal(j.stat.comm, 'node');
    assert.equal(typeof j.stat.vsize, 'string', 'u64 as a decimal string');
    assert.deepEqual(j.cmdline, [process.execPath, '-e', 'setInterval(() => {}, 1000)', 'rg-proc-arg']);
    assert.equal(j.status.name, 'node');
    assert.equal(j.executable, process.execPath);
    assert.ok(j.fds >= 3);
    assert.equal(typeof j.io.rchar, 'string');
    assert.equal(j.limits.cpuTime.soft, 'unlimited');
    assert.ok(Array.isArray(j.cgroups));
    assert.equal(j.namespaces.net.type, 'net');
    assert.ok(j.cpuTimeSeconds >= 0);
    assert.ok(j.schedstat.runningNanoseconds);
  });

  it('table output', async () => {
    const r = await cli('proc', String(process.pid));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /open fds/);
    assert.match(r.stdout, /openFiles/);
  });

  it('bad pid exits 2; a missing process exits 1 with a clear message', async () => {
    const bad = await cli('proc', 'abc');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /<pid> must be a positive integer/);
    const zero = await cli('proc', '0');
    assert.equal(zero.code, 2);
    const gone = await cli('proc', '1073741823');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no process 1073741823/);
  });
});

describe('collectProc: a process that exits mid-read', () => {
  it('keeps what was read and marks the rest; rethrows only when nothing was read', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rg-proc-exit-'));
    try {
      cpSync(fileURLToPath(new URL('../fixtures/procfs/odd-tree', import.meta.url)), tmp, { recursive: true });
      const p = new ProcFS(tmp).proc(100);
      const cmdLine = p.cmdLine.bind(p);
      // the process "exits" right after its command line was read: its directory disappears
      p.cmdLine = () => {
        const r = cmdLine();
        rmSync(join(tmp, '100'), { recursive: true });
        return r;
      };
      const r = collectProc(p);
      assert.equal((r.stat as { pid: number }).pid, 100);
      assert.equal((r.status as { name: string }).name, 'ruby');
      assert.deepEqual(r.cmdline, ['puma 6.4.0 (tcp://0.0.0.0:3000) [app]']);
      for (const k of ['executable', 'cwd', 'io', 'limits', 'namespaces', 'wchan']) {
        assert.match((r[k] as { error: string }).error, /process 100 is gone/, k);
      }
      assert.throws(() => collectProc(new Proc(new ProcFS(tmp), 100)), ProcessGoneError, 'gone before the first read');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
