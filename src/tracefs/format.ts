/**
 * Parsing of a tracepoint's `format` file (`events/<system>/<name>/format`)
 * into typed field decoders. Offsets, sizes and signedness always come from
 * the running kernel's file: layouts change between kernel versions.
 *
 * Pure functions: `parseEventFormat(text)` → {@link EventFormat}, and
 * {@link decodeEventFields} over a record payload.
 * @module
 */
import { DecodeError, ParseError } from '../errors.js';

/** How a field's bytes are turned into a JavaScript value. */
export type TraceFieldKind =
  /** integer of 1, 2 or 4 bytes (or an 8-byte slot holding a declared 32-bit int): `number` */
  | 'int'
  /** 64-bit integer: `bigint` */
  | 'int64'
  /** pointer (`void *`): `bigint` (the kernel address, possibly hashed) */
  | 'pointer'
  /** `bool`: `boolean` */
  | 'bool'
  /** fixed `char x[N]`: NUL-terminated `string` */
  | 'chars'
  /** fixed array of other elements: `Uint8Array` for bytes, else `number[]`/`bigint[]` */
  | 'array'
  /** `__data_loc char[]` / `__rel_loc char[]`: `string` */
  | 'dataloc-string'
  /** `__data_loc` of other element types: `Uint8Array` for bytes, else `number[]`/`bigint[]` */
  | 'dataloc-array';

/** One field of an event, as declared in its `format` file. */
export interface TraceField {
  /** Field name (`ret`, `saddr_v6`). */
  name: string;
  /** Declared C type without the name (`int`, `__u8 [4]`, `__data_loc char[]`). */
  type: string;
  /** Byte offset in the record payload (`offset:`). */
  offset: number;
  /** Size in bytes (`size:`). */
  size: number;
  /** `signed:` flag. */
  signed: boolean;
  /** How the value is decoded. */
  kind: TraceFieldKind;
  /** Element size for arrays and `__data_loc` arrays. */
  elementSize: number;
  /** Number of elements for fixed arrays (`x[N]`). */
  arrayLength: number | undefined;
  /** `__rel_loc` (offset relative to the end of the field) rather than `__data_loc`. */
  relative: boolean;
  /** True for the four `common_*` fields every event starts with. */
  common: boolean;
}

/** A parsed `format` file. */
export interface EventFormat {
  /** Subsystem (`sock`), when known (the file does not say; the caller passes it). */
  system: string | undefined;
  /** Event name (`name:` line). */
  name: string;
  /** Numeric event id (`ID:` line) — the `common_type` of its records. */
  id: number;
  /** Every field, common ones first, in file order. */
  fields: TraceField[];
  /** Fields by name. */
  byName: Map<string, TraceField>;
  /** The `print fmt:` line, verbatim. */
  printFmt: string;
  /**
   * Value names per field taken from `__print_symbolic(REC->field, { 2, "NAME" } …)`
   * in the print format (numeric entries only), e.g. `kfree_skb` `reason` → drop reason names.
   */
  symbols: Map<string, Map<number, string>>;
}

/** Decoded value of one field. */
export type TraceFieldValue = number | bigint | boolean | string | Uint8Array | number[] | bigint[];

const FIELD_RE = /^\s*field:(.*);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);\s*$/;
const NARROW_INT_RE =
  /^(?:(?:unsigned|signed)\s+)?(?:int|short|char|unsigned|long\s+int\s*:\s*32)$|^(?:__)?[us](?:8|16|32)$|^(?:pid_t|uid_t|gid_t|bool|umode_t|gfp_t)$/;

