import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { computeDelayRows, type DelaySample, formatDelayTable } from '../../src/cli/commands/delays.ts';
import { formatExitEventJson, formatExitEventText } from '../../src/cli/commands/exits.ts';
import { formatProcFallbackText, formatTaskstatsText } from '../../src/cli/commands/taskstats.ts';
import {
  decodeExitStatus,
  decodeTaskstats,
  decodeTaskstatsMessage,
  procDelayStats,
  type TaskstatsExitRecord,
} from '../../src/taskstats/index.ts';
import { spawnCli } from '../helpers/cli.ts';
import { needRoot, repoRoot } from '../helpers/env.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/taskstats/${name}`, import.meta.url));

test('formatTaskstatsText: getdelays-style blocks, max/min only when the version has them', () => {
  const v16 = decodeTaskstats(fixture('stats-v16.bin'));
  const text = formatTaskstatsText(v16, { scope: 'pid', id: v16.acPid });
  for (const label of ['CPU', 'IO', 'SWAP', 'RECLAIM', 'THRASHING', 'COMPACT', 'WPCOPY', 'IRQ']) {
    assert.match(text, new RegExp(`^${label} +\\d+ `, 'm'), label);
  }
  assert.match(text, /delay max +delay min/);
  assert.match(text, new RegExp(`^CPU +${v16.cpuCount} `, 'm'));
  assert.match(text, /^CONTEXT +voluntary switches \d+ +involuntary switches \d+/m);
  assert.match(text, /^IO +read /m);
  const v8 = formatTaskstatsText(decodeTaskstats(fixture('stats-v8.bin')), { scope: 'pid', id: 1 });
  assert.doesNotMatch(v8, /delay max/);
  assert.doesNotMatch(v8, /^THRASHING/m);
});

test('formatExitEventText / Json: the group event gives the thread line and the process total', () => {
  const buf = fixture('event-exit-group.bin');
  const [task, group] = decodeTaskstatsMessage(buf, 16, buf.length).entries;
  const ev: TaskstatsExitRecord = {
    kind: 'exit',
    pid: task!.id,
    tgid: task!.stats.acTgid!,
    comm: task!.stats.acComm,
    exitStatus: decodeExitStatus(task!.stats.acExitcode),
    stats: task!.stats,
    group: { tgid: group!.id, stats: group!.stats },
  };
  const lines = formatExitEventText(ev).trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, new RegExp(`^ +${task!.id} +${group!.id} node +exit 3 `));
  assert.match(lines[1]!, /└ process total/);
  const j = JSON.parse(formatExitEventJson(ev));
  assert.equal(j.pid, task!.id);
  assert.equal(j.exitStatus.exitCode, 3);
  assert.equal(j.group.tgid, group!.id);
  assert.equal(typeof j.stats.cpuDelayTotal, 'string', 'u64 as decimal string');
  const lost = formatExitEventText({ kind: 'lost', overruns: 1, totalOverruns: 2 });
  assert.match(lost, /lost exit events.*2 overrun/);
});

test('formatProcFallbackText with and without /proc/<pid>/io', () => {
  const p = procDelayStats(process.pid);
  assert.match(formatProcFallbackText(p), /\[exact\]/);
  assert.match(formatProcFallbackText({ ...p, io: null }), /not readable/);
});

const s = (comm: string, cpuRunNs: bigint, cpuDelayNs: bigint, blkioDelayNs = 0n): DelaySample => ({
  comm,
  cpuRunNs,
  cpuDelayNs,
  blkioDelayNs,
  swapinDelayNs: 0n,
  reclaimDelayNs: 0n,
  otherDelayNs: 0n,
});

test('computeDelayRows: deltas, percentages, order, new and reused pids', () => {
  const prev = new Map([
    [1, s('a', 100n, 100n)],
    [2, s('b', 100n, 100n, 0n)],
    [3, s('idle', 5n, 5n)],
    [4, s('reused', 1_000_000_000n, 10n)],
  ]);
  const cur = new Map([
    [1, s('a', 600_000_100n, 100_000_100n)], // 60% CPU, 10% run-queue wait
    [2, s('b', 100n, 100n, 500_000_000n)], // 50% block I/O wait
    [3, s('idle', 5n, 5n)],
    [4, s('reused', 1000n, 20n)], // counters went backwards: a new process with this pid
    [5, s('new', 1n, 1n)], // not in the previous sample
  ]);
  const rows = computeDelayRows(prev, cur, 1_000_000_000n);
  assert.deepEqual(
    rows.map((r) => r.pid),
    [2, 1, 4],
  );
  assert.equal(rows[0]!.blkioWaitPct, 50);
  assert.equal(rows[1]!.cpuRunPct, 60);
  assert.equal(rows[1]!.runqWaitPct, 10);
  assert.equal(rows[2]!.totalWaitNs, 20n);
  const table = formatDelayTable(rows);
  assert.match(table, /RUNQ%/);
  assert.match(table, /│ +2 │ b +│/);
});

