import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BTF_KIND, Btf, BtfDecodeError, BtfNotFoundError } from '../../src/index.js';
import { skipBecause } from '../helpers/env.js';

const FILE = '/sys/kernel/btf/vmlinux';

/** A tiny hand-made BTF: int (id 1), struct outer { int a; union { int b; int c; }; } (ids 2, 3), FUNC f. */
function tinyBtf(): Buffer {
  const strs = Buffer.from('\0int\0outer\0a\0b\0c\0f\0', 'latin1');
  const off = (s: string) => strs.indexOf(Buffer.from(`\0${s}\0`, 'latin1')) + 1;
  const words: number[] = [];
  const t = (name: number, kind: number, vlen: number, sizeOrType: number, kflag = 0) =>
    words.push(name, (kflag << 31) | (kind << 24) | vlen, sizeOrType);
  t(off('int'), BTF_KIND.INT, 0, 4);
  words.push(32); // int encoding: 32 bits
  t(off('outer'), BTF_KIND.STRUCT, 2, 8);
  words.push(off('a'), 1, 0, 0, 3, 32); // a @0, anonymous union (id 3) @32 bits
  t(0, BTF_KIND.UNION, 2, 4);
  words.push(off('b'), 1, 0, off('c'), 1, 0);
  t(off('f'), BTF_KIND.FUNC, 0, 0);
  const types = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => {
    types.writeUInt32LE(w >>> 0, i * 4);
  });
  const h = Buffer.alloc(24);
  h.writeUInt16LE(0xeb9f, 0);
  h[2] = 1;
  h.writeUInt32LE(24, 4);
  h.writeUInt32LE(0, 8);
  h.writeUInt32LE(types.length, 12);
  h.writeUInt32LE(types.length, 16);
  h.writeUInt32LE(strs.length, 20);
  return Buffer.concat([h, types, strs]);
}

test('tiny BTF: ids by name, members through an anonymous union, sizes', () => {
  const b = new Btf(tinyBtf(), 'tiny');
  assert.equal(b.typeCount, 4);
  assert.equal(b.findId('outer', BTF_KIND.STRUCT), 2);
  assert.equal(b.findId('f', BTF_KIND.FUNC), 4);
  assert.equal(b.findId('outer', BTF_KIND.FUNC), undefined);
  assert.deepEqual(b.member('outer', 'c'), {
    offsetBytes: 4,
    offsetBits: 32,
    bitfieldBits: 0,
    typeId: 1,
    sizeBytes: 4,
  });
  assert.equal(b.offsetOf('outer', 'a'), 0);
  assert.equal(b.sizeOf(2), 8);
  assert.throws(() => b.member('outer', 'zz'), BtfNotFoundError);
});

test('truncated and corrupted BTF give typed errors naming the byte', () => {
  const good = tinyBtf();
  assert.throws(
    () => new Btf(good.subarray(0, 10), 'short'),
    (e: unknown) => e instanceof BtfDecodeError && e.offset === 0,
  );
  assert.throws(() => new Btf(good.subarray(0, good.length - 5), 'cut'), BtfDecodeError);
  const badMagic = Buffer.from(good);
  badMagic.writeUInt16LE(0x1234, 0);
  assert.throws(() => new Btf(badMagic, 'magic'), /bad magic 0x1234/);
  const badKind = Buffer.from(good);
  badKind.writeUInt32LE((31 << 24) >>> 0, 24 + 4); // first type: kind 31
  assert.throws(
    () => new Btf(badKind, 'kind').typeCount,
    (e: unknown) => e instanceof BtfDecodeError && /unknown kind 31/.test(e.message),
  );
  const badLen = Buffer.from(good);
  badLen.writeUInt32LE(40, 12); // type section shorter than its records: last record cut
  badLen.writeUInt32LE(40, 16);
  assert.throws(() => new Btf(badLen, 'len').typeCount, /truncated/);
  const badStr = Buffer.from(good);
  badStr.writeUInt32LE(0xffff, 24); // name offset out of the string section
  assert.throws(() => new Btf(badStr, 'str').name(1), /string offset 65535 out of range/);
});

test('running kernel: tracepoints, iterator function, struct sock / socket offsets', (t) => {
  if (!existsSync(FILE)) return void skipBecause(t, `${FILE} missing (kernel without CONFIG_DEBUG_INFO_BTF)`);
  const b = Btf.open();
  assert.ok(b.typeCount > 1000);
  assert.equal(b.kind(b.tracepointId('sock_send_length')), BTF_KIND.TYPEDEF);
  assert.equal(b.kind(b.funcId('bpf_iter_tcp')), BTF_KIND.FUNC);
  assert.deepEqual(
    b.tracepointArgs('inet_sock_set_state').map((p) => p.name),
    ['sk', 'oldstate', 'newstate'],
  );
  assert.equal(b.tracepointArgs('sock_send_length').length, 3);
  // anonymous/embedded walk equals the explicit path
  assert.equal(b.offsetOf('sock', 'skc_family'), b.offsetOf('sock', '__sk_common.skc_family'));
  assert.equal(b.offsetOf('sock', 'skc_family'), b.offsetOf('sock_common', 'skc_family'));
  assert.equal(b.member('sock', 'skc_family').sizeBytes, 2);
  assert.equal(b.member('sock', 'sk_protocol').sizeBytes, 2);
  assert.equal(b.member('socket', 'sk').sizeBytes, 8);
  assert.ok(b.offsetOf('sock', 'sk_type') > b.offsetOf('sock', 'skc_family'));
  assert.throws(() => b.funcId('no_such_function_rg'), BtfNotFoundError);
});

test('running kernel: a truncated copy gives a typed error', (t) => {
  if (!existsSync(FILE)) return void skipBecause(t, `${FILE} missing`);
  const full = readFileSync(FILE);
  const cut = full.subarray(0, Math.floor(full.length / 2));
  assert.throws(
    () => new Btf(cut, 'half vmlinux'),
    (e: unknown) => e instanceof BtfDecodeError && /past the end/.test(e.message),
  );
  const corrupt = Buffer.from(full);
  corrupt.writeUInt32LE(0xff000000 >>> 0, corrupt.readUInt32LE(4) + 4); // type 1 kind 31... vlen
  assert.throws(() => new Btf(corrupt, 'corrupt vmlinux').typeCount, BtfDecodeError);
});
