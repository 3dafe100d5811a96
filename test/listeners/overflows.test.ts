import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { renderOverflowReport } from '../../src/cli/commands/overflows.ts';
import {
  diagnoseListenOverflows,
  type ListenQueueStats,
  readListenLimits,
  watchListenOverflows,
} from '../../src/listeners/index.ts';
import { repoRoot } from '../helpers/env.ts';

const limits = { somaxconn: 4096, tcpMaxSynBacklog: 2048, tcpSyncookies: 1, tcpAbortOnOverflow: 0 };
const owners = [{ pid: 123, command: 'node' }];

function map(entries: [string, ListenQueueStats][]) {
  return new Map(entries);
}

describe('diagnoseListenOverflows (pure)', () => {
  test('no drops: nothing to advise', () => {
    const r = diagnoseListenOverflows({
      delta: { TcpExt: { ListenOverflows: 0, ListenDrops: 0 } },
      listeners: map([['0.0.0.0:80', { queued: 0, backlog: 511 }]]),
      limits,
      seconds: 1,
      timeMs: 5,
    });
    assert.equal(r.dropped, false);
    assert.deepEqual(r.full, []);
    assert.deepEqual(r.advice, []);
    assert.equal(r.timeMs, 5);
    assert.equal(r.counters.SyncookiesSent, 0, 'counters the kernel did not print are 0');
  });

  test('a full listener limited by its own listen() backlog → raise the backlog in the app', () => {
    const r = diagnoseListenOverflows({
      delta: { TcpExt: { ListenOverflows: 4, ListenDrops: 4 } },
      listeners: map([
        ['127.0.0.1:8080', { queued: 3, backlog: 2, owners }],
        ['0.0.0.0:22', { queued: 0, backlog: 128 }],
      ]),
      limits,
      seconds: 1,
    });
    assert.equal(r.dropped, true);
    assert.equal(r.full.length, 1);
    assert.deepEqual(r.full[0], {
      key: '127.0.0.1:8080',
      queued: 3,
      queuedPeak: 3,
      backlog: 2,
      full: true,
      limitedBy: 'listen-backlog',
      owners,
    });
    assert.match(
      r.advice[0]!,
      /127\.0\.0\.1:8080 \(123\/node\).*listen\(\) backlog the application passed.*backlog: 1024/,
    );
    assert.ok(r.advice.some((a) => /accept\(\) as fast/.test(a)));
    assert.ok(!r.advice.some((a) => /were not accept-queue overflows/.test(a)));
  });

  test('a full listener capped by somaxconn → raise somaxconn', () => {
    const r = diagnoseListenOverflows({
      delta: { TcpExt: { ListenOverflows: 1, ListenDrops: 3 } },
      listeners: map([['[::]:443', { queued: 129, backlog: 128, owners: [] }]]),
      limits: { ...limits, somaxconn: 128 },
      seconds: 1,
    });
    assert.equal(r.full[0]!.limitedBy, 'somaxconn');
    assert.match(r.advice[0]!, /capped at 128 by net\.core\.somaxconn \(128\).*sysctl -w net\.core\.somaxconn=1024/);
    assert.match(r.advice[0]!, /owner not found/);
    assert.ok(r.advice.some((a) => /^2 drop\(s\) were not accept-queue overflows/.test(a)));
  });

  test('drops but no listener full when sampled → busiest named, sample faster', () => {
    const r = diagnoseListenOverflows({
      delta: { TcpExt: { ListenOverflows: 2n, ListenDrops: 2n } },
      listeners: map([
        ['0.0.0.0:80', { queued: 10, backlog: 511 }],
        ['0.0.0.0:81', { queued: 1, backlog: 4 }],
      ]),
      limits,
      seconds: 1,
    });
    assert.deepEqual(r.full, []);
    assert.deepEqual(
      r.busiest.map((b) => b.key),
      ['0.0.0.0:81', '0.0.0.0:80'],
    );
    assert.ok(r.advice.some((a) => /No listener was full.*0\.0\.0\.0:81 with 1\/4/.test(a)));
  });

  test('SYN cookies / SYN queue drops are explained, tcp_syncookies=0 noted', () => {
    const r = diagnoseListenOverflows({
      delta: { TcpExt: { SyncookiesSent: 5, TCPReqQFullDoCookies: 5 } },
      listeners: map([]),
      limits,
      seconds: 1,
    });
    assert.equal(r.dropped, true);
    assert.ok(r.advice.some((a) => /SYN \(request\) queue overflowed.*SYN cookies answered/.test(a)));
    const off = diagnoseListenOverflows({
      delta: { TcpExt: { TCPReqQFullDrop: 1, ListenDrops: 1 } },
      listeners: map([]),
      limits: { ...limits, tcpSyncookies: 0 },
      seconds: 1,
    });
    assert.ok(off.advice.some((a) => /tcp_syncookies is 0.*tcp_max_syn_backlog \(2048\)/.test(a)));
  });

  test('an idle listener with backlog 0 is not full', () => {
    const r = diagnoseListenOverflows({
      delta: { TcpExt: { ListenOverflows: 1 } },
      listeners: map([['0.0.0.0:9', { queued: 0, backlog: 0 }]]),
      limits: {},
      seconds: 1,
    });
    assert.deepEqual(r.full, []);
  });

  test('renderOverflowReport shows the full listener, limits and advice', () => {
    const r = diagnoseListenOverflows({
      delta: { TcpExt: { ListenOverflows: 4, ListenDrops: 4 } },
      listeners: map([['127.0.0.1:8080', { queued: 3, backlog: 2, owners }]]),
      limits,
      seconds: 1.5,
      timeMs: Date.UTC(2026, 0, 1),
    });
    const text = renderOverflowReport(r);
    assert.match(text, /^2026-01-01T00:00:00\.000Z {2}DROPS in 1\.50 s {2}ListenOverflows \+4 {2}ListenDrops \+4/);
    assert.match(text, /127\.0\.0\.1:8080 {2}queued 3\/2 FULL {2}limit set by the listen\(\) backlog {2}123\/node/);
    assert.match(text, /net\.core\.somaxconn=4096/);
    const ok = renderOverflowReport({ ...r, dropped: false });
    assert.match(ok, /ok {2}ListenOverflows \+4/);
    assert.equal(ok.split('\n').length, 1);
  });
});

