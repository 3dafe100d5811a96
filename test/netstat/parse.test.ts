import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ParseError } from '../../src/errors.ts';
import {
  parseCounterValue,
  parseNetstatFile,
  parseSnmp6File,
  parseSnmpFile,
  splitSnmp6Key,
} from '../../src/netstat/parse.ts';
import { repoRoot } from '../helpers/env.ts';
import { applyEdits, textEdits, valueOrParseError } from '../helpers/fuzz.ts';

const fx = (...p: string[]) => join(repoRoot, 'test/fixtures/netstat', ...p);
const read = (...p: string[]) => readFileSync(fx(...p), 'utf8');

/** Independent naive parse of a header/value pair file, to cross-check the fast parser. */
function naivePairs(text: string): Record<string, Record<string, string>> {
  const lines = text.trim().split('\n');
  const out: Record<string, Record<string, string>> = {};
  for (let i = 0; i < lines.length; i += 2) {
    const [p, ...names] = lines[i]!.split(/\s+/);
    const [, ...vals] = lines[i + 1]!.split(/\s+/);
    out[p!.replace(':', '')] = Object.fromEntries(names.map((n, k) => [n, vals[k]!]));
  }
  return out;
}

function asStrings(set: Record<string, Record<string, number | bigint>>): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(set).map(([p, s]) => [p, Object.fromEntries(Object.entries(s).map(([n, v]) => [n, String(v)]))]),
  );
}

describe('parseNetstatFile / parseSnmpFile on fixtures', () => {
  for (const kernel of ['linux-6.18', 'linux-6.18-fresh-netns', 'linux-4.4', 'linux-3.2', 'huge-values']) {
    for (const file of ['netstat', 'snmp']) {
      test(`${kernel}/${file} matches a naive parse exactly`, () => {
        const text = read(kernel, 'net', file);
        const parsed = file === 'snmp' ? parseSnmpFile(text) : parseNetstatFile(text);
        assert.deepEqual(asStrings(parsed), naivePairs(text));
      });
    }
  }

  test('6.18 netstat has TcpExt, IpExt and MPTcpExt with the seed counters', () => {
    const n = parseNetstatFile(read('linux-6.18', 'net', 'netstat'));
    assert.deepEqual(Object.keys(n), ['TcpExt', 'IpExt', 'MPTcpExt']);
    for (const k of ['ListenOverflows', 'ListenDrops', 'SyncookiesSent', 'TCPRcvQDrop', 'TCPAODroppedIcmps']) {
      assert.equal(typeof n.TcpExt![k], 'number', k);
    }
  });

  test('4.4 netstat has no MPTcpExt and the old prequeue counters; values kept', () => {
    const n = parseNetstatFile(read('linux-4.4', 'net', 'netstat'));
    assert.deepEqual(Object.keys(n), ['TcpExt', 'IpExt']);
    assert.equal(n.TcpExt!.ListenOverflows, 22438);
    assert.equal(n.TcpExt!.ListenDrops, 49148);
    assert.ok('TCPPrequeueDropped' in n.TcpExt!);
    assert.ok(!('TCPRcvQDrop' in n.TcpExt!), 'absent, not invented as 0');
  });

  test('snmp: MaxConn is -1, IcmpMsg absent in a fresh namespace, 3.x has no InCsumErrors', () => {
    const s = parseSnmpFile(read('linux-6.18', 'net', 'snmp'));
    assert.equal(s.Tcp!.MaxConn, -1);
    assert.equal(s.Tcp!.RtoMax, 120000);
    const fresh = parseSnmpFile(read('linux-6.18-fresh-netns', 'net', 'snmp'));
    assert.ok(!('IcmpMsg' in fresh));
    assert.equal(fresh.Tcp!.ActiveOpens, 0);
    const old = parseSnmpFile(read('linux-3.2', 'net', 'snmp'));
    assert.ok(!('InCsumErrors' in old.Tcp!));
    assert.equal(old.Ip!.Forwarding, 2);
  });

  test('values above 2^53 - 1 are exact bigints, the rest numbers', () => {
    const n = parseNetstatFile(read('huge-values', 'net', 'netstat'));
    assert.equal(n.IpExt!.InOctets, 18446744073709551615n);
    assert.equal(n.IpExt!.OutOctets, 9007199254740993n);
    assert.equal(n.IpExt!.InMcastOctets, 9007199254740991);
    const s = parseSnmpFile(read('huge-values', 'net', 'snmp'));
    assert.equal(s.Tcp!.InSegs, 9007199254740992n);
    assert.equal(s.Tcp!.OutSegs, 123456789012345678n);
    const six = parseSnmp6File(read('huge-values', 'net', 'snmp6'));
    assert.equal(six.Ip6!.InOctets, 18446744073709551615n);
    assert.equal(six.Ip6!.OutOctets, 42);
  });

  test('empty text and blank lines', () => {
    assert.deepEqual(parseNetstatFile(''), {});
    assert.deepEqual(parseSnmp6File(''), {});
    assert.deepEqual(parseNetstatFile('\nA: x\nA: 1\n\n'), { A: { x: 1 } });
  });
});

