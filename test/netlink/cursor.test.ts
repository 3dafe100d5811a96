import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../src/errors.ts';
import {
  encodeNetlinkAttributes,
  forEachNetlinkAttribute,
  NetlinkAttributeCursor,
  nlAttrNested,
  nlAttrString,
  nlAttrU8,
  nlAttrU16,
  nlAttrU32,
  nlAttrU64,
} from '../../src/netlink/index.ts';

test('attribute cursor: iterate, switch on type, typed reads, nested, one check at the end', () => {
  const buf = encodeNetlinkAttributes([
    nlAttrU16(1, 31),
    nlAttrString(2, 'TASKSTATS'),
    nlAttrU8(3, 7),
    nlAttrU64(4, 2n ** 60n),
    nlAttrNested(5, [nlAttrU32(1, 9), nlAttrU32(2, 10)]),
  ]);
  const ad = new NetlinkAttributeCursor(buf, 0, buf.length);
  const got: Record<string, unknown> = {};
  while (ad.next()) {
    switch (ad.type) {
      case 1:
        got.id = ad.u16();
        break;
      case 2:
        got.name = ad.string();
        break;
      case 3:
        got.u8 = ad.u8();
        break;
      case 4:
        got.u64 = ad.u64();
        break;
      case 5: {
        const n = ad.nested();
        const inner: number[] = [];
        while (n.next()) inner.push(n.u32());
        ad.adopt(n);
        got.inner = inner;
        assert.equal(ad.flags & 0x8000, 0x8000, 'NLA_F_NESTED in flags');
      }
    }
  }
  ad.check();
  assert.deepEqual(got, { id: 31, name: 'TASKSTATS', u8: 7, u64: 2n ** 60n, inner: [9, 10] });
});

test('attribute cursor: a short value and a bad header are recorded once and thrown by check()', () => {
  const buf = encodeNetlinkAttributes([nlAttrU8(1, 1), nlAttrU32(2, 5)]);
  const ad = new NetlinkAttributeCursor(buf, 0, buf.length);
  const seen: number[] = [];
  while (ad.next()) seen.push(ad.type === 1 ? ad.u32('ATTR_ONE') : ad.u32());
  assert.deepEqual(seen, [0], 'a short read gives 0 and ends the walk');
  assert.ok(ad.err() instanceof DecodeError);
  assert.throws(() => ad.check(), /ATTR_ONE.*needs 4 bytes, has 1/);
  const bad = Buffer.from(buf);
  bad.writeUInt16LE(200, 8); // second attribute claims 200 bytes
  const b = new NetlinkAttributeCursor(bad, 0, bad.length);
  let n = 0;
  while (b.next()) n++;
  assert.equal(n, 1);
  assert.throws(() => b.check(), DecodeError);
  // reset forgets the error: one cursor serves many messages
  b.reset(buf, 0, buf.length);
  assert.equal(b.err(), undefined);
  assert.throws(() => new NetlinkAttributeCursor(buf, 0, buf.length + 1).check(), /outside the buffer/);
});

test('fuzz: the cursor visits what forEachNetlinkAttribute visits and fails where it throws', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const buf = Buffer.from(bytes);
      const a: [number, number, number][] = [];
      let threw = false;
      try {
        forEachNetlinkAttribute(buf, 0, buf.length, (t, _f, o, l) => {
          a.push([t, o, l]);
        });
      } catch (e) {
        assert.ok(e instanceof DecodeError);
        threw = true;
      }
      const c = new NetlinkAttributeCursor(buf, 0, buf.length);
      const b: [number, number, number][] = [];
      while (c.next()) b.push([c.type, c.offset, c.length]);
      assert.deepEqual(b, a);
      assert.equal(c.err() !== undefined, threw);
    }),
  );
});
