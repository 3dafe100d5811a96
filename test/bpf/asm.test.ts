import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BpfAssembler, dumpInsns, encodeInsn, InvalidArgumentError, R0, R1, R2, R6, R10 } from '../../src/index.js';

// Reference encodings: the kernel's insn macros (BPF_MOV64_IMM, BPF_EXIT_INSN, BPF_LD_MAP_FD …) as
// printed by `llvm-objdump -d` / bpftool for these instructions.
const cases: [string, (a: BpfAssembler) => BpfAssembler, string[]][] = [
  ['r0 = 0', (a) => a.mov64(R0, 0), ['b7 00 00 00 00 00 00 00']],
  ['r0 = -1', (a) => a.mov64(R0, -1), ['b7 00 00 00 ff ff ff ff']],
  ['exit', (a) => a.exit(), ['95 00 00 00 00 00 00 00']],
  ['r6 = r1', (a) => a.mov64Reg(R6, R1), ['bf 16 00 00 00 00 00 00']],
  ['r2 += -8', (a) => a.add64(R2, -8), ['07 02 00 00 f8 ff ff ff']],
  ['r0 >>= 32', (a) => a.rsh64(R0, 32), ['77 00 00 00 20 00 00 00']],
  ['r0 <<= 3', (a) => a.lsh64(R0, 3), ['67 00 00 00 03 00 00 00']],
  ['r0 &= 0xffff', (a) => a.and64(R0, 0xffff), ['57 00 00 00 ff ff 00 00']],
  ['w1 = 5 (alu32 mov)', (a) => a.alu32('mov', R1, 5), ['b4 01 00 00 05 00 00 00']],
  ['r1 = be16 r1', (a) => a.be(R1, 16), ['dc 01 00 00 10 00 00 00']],
  ['r6 = *(u64 *)(r1 + 8)', (a) => a.ldx(8, R6, R1, 8), ['79 16 08 00 00 00 00 00']],
  ['r0 = *(u16 *)(r1 + 16)', (a) => a.ldx(2, R0, R1, 16), ['69 10 10 00 00 00 00 00']],
  ['r0 = *(u32 *)(r1 + 0)', (a) => a.ldx(4, R0, R1, 0), ['61 10 00 00 00 00 00 00']],
  ['r0 = *(u8 *)(r1 + 18)', (a) => a.ldx(1, R0, R1, 18), ['71 10 12 00 00 00 00 00']],
  ['*(u64 *)(r10 - 8) = r1', (a) => a.stx(8, R10, -8, R1), ['7b 1a f8 ff 00 00 00 00']],
  ['*(u32 *)(r10 - 4) = 0', (a) => a.st(4, R10, -4, 0), ['62 0a fc ff 00 00 00 00']],
  ['lock *(u64 *)(r0 + 0) += r1', (a) => a.atomicAdd64(R0, 0, R1), ['db 10 00 00 00 00 00 00']],
  ['call map_lookup_elem', (a) => a.call('map_lookup_elem'), ['85 00 00 00 01 00 00 00']],
  ['call ringbuf_reserve', (a) => a.call('ringbuf_reserve'), ['85 00 00 00 83 00 00 00']],
  ['call get_current_pid_tgid', (a) => a.call('get_current_pid_tgid'), ['85 00 00 00 0e 00 00 00']],
  ['r1 = map fd 5', (a) => a.ldMap(R1, { fd: 5 }), ['18 11 00 00 05 00 00 00', '00 00 00 00 00 00 00 00']],
  [
    'r2 = 0x1122334455667788',
    (a) => a.ld64(R2, 0x1122334455667788n),
    ['18 02 00 00 88 77 66 55', '00 00 00 00 44 33 22 11'],
  ],
];

for (const [name, build, want] of cases) {
  test(`assembler encodes ${name}`, () => {
    assert.deepEqual(dumpInsns(build(new BpfAssembler()).assemble()), want);
  });
}

test('labels resolve to relative offsets, forward and backward', () => {
  const a = new BpfAssembler()
    .label('top')
    .jeq(R0, 0, 'out') // 0: +2
    .mov64(R0, 1) // 1
    .ja('top') // 2: -3
    .label('out')
    .exit(); // 3
  assert.deepEqual(dumpInsns(a.assemble()), [
    '15 00 02 00 00 00 00 00',
    'b7 00 00 00 01 00 00 00',
    '05 00 fd ff 00 00 00 00',
    '95 00 00 00 00 00 00 00',
  ]);
});

test('a jump counts ld_imm64 as two slots', () => {
  const a = new BpfAssembler().jne(R1, 7, 'x').ldMap(R1, { fd: 3 }).label('x').exit();
  assert.equal(dumpInsns(a.assemble())[0], '55 01 02 00 07 00 00 00');
});

test('jmpReg encodes the source register', () => {
  assert.deepEqual(dumpInsns(new BpfAssembler().jmpReg('jgt', R1, R2, 'x').label('x').assemble()), [
    '2d 21 00 00 00 00 00 00',
  ]);
});

test('encodeInsn matches the assembler', () => {
  assert.deepEqual(encodeInsn(0xb7, 0, 0, 0, 0), new BpfAssembler().mov64(R0, 0).assemble());
});

test('bad input is a typed error', () => {
  assert.throws(() => new BpfAssembler().ja('nowhere').assemble(), InvalidArgumentError);
  assert.throws(() => new BpfAssembler().label('a').label('a'), InvalidArgumentError);
  assert.throws(() => new BpfAssembler().mov64(11 as never, 0), InvalidArgumentError);
  assert.throws(() => new BpfAssembler().ldx(8, R0, R1, 0x8000), InvalidArgumentError);
  assert.throws(() => new BpfAssembler().mov64(R0, 2 ** 33), InvalidArgumentError);
  assert.throws(() => new BpfAssembler().call('no_such_helper' as never), InvalidArgumentError);
});