/** Parse the type/name part of a `field:` declaration. */
function parseDecl(
  decl: string,
  offset: number,
  size: number,
  signed: boolean,
  file: string,
  line: number,
): TraceField {
  let d = decl.trim();
  let dataLoc = false;
  let relative = false;
  if (d.startsWith('__data_loc ')) {
    dataLoc = true;
    d = d.slice('__data_loc '.length).trim();
  } else if (d.startsWith('__rel_loc ')) {
    dataLoc = true;
    relative = true;
    d = d.slice('__rel_loc '.length).trim();
  }
  // name is the last identifier, optionally followed by [N] (fixed array)
  const m = /^(.*?)([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[([^\]]*)\])?$/.exec(d);
  if (!m) throw new ParseError(file, 'field declaration without a name', { line, text: decl });
  let base = m[1]!.trim();
  const name = m[2]!;
  const arr = m[3];
  // `__data_loc char[] name`: the [] sits on the type
  let typeArray = false;
  if (base.endsWith('[]')) {
    typeArray = true;
    base = base.slice(0, -2).trim();
  }
  const pointer = base.endsWith('*');
  const elemType = base
    .replace(/\*+$/, '')
    .replace(/\b(const|volatile)\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const isChar = /^(?:(?:unsigned|signed) )?char$/.test(elemType);
  const field: TraceField = {
    name,
    type: decl
      .trim()
      .replace(new RegExp(`\\s*\\b${name}\\b`), '')
      .trim(),
    offset,
    size,
    signed,
    kind: 'int',
    elementSize: size,
    arrayLength: undefined,
    relative,
    common: name.startsWith('common_'),
  };
  if (dataLoc) {
    if (size !== 4) throw new ParseError(file, `__data_loc field ${name} has size ${size}, expected 4`, { line });
    field.elementSize = pointer ? 8 : elementSizeOf(elemType);
    field.kind = isChar && !pointer ? 'dataloc-string' : 'dataloc-array';
    return field;
  }
  if (arr !== undefined || typeArray) {
    const n = arr === undefined || arr === '' ? undefined : Number(arr);
    if (n !== undefined && (!Number.isInteger(n) || n <= 0)) {
      // symbolic dimension (e.g. [TASK_COMM_LEN]): derive from size when the element is a byte
      if (!isChar) throw new ParseError(file, `array field ${name} has a non-numeric length`, { line, text: decl });
    }
    const elemSize = pointer ? 8 : isChar ? 1 : n && n > 0 ? size / n : elementSizeOf(elemType);
    if (!Number.isInteger(elemSize) || elemSize <= 0) {
      throw new ParseError(file, `array field ${name}: size ${size} is not a multiple of ${arr}`, { line });
    }
    field.elementSize = elemSize;
    field.arrayLength = size / elemSize;
    field.kind = isChar && !pointer ? 'chars' : 'array';
    return field;
  }
  if (pointer) {
    field.kind = size === 8 ? 'pointer' : 'int';
    return field;
  }
  if (elemType === 'bool' && size === 1) {
    field.kind = 'bool';
    return field;
  }
  if (size === 8) {
    // syscall arguments are 8-byte slots declared `int`: decode the declared width
    field.kind = NARROW_INT_RE.test(elemType) || elemType.startsWith('enum ') ? 'int' : 'int64';
    return field;
  }
  if (size === 1 || size === 2 || size === 4) return field;
  // odd sizes (structs embedded by value): expose the bytes
  field.kind = 'array';
  field.elementSize = 1;
  field.arrayLength = size;
  return field;
}

function elementSizeOf(t: string): number {
  if (/^(?:(?:unsigned|signed) )?char$|^(?:__)?[us]8$|^bool$/.test(t)) return 1;
  if (/^(?:(?:unsigned|signed) )?short$|^(?:__)?[us]16$/.test(t)) return 2;
  if (/\blong\b|^(?:__)?[us]64$/.test(t)) return 8;
  return 4;
}

/**
 * Parse the text of `events/<system>/<name>/format`.
 * @throws {ParseError} naming the line that did not parse.
 */
export function parseEventFormat(text: string, system?: string, file = 'format'): EventFormat {
  const lines = text.split('\n');
  let name: string | undefined;
  let id: number | undefined;
  let printFmt = '';
  const fields: TraceField[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('name: ')) name = line.slice(6).trim();
    else if (line.startsWith('ID: ')) {
      id = Number(line.slice(4).trim());
      if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
        throw new ParseError(file, 'ID is not an integer in 0..65535', { line: i + 1, text: line });
      }
    } else if (line.startsWith('print fmt: ')) printFmt = line.slice('print fmt: '.length);
    else if (/^\s*field:/.test(line)) {
      const m = FIELD_RE.exec(line);
      if (!m) throw new ParseError(file, 'malformed field line', { line: i + 1, text: line });
      const f = parseDecl(m[1]!, Number(m[2]), Number(m[3]), m[4] === '1', file, i + 1);
      fields.push(f);
    }
  }
  if (name === undefined || name === '') throw new ParseError(file, 'no "name:" line');
  if (id === undefined) throw new ParseError(file, 'no "ID:" line');
  if (fields.length === 0) throw new ParseError(file, 'no "field:" lines');
  const byName = new Map<string, TraceField>();
  for (const f of fields) byName.set(f.name, f);
  for (const need of ['common_type', 'common_flags', 'common_pid']) {
    if (!byName.has(need)) throw new ParseError(file, `no ${need} field`);
  }
  return { system, name, id, fields, byName, printFmt, symbols: parsePrintSymbols(printFmt) };
}

/**
 * Extract `__print_symbolic(REC->field, { value, "NAME" }, …)` tables from a
 * print format. Entries whose value is a kernel macro (e.g. `TCP_ESTABLISHED`)
 * rather than a number are skipped.
 */
