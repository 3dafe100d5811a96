/**
 * A small eBPF assembler: one method per instruction, labels for jumps, map
 * references through `ld_imm64` with `BPF_PSEUDO_MAP_FD`, helpers called by
 * name. Programs read like the kernel's own `BPF_*` instruction macros:
 *
 * ```ts
 * const a = new BpfAssembler();
 * a.call('get_current_pid_tgid')      // r0 = pid_tgid
 *   .rsh64(R0, 32)                    // r0 = tgid
 *   .jne(R0, tgid, 'out')
 *   .ldMap(R1, counts)                // r1 = &counts
 *   ...
 *   .label('out').mov64(R0, 0).exit();
 * const insns = a.assemble();         // Buffer of 8-byte instructions
 * ```
 *
 * Encoding (include/uapi/linux/bpf.h, `struct bpf_insn`): `code u8`,
 * `dst_reg:4 | src_reg:4 << 4`, `off s16`, `imm s32`, little-endian.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';

/** A register number 0–10 (`r10` is the read-only frame pointer). */
export type BpfReg = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
export const R0: BpfReg = 0;
export const R1: BpfReg = 1;
export const R2: BpfReg = 2;
export const R3: BpfReg = 3;
export const R4: BpfReg = 4;
export const R5: BpfReg = 5;
export const R6: BpfReg = 6;
export const R7: BpfReg = 7;
export const R8: BpfReg = 8;
export const R9: BpfReg = 9;
export const R10: BpfReg = 10;

/** Instruction classes, sizes, modes, ALU and jump operations (`BPF_*`). */
export const BPF = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  JMP32: 0x06,
  ALU64: 0x07,
  W: 0x00,
  H: 0x08,
  B: 0x10,
  DW: 0x18,
  IMM: 0x00,
  MEM: 0x60,
  ATOMIC: 0xc0,
  K: 0x00,
  X: 0x08,
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  MOV: 0xb0,
  ARSH: 0xc0,
  END: 0xd0,
  TO_BE: 0x08,
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  JNE: 0x50,
  JSGT: 0x60,
  JSGE: 0x70,
  CALL: 0x80,
  EXIT: 0x90,
  JLT: 0xa0,
  JLE: 0xb0,
  JSLT: 0xc0,
  JSLE: 0xd0,
  PSEUDO_MAP_FD: 1,
} as const;

/**
 * Helper functions by name (`enum bpf_func_id`, the `bpf_` prefix dropped).
 * Only ids stable since their introduction are listed.
 */
export const BPF_HELPERS = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  probe_read: 4,
  ktime_get_ns: 5,
  trace_printk: 6,
  get_prandom_u32: 7,
  get_smp_processor_id: 8,
  get_current_pid_tgid: 14,
  get_current_uid_gid: 15,
  get_current_comm: 16,
  perf_event_output: 25,
  get_current_task: 35,
  probe_read_str: 45,
  get_socket_cookie: 46,
  probe_read_user: 112,
  probe_read_kernel: 113,
  probe_read_user_str: 114,
  probe_read_kernel_str: 115,
  jiffies64: 118,
  ktime_get_boot_ns: 125,
  seq_printf: 126,
  seq_write: 127,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_submit: 132,
  ringbuf_discard: 133,
  ringbuf_query: 134,
  skc_to_tcp_sock: 137,
  get_current_task_btf: 158,
} as const;

/** A helper name of {@link BPF_HELPERS}. */
export type BpfHelperName = keyof typeof BPF_HELPERS;

/** Anything with a map descriptor (a {@link BpfMap}). */
export interface BpfMapRef {
  readonly fd: number;
}

/** Comparison operators for conditional jumps. */
export type BpfJumpOp = 'jeq' | 'jne' | 'jgt' | 'jge' | 'jlt' | 'jle' | 'jsgt' | 'jsge' | 'jslt' | 'jsle' | 'jset';

const JUMP_OPS: Record<BpfJumpOp, number> = {
  jeq: BPF.JEQ,
  jne: BPF.JNE,
  jgt: BPF.JGT,
  jge: BPF.JGE,
  jlt: BPF.JLT,
  jle: BPF.JLE,
  jsgt: BPF.JSGT,
  jsge: BPF.JSGE,
  jslt: BPF.JSLT,
  jsle: BPF.JSLE,
  jset: BPF.JSET,
};

type AluOp = 'add' | 'sub' | 'mul' | 'div' | 'or' | 'and' | 'lsh' | 'rsh' | 'mod' | 'xor' | 'mov' | 'arsh';
const ALU_OPS: Record<AluOp, number> = {
  add: BPF.ADD,
  sub: BPF.SUB,
  mul: BPF.MUL,
  div: BPF.DIV,
  or: BPF.OR,
  and: BPF.AND,
  lsh: BPF.LSH,
  rsh: BPF.RSH,
  mod: BPF.MOD,
  xor: BPF.XOR,
  mov: BPF.MOV,
  arsh: BPF.ARSH,
};

