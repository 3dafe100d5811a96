import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../src/errors.ts';
import {
  alignNetlink,
  attrU8,
  attrU16,
  attrU32,
  attrU64,
  decodeExtAck,
  decodeGenlFamily,
  decodeNetlinkAttributes,
  decodeNetlinkError,
  decodeNetlinkMessages,
  encodeNetlinkAttributes,
  encodeNetlinkMessage,
  forEachNetlinkAttribute,
  forEachNetlinkMessage,
  GENL_ID_CTRL,
  NLA_F_NESTED,
  NLA_TYPE_MASK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  nlAttrNested,
  nlAttrString,
  nlAttrU8,
  nlAttrU16,
  nlAttrU32,
  nlAttrU64,
  readCString,
} from '../../src/netlink/index.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/netlink/${name}`, import.meta.url));

/** Run `fn`; it must return normally or throw DecodeError — anything else fails. */
function valueOrDecodeError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}

test('constants match include/uapi/linux/netlink.h', () => {
  assert.equal(NLA_F_NESTED, 0x8000);
  assert.equal(NLA_TYPE_MASK, 0x3fff);
  assert.equal(alignNetlink(0), 0);
  assert.equal(alignNetlink(1), 4);
  assert.equal(alignNetlink(4), 4);
  assert.equal(alignNetlink(17), 20);
});

test('encodeNetlinkMessage writes nlmsghdr and pads to 4 bytes', () => {
  const m = encodeNetlinkMessage({ type: 20, flags: 0x301, seq: 7, pid: 9 }, Buffer.from([1, 2, 3]));
  assert.equal(m.length, 20);
  assert.equal(m.readUInt32LE(0), 19);
  assert.equal(m.readUInt16LE(4), 20);
  assert.equal(m.readUInt16LE(6), 0x301);
  assert.equal(m.readUInt32LE(8), 7);
  assert.equal(m.readUInt32LE(12), 9);
  assert.deepEqual([...m.subarray(16)], [1, 2, 3, 0]);
  const [d] = decodeNetlinkMessages(m);
  assert.deepEqual({ ...d!, payload: [...d!.payload] }, { type: 20, flags: 0x301, seq: 7, pid: 9, payload: [1, 2, 3] });
  assert.throws(() => encodeNetlinkMessage({ type: 70000, flags: 0, seq: 0 }, Buffer.alloc(0)), {
    name: 'InvalidArgumentError',
  });
});

test('fixture: sock_diag LISTEN dump decodes to inet_diag_msg records and NLMSG_DONE', () => {
  const b = fixture('sockdiag-listen-dump.bin');
  const msgs = decodeNetlinkMessages(b);
  assert.ok(msgs.length >= 1);
  const last = msgs.at(-1)!;
  assert.equal(last.type, NLMSG_DONE);
  assert.equal(last.payload.readInt32LE(0), 0);
  for (const m of msgs.slice(0, -1)) {
    assert.equal(m.type, 20);
    assert.ok(m.flags & NLM_F_MULTI);
    assert.equal(m.payload[0], 2); // AF_INET
    assert.equal(m.payload[1], 10); // TCP_LISTEN
    assert.equal(m.payload.buffer, b.buffer, 'payload is a subarray, not a copy');
  }
  // the walker sees the same thing without allocating
  let n = 0;
  forEachNetlinkMessage(b, b.length, (type, _f, _s, _p, off, len) => {
    assert.equal(type, msgs[n]!.type);
    assert.equal(len, msgs[n]!.payload.length);
    assert.equal(off, msgs[n]!.payload.byteOffset - b.byteOffset);
    n++;
  });
  assert.equal(n, msgs.length);
  // stop early
  assert.equal(
    forEachNetlinkMessage(b, b.length, () => false),
    1,
  );
});

test('fixture: NLMSG_ERROR with extended ACK text and offset (policy violation)', () => {
  const [m] = decodeNetlinkMessages(fixture('genl-error-extack.bin'));
  assert.equal(m!.type, NLMSG_ERROR);
  assert.ok(m!.flags & NLM_F_CAPPED);
  assert.ok(m!.flags & NLM_F_ACK_TLVS);
  const e = decodeNetlinkError(m!.payload, m!.flags);
  assert.equal(e.errno, 22);
  assert.equal(e.request.type, GENL_ID_CTRL);
  assert.equal(e.request.seq, 1);
  assert.equal(e.extAckMessage, 'Attribute failed policy validation');
  assert.equal(e.extAckOffset, 20, 'offset of CTRL_ATTR_FAMILY_NAME: after nlmsghdr + genlmsghdr');
  // without the flags the layout is ambiguous here (payload longer than the echoed request): no extack guessed
  assert.deepEqual(decodeNetlinkError(m!.payload), { errno: 22, request: e.request });
  // a capped copy shorter than the request is unambiguous
  const p = Buffer.from(m!.payload);
  p.writeUInt32LE(200, 4);
  assert.equal(decodeNetlinkError(p).extAckMessage, 'Attribute failed policy validation');
});