export function parsePrintSymbols(printFmt: string): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  const re = /__print_symbolic\(\s*REC->([A-Za-z_][A-Za-z0-9_]*)\s*,/g;
  for (let m = re.exec(printFmt); m; m = re.exec(printFmt)) {
    const field = m[1]!;
    // scan the balanced argument list
    let depth = 1;
    let j = re.lastIndex;
    for (; j < printFmt.length && depth > 0; j++) {
      const c = printFmt[j];
      if (c === '"') {
        j++;
        while (j < printFmt.length && printFmt[j] !== '"') j += printFmt[j] === '\\' ? 2 : 1;
      } else if (c === '(') depth++;
      else if (c === ')') depth--;
    }
    const body = printFmt.slice(re.lastIndex, j);
    const table = out.get(field) ?? new Map<number, string>();
    const ent = /\{\s*(-?(?:0x[0-9a-fA-F]+|\d+))\s*,\s*"([^"]*)"\s*\}/g;
    for (let e = ent.exec(body); e; e = ent.exec(body)) table.set(Number(e[1]), e[2]!);
    if (table.size > 0) out.set(field, table);
  }
  return out;
}

function readElem(buf: Buffer, off: number, size: number, signed: boolean): number | bigint {
  switch (size) {
    case 1:
      return signed ? buf.readInt8(off) : buf[off]!;
    case 2:
      return signed ? buf.readInt16LE(off) : buf.readUInt16LE(off);
    case 4:
      return signed ? buf.readInt32LE(off) : buf.readUInt32LE(off);
    case 8:
      return signed ? buf.readBigInt64LE(off) : buf.readBigUInt64LE(off);
    default:
      throw new DecodeError('trace event field', off, `unsupported element size ${size}`);
  }
}

function readArray(buf: Buffer, off: number, len: number, elemSize: number, signed: boolean): TraceFieldValue {
  if (elemSize === 1 && !signed) return Uint8Array.prototype.slice.call(buf, off, off + len);
  const n = Math.floor(len / elemSize);
  const out: (number | bigint)[] = [];
  for (let i = 0; i < n; i++) out.push(readElem(buf, off + i * elemSize, elemSize, signed));
  return out as number[] | bigint[];
}

function cString(buf: Buffer, start: number, end: number): string {
  let z = buf.indexOf(0, start);
  if (z < 0 || z > end) z = end;
  return buf.toString('utf8', start, z);
}

/**
 * Decode one field of a record whose payload is `buf[start, start + len)`.
 * @throws {DecodeError} when the field or its `__data_loc` data lies outside the payload.
 */
export function decodeEventField(f: TraceField, buf: Buffer, start: number, len: number): TraceFieldValue {
  if (f.offset + f.size > len) {
    throw new DecodeError(`trace event field ${f.name}`, start + f.offset, `payload of ${len} bytes is too short`);
  }
  const off = start + f.offset;
  switch (f.kind) {
    case 'int': {
      const s = f.size === 8 ? 4 : f.size;
      return readElem(buf, off, s, f.signed) as number;
    }
    case 'int64':
    case 'pointer':
      return f.signed ? buf.readBigInt64LE(off) : buf.readBigUInt64LE(off);
    case 'bool':
      return buf[off] !== 0;
    case 'chars':
      return cString(buf, off, off + f.size);
    case 'array':
      return readArray(buf, off, f.size, f.elementSize, f.signed);
    case 'dataloc-string':
    case 'dataloc-array': {
      const v = buf.readUInt32LE(off);
      const rel = v & 0xffff;
      const dlen = v >>> 16;
      const dstart = rel + (f.relative ? f.offset + f.size : 0);
      if (dstart + dlen > len) {
        throw new DecodeError(
          `trace event field ${f.name}`,
          off,
          `__data_loc points at [${dstart}, ${dstart + dlen}) beyond the ${len}-byte payload`,
        );
      }
      if (f.kind === 'dataloc-string') return cString(buf, start + dstart, start + dstart + dlen);
      return readArray(buf, start + dstart, dlen, f.elementSize, f.signed);
    }
  }
}

/**
 * Decode every non-common field of a record into a plain object.
 * @throws {DecodeError} when a field lies outside the payload.
 */
export function decodeEventFields(
  format: EventFormat,
  buf: Buffer,
  start: number,
  len: number,
): Record<string, TraceFieldValue> {
  const out: Record<string, TraceFieldValue> = {};
  for (const f of format.fields) {
    if (f.common) continue;
    out[f.name] = decodeEventField(f, buf, start, len);
  }
  return out;
}

/** The field `name` of `format`, or throw a {@link ParseError} naming the event (layout changed). */
export function requireTraceField(format: EventFormat, name: string, sizes?: readonly number[]): TraceField {
  const f = format.byName.get(name);
  if (!f) {
    throw new ParseError(
      `events/${format.system ?? '?'}/${format.name}/format`,
      `has no field "${name}" (fields: ${format.fields.map((x) => x.name).join(', ')})`,
    );
  }
  if (sizes && !sizes.includes(f.size)) {
    throw new ParseError(
      `events/${format.system ?? '?'}/${format.name}/format`,
      `field "${name}" has size ${f.size}, expected ${sizes.join(' or ')}`,
    );
  }
  return f;
}
