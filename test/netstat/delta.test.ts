import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { InvalidArgumentError, NotFoundError, ParseError } from '../../src/errors.ts';
import {
  counterDelta,
  counterMatcher,
  deltaValues,
  filterCounters,
  loadNetstatHistory,
  netCounters,
  netnsInode,
  netstatGlobToRegExp,
  netstatHistoryPath,
  parseNetstatHistory,
  resetNetstatHistory,
  saveNetstatHistory,
  stringifyCounters,
  subtractCounterValues,
} from '../../src/netstat/index.ts';

describe('counterDelta', () => {
  test('counters: delta and rate; gauges: value and signed change, no rate', () => {
    const prev = { Tcp: { ActiveOpens: 10, CurrEstab: 5, MaxConn: -1 }, TcpExt: { ListenOverflows: 3 } };
    const next = { Tcp: { ActiveOpens: 16, CurrEstab: 2, MaxConn: -1 }, TcpExt: { ListenOverflows: 3 } };
    const d = counterDelta(prev, next, 2);
    assert.deepEqual(d.Tcp!.ActiveOpens, { kind: 'counter', value: 16, delta: 6, ratePerSecond: 3 });
    assert.deepEqual(d.Tcp!.CurrEstab, { kind: 'gauge', value: 2, delta: -3 });
    assert.deepEqual(d.Tcp!.MaxConn, { kind: 'gauge', value: -1, delta: 0 });
    assert.deepEqual(d.TcpExt!.ListenOverflows, { kind: 'counter', value: 3, delta: 0, ratePerSecond: 0 });
    assert.deepEqual(deltaValues(d), {
      Tcp: { ActiveOpens: 6, CurrEstab: 2, MaxConn: -1 },
      TcpExt: { ListenOverflows: 0 },
    });
  });

  test('a counter that goes backwards starts over: next value, restarted, never negative', () => {
    const d = counterDelta({ Tcp: { InSegs: 1000 } }, { Tcp: { InSegs: 7 } }, 1);
    assert.deepEqual(d.Tcp!.InSegs, { kind: 'counter', value: 7, delta: 7, ratePerSecond: 7, restarted: true });
  });

  test('missing in prev counts from zero (IcmpMsg types appear once seen); missing in next is dropped', () => {
    const d = counterDelta({ Icmp: { InMsgs: 1 }, Old: { X: 1 } }, { Icmp: { InMsgs: 2 }, IcmpMsg: { InType3: 4 } });
    assert.deepEqual(d.IcmpMsg!.InType3, { kind: 'counter', value: 4, delta: 4 });
    assert.equal(d.Old, undefined);
    assert.equal(d.Icmp!.InMsgs!.ratePerSecond, undefined, 'no seconds, no rate');
  });

  test('bigint values: exact deltas, normalised to number when safe', () => {
    const big = 2n ** 64n - 1n;
    const d = counterDelta({ IpExt: { InOctets: big - 10n } }, { IpExt: { InOctets: big } }, 5);
    assert.equal(d.IpExt!.InOctets!.delta, 10);
    assert.equal(d.IpExt!.InOctets!.ratePerSecond, 2);
    const e = counterDelta({ IpExt: { InOctets: 1 } }, { IpExt: { InOctets: big } });
    assert.equal(e.IpExt!.InOctets!.delta, big - 1n);
    assert.equal(subtractCounterValues(2 ** 53 - 1, -(2 ** 53 - 1)), 2n ** 54n - 2n);
  });

  test('bad seconds is an InvalidArgumentError', () => {
    assert.throws(() => counterDelta({}, {}, -1), /seconds/);
    assert.throws(() => counterDelta({}, {}, Number.NaN), /seconds/);
  });

  test('property: counter deltas are ≥ 0 and equal next − prev unless restarted', () => {
    const v = fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
    fc.assert(
      fc.property(v, v, fc.double({ min: 0.001, max: 1000, noNaN: true }), (a, b, s) => {
        const c = counterDelta({ TcpExt: { X: a } }, { TcpExt: { X: b } }, s).TcpExt!.X!;
        assert.ok(BigInt(c.delta) >= 0n);
        assert.ok(c.ratePerSecond! >= 0);
        if (BigInt(b) >= BigInt(a)) assert.equal(BigInt(c.delta), BigInt(b) - BigInt(a));
        else assert.ok(c.restarted && BigInt(c.delta) === BigInt(b));
      }),
      { numRuns: 500 },
    );
  });
});