test('fixture: NLMSG_ERROR ENOENT without extack; sock_diag reports a bad protocol in NLMSG_DONE', () => {
  const [m] = decodeNetlinkMessages(fixture('genl-error-enoent.bin'));
  const e = decodeNetlinkError(m!.payload, m!.flags);
  assert.equal(e.errno, 2);
  assert.equal(e.extAckMessage, undefined);
  const [d] = decodeNetlinkMessages(fixture('sockdiag-error-enoent.bin'));
  assert.equal(d!.type, NLMSG_DONE);
  assert.equal(d!.payload.readInt32LE(0), -2);
});

test('fixture: generic netlink family replies', () => {
  const msgs = decodeNetlinkMessages(fixture('genl-family-taskstats.bin'));
  assert.equal(msgs[0]!.type, GENL_ID_CTRL);
  assert.equal(msgs.at(-1)!.type, NLMSG_ERROR); // the ACK
  assert.equal(decodeNetlinkError(msgs.at(-1)!.payload, msgs.at(-1)!.flags).errno, 0);
  const t = decodeGenlFamily(msgs[0]!.payload);
  assert.equal(t.name, 'TASKSTATS');
  assert.ok(t.id >= 0x10);
  assert.equal(t.version, 1);
  assert.ok(
    t.ops!.some((o) => o.id === 1),
    'TASKSTATS_CMD_GET is op 1',
  );
  const n = decodeGenlFamily(decodeNetlinkMessages(fixture('genl-family-nlctrl.bin'))[0]!.payload);
  assert.equal(n.name, 'nlctrl');
  assert.equal(n.id, GENL_ID_CTRL);
  assert.equal(n.multicastGroups.get('notify'), 0x10);
  const all = decodeNetlinkMessages(fixture('genl-dump-families.bin'));
  const names = all.filter((m) => m.type === GENL_ID_CTRL).map((m) => decodeGenlFamily(m.payload).name);
  assert.ok(names.includes('nlctrl') && names.includes('TASKSTATS'));
});

test('broken messages throw DecodeError naming the problem', () => {
  const good = fixture('sockdiag-listen-dump.bin');
  assert.throws(() => decodeNetlinkMessages(good.subarray(0, 10)), /trailing bytes/);
  assert.throws(() => decodeNetlinkMessages(good, good.length + 1), DecodeError);
  const short = Buffer.from(good);
  short.writeUInt32LE(8, 0);
  assert.throws(() => decodeNetlinkMessages(short), /shorter than the header/);
  const long = Buffer.from(good);
  long.writeUInt32LE(good.length + 100, 0);
  assert.throws(() => decodeNetlinkMessages(long), /exceeds/);
  assert.throws(() => decodeNetlinkError(Buffer.alloc(10)), DecodeError);
  const pos = Buffer.alloc(20);
  pos.writeInt32LE(5, 0);
  assert.throws(() => decodeNetlinkError(pos), /not 0 or a negative errno/);
  assert.throws(() => decodeGenlFamily(Buffer.alloc(2)), DecodeError);
  assert.throws(() => decodeGenlFamily(Buffer.alloc(4)), /no CTRL_ATTR_FAMILY_ID/);
  assert.throws(() => decodeNetlinkAttributes(Buffer.from([2, 0, 1, 0])), /shorter than the header/);
  assert.throws(() => decodeNetlinkAttributes(Buffer.from([9, 0, 1, 0, 0, 0, 0, 0])), /exceeds/);
  assert.throws(() => decodeNetlinkAttributes(Buffer.alloc(8), 4, 12), DecodeError);
});

test('attributes: helpers, nesting, walker', () => {
  const enc = encodeNetlinkAttributes([
    nlAttrU8(1, 0xab),
    nlAttrU16(2, 0xbeef),
    nlAttrU32(3, 0xdeadbeef),
    nlAttrU64(4, 0x1122334455667788n),
    nlAttrString(5, 'hi'),
    nlAttrNested(6, [nlAttrU32(1, 42)]),
  ]);
  const a = decodeNetlinkAttributes(enc);
  assert.deepEqual(
    a.map((x) => x.type),
    [1, 2, 3, 4, 5, 6],
  );
  assert.equal(a[0]!.value[0], 0xab);
  assert.equal(a[1]!.value.readUInt16LE(0), 0xbeef);
  assert.equal(a[2]!.value.readUInt32LE(0), 0xdeadbeef);
  assert.equal(a[3]!.value.readBigUInt64LE(0), 0x1122334455667788n);
  assert.deepEqual([...a[4]!.value], [0x68, 0x69, 0]);
  assert.equal(a[5]!.nested, true);
  assert.equal(decodeNetlinkAttributes(a[5]!.value)[0]!.value.readUInt32LE(0), 42);
  assert.equal(enc.length, 8 + 8 + 8 + 12 + 8 + 12);
  let seen = 0;
  forEachNetlinkAttribute(enc, 0, enc.length, (type, flags) => {
    seen++;
    if (type === 6) assert.equal(flags, NLA_F_NESTED);
  });
  assert.equal(seen, 6);
  assert.throws(() => nlAttrU8(1, 256), { name: 'InvalidArgumentError' });
  assert.throws(() => nlAttrU64(1, -1n), { name: 'InvalidArgumentError' });
  assert.throws(() => encodeNetlinkAttributes([{ type: 1, value: Buffer.alloc(70000) }]), /too long/);
});

