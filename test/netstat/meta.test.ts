import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  counterFromNetstatS,
  counterKind,
  describeCounter,
  describedCounters,
  flattenCounters,
  NODE_EXPORTER_NETSTAT_FIELDS,
  netstatPrometheusText,
  nodeExporterDefaultField,
  parseNetstatFile,
  parseSnmp6File,
  parseSnmpFile,
  prometheusName,
} from '../../src/netstat/index.ts';
import { repoRoot } from '../helpers/env.ts';

const fx = (...p: string[]) => readFileSync(join(repoRoot, 'test/fixtures/netstat', ...p), 'utf8');

function fixtureCounters(kernel: string) {
  const set = { ...parseNetstatFile(fx(kernel, 'net', 'netstat')), ...parseSnmpFile(fx(kernel, 'net', 'snmp')) };
  try {
    Object.assign(set, parseSnmp6File(fx(kernel, 'net', 'snmp6')));
  } catch {
    // no snmp6 in this fixture
  }
  return flattenCounters(set);
}

const SEED = [
  ['TcpExt', 'ListenOverflows'],
  ['TcpExt', 'ListenDrops'],
  ['Tcp', 'AttemptFails'],
  ['Tcp', 'ActiveOpens'],
  ['Tcp', 'PassiveOpens'],
  ['Tcp', 'CurrEstab'],
  ['Tcp', 'EstabResets'],
] as const;

describe('describeCounter coverage', () => {
  test('every counter named in the seed is described with kernel functions', () => {
    for (const [p, n] of SEED) {
      const d = describeCounter(p, n);
      assert.ok(d, `${p} ${n}`);
      assert.ok(d.meaning.length > 20);
      assert.ok(
        d.incrementedBy.length > 0 && d.incrementedBy.every((f) => /\w+\(\)/.test(f)),
        `${p} ${n} names functions`,
      );
    }
  });

  test('the seed’s kernel functions are the ones named', () => {
    assert.match(describeCounter('TcpExt', 'ListenOverflows')!.incrementedBy.join(), /tcp_v4_syn_recv_sock/);
    assert.match(describeCounter('TcpExt', 'ListenOverflows')!.incrementedBy.join(), /tcp_conn_request/);
    assert.match(describeCounter('Tcp', 'AttemptFails')!.incrementedBy.join(), /tcp_done.*tcp_check_req/);
    assert.match(describeCounter('Tcp', 'ActiveOpens')!.incrementedBy.join(), /tcp_connect\(\)/);
    assert.match(describeCounter('Tcp', 'CurrEstab')!.incrementedBy.join(), /tcp_set_state/);
    assert.match(describeCounter('Tcp', 'EstabResets')!.incrementedBy.join(), /tcp_set_state/);
    assert.equal(describeCounter('TcpExt', 'ListenOverflows')!.mib, 'LINUX_MIB_LISTENOVERFLOWS');
  });

  for (const kernel of ['linux-6.18', 'linux-4.4', 'linux-3.2']) {
    test(`${kernel}: every node_exporter default counter and every TcpExt Listen*/Syncookies*/*Drop* is described`, () => {
      const missing: string[] = [];
      let checked = 0;
      for (const c of fixtureCounters(kernel)) {
        const wanted =
          nodeExporterDefaultField(c.proto, c.name) ||
          (c.proto === 'TcpExt' && /^(Listen|Syncookies)|Drop/.test(c.name));
        if (!wanted) continue;
        checked++;
        if (describeCounter(c.proto, c.name) === undefined) missing.push(`${c.proto}.${c.name}`);
      }
      assert.ok(checked >= 20, `checked ${checked}`);
      assert.deepEqual(missing, []);
    });
  }

  test('per-type ICMP counters get a generic description; unknown names none', () => {
    assert.match(describeCounter('IcmpMsg', 'InType3')!.meaning, /type 3 received/);
    assert.match(describeCounter('Icmp6', 'OutType143')!.meaning, /ICMPv6 messages of type 143 sent/);
    assert.equal(describeCounter('TcpExt', 'NoSuchCounter'), undefined);
    assert.equal(describeCounter('IcmpMsg', 'InTypeX'), undefined);
  });

  test('every table entry has kind matching counterKind and seeAlso entries that are themselves described', () => {
    for (const [p, n] of describedCounters()) {
      const d = describeCounter(p, n)!;
      assert.equal(d.kind, counterKind(p, n));
      for (const s of d.seeAlso ?? []) {
        const [sp, sn] = s.split('.');
        assert.ok(describeCounter(sp!, sn!), `${p}.${n} sees also ${s}, which is not described`);
      }
    }
  });
});

describe('counterKind', () => {
  test('gauges', () => {
    for (const [p, n] of [
      ['Tcp', 'CurrEstab'],
      ['Tcp', 'MaxConn'],
      ['Tcp', 'RtoAlgorithm'],
      ['Tcp', 'RtoMin'],
      ['Tcp', 'RtoMax'],
      ['Ip', 'Forwarding'],
      ['Ip', 'DefaultTTL'],
      ['MPTcpExt', 'MPCurrEstab'],
    ]) {
      assert.equal(counterKind(p!, n!), 'gauge', `${p} ${n}`);
    }
  });
  test('counters, including unknown names', () => {
    assert.equal(counterKind('TcpExt', 'ListenOverflows'), 'counter');
    assert.equal(counterKind('Tcp', 'ActiveOpens'), 'counter');
    assert.equal(counterKind('Whatever', 'New'), 'counter');
  });
});