describe('parseSnmp6File', () => {
  test('6.18 snmp6 splits at the first "6" like node_exporter and keeps every line', () => {
    const text = read('linux-6.18', 'net', 'snmp6');
    const s = parseSnmp6File(text);
    assert.deepEqual(Object.keys(s), ['Ip6', 'Icmp6', 'Udp6', 'UdpLite6']);
    const lines = text.trim().split('\n');
    let n = 0;
    for (const p of Object.values(s)) n += Object.keys(p).length;
    assert.equal(n, lines.length);
    for (const line of lines) {
      const [key, val] = line.trim().split(/\s+/);
      const [proto, name] = splitSnmp6Key(key!)!;
      assert.equal(String(s[proto]![name]), val, key);
    }
  });

  test('splitSnmp6Key', () => {
    assert.deepEqual(splitSnmp6Key('Ip6InOctets'), ['Ip6', 'InOctets']);
    assert.deepEqual(splitSnmp6Key('UdpLite6InErrors'), ['UdpLite6', 'InErrors']);
    assert.deepEqual(splitSnmp6Key('Icmp6OutType143'), ['Icmp6', 'OutType143']);
    assert.deepEqual(splitSnmp6Key('ifIndex'), ['', 'ifIndex']);
    assert.equal(splitSnmp6Key('Ip6'), undefined);
  });

  test('4.4 snmp6 fixture', () => {
    const s = parseSnmp6File(read('linux-4.4', 'net', 'snmp6'));
    assert.ok(typeof s.Icmp6!.OutType143 === 'number');
    assert.ok(typeof s.UdpLite6!.InCsumErrors === 'number');
  });
});

describe('broken files raise ParseError naming file, line and text', () => {
  const cases: [string, 'pairs' | 'snmp6', number, RegExp][] = [
    ['netstat-truncated', 'pairs', 3, /no value line/],
    ['netstat-count-mismatch', 'pairs', 2, /3 names but 2 values/],
    ['snmp-nonnumeric', 'pairs', 2, /CurrEstab is not an integer/],
    ['netstat-prefix-mismatch', 'pairs', 2, /does not start with "TcpExt:"/],
    ['netstat-no-colon', 'pairs', 1, /header line/],
    ['netstat-duplicate-section', 'pairs', 3, /appears twice/],
    ['netstat-duplicate-name', 'pairs', 1, /TcpExt A appears twice/],
    ['netstat-float', 'pairs', 2, /not an integer: "2.5"/],
    ['netstat-binary', 'pairs', 1, /header line/],
    ['snmp6-three-fields', 'snmp6', 2, /3 fields/],
    ['snmp6-ends-at-six', 'snmp6', 2, /nothing after its "6"/],
    ['snmp6-nonnumeric', 'snmp6', 2, /not an integer/],
    ['snmp6-duplicate', 'snmp6', 2, /appears twice/],
  ];
  for (const [file, kind, line, re] of cases) {
    test(file, () => {
      const text = read('broken', file);
      const f = `/x/${file}`;
      assert.throws(
        () => (kind === 'pairs' ? parseNetstatFile(text, f) : parseSnmp6File(text, f)),
        (err: unknown) => {
          assert.ok(err instanceof ParseError, String(err));
          assert.equal(err.file, f);
          assert.equal(err.line, line);
          assert.match(err.message, re);
          assert.ok(err.message.includes(f));
          assert.equal(typeof err.text, 'string');
          return true;
        },
      );
    });
  }

  test('__proto__ as a name is rejected rather than polluting the object', () => {
    assert.throws(() => parseNetstatFile('A: __proto__\nA: 1\n'), ParseError);
    assert.throws(() => parseNetstatFile('__proto__: a\n__proto__: 1\n'), ParseError);
  });
});