describe('readListenLimits and watchListenOverflows on a fixture tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-ovf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('sysctls read from <mount>/sys/net, missing ones left out', () => {
    mkdirSync(join(dir, 'sys/net/core'), { recursive: true });
    mkdirSync(join(dir, 'sys/net/ipv4'), { recursive: true });
    writeFileSync(join(dir, 'sys/net/core/somaxconn'), '128\n');
    writeFileSync(join(dir, 'sys/net/ipv4/tcp_syncookies'), '1\n');
    assert.deepEqual(readListenLimits(dir), { somaxconn: 128, tcpSyncookies: 1 });
    const live = readListenLimits();
    assert.equal(typeof live.somaxconn, 'number');
  });

  test('watch yields one report per interval from the reader and the given listener source', async () => {
    mkdirSync(join(dir, 'net'), { recursive: true });
    for (const f of ['netstat', 'snmp']) {
      writeFileSync(join(dir, 'net', f), '');
    }
    const src = join(repoRoot, 'test/fixtures/netstat/linux-4.4/net');
    const { copyFileSync } = await import('node:fs');
    for (const f of ['netstat', 'snmp', 'snmp6']) copyFileSync(join(src, f), join(dir, 'net', f));
    let calls = 0;
    const reports = [];
    for await (const r of watchListenOverflows({
      intervalMs: 10,
      count: 2,
      procMountPoint: dir,
      listeners: () => {
        calls++;
        return map([['0.0.0.0:80', { queued: 0, backlog: 128 }]]);
      },
    })) {
      reports.push(r);
    }
    assert.equal(reports.length, 2);
    assert.ok(calls >= 2, `${calls} listener samples`);
    assert.equal(reports[0]!.dropped, false, 'a static file has no deltas');
    assert.equal(reports[0]!.limits.somaxconn, 128);
  });

  test('listener queues are sampled within the interval: peaks reported, owners looked up only on drops', async () => {
    const { copyFileSync, readFileSync } = await import('node:fs');
    const src = join(repoRoot, 'test/fixtures/netstat/linux-4.4/net');
    for (const f of ['netstat', 'snmp', 'snmp6']) copyFileSync(join(src, f), join(dir, 'net', f));
    const netstatPath = join(dir, 'net', 'netstat');
    const original = readFileSync(netstatPath, 'utf8');
    // queue 5/8 on the first sample, 0 afterwards; the second interval also sees 3 more ListenOverflows
    let samples = 0;
    let ownerCalls = 0;
    let bumped = false;
    const reports: Awaited<ReturnType<typeof diagnoseListenOverflows>>[] = [];
    for await (const r of watchListenOverflows({
      intervalMs: 60,
      listenerSampleMs: 15,
      count: 2,
      procMountPoint: dir,
      listeners: () => {
        samples++;
        if (reports.length === 1 && !bumped) {
          bumped = true;
          writeFileSync(netstatPath, original.replace(/^(TcpExt: (?:\d+ ){19})22438 49148/m, '$122441 49151'));
        }
        return map([['0.0.0.0:80', { queued: samples === 1 ? 5 : 0, backlog: 8 }]]);
      },
      owners: () => {
        ownerCalls++;
        return map([['0.0.0.0:80', { queued: 0, backlog: 8, owners }]]);
      },
    })) {
      reports.push(r);
    }
    writeFileSync(netstatPath, original);
    assert.ok(samples >= 3, `sampled ${samples} times`);
    assert.ok(bumped);
    assert.equal(reports[0]!.dropped, false);
    assert.equal(reports[0]!.busiest[0]!.queuedPeak, 5, 'the peak of the interval');
    assert.equal(reports[0]!.busiest[0]!.queued, 0, 'the last sample');
    assert.equal(reports[1]!.dropped, true);
    assert.equal(reports[1]!.counters.ListenOverflows, 3);
    assert.equal(reports[1]!.counters.ListenDrops, 3);
    assert.equal(ownerCalls, 1, 'owners looked up once, for the interval with drops');
    assert.ok(reports[1]!.advice.some((a) => a.includes('No listener was full')));
  });
});
