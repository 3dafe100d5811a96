/**
 * A lazy reader of BTF (BPF Type Format), by default the running kernel's
 * `/sys/kernel/btf/vmlinux`: type ids by name, function and tracepoint ids,
 * prototypes, struct member offsets (anonymous members walked).
 *
 * Nothing is decoded up front: the first lookup builds only the table of
 * type-record offsets (one linear pass, ~10 ms for 126 000 types); a name
 * lookup scans the records comparing raw string bytes and caches its answer.
 * No name index of the whole file is built (that would cost ~85 ms), so a
 * program that needs two offsets pays for two scans, not for the file.
 *
 * Layout (include/uapi/linux/btf.h): `struct btf_header` (magic 0xeB9F,
 * version 1, hdr_len, type_off/len, str_off/len relative to the header's
 * end), then `struct btf_type` records (name_off, info = vlen | kind << 24 |
 * kind_flag << 31, size/type) each followed by kind-specific data.
 * @module
 */
import { readFileSync } from 'node:fs';
import { BtfDecodeError, BtfNotFoundError } from './errors.js';

/** BTF kinds (`BTF_KIND_*`). */
export const BTF_KIND = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

/** A struct/union member located by {@link Btf.member}. */
export interface BtfMember {
  /** Byte offset from the start of the outer struct (sum over the anonymous members walked). */
  offsetBytes: number;
  /** Bit offset from the start of the outer struct (differs from `8 × offsetBytes` only for bitfields). */
  offsetBits: number;
  /** Bitfield width in bits, 0 when not a bitfield. */
  bitfieldBits: number;
  /** Type id of the member. */
  typeId: number;
  /** Size in bytes of the member's type (typedefs and qualifiers resolved). */
  sizeBytes: number;
}

/** One parameter of a function prototype. */
export interface BtfParam {
  name: string;
  typeId: number;
}

const HEADER_MIN = 24;
const MAGIC = 0xeb9f;

/** Parsed, lazily indexed BTF data. */
export class Btf {
  readonly file: string;
  private readonly buf: Buffer;
  private readonly typeStart: number;
  private readonly typeEnd: number;
  private readonly strStart: number;
  private readonly strEnd: number;
  private offsets: Uint32Array | undefined;
  private count = 0;
  private readonly byName = new Map<string, number>();

  /** Decode the header of `buf`. @throws {BtfDecodeError} when it is not BTF or its sections do not fit. */
  constructor(buf: Buffer, file = '<buffer>') {
    this.file = file;
    this.buf = buf;
    if (buf.length < HEADER_MIN)
      throw new BtfDecodeError(file, 0, `file is ${buf.length} bytes, shorter than a header`);
    const magic = buf.readUInt16LE(0);
    if (magic !== MAGIC) throw new BtfDecodeError(file, 0, `bad magic 0x${magic.toString(16)} (want 0xeb9f)`);
    if (buf[2] !== 1) throw new BtfDecodeError(file, 2, `unsupported BTF version ${buf[2]}`);
    const hdrLen = buf.readUInt32LE(4);
    if (hdrLen < HEADER_MIN || hdrLen > buf.length) throw new BtfDecodeError(file, 4, `bad header length ${hdrLen}`);
    const typeOff = buf.readUInt32LE(8);
    const typeLen = buf.readUInt32LE(12);
    const strOff = buf.readUInt32LE(16);
    const strLen = buf.readUInt32LE(20);
    this.typeStart = hdrLen + typeOff;
    this.typeEnd = this.typeStart + typeLen;
    this.strStart = hdrLen + strOff;
    this.strEnd = this.strStart + strLen;
    if (this.typeEnd > buf.length) {
      throw new BtfDecodeError(
        file,
        12,
        `type section ends at ${this.typeEnd}, past the end of the data (${buf.length})`,
      );
    }
    if (this.strEnd > buf.length) {
      throw new BtfDecodeError(
        file,
        20,
        `string section ends at ${this.strEnd}, past the end of the data (${buf.length})`,
      );
    }
  }

  /** Read and wrap a BTF file (default the running kernel's). @throws {NotSupportedError} when absent. */
  static open(file = '/sys/kernel/btf/vmlinux'): Btf {
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch (e) {
      throw new BtfNotFoundError('kernel BTF', `${file} (${(e as NodeJS.ErrnoException).code}): CONFIG_DEBUG_INFO_BTF`);
    }
    return new Btf(buf, file);
  }

