import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InvalidArgumentError, NotFoundError, ParseError } from '../../src/errors.ts';
import {
  counterKind,
  flattenCounters,
  NetCounterReader,
  netCounterDir,
  netCounters,
  netnsInode,
  parseNetstatFile,
  parseSnmp6File,
  parseSnmpFile,
} from '../../src/netstat/index.ts';
import { needNetns, repoRoot } from '../helpers/env.ts';

const fx = join(repoRoot, 'test/fixtures/netstat');

describe('netCounters on fixture trees', () => {
  test('6.18 tree: the three files merged, in file order', () => {
    const c = netCounters({ procMountPoint: join(fx, 'linux-6.18') });
    assert.deepEqual(Object.keys(c), [
      'TcpExt',
      'IpExt',
      'MPTcpExt',
      'Ip',
      'Icmp',
      'IcmpMsg',
      'Tcp',
      'Udp',
      'UdpLite',
      'Ip6',
      'Icmp6',
      'Udp6',
      'UdpLite6',
    ]);
    const want = {
      ...parseNetstatFile(readFileSync(join(fx, 'linux-6.18/net/netstat'), 'utf8')),
      ...parseSnmpFile(readFileSync(join(fx, 'linux-6.18/net/snmp'), 'utf8')),
      ...parseSnmp6File(readFileSync(join(fx, 'linux-6.18/net/snmp6'), 'utf8')),
    };
    assert.deepEqual(c, want);
  });

  test('a process namespace: <mount>/<pid>/net, snmp6 missing (IPv6 off) is tolerated', () => {
    const c = netCounters({ procMountPoint: join(fx, 'pid-tree'), pid: 4242 });
    assert.ok(c.TcpExt && c.Tcp && c.Udp);
    assert.equal(c.Ip6, undefined);
    assert.equal(netCounterDir({ procMountPoint: '/p', pid: 1 }), '/p/1/net');
  });

  test('missing directory / process → NotFoundError; bad pid → InvalidArgumentError', () => {
    assert.throws(() => netCounters({ procMountPoint: join(fx, 'pid-tree'), pid: 999 }), NotFoundError);
    assert.throws(() => netCounters({ procMountPoint: join(fx, 'nowhere') }), NotFoundError);
    assert.throws(() => netCounters({ pid: 0 }), InvalidArgumentError);
    assert.throws(() => netCounters({ pid: 1.5 }), InvalidArgumentError);
  });

  test('a broken file → ParseError naming its full path and line', () => {
    assert.throws(
      () => netCounters({ procMountPoint: join(fx, 'broken-tree') }),
      (e: unknown) => e instanceof ParseError && e.file === join(fx, 'broken-tree/net/snmp') && e.line === 4,
    );
  });

  test('a closed reader refuses to read; close is idempotent', () => {
    const r = new NetCounterReader({ procMountPoint: join(fx, 'linux-4.4') });
    assert.equal(r.read().TcpExt!.ListenOverflows, 22438);
    r.close();
    r.close();
    assert.throws(() => r.read(), /closed/);
  });
});

describe('live: this machine', () => {
  test('every counter the kernel prints is read, same as reading the files whole', () => {
    const mine = netCounters();
    const files = {
      ...parseNetstatFile(readFileSync('/proc/net/netstat', 'utf8')),
      ...parseSnmpFile(readFileSync('/proc/net/snmp', 'utf8')),
      ...parseSnmp6File(readFileSync('/proc/net/snmp6', 'utf8')),
    };
    const a = flattenCounters(mine).map((c) => `${c.proto}.${c.name}`);
    const b = flattenCounters(files).map((c) => `${c.proto}.${c.name}`);
    assert.deepEqual(a, b);
    assert.ok(a.length > 300, `${a.length} counters`);
    assert.equal(mine.Tcp!.MaxConn, -1);
  });

  test('a kept-open reader re-reads fresh values (pread at 0) and counters never go down', async () => {
    const r = new NetCounterReader();
    try {
      const first = r.read();
      // make some traffic in this namespace so counters move: a UDP datagram to a closed port
      const dgram = await import('node:dgram');
      const s = dgram.createSocket('udp4');
      await new Promise<void>((res) => s.send('x', 9, '127.0.0.1', () => res()));
      s.close();
      await new Promise((res) => setTimeout(res, 50));
      const second = r.read();
      assert.ok(Number(second.Udp!.OutDatagrams) > Number(first.Udp!.OutDatagrams), 'OutDatagrams grew');
      for (const c of flattenCounters(second)) {
        if (counterKind(c.proto, c.name) === 'gauge') continue;
        const before = first[c.proto]?.[c.name];
        if (before !== undefined) assert.ok(BigInt(c.value) >= BigInt(before), `${c.proto}.${c.name}`);
      }
    } finally {
      r.close();
    }
  });

  test('pid: our own pid reads the same namespace', () => {
    const a = netCounters({ pid: process.pid });
    const b = netCounters();
    assert.deepEqual(Object.keys(a), Object.keys(b));
    assert.equal(a.Tcp!.RtoMax, b.Tcp!.RtoMax);
  });
});

describe('live: another process in another network namespace', () => {
  test('{ pid } reads that namespace (a fresh one: zero TCP activity), not ours', async (t) => {
    if (needNetns(t)) return;
    const child = spawn('unshare', ['--net', 'sleep', '30'], { stdio: 'ignore' });
    try {
      const pid = child.pid!;
      const ours = netnsInode();
      let theirs = ours;
      for (let i = 0; i < 100 && theirs === ours; i++) {
        await new Promise((r) => setTimeout(r, 20));
        theirs = netnsInode({ pid });
      }
      assert.notEqual(theirs, ours, 'the child moved to its own namespace');
      const c = netCounters({ pid });
      assert.equal(c.Tcp!.ActiveOpens, 0);
      assert.equal(c.Tcp!.PassiveOpens, 0);
      assert.equal(c.Ip!.InReceives, 0, 'its loopback is down: nothing received');
      const mine = netCounters();
      assert.ok(Number(mine.Tcp!.ActiveOpens) > 0 || Number(mine.Ip!.InReceives) > 0, 'ours has seen traffic');
      // a kept-open reader stays bound to that namespace even after the process is gone
      const r = new NetCounterReader({ pid });
      child.kill('SIGKILL');
      await new Promise((res) => child.once('exit', res));
      assert.equal(r.read().Tcp!.ActiveOpens, 0);
      r.close();
      assert.throws(() => netCounters({ pid }), NotFoundError, 'a gone process is NotFound');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