const attrArb = fc.record({
  type: fc.integer({ min: 0, max: NLA_TYPE_MASK }),
  value: fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)),
  nested: fc.boolean(),
  netByteOrder: fc.boolean(),
});

test('fuzz: attributes round-trip encode → decode → encode', () => {
  fc.assert(
    fc.property(fc.array(attrArb, { maxLength: 12 }), (attrs) => {
      const enc = encodeNetlinkAttributes(attrs);
      const dec = decodeNetlinkAttributes(enc);
      assert.equal(dec.length, attrs.length);
      dec.forEach((d, i) => {
        assert.equal(d.type, attrs[i]!.type);
        assert.equal(d.nested, attrs[i]!.nested);
        assert.equal(d.netByteOrder, attrs[i]!.netByteOrder);
        assert.ok(d.value.equals(attrs[i]!.value));
      });
      assert.ok(encodeNetlinkAttributes(dec).equals(enc));
    }),
    { numRuns: 500 },
  );
});

test('fuzz: messages round-trip decode → encode → decode', () => {
  const msgArb = fc.record({
    type: fc.integer({ min: 0, max: 0xffff }),
    flags: fc.integer({ min: 0, max: 0xffff }),
    seq: fc.integer({ min: 0, max: 0xffffffff }),
    pid: fc.integer({ min: 0, max: 0xffffffff }),
    payload: fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)),
  });
  fc.assert(
    fc.property(fc.array(msgArb, { maxLength: 8 }), (msgs) => {
      const stream = Buffer.concat(msgs.map((m) => encodeNetlinkMessage(m, m.payload)));
      const dec = decodeNetlinkMessages(stream);
      assert.equal(dec.length, msgs.length);
      const again = Buffer.concat(dec.map((m) => encodeNetlinkMessage(m, m.payload)));
      assert.ok(again.equals(stream));
      assert.deepEqual(
        decodeNetlinkMessages(again).map((m) => [m.type, m.flags, m.seq, m.pid, m.payload.toString('hex')]),
        msgs.map((m) => [m.type, m.flags, m.seq, m.pid, m.payload.toString('hex')]),
      );
    }),
    { numRuns: 300 },
  );
});

test('fuzz: arbitrary bytes give a value or DecodeError from every decoder', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(400), (u, cut) => {
      const b = Buffer.from(u);
      valueOrDecodeError(() => decodeNetlinkMessages(b));
      valueOrDecodeError(() => decodeNetlinkMessages(b, cut));
      valueOrDecodeError(() => decodeNetlinkAttributes(b));
      valueOrDecodeError(() => decodeNetlinkAttributes(b, cut % 8, b.length));
      valueOrDecodeError(() => decodeNetlinkError(b));
      valueOrDecodeError(() => decodeNetlinkError(b, cut & 0x300));
      valueOrDecodeError(() => decodeGenlFamily(b));
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: mutated real fixtures give a value or DecodeError', () => {
  const names = [
    'genl-family-taskstats.bin',
    'genl-family-nlctrl.bin',
    'genl-error-extack.bin',
    'genl-dump-families.bin',
    'sockdiag-listen-dump.bin',
  ];
  const bufs = names.map(fixture);
  fc.assert(
    fc.property(
      fc.nat(bufs.length - 1),
      fc.array(fc.tuple(fc.nat(4000), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.nat(4000),
      (i, muts, cut) => {
        const b = Buffer.from(bufs[i]!);
        for (const [pos, v] of muts) b[pos % b.length] = v;
        const c = b.subarray(0, Math.min(b.length, cut));
        valueOrDecodeError(() => {
          for (const m of decodeNetlinkMessages(c)) {
            if (m.type === NLMSG_ERROR) decodeNetlinkError(m.payload, m.flags);
            else if (m.type === GENL_ID_CTRL) decodeGenlFamily(m.payload);
            else decodeNetlinkAttributes(m.payload, Math.min(m.payload.length, 72));
          }
        });
      },
    ),
    { numRuns: 3000 },
  );
});

test('fuzz: attribute value readers take any range and give a value or DecodeError', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 20 }),
      fc.integer({ min: -5, max: 30 }),
      fc.integer({ min: -5, max: 30 }),
      (u, off, len) => {
        const b = Buffer.from(u);
        for (const f of [attrU8, attrU16, attrU32, attrU64]) valueOrDecodeError(() => f(b, off, len, 'X'));
        valueOrDecodeError(() => decodeExtAck(b, off, off + len, {}));
        assert.equal(typeof readCString(b, Math.max(0, off), Math.max(0, len)), 'string');
      },
    ),
    { numRuns: 3000 },
  );
  assert.throws(() => attrU32(Buffer.alloc(4), 2, 2, 'CTRL_ATTR_VERSION'), /CTRL_ATTR_VERSION.*needs 4 bytes, has 2/);
  assert.throws(() => attrU32(Buffer.alloc(4), 2, 4, 'X'), /outside the buffer/);
});