describe('counterMatcher (nstat-like patterns)', () => {
  const set = {
    TcpExt: { ListenOverflows: 1, ListenDrops: 2, TCPFastOpenListenOverflow: 0, SyncookiesSent: 0 },
    Tcp: { CurrEstab: 3, InErrs: 0 },
    Udp: { InErrors: 1 },
    Ip6: { InOctets: 5 },
  };
  const names = (patterns: string[]) =>
    Object.entries(filterCounters(set, counterMatcher(patterns))).flatMap(([p, s]) => Object.keys(s).map((n) => p + n));

  test('globs against nstat names', () => {
    assert.deepEqual(names(['TcpExt*Listen*']), [
      'TcpExtListenOverflows',
      'TcpExtListenDrops',
      'TcpExtTCPFastOpenListenOverflow',
    ]);
    assert.deepEqual(names(['tcpext*listen*']), names(['TcpExt*Listen*']), 'case-insensitive');
    assert.deepEqual(names(['Ip6*']), ['Ip6InOctets']);
    assert.deepEqual(names(['TcpExtListen?rops']), ['TcpExtListenDrops']);
  });
  test('plain names in every form', () => {
    assert.deepEqual(names(['ListenOverflows']), ['TcpExtListenOverflows']);
    assert.deepEqual(names(['TcpExtListenOverflows']), ['TcpExtListenOverflows']);
    assert.deepEqual(names(['Tcp.CurrEstab', 'udp_inerrors']), ['TcpCurrEstab', 'UdpInErrors']);
    assert.deepEqual(names(['Listen']), [], 'a plain word is an exact name, not a substring');
  });
  test('regular expressions', () => {
    assert.deepEqual(names(['/In(Errs|Errors)$/']), ['TcpInErrs', 'UdpInErrors']);
    assert.deepEqual(names(['/^syncookies/']), ['TcpExtSyncookiesSent']);
    assert.throws(() => counterMatcher(['/(/']), /invalid regular expression/);
    assert.throws(() => counterMatcher(['Tcp[z-a]']), InvalidArgumentError);
  });
  test('no pattern matches all', () => {
    assert.equal(names([]).length, 8);
  });
  test('netstatGlobToRegExp escapes regex characters', () => {
    assert.ok(netstatGlobToRegExp('a.b').test('A.B'));
    assert.ok(!netstatGlobToRegExp('a.b').test('axb'));
    assert.ok(netstatGlobToRegExp('[!x]y').test('ay'));
  });
});

describe('stringifyCounters', () => {
  test('bigints become bare integer literals', () => {
    const s = stringifyCounters({ IpExt: { InOctets: 18446744073709551615n, OutOctets: 5 } });
    assert.equal(s, '{"IpExt":{"InOctets":18446744073709551615,"OutOctets":5}}');
    assert.equal(JSON.parse(s).IpExt.OutOctets, 5);
  });
});