  /** Number of types (ids 1..count; id 0 is void). Builds the offset table on first use. */
  get typeCount(): number {
    this.index();
    return this.count;
  }

  /** One pass over the type section recording where each record starts. */
  private index(): Uint32Array {
    if (this.offsets) return this.offsets;
    const b = this.buf;
    let offs = new Uint32Array(1 << 17);
    let n = 0;
    let p = this.typeStart;
    while (p < this.typeEnd) {
      if (p + 12 > this.typeEnd) throw new BtfDecodeError(this.file, p, `type record ${n + 1} is truncated`);
      const info = b.readUInt32LE(p + 4);
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      let extra: number;
      switch (kind) {
        case BTF_KIND.INT:
        case BTF_KIND.VAR:
        case BTF_KIND.DECL_TAG:
          extra = 4;
          break;
        case BTF_KIND.ARRAY:
          extra = 12;
          break;
        case BTF_KIND.STRUCT:
        case BTF_KIND.UNION:
        case BTF_KIND.DATASEC:
        case BTF_KIND.ENUM64:
          extra = 12 * vlen;
          break;
        case BTF_KIND.ENUM:
        case BTF_KIND.FUNC_PROTO:
          extra = 8 * vlen;
          break;
        case BTF_KIND.PTR:
        case BTF_KIND.FWD:
        case BTF_KIND.TYPEDEF:
        case BTF_KIND.VOLATILE:
        case BTF_KIND.CONST:
        case BTF_KIND.RESTRICT:
        case BTF_KIND.FUNC:
        case BTF_KIND.FLOAT:
        case BTF_KIND.TYPE_TAG:
          extra = 0;
          break;
        default:
          throw new BtfDecodeError(this.file, p + 4, `type ${n + 1} has unknown kind ${kind}`);
      }
      if (p + 12 + extra > this.typeEnd) throw new BtfDecodeError(this.file, p, `type record ${n + 1} is truncated`);
      if (n + 1 >= offs.length) {
        const bigger = new Uint32Array(offs.length * 2);
        bigger.set(offs);
        offs = bigger;
      }
      offs[++n] = p;
      p += 12 + extra;
    }
    this.count = n;
    this.offsets = offs;
    return offs;
  }

  private at(id: number): number {
    const offs = this.index();
    if (!Number.isInteger(id) || id < 1 || id > this.count) {
      throw new BtfDecodeError(this.file, 0, `type id ${id} out of range 1..${this.count}`);
    }
    return offs[id]!;
  }

  /** Kind of type `id` ({@link BTF_KIND}). */
  kind(id: number): number {
    return (this.buf.readUInt32LE(this.at(id) + 4) >>> 24) & 0x1f;
  }
  /** `vlen` of type `id` (members, params, enumerators; FUNC: linkage). */
  vlen(id: number): number {
    return this.buf.readUInt32LE(this.at(id) + 4) & 0xffff;
  }
  /** The size/type word of type `id`. */
  private sizeOrType(id: number): number {
    return this.buf.readUInt32LE(this.at(id) + 8);
  }

  /** A string of the string section. @throws {BtfDecodeError} when `off` is outside it or unterminated. */
  str(off: number): string {
    const s = this.strStart + off;
    if (off < 0 || s >= this.strEnd) throw new BtfDecodeError(this.file, s, `string offset ${off} out of range`);
    const e = this.buf.indexOf(0, s);
    if (e < 0 || e >= this.strEnd) throw new BtfDecodeError(this.file, s, `unterminated string at ${off}`);
    return this.buf.toString('latin1', s, e);
  }

  /** Name of type `id` ('' for anonymous types). */
  name(id: number): string {
    return this.str(this.buf.readUInt32LE(this.at(id)));
  }

  /** Compare the string at `off` with `want` byte by byte, without decoding it. */
  private nameIs(off: number, want: Buffer): boolean {
    const s = this.strStart + off;
    if (s + want.length >= this.strEnd) return false;
    const b = this.buf;
    if (b[s + want.length] !== 0) return false;
    for (let i = 0; i < want.length; i++) if (b[s + i] !== want[i]) return false;
    return true;
  }

