/**
 * `raingauge netstat` when its history cannot be used or the process does not exist: a clear
 * message on stderr, and (for the history) the table still printed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'rg-netstat-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const withHistory = (path: string, ...args: string[]) =>
  spawnCli(args, { prefix: ['env', `RAINGAUGE_NETSTAT_HISTORY=${path}`] });

describe('raingauge netstat: history and pid errors', () => {
  it('RAINGAUGE_NETSTAT_HISTORY is a directory: says so, prints the table, exit 0', async () => {
    const d = join(dir, 'a-directory');
    mkdirSync(d);
    const r = await withHistory(d, 'netstat', '--delta', 'TcpExtListenOverflows', '--zeros');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /a-directory is a directory: set RAINGAUGE_NETSTAT_HISTORY to a file path/);
    assert.doesNotMatch(r.stderr, /EISDIR|at .*\.ts:/);
    assert.match(r.stdout, /^TcpExtListenOverflows +\d+/m);
  });

  it('RAINGAUGE_NETSTAT_HISTORY in a missing directory: says so, prints the table, exit 0', async () => {
    const r = await withHistory(
      join(dir, 'missing', 'h.json'),
      'netstat',
      '--delta',
      'TcpExtListenOverflows',
      '--zeros',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /the directory .*missing does not exist/);
    assert.doesNotMatch(r.stderr, /ENOENT|at .*\.ts:/);
    assert.match(r.stdout, /^TcpExtListenOverflows +\d+/m);
  });

  it('--pid of a process that does not exist: "no such process", exit 1', async () => {
    const r = await spawnCli(['netstat', '--pid', '999999999']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no such process: 999999999/);
    assert.doesNotMatch(r.stderr, /not found: .*\/net\/netstat/);
  });
});