/** Memory access sizes by byte count. */
const SIZES: Record<1 | 2 | 4 | 8, number> = { 1: BPF.B, 2: BPF.H, 4: BPF.W, 8: BPF.DW };

/** One instruction before label resolution. */
interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  /** Jump target label (resolved into `off`). */
  target?: string;
}

/** Encode one instruction into 8 bytes. Exposed for tests and disassembly. */
export function encodeInsn(code: number, dst: number, src: number, off: number, imm: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = (dst & 0xf) | ((src & 0xf) << 4);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm | 0, 4);
  return b;
}

function reg(r: number, what: string): number {
  if (!Number.isInteger(r) || r < 0 || r > 10)
    throw new InvalidArgumentError(`${what}: register r${r} does not exist`, r);
  return r;
}

function imm32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) {
    throw new InvalidArgumentError(`${what}: immediate ${v} does not fit in 32 bits`, v);
  }
  return v | 0;
}

function off16(v: number, what: string): number {
  if (!Number.isInteger(v) || v < -0x8000 || v > 0x7fff) {
    throw new InvalidArgumentError(`${what}: offset ${v} does not fit in 16 bits`, v);
  }
  return v;
}

/**
 * Builds a program instruction by instruction. Every method returns `this`.
 * `assemble()` resolves labels and returns the instruction bytes.
 */
export class BpfAssembler {
  private readonly insns: Insn[] = [];
  private readonly labels = new Map<string, number>();

  /** Number of 8-byte instruction slots so far (`ld_imm64` takes two). */
  get length(): number {
    return this.insns.length;
  }

  private push(code: number, dst: number, src: number, off: number, imm: number, target?: string): this {
    const insn: Insn = { code, dst, src, off, imm };
    if (target !== undefined) insn.target = target;
    this.insns.push(insn);
    return this;
  }

  /** Define `name` at the next instruction. */
  label(name: string): this {
    if (this.labels.has(name)) throw new InvalidArgumentError(`label ${JSON.stringify(name)} defined twice`, name);
    this.labels.set(name, this.insns.length);
    return this;
  }

  /** 64-bit ALU operation with an immediate: `dst op= imm`. */
  alu64(op: AluOp, dst: BpfReg, imm: number): this {
    return this.push(BPF.ALU64 | ALU_OPS[op] | BPF.K, reg(dst, op), 0, 0, imm32(imm, op));
  }
  /** 64-bit ALU operation with a register: `dst op= src`. */
  alu64Reg(op: AluOp, dst: BpfReg, src: BpfReg): this {
    return this.push(BPF.ALU64 | ALU_OPS[op] | BPF.X, reg(dst, op), reg(src, op), 0, 0);
  }
  /** 32-bit ALU operation with an immediate (upper half of dst zeroed). */
  alu32(op: AluOp, dst: BpfReg, imm: number): this {
    return this.push(BPF.ALU | ALU_OPS[op] | BPF.K, reg(dst, op), 0, 0, imm32(imm, op));
  }
  /** `dst = imm` (sign-extended 32-bit immediate). */
  mov64(dst: BpfReg, imm: number): this {
    return this.alu64('mov', dst, imm);
  }
  /** `dst = src`. */
  mov64Reg(dst: BpfReg, src: BpfReg): this {
    return this.alu64Reg('mov', dst, src);
  }
  /** `dst += imm`. */
  add64(dst: BpfReg, imm: number): this {
    return this.alu64('add', dst, imm);
  }
  /** `dst += src`. */
  add64Reg(dst: BpfReg, src: BpfReg): this {
    return this.alu64Reg('add', dst, src);
  }
  /** `dst &= imm`. */
  and64(dst: BpfReg, imm: number): this {
    return this.alu64('and', dst, imm);
  }
  /** `dst >>= imm` (logical). */
  rsh64(dst: BpfReg, imm: number): this {
    return this.alu64('rsh', dst, imm);
  }
  /** `dst <<= imm`. */
  lsh64(dst: BpfReg, imm: number): this {
    return this.alu64('lsh', dst, imm);
  }
  /** Byte-swap the low `bits` (16, 32, 64) of dst from/to big-endian (`be16` etc. on a little-endian host). */
  be(dst: BpfReg, bits: 16 | 32 | 64): this {
    return this.push(BPF.ALU | BPF.END | BPF.TO_BE, reg(dst, 'be'), 0, 0, bits);
  }

