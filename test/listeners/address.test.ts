import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  canonicalTcpListenerKey,
  formatIPv6,
  InvalidListenerAddressError,
  parseIPv4,
  parseIPv6,
  parseTcpListenerAddress,
} from '../../src/listeners/address.ts';

test('listener keys are canonical and spelled like raindrops', () => {
  const cases: [string, string][] = [
    ['127.0.0.1:8080', '127.0.0.1:8080'],
    ['0.0.0.0:80', '0.0.0.0:80'],
    ['[::1]:8080', '[::1]:8080'],
    ['[0:0::1]:80', '[::1]:80'],
    ['[0000:0000:0000:0000:0000:0000:0000:0001]:80', '[::1]:80'],
    ['[::]:443', '[::]:443'],
    ['[::ffff:127.0.0.1]:80', '[::ffff:127.0.0.1]:80'],
    ['[::FFFF:7F00:1]:80', '[::ffff:127.0.0.1]:80'],
    ['[fe80::1%eth0]:22', '[fe80::1]:22'],
    ['[2001:DB8:0:0:1:0:0:1]:1', '[2001:db8::1:0:0:1]:1'],
    ['[1:0:0:2:0:0:0:3]:1', '[1:0:0:2::3]:1'],
    ['127.0.0.1:0080', '127.0.0.1:80'],
    [' 10.0.0.1:65535 ', '10.0.0.1:65535'],
  ];
  for (const [input, key] of cases) assert.equal(canonicalTcpListenerKey(input), key, input);
  const a = parseTcpListenerAddress('[::1]:8080');
  assert.equal(a.family, 6);
  assert.equal(a.port, 8080);
  assert.deepEqual([...a.addressBytes], [...new Array(15).fill(0), 1]);
});

test('IPv6 text matches glibc inet_ntop (vectors printed by glibc inet_ntop on this machine)', () => {
  // glibc: "::ffff" stays hex (it only embeds IPv4 for ::a.b.c.d with a 6-group zero run or ::ffff:a.b.c.d)
  const glibc: [string, string][] = [
    ['::2', '::2'],
    ['::1.2.3.4', '::1.2.3.4'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::ffff:0:0', '::ffff:0.0.0.0'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['::ffff', '::ffff'],
    ['::1:2', '::0.1.0.2'],
    ['0:0:0:0:0:1:0:0', '::1:0:0'],
    ['::0.1.0.0', '::0.1.0.0'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['1::', '1::'],
    ['::', '::'],
  ];
  for (const [input, text] of glibc) assert.equal(formatIPv6(parseIPv6(input)!), text, input);
});

test('malformed addresses throw InvalidListenerAddressError naming the value', () => {
  const bad = [
    '',
    '127.0.0.1',
    '127.0.0.1:',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:-1',
    '127.0.0.1:8o',
    '256.0.0.1:80',
    '01.2.3.4:80',
    '1.2.3:80',
    'localhost:80',
    'example.com:443',
    '::1:80',
    '[::1]',
    '[::1]80',
    '[::1:80',
    '[:::1]:80',
    '[1::2::3]:80',
    '[12345::]:80',
    '[1:2:3:4:5:6:7:8:9]:80',
    '[1:2:3:4:5:6:7:8::]:80',
    '[::1%]:80',
    '*:80',
    ':80',
  ];
  for (const b of bad) {
    assert.throws(
      () => parseTcpListenerAddress(b),
      (e: unknown) =>
        e instanceof InvalidListenerAddressError && e.value === b && e.message.includes(JSON.stringify(b)),
      b,
    );
  }
  assert.match(
    (() => {
      try {
        parseTcpListenerAddress('localhost:80');
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })(),
    /not resolved/,
  );
});

test('fuzz: IPv6 formatting agrees with the WHATWG serializer where glibc writes hex, and round-trips', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 7 }), (raw, zeroRun) => {
      const bytes = Uint8Array.from(raw);
      // make zero runs likely
      for (let i = 0; i < zeroRun * 2; i++) bytes[(i + zeroRun) % 16] = 0;
      const text = formatIPv6(bytes);
      assert.ok(net.isIPv6(text), text);
      assert.deepEqual([...parseIPv6(text)!], [...bytes]);
      if (!text.includes('.')) assert.equal(`[${text}]`, new URL(`http://[${text}]/`).hostname);
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: arbitrary strings give a key or InvalidListenerAddressError, agreeing with net.isIP', () => {
  const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF:.[]%x -'.split(''));
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 50 })), (s) => {
      let key: string;
      try {
        key = canonicalTcpListenerKey(s);
      } catch (e) {
        assert.ok(e instanceof InvalidListenerAddressError, String(e));
        return;
      }
      assert.equal(canonicalTcpListenerKey(key), key, 'canonical form is a fixed point');
      const host = key.startsWith('[') ? key.slice(1, key.indexOf(']')) : key.slice(0, key.lastIndexOf(':'));
      assert.ok(net.isIP(host) !== 0, host);
    }),
    { numRuns: 5000 },
  );
  // every textual form node accepts is accepted too (zone-free)
  fc.assert(
    fc.property(fc.ipV6(), fc.integer({ min: 1, max: 65535 }), (ip, port) => {
      assert.equal(parseTcpListenerAddress(`[${ip}]:${port}`).port, port);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.ipV4(), (ip) => {
      assert.deepEqual([...parseIPv4(ip)!], ip.split('.').map(Number));
    }),
  );
});