  /**
   * Id of the first type named `name` of `kind` (any kind when omitted), or
   * undefined. Scans records (no full index) and caches the answer.
   */
  findId(name: string, kind?: number): number | undefined {
    const key = `${kind ?? '*'}:${name}`;
    const hit = this.byName.get(key);
    if (hit !== undefined) return hit || undefined;
    const offs = this.index();
    const want = Buffer.from(name, 'latin1');
    const b = this.buf;
    let found = 0;
    for (let id = 1; id <= this.count; id++) {
      const p = offs[id]!;
      if (kind !== undefined && ((b.readUInt32LE(p + 4) >>> 24) & 0x1f) !== kind) continue;
      const nameOff = b.readUInt32LE(p);
      if (nameOff !== 0 && this.nameIs(nameOff, want)) {
        found = id;
        break;
      }
    }
    this.byName.set(key, found);
    return found || undefined;
  }

  /** Like {@link findId} but throws {@link BtfNotFoundError}. */
  requireId(name: string, kind?: number): number {
    const id = this.findId(name, kind);
    if (id === undefined) throw new BtfNotFoundError(`type ${name}`, this.file);
    return id;
  }

  /** Id of the struct named `name` (a full definition, not a forward declaration). */
  structId(name: string): number {
    const id = this.findId(name, BTF_KIND.STRUCT);
    if (id === undefined) throw new BtfNotFoundError(`struct ${name}`, this.file);
    return id;
  }

  /** Id of the BTF_KIND_FUNC `name` (the attach_btf_id of fentry/fexit and iterators: `bpf_iter_tcp`). */
  funcId(name: string): number {
    const id = this.findId(name, BTF_KIND.FUNC);
    if (id === undefined) throw new BtfNotFoundError(`function ${name}`, this.file);
    return id;
  }

  /** Id of the typedef `btf_trace_<name>`: the attach_btf_id of a `tp_btf` program on tracepoint `name`. */
  tracepointId(name: string): number {
    const id = this.findId(`btf_trace_${name}`, BTF_KIND.TYPEDEF);
    if (id === undefined) throw new BtfNotFoundError(`tracepoint ${name} (btf_trace_${name})`, this.file);
    return id;
  }

  /** Skip typedefs, qualifiers and type tags. */
  resolve(id: number): number {
    let t = id;
    for (let guard = 0; guard < 64 && t !== 0; guard++) {
      const k = this.kind(t);
      if (
        k !== BTF_KIND.TYPEDEF &&
        k !== BTF_KIND.VOLATILE &&
        k !== BTF_KIND.CONST &&
        k !== BTF_KIND.RESTRICT &&
        k !== BTF_KIND.TYPE_TAG
      ) {
        return t;
      }
      t = this.sizeOrType(t);
    }
    return t;
  }

  /** Size in bytes of type `id` (0 for void/functions). */
  sizeOf(id: number): number {
    const t = this.resolve(id);
    if (t === 0) return 0;
    switch (this.kind(t)) {
      case BTF_KIND.INT:
      case BTF_KIND.STRUCT:
      case BTF_KIND.UNION:
      case BTF_KIND.ENUM:
      case BTF_KIND.ENUM64:
      case BTF_KIND.FLOAT:
      case BTF_KIND.DATASEC:
        return this.sizeOrType(t);
      case BTF_KIND.PTR:
        return 8;
      case BTF_KIND.ARRAY: {
        const p = this.at(t) + 12;
        return this.buf.readUInt32LE(p + 8) * this.sizeOf(this.buf.readUInt32LE(p));
      }
      default:
        return 0;
    }
  }

  /** Members of struct/union `id`: name, type, bit offset, bitfield size. */
  members(id: number): { name: string; typeId: number; offsetBits: number; bitfieldBits: number }[] {
    const t = this.resolve(id);
    const k = this.kind(t);
    if (k !== BTF_KIND.STRUCT && k !== BTF_KIND.UNION) {
      throw new BtfDecodeError(this.file, this.at(t), `type ${t} is not a struct or union (kind ${k})`);
    }
    const p = this.at(t);
    const info = this.buf.readUInt32LE(p + 4);
    const kflag = info >>> 31 === 1;
    const out: { name: string; typeId: number; offsetBits: number; bitfieldBits: number }[] = [];
    for (let i = 0; i < (info & 0xffff); i++) {
      const m = p + 12 + 12 * i;
      const raw = this.buf.readUInt32LE(m + 8);
      out.push({
        name: this.str(this.buf.readUInt32LE(m)),
        typeId: this.buf.readUInt32LE(m + 4),
        offsetBits: kflag ? raw & 0xffffff : raw,
        bitfieldBits: kflag ? raw >>> 24 : 0,
      });
    }
    return out;
  }

