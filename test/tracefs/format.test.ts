import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { DecodeError, ParseError } from '../../src/errors.ts';
import {
  decodeEventField,
  decodeEventFields,
  type EventFormat,
  parseEventFormat,
  parsePrintSymbols,
  requireTraceField,
} from '../../src/tracefs/index.ts';

const root = fileURLToPath(new URL('../fixtures/tracefs/events/', import.meta.url));
function fixture(sys: string, name: string): EventFormat {
  return parseEventFormat(readFileSync(join(root, sys, name, 'format'), 'utf8'), sys);
}

describe('parseEventFormat on formats captured from this kernel', () => {
  test('every captured format parses, with the four common fields first', () => {
    let n = 0;
    for (const sys of readdirSync(root)) {
      if (sys.startsWith('header_')) continue;
      for (const ev of readdirSync(join(root, sys))) {
        const f = fixture(sys, ev);
        assert.equal(f.name, ev);
        assert.deepEqual(
          f.fields.slice(0, 4).map((x) => [x.name, x.offset, x.size]),
          [
            ['common_type', 0, 2],
            ['common_flags', 2, 1],
            ['common_preempt_count', 3, 1],
            ['common_pid', 4, 4],
          ],
        );
        n++;
      }
    }
    assert.ok(n >= 10, `only ${n} formats`);
  });

  test('sock_send_length: offsets, sizes and signedness from the file', () => {
    const f = fixture('sock', 'sock_send_length');
    assert.equal(f.id, 2284);
    const ret = requireTraceField(f, 'ret');
    assert.deepEqual([ret.offset, ret.size, ret.signed, ret.kind], [20, 4, true, 'int']);
    assert.equal(requireTraceField(f, 'sk').kind, 'pointer');
    assert.equal(requireTraceField(f, 'family').kind, 'int');
    assert.equal(f.symbols.get('family')?.get(10), 'AF_INET6');
    assert.throws(() => requireTraceField(f, 'nope'), ParseError);
    assert.throws(() => requireTraceField(f, 'ret', [8]), /size 4, expected 8/);
  });

  test('syscall arguments declared int in 8-byte slots decode as 32-bit numbers; long ret as bigint', () => {
    const enter = fixture('syscalls', 'sys_enter_socket');
    const fam = requireTraceField(enter, 'family');
    assert.deepEqual([fam.size, fam.kind], [8, 'int']);
    const exit = fixture('syscalls', 'sys_exit_socket');
    assert.equal(requireTraceField(exit, 'ret').kind, 'int64');
    const b = Buffer.alloc(24);
    b.writeBigInt64LE(-11n, 16);
    assert.equal(decodeEventField(requireTraceField(exit, 'ret'), b, 0, 24), -11n);
  });

  test('arrays, char arrays, __data_loc strings, bool', () => {
    const st = fixture('sock', 'inet_sock_set_state');
    const saddr = requireTraceField(st, 'saddr_v6');
    assert.deepEqual([saddr.kind, saddr.arrayLength, saddr.elementSize], ['array', 16, 1]);
    const exec = fixture('sched', 'sched_process_exec');
    assert.equal(requireTraceField(exec, 'filename').kind, 'dataloc-string');
    const exit = fixture('sched', 'sched_process_exit');
    assert.equal(requireTraceField(exit, 'comm').kind, 'chars');
    assert.equal(requireTraceField(exit, 'group_dead').kind, 'bool');
    // a synthetic exec record: filename "/bin/true" stored after the fixed fields
    const rec = Buffer.alloc(40);
    rec.writeUInt32LE((10 << 16) | 20, 8);
    rec.writeInt32LE(77, 12);
    rec.writeInt32LE(78, 16);
    rec.write('/bin/true\0', 20, 'latin1');
    assert.deepEqual(decodeEventFields(exec, rec, 0, 40), { filename: '/bin/true', pid: 77, old_pid: 78 });
    // __data_loc pointing outside the payload is a DecodeError, not garbage
    rec.writeUInt32LE((30 << 16) | 20, 8);
    assert.throws(() => decodeEventFields(exec, rec, 0, 40), DecodeError);
  });

  test('kfree_skb: drop reason names from the print fmt', () => {
    const f = fixture('skb', 'kfree_skb');
    const reasons = f.symbols.get('reason');
    assert.equal(reasons?.get(3), 'NO_SOCKET');
    assert.equal(reasons?.get(40), 'TCP_LISTEN_OVERFLOW');
    assert.equal(requireTraceField(f, 'reason').kind, 'int');
  });

  test('__print_symbolic with macro values keeps only numeric entries', () => {
    const m = parsePrintSymbols(
      '"%s %s", __print_symbolic(REC->state, { TCP_ESTABLISHED, "TCP_ESTABLISHED" }), __print_symbolic(REC->x, { 0x10, "A(B)" }, { -1, "NEG" })',
    );
    assert.equal(m.has('state'), false);
    assert.deepEqual(
      [...(m.get('x') ?? [])],
      [
        [16, 'A(B)'],
        [-1, 'NEG'],
      ],
    );
  });

  test('__rel_loc offsets are relative to the end of the field', () => {
    const f = parseEventFormat(
      [
        'name: relt',
        'ID: 9',
        'format:',
        '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
        '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
        '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
        '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
        '\tfield:__rel_loc char[] msg;\toffset:8;\tsize:4;\tsigned:0;',
        '\tfield:__data_loc u32[] vals;\toffset:12;\tsize:4;\tsigned:0;',
        '',
        'print fmt: "%s", __get_rel_str(msg)',
      ].join('\n'),
    );
    const b = Buffer.alloc(32);
    b.writeUInt32LE((3 << 16) | 4, 8); // relative to 12 → 16
    b.write('hi\0', 16);
    b.writeUInt32LE((8 << 16) | 20, 12);
    b.writeUInt32LE(5, 20);
    b.writeUInt32LE(6, 24);
    assert.deepEqual(decodeEventFields(f, b, 0, 32), { msg: 'hi', vals: [5, 6] });
  });
});