test('CLI taskstats: text, --json, --tgid, errors and exit codes', async (t) => {
  if (needRoot(t)) return;
  const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
  try {
    await once(child, 'spawn');
    await delay(100);
    const text = await spawnCli(['taskstats', String(child.pid)]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^pid ${child.pid} \\(sleep\\)`));
    assert.match(text.stdout, /^CPU +\d+ /m);
    const json = await spawnCli(['taskstats', '--json', String(child.pid)]);
    assert.equal(json.code, 0, json.stderr);
    const j = JSON.parse(json.stdout);
    assert.equal(j.stats.acPid, child.pid);
    assert.equal(j.stats.acComm, 'sleep');
    assert.equal(j.delays[0].label, 'CPU');
    const tg = await spawnCli(['taskstats', '--tgid', '--json', String(child.pid)]);
    assert.equal(JSON.parse(tg.stdout).scope, 'tgid');
    assert.equal(JSON.parse(tg.stdout).comm, 'sleep', 'comm from /proc for tgid records');
    const gone = await spawnCli(['taskstats', '4194304']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /is gone/);
    const bad = await spawnCli(['taskstats', 'x']);
    assert.equal(bad.code, 2);
  } finally {
    child.kill('SIGKILL');
  }
});

test('CLI taskstats as nobody falls back to /proc', async (t) => {
  if (needRoot(t)) return;
  const nobody = { prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] };
  const r = await spawnCli(['taskstats', '1'], nobody);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /CAP_NET_ADMIN/);
  assert.match(r.stdout, /from \/proc/);
  assert.match(r.stdout, /not readable/, "nobody cannot read init's /proc/1/io");
  const d = await spawnCli(['delays', '--interval', '0.3', '--count', '1', '--top', '1000', '--json'], nobody);
  assert.equal(d.code, 0, d.stderr);
  const report = JSON.parse(d.stdout.trim());
  assert.equal(report.source, 'procfs');
  assert.ok(report.processes.length > 0, 'processes listed from /proc');
});

test('CLI exits: streams an exiting child with its status, stops cleanly on SIGTERM', async (t) => {
  if (needRoot(t)) return;
  const code = "import { main } from './src/cli/main.ts'; process.exitCode = await main(['exits']);";
  const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => {
    out += d;
  });
  p.stderr.on('data', (d) => {
    err += d;
  });
  try {
    for (let i = 0; i < 200 && !out.includes('COMMAND'); i++) await delay(50);
    assert.match(out, /PID +TGID COMMAND/, err);
    const c = spawn('/bin/sh', ['-c', 'exit 9'], { stdio: 'ignore' });
    const pid = c.pid!;
    const re = new RegExp(`^ +${pid} +${pid} sh +exit 9 `, 'm');
    for (let i = 0; i < 100 && !re.test(out); i++) await delay(50);
    assert.match(out, re);
    const t0 = Date.now();
    p.kill('SIGTERM');
    const [exitCode] = await once(p, 'exit');
    assert.equal(exitCode, 0, err);
    assert.ok(Date.now() - t0 < 3000, 'stops promptly');
    assert.match(err, /exit\(s\), no events lost/);
  } finally {
    if (p.exitCode === null) p.kill('SIGKILL');
  }
});

test('CLI delays: JSON reports with a busy child near the top', async (t) => {
  if (needRoot(t)) return;
  const busy = spawn(process.execPath, ['-e', 'const e=Date.now()+20000;while(Date.now()<e){}'], { stdio: 'ignore' });
  try {
    await once(busy, 'spawn');
    const r = await spawnCli(['delays', '--interval', '0.5', '--count', '2', '--top', '1000', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const reports = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(reports.length, 2);
    assert.equal(reports[0].source, 'taskstats');
    const row = reports[1].processes.find((x: { pid: number }) => x.pid === busy.pid);
    assert.ok(row, 'the busy child is listed');
    // a busy loop is always running or runnable: run time + run-queue wait ≈ the whole interval, whatever the load
    const busyPct = row.cpuRunPct + row.runqWaitPct;
    assert.ok(busyPct > 60 && busyPct < 130, `busy child ran ${row.cpuRunPct}% and waited ${row.runqWaitPct}%`);
    const waits = reports[1].processes.map((x: { totalWaitNs: string }) => BigInt(x.totalWaitNs));
    for (let i = 1; i < waits.length; i++) assert.ok(waits[i - 1] >= waits[i], 'ordered by wait');
    const bad = await spawnCli(['delays', '--interval', '0']);
    assert.equal(bad.code, 2);
  } finally {
    busy.kill('SIGKILL');
  }
});