  /**
   * Locate a member of struct `structName` by `path`: `'sk_protocol'`,
   * `'__sk_common.skc_family'`, or a bare name found inside anonymous (and,
   * as a convenience, named embedded) members (`'skc_family'` in `sock`).
   * @throws {BtfNotFoundError} when there is no such member.
   */
  member(structName: string, path: string): BtfMember {
    const parts = path.split('.');
    let typeId = this.structId(structName);
    let bits = 0;
    let found: { typeId: number; offsetBits: number; bitfieldBits: number } | undefined;
    for (const part of parts) {
      found = this.findMember(typeId, part, 0);
      if (!found) throw new BtfNotFoundError(`member ${structName}.${path}`, this.file);
      bits += found.offsetBits;
      typeId = found.typeId;
    }
    const f = found!;
    return {
      offsetBytes: Math.floor(bits / 8),
      offsetBits: bits,
      bitfieldBits: f.bitfieldBits,
      typeId: f.typeId,
      sizeBytes: this.sizeOf(f.typeId),
    };
  }

  /** Byte offset of a member ({@link member}); throws for bitfields. */
  offsetOf(structName: string, path: string): number {
    const m = this.member(structName, path);
    if (m.bitfieldBits !== 0 || m.offsetBits % 8 !== 0) {
      throw new BtfNotFoundError(`byte-aligned member ${structName}.${path} (it is a bitfield)`, this.file);
    }
    return m.offsetBytes;
  }

  private findMember(
    typeId: number,
    name: string,
    depth: number,
  ): { typeId: number; offsetBits: number; bitfieldBits: number } | undefined {
    if (depth > 8) return undefined;
    const ms = this.members(typeId);
    for (const m of ms) if (m.name === name) return m;
    // anonymous structs/unions first, then named embedded structs (sock → __sk_common → skc_family)
    for (const pass of [true, false]) {
      for (const m of ms) {
        if ((m.name === '') !== pass) continue;
        const t = this.resolve(m.typeId);
        const k = t === 0 ? 0 : this.kind(t);
        if (k !== BTF_KIND.STRUCT && k !== BTF_KIND.UNION) continue;
        const inner = this.findMember(t, name, depth + 1);
        if (inner) return { ...inner, offsetBits: inner.offsetBits + m.offsetBits };
      }
    }
    return undefined;
  }

  /** Parameters of a FUNC or FUNC_PROTO (a FUNC's prototype is followed). */
  params(id: number): BtfParam[] {
    let t = this.resolve(id);
    if (this.kind(t) === BTF_KIND.FUNC) t = this.sizeOrType(t);
    if (this.kind(t) === BTF_KIND.PTR) t = this.resolve(this.sizeOrType(t));
    if (this.kind(t) !== BTF_KIND.FUNC_PROTO) {
      throw new BtfDecodeError(this.file, this.at(t), `type ${t} is not a function prototype`);
    }
    const p = this.at(t);
    const out: BtfParam[] = [];
    for (let i = 0; i < this.vlen(t); i++) {
      out.push({
        name: this.str(this.buf.readUInt32LE(p + 12 + 8 * i)),
        typeId: this.buf.readUInt32LE(p + 16 + 8 * i),
      });
    }
    return out;
  }

  /**
   * Arguments of tracepoint `name` as a `tp_btf` program sees them (`ctx[i]`,
   * 8 bytes each): the prototype of `btf_trace_<name>` without its leading
   * `void *`, named after the kernel's `__bpf_trace_<name>` stub when it exists.
   */
  tracepointArgs(name: string): BtfParam[] {
    const args = this.params(this.tracepointId(name)).slice(1);
    // the typedef's prototype has no parameter names; the kernel's __bpf_trace_<name> stub has them
    const stub = this.findId(`__bpf_trace_${name}`, BTF_KIND.FUNC);
    if (stub !== undefined) {
      const named = this.params(stub).slice(1);
      if (named.length === args.length) return args.map((a, i) => ({ name: named[i]!.name, typeId: a.typeId }));
    }
    return args;
  }

  /** Index (in `ctx`, 8 bytes each) of the tracepoint argument named `arg`. */
  tracepointArgIndex(tracepoint: string, arg: string): number {
    const i = this.tracepointArgs(tracepoint).findIndex((p) => p.name === arg);
    if (i < 0) throw new BtfNotFoundError(`argument ${arg} of tracepoint ${tracepoint}`, this.file);
    return i;
  }
}

let vmlinux: Btf | undefined;
/** The running kernel's BTF, read once per process. */
export function vmlinuxBtf(): Btf {
  vmlinux ??= Btf.open();
  return vmlinux;
}