describe('history file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-netstat-hist-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('path: env override, else XDG_RUNTIME_DIR or tmpdir with uid and netns', () => {
    assert.equal(netstatHistoryPath('123', { RAINGAUGE_NETSTAT_HISTORY: '/x/y.json' }), '/x/y.json');
    const uid = process.getuid!();
    assert.equal(
      netstatHistoryPath('4026531840', { XDG_RUNTIME_DIR: '/run/user/5' }),
      `/run/user/5/raingauge-netstat.${uid}.4026531840.json`,
    );
    assert.equal(netstatHistoryPath('7', {}), join(tmpdir(), `raingauge-netstat.${uid}.7.json`));
  });

  test('netnsInode reads /proc/self/ns/net', () => {
    const ino = netnsInode();
    assert.match(ino, /^\d+$/);
    assert.equal(ino, String(statSync('/proc/self/ns/net').ino));
    assert.equal(netnsInode({ pid: process.pid }), ino);
  });

  test('save → load round trip (bigints exact), mode 0600, reset removes', () => {
    const p = join(dir, 'h.json');
    assert.equal(loadNetstatHistory(p), undefined);
    const counters = { IpExt: { InOctets: 2n ** 64n - 1n, OutOctets: 3 }, Tcp: { MaxConn: -1 } };
    saveNetstatHistory(p, { version: 1, netns: '42', timeMs: 1000, counters });
    assert.equal(statSync(p).mode & 0o777, 0o600);
    const h = loadNetstatHistory(p)!;
    assert.deepEqual(h, { version: 1, netns: '42', timeMs: 1000, counters });
    const live = netCounters();
    saveNetstatHistory(p, { version: 1, netns: '42', timeMs: 2000, counters: live });
    assert.deepEqual(loadNetstatHistory(p)!.counters, live);
    resetNetstatHistory(p);
    assert.equal(loadNetstatHistory(p), undefined);
    resetNetstatHistory(p);
  });

  test('a history path that is a directory or in a missing directory: typed errors with the fix', () => {
    const d = join(dir, 'adir');
    mkdirSync(d);
    const h = { version: 1 as const, netns: '1', timeMs: 1, counters: {} };
    const isDir = (e: unknown) =>
      e instanceof InvalidArgumentError &&
      e.message.includes('is a directory') &&
      e.message.includes('RAINGAUGE_NETSTAT_HISTORY');
    assert.throws(() => loadNetstatHistory(d), isDir);
    assert.throws(() => saveNetstatHistory(d, h), isDir);
    assert.throws(() => resetNetstatHistory(d), isDir);
    const missing = join(dir, 'no-such-dir', 'h.json');
    assert.equal(loadNetstatHistory(missing), undefined, 'nothing to load yet');
    assert.throws(
      () => saveNetstatHistory(missing, h),
      (e: unknown) => e instanceof NotFoundError && /directory .*no-such-dir does not exist/.test(e.message),
    );
    resetNetstatHistory(missing);
  });

  test('netCounters of a pid that does not exist: "no such process"', () => {
    assert.throws(
      () => netCounters({ pid: 999999999 }),
      (e: unknown) => e instanceof NotFoundError && /^no such process: 999999999 /.test(e.message),
    );
  });

  test('corrupt files are a ParseError naming the file', () => {
    const p = join(dir, 'bad.json');
    for (const text of [
      '{',
      '[]',
      '{"version":2}',
      '{"version":1,"netns":"1","timeMs":1,"counters":{"A":{"x":"1.5"}}}',
    ]) {
      writeFileSync(p, text);
      assert.throws(
        () => loadNetstatHistory(p),
        (e: unknown) => e instanceof ParseError && e.file === p,
      );
    }
    assert.throws(() => parseNetstatHistory('{"version":1,"netns":"1","timeMs":1,"counters":{"A":[1]}}'), ParseError);
    assert.throws(
      () => parseNetstatHistory('{"version":1,"netns":"1","timeMs":1,"counters":{"__proto__":{"x":1}}}'),
      ParseError,
    );
    assert.throws(
      () => parseNetstatHistory('{"version":1,"netns":"1","timeMs":1,"counters":{"A":{"a b":1}}}'),
      ParseError,
    );
    assert.equal(readFileSync(p, 'utf8').length > 0, true);
  });
});

describe('fuzz', () => {
  test('parseNetstatHistory: arbitrary text → a history or a ParseError', () => {
    const good = JSON.stringify({
      version: 1,
      netns: '1',
      timeMs: 5,
      counters: { Tcp: { A: 1, B: '18446744073709551615' } },
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.constant(good)),
        fc.nat(),
        fc.string({ maxLength: 3 }),
        (text, pos, ins) => {
          const mutated =
            pos % 3 === 0 ? text : text.slice(0, pos % (text.length + 1)) + ins + text.slice(pos % (text.length + 1));
          try {
            const h = parseNetstatHistory(mutated);
            assert.equal(h.version, 1);
            for (const sec of Object.values(h.counters)) {
              for (const v of Object.values(sec)) assert.ok(typeof v === 'number' || typeof v === 'bigint');
            }
          } catch (err) {
            if (!(err instanceof ParseError)) throw err;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('counterMatcher: arbitrary patterns → a predicate or an InvalidArgumentError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
        fc.string({ maxLength: 10 }),
        (patterns, name) => {
          let m: ((p: string, n: string) => boolean) | undefined;
          try {
            m = counterMatcher(patterns);
          } catch (err) {
            if (!(err instanceof InvalidArgumentError)) throw err;
            return;
          }
          assert.equal(typeof m('TcpExt', name), 'boolean');
        },
      ),
      { numRuns: 1000 },
    );
  });
});