describe('broken format files are typed errors', () => {
  const good = readFileSync(join(root, 'sock', 'sock_send_length', 'format'), 'utf8');
  test('missing ID, missing name, malformed field, no fields', () => {
    assert.throws(() => parseEventFormat(good.replace(/^ID: .*$/m, '')), /no "ID:" line/);
    assert.throws(() => parseEventFormat(good.replace(/^name: .*$/m, '')), /no "name:" line/);
    assert.throws(() => parseEventFormat(good.replace('offset:20;', 'offset:x;')), /malformed field line/);
    assert.throws(() => parseEventFormat('name: x\nID: 1\n'), /no "field:" lines/);
    assert.throws(() => parseEventFormat(good.replace('ID: 2284', 'ID: 99999999')), /ID is not an integer/);
    assert.throws(() => parseEventFormat(good.replace(/^.*common_pid.*$/m, '')), /no common_pid/);
  });

  test('fuzz: arbitrary text → a format or a ParseError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        try {
          parseEventFormat(s);
        } catch (err) {
          if (!(err instanceof ParseError)) throw err;
        }
      }),
      { numRuns: 500 },
    );
  });

  test('fuzz: mutated real formats → a format or a ParseError; decoding any payload → values or DecodeError', () => {
    fc.assert(
      fc.property(
        fc.nat(good.length - 1),
        fc.string({ maxLength: 8 }),
        fc.uint8Array({ maxLength: 64 }),
        (at, ins, payload) => {
          const text = good.slice(0, at) + ins + good.slice(at + 1);
          let f: EventFormat;
          try {
            f = parseEventFormat(text);
          } catch (err) {
            if (err instanceof ParseError) return;
            throw err;
          }
          try {
            decodeEventFields(f, Buffer.from(payload), 0, payload.length);
          } catch (err) {
            if (!(err instanceof DecodeError)) throw err;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