describe('parseCounterValue', () => {
  test('edges', () => {
    assert.equal(parseCounterValue('0'), 0);
    assert.equal(parseCounterValue('-1'), -1);
    assert.equal(parseCounterValue('-0'), 0);
    assert.equal(parseCounterValue('999999999999999'), 999999999999999);
    assert.equal(parseCounterValue('9007199254740991'), 9007199254740991);
    assert.equal(parseCounterValue('9007199254740992'), 9007199254740992n);
    assert.equal(parseCounterValue('-9007199254740992'), -9007199254740992n);
    for (const bad of ['', '-', '+1', '1e3', '0x10', ' 1', '1.0', '١'])
      assert.equal(parseCounterValue(bad), undefined, bad);
  });

  test('fuzz: any integer round-trips exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (b) => {
        const v = parseCounterValue(b.toString());
        assert.equal(BigInt(v!), b);
        assert.equal(typeof v, b <= 9007199254740991n && b >= -9007199254740991n ? 'number' : 'bigint');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('fuzz: arbitrary input → a value or a ParseError, nothing else', () => {
  const real = [
    read('linux-6.18', 'net', 'netstat'),
    read('linux-6.18', 'net', 'snmp'),
    read('linux-4.4', 'net', 'snmp'),
  ];
  const real6 = read('linux-6.18', 'net', 'snmp6');

  /** A parse gives an object or a ParseError, nothing else. */
  function check(fn: () => unknown, input: string) {
    valueOrParseError('netstat parsers', () => assert.equal(typeof fn(), 'object'), input);
  }

  test('random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        check(() => parseNetstatFile(s), s);
        check(() => parseSnmp6File(s), s);
      }),
      { numRuns: 1200 },
    );
  });

  test('mutated real files (replaced, inserted, deleted characters, lines, numbers)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...real, real6), textEdits(8), (text, edits) => {
        const s = applyEdits(text, edits);
        check(() => parseNetstatFile(s), s);
        check(() => parseSnmp6File(s), s);
      }),
      { numRuns: 1500 },
    );
  });

  test('generated well-formed files parse to exactly what was generated', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,12}$/).filter((s) => s !== '__proto__');
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { minLength: 1, maxLength: 5 }),
        fc.array(fc.uniqueArray(name, { minLength: 1, maxLength: 10 }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 50, maxLength: 50 }),
        (protos, nameLists, values) => {
          let text = '';
          const want: Record<string, Record<string, bigint>> = {};
          let k = 0;
          protos.forEach((p, i) => {
            const names = nameLists[i]!;
            const vals = names.map(() => values[k++ % values.length]!);
            text += `${p}: ${names.join(' ')}\n${p}: ${vals.join(' ')}\n`;
            want[p] = Object.fromEntries(names.map((n, j) => [n, vals[j]!]));
          });
          const got = parseNetstatFile(text);
          assert.deepEqual(Object.keys(got), protos);
          for (const p of protos) {
            for (const [n, v] of Object.entries(want[p]!)) assert.equal(BigInt(got[p]![n]!), v);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
