/**
 * The shared low-level helpers sock_diag decodes with (src/util): the one
 * IPv6 formatter (RFC 5952 and glibc inet_ntop styles; also used by the
 * procfs /proc/net parsers and the listener keys) and the allocation-light
 * u64 reader.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseInetAddress } from '../../src/sockdiag/index.ts';
import { readU64LE } from '../../src/util/bytes.ts';
import { formatIPv4, formatIPv6 } from '../../src/util/inet.ts';

const v6 = (s: string) => parseInetAddress(s).bytes;

test('formatIPv6: RFC 5952 and inet_ntop styles differ only in the IPv4-compatible form', () => {
  const cases: [string, string, string][] = [
    ['::', '::', '::'],
    ['::1', '::1', '::1'],
    ['1::', '1::', '1::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1', '2001:0:0:1::1'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::ffff:0:0', '::ffff:0.0.0.0', '::ffff:0.0.0.0'],
    ['::1.2.3.4', '::102:304', '::1.2.3.4'],
    ['::1:2', '::1:2', '::0.1.0.2'],
    ['::ffff', '::ffff', '::ffff'],
    ['FE80::ABCD', 'fe80::abcd', 'fe80::abcd'],
  ];
  for (const [input, rfc, ntop] of cases) {
    assert.equal(formatIPv6(v6(input)), rfc, input);
    assert.equal(formatIPv6(v6(input), 0, 'inet_ntop'), ntop, input);
  }
  const padded = Buffer.concat([Buffer.from([9, 9, 9]), v6('fe80::1')]);
  assert.equal(formatIPv6(padded, 3), 'fe80::1');
  assert.equal(formatIPv4(Buffer.from([0, 10, 0, 0, 255]), 1), '10.0.0.255');
});

test('fuzz: formatIPv6 (RFC 5952) agrees with the WHATWG URL serializer and round-trips', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 15 }), (raw, zeros) => {
      const b = Buffer.from(raw);
      for (let i = 0; i < zeros; i++) b[(i * 7 + zeros) % 16] = 0;
      const text = formatIPv6(b);
      assert.ok(net.isIPv6(text), text);
      assert.deepEqual([...v6(text)], [...b]);
      if (!text.includes('.')) assert.equal(new URL(`http://[${text}]/`).hostname, `[${text}]`);
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: readU64LE equals Buffer#readBigUInt64LE, including its RangeError out of bounds', () => {
  const edge = [0n, 1n, 1023n, 1024n, 0xffffffffn, 0x100000000n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n];
  for (const v of edge) {
    const b = Buffer.alloc(11);
    b.writeBigUInt64LE(v, 3);
    assert.equal(readU64LE(b, 3), v);
  }
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 24 }), fc.integer({ min: -2, max: 24 }), (raw, off) => {
      const b = Buffer.from(raw);
      let want: bigint | Error;
      try {
        want = b.readBigUInt64LE(off);
      } catch (e) {
        want = e as Error;
      }
      if (want instanceof Error) assert.throws(() => readU64LE(b, off), RangeError);
      else assert.equal(readU64LE(b, off), want);
    }),
    { numRuns: 5000 },
  );
});