  /** `dst = imm64` in two slots (`BPF_LD | BPF_DW | BPF_IMM`). */
  ld64(dst: BpfReg, value: bigint): this {
    const v = BigInt.asUintN(64, value);
    this.push(BPF.LD | BPF.DW | BPF.IMM, reg(dst, 'ld64'), 0, 0, Number(v & 0xffffffffn) | 0);
    return this.push(0, 0, 0, 0, Number(v >> 32n) | 0);
  }
  /** `dst = &map` (`ld_imm64` with `src_reg = BPF_PSEUDO_MAP_FD`, imm = the map's descriptor). */
  ldMap(dst: BpfReg, map: BpfMapRef | number): this {
    const fd = typeof map === 'number' ? map : map.fd;
    this.push(BPF.LD | BPF.DW | BPF.IMM, reg(dst, 'ldMap'), BPF.PSEUDO_MAP_FD, 0, imm32(fd, 'ldMap'));
    return this.push(0, 0, 0, 0, 0);
  }

  /** `dst = *(size *)(src + off)`. */
  ldx(size: 1 | 2 | 4 | 8, dst: BpfReg, src: BpfReg, off: number): this {
    return this.push(BPF.LDX | SIZES[size] | BPF.MEM, reg(dst, 'ldx'), reg(src, 'ldx'), off16(off, 'ldx'), 0);
  }
  /** `*(size *)(dst + off) = src`. */
  stx(size: 1 | 2 | 4 | 8, dst: BpfReg, off: number, src: BpfReg): this {
    return this.push(BPF.STX | SIZES[size] | BPF.MEM, reg(dst, 'stx'), reg(src, 'stx'), off16(off, 'stx'), 0);
  }
  /** `*(size *)(dst + off) = imm`. */
  st(size: 1 | 2 | 4 | 8, dst: BpfReg, off: number, imm: number): this {
    return this.push(BPF.ST | SIZES[size] | BPF.MEM, reg(dst, 'st'), 0, off16(off, 'st'), imm32(imm, 'st'));
  }
  /** `lock *(u64 *)(dst + off) += src` (`BPF_ATOMIC | BPF_ADD`). */
  atomicAdd64(dst: BpfReg, off: number, src: BpfReg): this {
    return this.push(BPF.STX | BPF.DW | BPF.ATOMIC, reg(dst, 'xadd'), reg(src, 'xadd'), off16(off, 'xadd'), BPF.ADD);
  }

  /** `goto label`. */
  ja(label: string): this {
    return this.push(BPF.JMP | BPF.JA, 0, 0, 0, 0, label);
  }
  /** `if (dst op imm) goto label` (64-bit compare). */
  jmp(op: BpfJumpOp, dst: BpfReg, imm: number, label: string): this {
    return this.push(BPF.JMP | JUMP_OPS[op] | BPF.K, reg(dst, op), 0, 0, imm32(imm, op), label);
  }
  /** `if (dst op src) goto label` (64-bit compare). */
  jmpReg(op: BpfJumpOp, dst: BpfReg, src: BpfReg, label: string): this {
    return this.push(BPF.JMP | JUMP_OPS[op] | BPF.X, reg(dst, op), reg(src, op), 0, 0, label);
  }
  /** `if (dst == imm) goto label`. */
  jeq(dst: BpfReg, imm: number, label: string): this {
    return this.jmp('jeq', dst, imm, label);
  }
  /** `if (dst != imm) goto label`. */
  jne(dst: BpfReg, imm: number, label: string): this {
    return this.jmp('jne', dst, imm, label);
  }
  /** Call a helper by name (or id); arguments in r1–r5, result in r0, r1–r5 clobbered. */
  call(helper: BpfHelperName | number): this {
    const id = typeof helper === 'number' ? helper : BPF_HELPERS[helper];
    if (id === undefined) throw new InvalidArgumentError(`unknown BPF helper ${JSON.stringify(helper)}`, helper);
    return this.push(BPF.JMP | BPF.CALL, 0, 0, 0, id);
  }
  /** Return r0. */
  exit(): this {
    return this.push(BPF.JMP | BPF.EXIT, 0, 0, 0, 0);
  }

  /** Resolve labels and encode. @throws {InvalidArgumentError} for an undefined label or a jump out of range. */
  assemble(): Buffer {
    const out = Buffer.alloc(this.insns.length * 8);
    this.insns.forEach((insn, i) => {
      let off = insn.off;
      if (insn.target !== undefined) {
        const at = this.labels.get(insn.target);
        if (at === undefined) throw new InvalidArgumentError(`jump to undefined label ${JSON.stringify(insn.target)}`);
        off = off16(at - i - 1, `jump to ${insn.target}`);
      }
      out[i * 8] = insn.code;
      out[i * 8 + 1] = (insn.dst & 0xf) | ((insn.src & 0xf) << 4);
      out.writeInt16LE(off, i * 8 + 2);
      out.writeInt32LE(insn.imm | 0, i * 8 + 4);
    });
    return out;
  }
}

/** Render instructions as hex words (`b7 00 00 00 00 00 00 00`), one per line, for errors and tests. */
export function dumpInsns(insns: Buffer): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 8 <= insns.length; i += 8) {
    lines.push([...insns.subarray(i, i + 8)].map((x) => x.toString(16).padStart(2, '0')).join(' '));
  }
  return lines;
}
