import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  msgFlagsNum2Str,
  msgFlagsStr2Num,
  sockFamNum2Str,
  sockFamStr2Num,
  sockFlagsNum2Str,
  sockFlagsStr2Num,
  sockProtNum2Str,
  sockProtStr2Num,
  sockStateNum2Str,
  sockStateStr2Num,
  sockTypeNum2Str,
  sockTypeStr2Num,
  tcpStateNum2Str,
  tcpStateStr2Num,
} from '../../src/probes/index.ts';
import { parseEventFormat } from '../../src/tracefs/index.ts';

describe('tapset num2str / str2num helpers', () => {
  test('protocols (/etc/protocols alias names), UNDEF and -1 when unknown', () => {
    assert.deepEqual([0, 1, 6, 17, 132, 136, 262, 999].map(sockProtNum2Str), [
      'IP',
      'ICMP',
      'TCP',
      'UDP',
      'SCTP',
      'UDPLite',
      'MPTCP',
      'UNDEF',
    ]);
    assert.deepEqual(['TCP', 'udp', 'UDPLite', 'nope'].map(sockProtStr2Num), [6, 17, 136, -1]);
  });

  test('families: the tapset table, plus newer families unless tapsetOnly', () => {
    assert.deepEqual(
      [0, 1, 2, 10, 16, 17, 31, 33].map((f) => sockFamNum2Str(f)),
      ['UNSPEC', 'LOCAL', 'INET', 'INET6', 'NETLINK', 'PACKET', 'BLUETOOTH', 'RXRPC'],
    );
    assert.equal(sockFamNum2Str(40), 'VSOCK');
    assert.equal(sockFamNum2Str(44), 'XDP');
    assert.equal(sockFamNum2Str(40, true), 'UNDEF');
    assert.equal(sockFamNum2Str(21, true), 'UNDEF');
    assert.equal(sockFamNum2Str(99), 'UNDEF');
    assert.deepEqual(['INET', 'inet6', 'LOCAL', 'unix', 'VSOCK', 'bogus'].map(sockFamStr2Num), [2, 10, 1, 1, 40, -1]);
  });

  test('states, types', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(sockStateNum2Str), [
      'FREE',
      'UNCONNECTED',
      'CONNECTING',
      'CONNECTED',
      'DISCONNECTING',
      'UNDEF',
    ]);
    assert.equal(sockStateStr2Num('CONNECTED'), 3);
    assert.equal(sockStateStr2Num('x'), -1);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 10, 7].map(sockTypeNum2Str), [
      'STREAM',
      'DGRAM',
      'RAW',
      'RDM',
      'SEQPACKET',
      'DCCP',
      'PACKET',
      'UNDEF',
    ]);
    assert.equal(sockTypeStr2Num('SEQPACKET'), 5);
  });

  test('socket flags and msg flags joined with |', () => {
    assert.equal(sockFlagsNum2Str(0), '');
    assert.equal(sockFlagsNum2Str(0b10101), 'ASYNC_NOSPACE|NOSPACE|PASSSEC');
    assert.equal(sockFlagsStr2Num('NOSPACE|PASSCRED'), 12);
    assert.equal(sockFlagsStr2Num('NOSPACE|BOGUS'), -1);
    assert.equal(msgFlagsNum2Str(0x42), 'PEEK|DONTWAIT');
    assert.equal(msgFlagsNum2Str(0x4), 'DONTROUTE|TRYHARD');
    assert.equal(msgFlagsNum2Str(0x8000 | 0x4000 | 1), 'OOB|NOSIGNAL|MORE');
    assert.equal(msgFlagsStr2Num('PEEK|DONTWAIT'), 0x42);
    assert.equal(msgFlagsStr2Num(''), 0);
  });

  test('flags round trip (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 31 }), (f) => sockFlagsStr2Num(sockFlagsNum2Str(f)) === f));
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), (f) => msgFlagsStr2Num(msgFlagsNum2Str(f)) === f));
  });

  test('TCP state names agree with the kernel print fmt of inet_sock_set_state', () => {
    const text = readFileSync(
      fileURLToPath(new URL('../fixtures/tracefs/events/sock/inet_sock_set_state/format', import.meta.url)),
      'utf8',
    );
    const table = parseEventFormat(text, 'sock').symbols.get('newstate')!;
    assert.equal(table.size, 12);
    for (const [n, name] of table) {
      assert.equal(`TCP_${tcpStateNum2Str(n)}`, name);
      assert.equal(tcpStateStr2Num(name), n);
    }
    assert.equal(tcpStateNum2Str(0), 'UNDEF');
  });
});