describe('node_exporter names', () => {
  test('prometheusName', () => {
    assert.equal(prometheusName('TcpExt', 'ListenOverflows'), 'node_netstat_TcpExt_ListenOverflows');
    assert.equal(prometheusName('Tcp', 'CurrEstab'), 'node_netstat_Tcp_CurrEstab');
    assert.equal(prometheusName('Ip6', 'InOctets'), 'node_netstat_Ip6_InOctets');
  });

  test('default field filter: the set node_exporter exports from this kernel’s files', () => {
    const names = fixtureCounters('linux-6.18')
      .filter((c) => nodeExporterDefaultField(c.proto, c.name))
      .map((c) => `${c.proto}_${c.name}`)
      .sort();
    assert.deepEqual(
      names,
      [
        'Icmp6_InErrors',
        'Icmp6_InMsgs',
        'Icmp6_OutMsgs',
        'Icmp_InErrors',
        'Icmp_InMsgs',
        'Icmp_OutMsgs',
        'Ip6_InOctets',
        'Ip6_OutOctets',
        'IpExt_InOctets',
        'IpExt_OutOctets',
        'Ip_Forwarding',
        'TcpExt_ListenDrops',
        'TcpExt_ListenOverflows',
        'TcpExt_SyncookiesFailed',
        'TcpExt_SyncookiesRecv',
        'TcpExt_SyncookiesSent',
        'TcpExt_TCPOFOQueue',
        'TcpExt_TCPRcvQDrop',
        'TcpExt_TCPSynRetrans',
        'TcpExt_TCPTimeouts',
        'Tcp_ActiveOpens',
        'Tcp_CurrEstab',
        'Tcp_InErrs',
        'Tcp_InSegs',
        'Tcp_OutRsts',
        'Tcp_OutSegs',
        'Tcp_PassiveOpens',
        'Tcp_RetransSegs',
        'Udp6_InDatagrams',
        'Udp6_InErrors',
        'Udp6_NoPorts',
        'Udp6_OutDatagrams',
        'Udp6_RcvbufErrors',
        'Udp6_SndbufErrors',
        'UdpLite6_InErrors',
        'UdpLite_InErrors',
        'Udp_InDatagrams',
        'Udp_InErrors',
        'Udp_NoPorts',
        'Udp_OutDatagrams',
        'Udp_RcvbufErrors',
        'Udp_SndbufErrors',
      ].sort(),
    );
    assert.ok(!NODE_EXPORTER_NETSTAT_FIELDS.test('TcpExt_TCPBacklogDrop'));
  });

  test('netstatPrometheusText: node_exporter’s HELP/TYPE/sample lines, default set or all', () => {
    const set = {
      ...parseNetstatFile(fx('linux-6.18', 'net', 'netstat')),
      ...parseSnmpFile(fx('linux-6.18', 'net', 'snmp')),
      ...parseSnmp6File(fx('linux-6.18', 'net', 'snmp6')),
    };
    const text = netstatPrometheusText(set);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 42 * 3);
    assert.ok(
      text.includes(
        '# HELP node_netstat_TcpExt_ListenOverflows Statistic TcpExtListenOverflows.\n# TYPE node_netstat_TcpExt_ListenOverflows untyped\nnode_netstat_TcpExt_ListenOverflows 0\n',
      ),
    );
    for (let i = 0; i < lines.length; i += 3) {
      assert.match(lines[i]!, /^# HELP node_netstat_\w+ Statistic \w+\.$/);
      assert.match(lines[i + 1]!, /^# TYPE node_netstat_\w+ untyped$/);
      assert.match(lines[i + 2]!, /^node_netstat_\w+ -?\d+$/);
    }
    assert.ok(!text.includes('TCPBacklogDrop'));
    const all = netstatPrometheusText(set, { all: true });
    assert.ok(all.includes('node_netstat_TcpExt_TCPBacklogDrop 0\n'));
    assert.ok(all.includes('node_netstat_Tcp_MaxConn -1\n'));
    assert.equal(
      netstatPrometheusText({ IpExt: { InOctets: 18446744073709551615n } }),
      '# HELP node_netstat_IpExt_InOctets Statistic IpExtInOctets.\n# TYPE node_netstat_IpExt_InOctets untyped\nnode_netstat_IpExt_InOctets 18446744073709551615\n',
    );
  });

  test('netstat -s lines from the seed map back to counter names', () => {
    assert.deepEqual(counterFromNetstatS('    22438 times the listen queue of a socket overflowed'), [
      'TcpExt',
      'ListenOverflows',
    ]);
    assert.deepEqual(counterFromNetstatS('    49148 SYNs to LISTEN sockets dropped'), ['TcpExt', 'ListenDrops']);
    assert.deepEqual(counterFromNetstatS('12 failed connection attempts'), ['Tcp', 'AttemptFails']);
    assert.equal(counterFromNetstatS('something else entirely'), undefined);
    assert.equal(counterFromNetstatS(''), undefined);
    assert.equal(
      describeCounter('TcpExt', 'ListenOverflows')!.netstatS,
      'times the listen queue of a socket overflowed',
    );
  });
});
