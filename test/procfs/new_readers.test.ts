/**
 * Readers added to match newer Go procfs: /proc/cgroups, net/tls_stat, net/netfilter/nfnetlink_queue,
 * net/wireless, net/dev_snmp6/<iface>. Fixtures: captures from this kernel (proc/) and synthetic
 * files written from the kernel's formats (odd-tree/, see its README.md); live checks where this
 * machine has the file.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NotSupportedError, ParseError } from '../../src/errors.ts';
import { ProcFS } from '../../src/procfs/fs.ts';
import {
  parseCgroupSummaries,
  parseNFNetLinkQueue,
  parseNFSClientRPCStats,
  parseNFSServerRPCStats,
  parseTLSStat,
  parseWireless,
} from '../../src/procfs/index.ts';
import { procFixtureRoot } from './fixtures.ts';

const odd = new ProcFS(fileURLToPath(new URL('../fixtures/procfs/odd-tree', import.meta.url)));
const captured = new ProcFS(procFixtureRoot);
const live = new ProcFS();

describe('/proc/cgroups', () => {
  it('captured: every controller, with hierarchy, count and enabled', () => {
    const c = captured.cgroupSummaries();
    const text = readFileSync(`${procFixtureRoot}/cgroups`, 'utf8');
    assert.equal(c.length, text.trim().split('\n').length - 1);
    const cpu = c.find((x) => x.subsysName === 'cpu');
    assert.ok(cpu?.enabled && cpu.cgroups >= 1);
    assert.deepEqual(captured.cgroupSummarys(), c, 'Go procfs name');
  });
  it('broken: header missing, short row, enabled not 0/1', () => {
    assert.throws(() => parseCgroupSummaries('cpu 1 1 1\n'), ParseError);
    assert.throws(() => parseCgroupSummaries('#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu 1 1\n'), ParseError);
    assert.throws(() => parseCgroupSummaries('#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu 1 1 2\n'), ParseError);
  });
  it('live: matches the file, line by line', () => {
    const c = live.cgroupSummaries();
    const rows = readFileSync('/proc/cgroups', 'utf8').trim().split('\n').slice(1);
    assert.deepEqual(
      c.map((x) => `${x.subsysName} ${x.hierarchy} ${x.enabled ? 1 : 0}`),
      rows.map((r) => r.split(/\s+/)).map((f) => `${f[0]} ${f[1]} ${f[3]}`),
    );
  });
});

describe('/proc/net/tls_stat', () => {
  it('synthetic: every counter by the kernel name', () => {
    const s = odd.tlsStat();
    assert.equal(s.TlsCurrTxSw, 2);
    assert.equal(s.TlsTxSw, 120);
    assert.equal(s.TlsDecryptError, 3);
    assert.equal(s.TlsRxNoPadViolation, 1);
    assert.equal(Object.keys(s).length, 17);
  });
  it('missing: NotSupportedError naming modprobe tls; broken lines: ParseError', (t) => {
    assert.throws(
      () => captured.tlsStat(),
      (e) => e instanceof NotSupportedError && /modprobe tls/.test(e.message),
    );
    assert.throws(() => parseTLSStat('TlsTxSw 1 2\n'), ParseError);
    assert.throws(() => parseTLSStat('TlsTxSw 1\nTlsTxSw 2\n'), ParseError);
    if (!existsSync('/proc/net/tls_stat')) {
      t.diagnostic('live: no /proc/net/tls_stat on this machine (tls module not loaded)');
      return;
    }
    assert.ok('TlsTxSw' in live.tlsStat());
  });
});

describe('/proc/net/netfilter/nfnetlink_queue', () => {
  it('synthetic: both queues, every column', () => {
    assert.deepEqual(odd.nfNetLinkQueue(), [
      {
        queueId: 0,
        peerPortId: 4242,
        queueTotal: 3,
        copyMode: 2,
        copyRange: 65531,
        queueDropped: 7,
        userDropped: 1,
        sequenceId: 123456,
        always1: 1,
      },
      {
        queueId: 1,
        peerPortId: 0,
        queueTotal: 0,
        copyMode: 0,
        copyRange: 0,
        queueDropped: 0,
        userDropped: 0,
        sequenceId: 0,
        always1: 1,
      },
    ]);
    assert.throws(() => parseNFNetLinkQueue('0 1 2\n'), ParseError);
  });
  it('live: as many rows as the file has lines', (t) => {
    if (!existsSync('/proc/net/netfilter/nfnetlink_queue')) {
      t.diagnostic('live: nfnetlink_queue not loaded on this machine');
      return;
    }
    const lines = readFileSync('/proc/net/netfilter/nfnetlink_queue', 'utf8').split('\n').filter(Boolean);
    assert.equal(live.nfNetLinkQueue().length, lines.length);
  });
});

describe('/proc/net/wireless', () => {
  it('synthetic: quality with the updated flags, discards, missed beacons', () => {
    const [a, b] = odd.wireless();
    assert.deepEqual(a, {
      name: 'wlan0',
      status: 0,
      qualityLink: 70,
      qualityLevel: -40,
      qualityNoise: -256,
      qualityUpdated: { link: true, level: true, noise: true },
      discardedNwid: 0,
      discardedCrypt: 3,
      discardedFrag: 0,
      discardedRetry: 12,
      discardedMisc: 5,
      missedBeacon: 1,
    });
    assert.equal(b!.name, 'wlp2s0');
    assert.equal(b!.status, 0x10);
    assert.deepEqual(b!.qualityUpdated, { link: false, level: true, noise: false });
    assert.equal(b!.discardedFrag, 2);
  });
  it('header only: no interfaces; broken: ParseError; missing: NotSupportedError', () => {
    const head = readFileSync(`${odd.mountPoint}/net/wireless`, 'utf8').split('\n').slice(0, 2).join('\n');
    assert.deepEqual(parseWireless(`${head}\n`), []);
    assert.throws(() => parseWireless('wlan0: 0000 1. 2. 3. 0 0 0 0 0 0\n'), ParseError);
    assert.throws(() => parseWireless(`${head}\n wlan0: zz\n`), ParseError);
    assert.throws(() => captured.wireless(), NotSupportedError);
  });
});

describe('/proc/net/dev_snmp6/<interface>', () => {
  it('captured: counters per interface, split like snmp6', () => {
    const d = captured.netDevSNMP6();
    assert.deepEqual(Object.keys(d).sort(), ['eth0', 'lo']);
    const text = readFileSync(`${procFixtureRoot}/net/dev_snmp6/lo`, 'utf8');
    const inRecv = Number(/^Ip6InReceives\s+(\d+)/m.exec(text)![1]);
    assert.equal(d.lo!.Ip6!.InReceives, inRecv);
    assert.equal(typeof d.eth0!.Icmp6!.InMsgs, 'number');
  });
  it('live: one entry per interface of this namespace, with ifIndex', () => {
    const d = live.netDevSNMP6();
    const ifaces = readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((l) => l.split(':')[0]!.trim())
      .sort();
    assert.deepEqual(Object.keys(d).sort(), ifaces);
    assert.equal(typeof d.lo!.Ip6!.InReceives, 'number');
  });
});

describe('/proc/net/rpc/nfs{,d}', () => {
  it('synthetic client: net, rpc, procedures by version', () => {
    const c = odd.nfsClientRPCStats();
    assert.deepEqual(c.network, { netCount: 18628, udpCount: 0, tcpCount: 18628, tcpConnect: 6 });
    assert.deepEqual(c.clientRPC, { rpcCount: 4329785, retransmissions: 12, authRefreshes: 4338291 });
    assert.equal(c.procedures['3']!.counts.length, 22);
    assert.equal(c.procedures['3']!.counts[2], 4084749, 'GETATTR');
    assert.equal(c.procedures['4']!.counts.length, 69);
    assert.equal(c.procedures['2']!.counts[16], 99);
  });
  it('synthetic server: reply cache, io, threads, rpc, v4 ops, newer lines kept', () => {
    const s = odd.nfsServerRPCStats();
    assert.deepEqual(s.replyCache, { hits: 0, misses: 6, noCache: 18622 });
    assert.deepEqual(s.inputOutput, { read: 157286400, write: 72864 });
    assert.deepEqual(s.threads, { threads: 8, fullCount: 0 });
    assert.deepEqual(s.serverRPC, { rpcCount: 18628, badCount: 3, badFmt: 1, badAuth: 2, badcInt: 0 });
    assert.deepEqual(s.procedures['4']!.counts, [2, 10853]);
    assert.equal(s.v4Ops?.length, 76);
    assert.equal(s.v4Ops?.[10], 8179);
    assert.deepEqual(s.lines.wdeleg_getattr, [0]);
    assert.equal(s.lines.ra?.length, 12);
  });
  it('broken: a count that does not match, junk keys; missing: NotSupportedError', () => {
    assert.throws(() => parseNFSClientRPCStats('proc3 22 1 2 3\n'), ParseError);
    assert.throws(() => parseNFSClientRPCStats('net 1 2\n'), ParseError);
    assert.throws(() => parseNFSServerRPCStats('proc4ops 3 1 2\n'), ParseError);
    assert.throws(() => parseNFSServerRPCStats('Rc 0 0 0\n'), ParseError);
    assert.throws(() => captured.nfsClientRPCStats(), NotSupportedError);
    assert.throws(() => captured.nfsServerRPCStats(), NotSupportedError);
  });
  it('live: where the machine has them', (t) => {
    if (existsSync('/proc/net/rpc/nfs')) assert.ok(live.nfsClientRPCStats().lines);
    else t.diagnostic('no NFS client on this machine');
    if (existsSync('/proc/net/rpc/nfsd')) assert.ok(live.nfsServerRPCStats().lines);
    else t.diagnostic('no NFS server on this machine');
  });
});
