/**
 * Pure codecs for netlink messages (`struct nlmsghdr`), netlink errors
 * (`struct nlmsgerr` + extended ACK) and attributes (`struct nlattr`).
 *
 * All integers are host byte order (little-endian on the machines raingauge
 * supports) unless an attribute says otherwise. Every decoder throws
 * {@link DecodeError} on malformed input and nothing else.
 *
 * @module
 */
import { DecodeError, InvalidArgumentError } from '../errors.js';
import {
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  NLA_HDRLEN,
  NLA_TYPE_MASK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
} from './constants.js';

/** Round `n` up to a multiple of 4 (`NLMSG_ALIGN` / `NLA_ALIGN`). */
export function alignNetlink(n: number): number {
  return (n + 3) & ~3;
}

/** The fields of `struct nlmsghdr` a caller chooses (the length is computed). */
export interface NetlinkHeader {
  /** `nlmsg_type`: NLMSG_* or a family message type. */
  type: number;
  /** `nlmsg_flags`: NLM_F_* bits. */
  flags: number;
  /** `nlmsg_seq`: sequence number chosen by the requester, echoed in replies. */
  seq: number;
  /** `nlmsg_pid`: sender port id (0 = the kernel / let the kernel fill it in). */
  pid?: number;
}

/** A decoded netlink message. */
export interface NetlinkMessage {
  /** `nlmsg_type`. */
  type: number;
  /** `nlmsg_flags`. */
  flags: number;
  /** `nlmsg_seq`. */
  seq: number;
  /** `nlmsg_pid`: the sender's port id (replies from the kernel carry the requester's port id). */
  pid: number;
  /** The bytes after the 16-byte header up to `nlmsg_len` (a subarray of the input: no copy). */
  payload: Buffer;
}

/** Encode one message: `nlmsg_len` = 16 + payload length; the returned buffer is padded to 4 bytes. */
export function encodeNetlinkMessage(header: NetlinkHeader, payload: Buffer = Buffer.alloc(0)): Buffer {
  const len = NLMSG_HDRLEN + payload.length;
  if (len > 0xffffffff) throw new InvalidArgumentError(`netlink message too long: ${len} bytes`, len);
  const out = Buffer.alloc(alignNetlink(len));
  writeNetlinkHeader(out, 0, len, header);
  payload.copy(out, NLMSG_HDRLEN);
  return out;
}

/** Write a `struct nlmsghdr` with `nlmsg_len = len` at `offset` of `buf`. */
export function writeNetlinkHeader(buf: Buffer, offset: number, len: number, header: NetlinkHeader): void {
  checkU(header.type, 0xffff, 'nlmsg_type');
  checkU(header.flags, 0xffff, 'nlmsg_flags');
  checkU(header.seq, 0xffffffff, 'nlmsg_seq');
  checkU(header.pid ?? 0, 0xffffffff, 'nlmsg_pid');
  buf.writeUInt32LE(len, offset);
  buf.writeUInt16LE(header.type, offset + 4);
  buf.writeUInt16LE(header.flags, offset + 6);
  buf.writeUInt32LE(header.seq, offset + 8);
  buf.writeUInt32LE(header.pid ?? 0, offset + 12);
}

function checkU(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgumentError(`${what} must be an integer in 0..${max}, got ${v}`, v);
  }
}

/**
 * Callback of {@link forEachNetlinkMessage}: the header fields and where the
 * payload lies in the buffer. Return `false` to stop the walk.
 */
export type NetlinkMessageVisitor = (
  type: number,
  flags: number,
  seq: number,
  pid: number,
  payloadOffset: number,
  payloadLength: number,
) => unknown;

/**
 * Walk the messages in `buf[0..length)` without allocating. Each message must
 * have `16 <= nlmsg_len <= remaining bytes`; messages are 4-byte aligned; up
 * to 3 bytes of trailing padding are accepted. Returns the number of messages
 * visited.
 * @throws {DecodeError} on a truncated header or an impossible length.
 */
export function forEachNetlinkMessage(buf: Buffer, length: number | undefined, visit: NetlinkMessageVisitor): number {
  const end = length === undefined ? buf.length : length;
  if (!Number.isInteger(end) || end < 0 || end > buf.length) {
    throw new DecodeError('nlmsghdr', 0, `length ${length} is outside the buffer (${buf.length} bytes)`);
  }
  let off = 0;
  let n = 0;
  while (off < end) {
    const left = end - off;
    if (left < NLMSG_HDRLEN) {
      if (left < 4 && buf.readUIntLE(off, left) === 0) break; // alignment padding
      throw new DecodeError('nlmsghdr', off, `${left} trailing bytes, a header needs ${NLMSG_HDRLEN}`);
    }
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN) throw new DecodeError('nlmsghdr', off, `nlmsg_len ${len} is shorter than the header`);
    if (len > left) throw new DecodeError('nlmsghdr', off, `nlmsg_len ${len} exceeds the ${left} bytes left`);
    n++;
    const r = visit(
      buf.readUInt16LE(off + 4),
      buf.readUInt16LE(off + 6),
      buf.readUInt32LE(off + 8),
      buf.readUInt32LE(off + 12),
      off + NLMSG_HDRLEN,
      len - NLMSG_HDRLEN,
    );
    if (r === false) break;
    off += alignNetlink(len);
  }
  return n;
}

/**
 * Decode every message in `buf[0..length)`. Payloads are subarrays of `buf`
 * (no copy): copy them if `buf` is reused.
 * @throws {DecodeError}
 */
export function decodeNetlinkMessages(buf: Buffer, length?: number): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  forEachNetlinkMessage(buf, length, (type, flags, seq, pid, off, len) => {
    out.push({ type, flags, seq, pid, payload: buf.subarray(off, off + len) });
  });
  return out;
}

/** A decoded `struct nlmsgerr` (the payload of NLMSG_ERROR) with its extended ACK. */
export interface NetlinkErrorPayload {
  /** Positive errno (the kernel sends it negated); 0 means ACK (success). */
  errno: number;
  /** The header of the request that caused it. */
  request: { length: number; type: number; flags: number; seq: number; pid: number };
  /** `NLMSGERR_ATTR_MSG`: the kernel's human-readable reason, when it gave one. */
  extAckMessage?: string;
  /** `NLMSGERR_ATTR_OFFS`: byte offset in the request of the offending attribute. */
  extAckOffset?: number;
  /** `NLMSGERR_ATTR_MISS_TYPE`: the attribute type that was missing. */
  extAckMissingType?: number;
  /** `NLMSGERR_ATTR_MISS_NEST`: offset of the nest the missing attribute belongs to. */
  extAckMissingNest?: number;
}

/**
 * Decode the payload of an NLMSG_ERROR message. Pass `flags`, the NLMSG_ERROR
 * message's own `nlmsg_flags` (NLM_F_CAPPED, NLM_F_ACK_TLVS): they say where
 * the extended-ACK attributes start. Without them, extended ACK is decoded
 * only when the payload is shorter than the echoed request (necessarily a
 * capped copy).
 * @throws {DecodeError}
 */
export function decodeNetlinkError(payload: Buffer, flags?: number): NetlinkErrorPayload {
  if (payload.length < 4 + NLMSG_HDRLEN) {
    throw new DecodeError('nlmsgerr', 0, `${payload.length} bytes, needs at least ${4 + NLMSG_HDRLEN}`);
  }
  const err = payload.readInt32LE(0);
  if (err > 0 || err < -4095) throw new DecodeError('nlmsgerr', 0, `error ${err} is not 0 or a negative errno`);
  const request = {
    length: payload.readUInt32LE(4),
    type: payload.readUInt16LE(8),
    flags: payload.readUInt16LE(10),
    seq: payload.readUInt32LE(12),
    pid: payload.readUInt32LE(16),
  };
  const out: NetlinkErrorPayload = { errno: err === 0 ? 0 : -err, request };
  let capped: boolean;
  let tlvs: boolean;
  if (flags === undefined) {
    // Without the message flags only an unambiguous case is decoded: a payload
    // shorter than the echoed request must be a capped copy followed by TLVs.
    capped = payload.length < 4 + request.length;
    tlvs = capped && payload.length > 4 + NLMSG_HDRLEN;
  } else {
    capped = (flags & NLM_F_CAPPED) !== 0;
    tlvs = (flags & NLM_F_ACK_TLVS) !== 0;
  }
  if (!tlvs) return out;
  const start = capped ? 4 + NLMSG_HDRLEN : 4 + alignNetlink(request.length);
  if (start > payload.length) {
    throw new DecodeError('nlmsgerr', 4, `the echoed request (${request.length} bytes) exceeds the payload`);
  }
  decodeExtAck(payload, start, payload.length, out);
  return out;
}

/** Decode extended-ACK attributes into `out` (shared by NLMSG_ERROR and NLMSG_DONE). */
export function decodeExtAck(
  buf: Buffer,
  start: number,
  end: number,
  out: { extAckMessage?: string; extAckOffset?: number; extAckMissingType?: number; extAckMissingNest?: number },
): void {
  const ad = new NetlinkAttributeCursor(buf, start, end);
  while (ad.next()) {
    switch (ad.type) {
      case NLMSGERR_ATTR_MSG:
        out.extAckMessage = ad.string();
        break;
      case NLMSGERR_ATTR_OFFS:
        if (ad.length >= 4) out.extAckOffset = ad.u32();
        break;
      case NLMSGERR_ATTR_MISS_TYPE:
        if (ad.length >= 4) out.extAckMissingType = ad.u32();
        break;
      case NLMSGERR_ATTR_MISS_NEST:
        if (ad.length >= 4) out.extAckMissingNest = ad.u32();
        break;
    }
  }
  ad.check();
}

/** Read a string attribute value: up to the first NUL (or the whole value when there is none). */
export function readCString(buf: Buffer, off: number, len: number): string {
  let e = off;
  const end = off + len;
  while (e < end && buf[e] !== 0) e++;
  return buf.toString('utf8', off, e);
}

// ---------------------------------------------------------------- attributes

/** An attribute to encode. */
export interface NetlinkAttributeInput {
  /** Attribute type (without flag bits). */
  type: number;
  /** The value bytes (for a nested attribute: the encoded children). */
  value: Buffer;
  /** Set NLA_F_NESTED. */
  nested?: boolean;
  /** Set NLA_F_NET_BYTEORDER. */
  netByteOrder?: boolean;
}

/** A decoded attribute. */
export interface NetlinkAttribute {
  /** `nla_type & NLA_TYPE_MASK`. */
  type: number;
  /** NLA_F_NESTED was set. */
  nested: boolean;
  /** NLA_F_NET_BYTEORDER was set. */
  netByteOrder: boolean;
  /** The value (a subarray of the input: no copy). */
  value: Buffer;
}

/** Encode a list of attributes (each padded to 4 bytes). */
export function encodeNetlinkAttributes(attrs: readonly NetlinkAttributeInput[]): Buffer {
  let size = 0;
  for (const a of attrs) {
    checkU(a.type, NLA_TYPE_MASK, 'attribute type');
    if (NLA_HDRLEN + a.value.length > 0xffff) {
      throw new InvalidArgumentError(`attribute ${a.type} value too long: ${a.value.length} bytes (max 65531)`, a.type);
    }
    size += alignNetlink(NLA_HDRLEN + a.value.length);
  }
  const out = Buffer.alloc(size);
  let off = 0;
  for (const a of attrs) {
    out.writeUInt16LE(NLA_HDRLEN + a.value.length, off);
    out.writeUInt16LE(a.type | (a.nested ? NLA_F_NESTED : 0) | (a.netByteOrder ? NLA_F_NET_BYTEORDER : 0), off + 2);
    a.value.copy(out, off + NLA_HDRLEN);
    off += alignNetlink(NLA_HDRLEN + a.value.length);
  }
  return out;
}

/** A u8 attribute. */
export function nlAttrU8(type: number, v: number): NetlinkAttributeInput {
  checkU(v, 0xff, 'u8 attribute value');
  return { type, value: Buffer.from([v]) };
}

/** A u16 attribute (host byte order). */
export function nlAttrU16(type: number, v: number): NetlinkAttributeInput {
  checkU(v, 0xffff, 'u16 attribute value');
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return { type, value: b };
}

/** A u32 attribute (host byte order). */
export function nlAttrU32(type: number, v: number): NetlinkAttributeInput {
  checkU(v, 0xffffffff, 'u32 attribute value');
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return { type, value: b };
}

/** A u64 attribute (host byte order). */
export function nlAttrU64(type: number, v: number | bigint): NetlinkAttributeInput {
  const big = BigInt(v);
  if (big < 0n || big > 0xffffffffffffffffn)
    throw new InvalidArgumentError(`u64 attribute value out of range: ${v}`, v);
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(big);
  return { type, value: b };
}

/** A NUL-terminated string attribute. */
export function nlAttrString(type: number, s: string): NetlinkAttributeInput {
  return { type, value: Buffer.from(`${s}\0`, 'utf8') };
}

/** A nested attribute holding `children`. */
export function nlAttrNested(type: number, children: readonly NetlinkAttributeInput[]): NetlinkAttributeInput {
  return { type, value: encodeNetlinkAttributes(children), nested: true };
}

/**
 * Callback of {@link forEachNetlinkAttribute}. `flags` holds NLA_F_NESTED /
 * NLA_F_NET_BYTEORDER. Return `false` to stop.
 */
export type NetlinkAttributeVisitor = (
  type: number,
  flags: number,
  valueOffset: number,
  valueLength: number,
) => unknown;

/**
 * Walk the attributes in `buf[offset..end)` without allocating. Up to 3
 * trailing bytes (padding) are accepted. Returns the number visited.
 * @throws {DecodeError} on a truncated attribute or an impossible length.
 */
export function forEachNetlinkAttribute(
  buf: Buffer,
  offset: number,
  end: number,
  visit: NetlinkAttributeVisitor,
): number {
  if (!Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end > buf.length || offset > end) {
    throw new DecodeError('nlattr', offset, `range ${offset}..${end} is outside the buffer (${buf.length} bytes)`);
  }
  let off = offset;
  let n = 0;
  while (end - off >= NLA_HDRLEN) {
    const len = buf.readUInt16LE(off);
    const raw = buf.readUInt16LE(off + 2);
    if (len < NLA_HDRLEN) throw new DecodeError('nlattr', off, `nla_len ${len} is shorter than the header`);
    if (len > end - off) throw new DecodeError('nlattr', off, `nla_len ${len} exceeds the ${end - off} bytes left`);
    n++;
    if (visit(raw & NLA_TYPE_MASK, raw & ~NLA_TYPE_MASK, off + NLA_HDRLEN, len - NLA_HDRLEN) === false) return n;
    off += alignNetlink(len);
  }
  return n;
}

/**
 * Decode the attributes in `buf[offset..end)` into an array (values are
 * subarrays: no copy).
 * @throws {DecodeError}
 */
export function decodeNetlinkAttributes(buf: Buffer, offset = 0, end = buf.length): NetlinkAttribute[] {
  const out: NetlinkAttribute[] = [];
  forEachNetlinkAttribute(buf, offset, end, (type, flags, off, len) => {
    out.push({
      type,
      nested: (flags & NLA_F_NESTED) !== 0,
      netByteOrder: (flags & NLA_F_NET_BYTEORDER) !== 0,
      value: buf.subarray(off, off + len),
    });
  });
  return out;
}

function checkValue(buf: Buffer, off: number, len: number, what: string, need: number): void {
  if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > buf.length) {
    throw new DecodeError(what, off, `value range ${off}+${len} is outside the buffer (${buf.length} bytes)`);
  }
  if (len < need) throw new DecodeError(what, off, `needs ${need} byte${need > 1 ? 's' : ''}, has ${len}`);
}

/**
 * Typed readers of attribute values (`buf[off..off+len)`, host order) that
 * check the range and length and throw {@link DecodeError} naming the
 * attribute when it is too short.
 */
export function attrU8(buf: Buffer, off: number, len: number, what: string): number {
  checkValue(buf, off, len, what, 1);
  return buf[off]!;
}
/** u16 value of an attribute (host order). */
export function attrU16(buf: Buffer, off: number, len: number, what: string): number {
  checkValue(buf, off, len, what, 2);
  return buf.readUInt16LE(off);
}
/** u32 value of an attribute (host order). */
export function attrU32(buf: Buffer, off: number, len: number, what: string): number {
  checkValue(buf, off, len, what, 4);
  return buf.readUInt32LE(off);
}
/** u64 value of an attribute (host order). */
export function attrU64(buf: Buffer, off: number, len: number, what: string): bigint {
  checkValue(buf, off, len, what, 8);
  return buf.readBigUInt64LE(off);
}

// ---------------------------------------------------------------- attribute cursor

/**
 * An iterator over the attributes in `buf[start..end)` with typed reads and
 * one error check at the end (as mdlayher/netlink's AttributeDecoder):
 *
 * ```ts
 * const ad = new NetlinkAttributeCursor(buf, off, end);
 * while (ad.next()) {
 *   switch (ad.type) {
 *     case CTRL_ATTR_FAMILY_ID: fam.id = ad.u16('CTRL_ATTR_FAMILY_ID'); break;
 *     case CTRL_ATTR_FAMILY_NAME: fam.name = ad.string(); break;
 *   }
 * }
 * ad.check(); // throws the first DecodeError, if any
 * ```
 *
 * A malformed attribute header, or a value too short for a typed read
 * (which returns 0 / `0n`), records the first {@link DecodeError} and ends
 * the iteration; {@link err} returns it and {@link check} throws it. One cursor can be
 * reused for many messages with {@link reset} (no allocation on a hot path).
 * Up to 3 trailing bytes (padding) are accepted, as by {@link forEachNetlinkAttribute}.
 */
export class NetlinkAttributeCursor {
  /** The buffer being read. */
  buf: Buffer = EMPTY_BUFFER;
  /** `nla_type & NLA_TYPE_MASK` of the current attribute. */
  type = 0;
  /** The NLA_F_NESTED / NLA_F_NET_BYTEORDER bits of the current attribute. */
  flags = 0;
  /** Byte offset of the current attribute's value in {@link buf}. */
  offset = 0;
  /** Length of the current attribute's value (`nla_len` − 4). */
  length = 0;
  private pos = 0;
  private end = 0;
  private error: DecodeError | undefined;

  constructor(buf?: Buffer, start = 0, end = buf?.length ?? 0) {
    if (buf !== undefined) this.reset(buf, start, end);
  }

  /** Start over on the attributes in `buf[start..end)`, forgetting any earlier error. */
  reset(buf: Buffer, start: number, end: number): this {
    this.buf = buf;
    this.error = undefined;
    this.type = this.flags = this.offset = this.length = 0;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > buf.length || start > end) {
      this.pos = this.end = 0;
      this.error = new DecodeError(
        'nlattr',
        start,
        `range ${start}..${end} is outside the buffer (${buf.length} bytes)`,
      );
      return this;
    }
    this.pos = start;
    this.end = end;
    return this;
  }

  /** Move to the next attribute; false at the end or after an error. */
  next(): boolean {
    if (this.error !== undefined || this.end - this.pos < NLA_HDRLEN) return false;
    const buf = this.buf;
    const at = this.pos;
    const len = buf.readUInt16LE(at);
    if (len < NLA_HDRLEN) return this.fail(at, `nla_len ${len} is shorter than the header`);
    if (len > this.end - at) return this.fail(at, `nla_len ${len} exceeds the ${this.end - at} bytes left`);
    const raw = buf.readUInt16LE(at + 2);
    this.type = raw & NLA_TYPE_MASK;
    this.flags = raw & ~NLA_TYPE_MASK;
    this.offset = at + NLA_HDRLEN;
    this.length = len - NLA_HDRLEN;
    this.pos = at + alignNetlink(len);
    return true;
  }

  private fail(at: number, reason: string): false {
    this.error ??= new DecodeError('nlattr', at, reason);
    return false;
  }

  /**
   * True when the current value has at least `n` bytes; otherwise records a
   * {@link DecodeError} naming `what` (default `attribute <type>`) and returns false.
   */
  has(n: number, what?: string): boolean {
    if (this.length >= n) return true;
    this.error ??= new DecodeError(
      what ?? `attribute ${this.type}`,
      this.offset,
      `needs ${n} byte${n > 1 ? 's' : ''}, has ${this.length}`,
    );
    return false;
  }

  /** The current value as u8 (0 and an error when too short). */
  u8(what?: string): number {
    return this.has(1, what) ? this.buf[this.offset]! : 0;
  }
  /** The current value as u16, host order. */
  u16(what?: string): number {
    return this.has(2, what) ? this.buf.readUInt16LE(this.offset) : 0;
  }
  /** The current value as u32, host order. */
  u32(what?: string): number {
    return this.has(4, what) ? this.buf.readUInt32LE(this.offset) : 0;
  }
  /** The current value as u64, host order. */
  u64(what?: string): bigint {
    return this.has(8, what) ? this.buf.readBigUInt64LE(this.offset) : 0n;
  }
  /** The current value as a string: up to its first NUL (or the whole value). */
  string(): string {
    return readCString(this.buf, this.offset, this.length);
  }
  /** The current value's bytes (a subarray: no copy). */
  bytes(): Buffer {
    return this.buf.subarray(this.offset, this.offset + this.length);
  }
  /** A new cursor over the current value's nested attributes (its errors are its own: check it too, or {@link adopt} them). */
  nested(): NetlinkAttributeCursor {
    return new NetlinkAttributeCursor(this.buf, this.offset, this.offset + this.length);
  }
  /** Take over the first error of another cursor (a nested one), if this one has none yet. */
  adopt(other: NetlinkAttributeCursor): void {
    const e = other.err();
    if (e !== undefined) this.error ??= e;
  }

  /** The first error met, if any. */
  err(): DecodeError | undefined {
    return this.error;
  }

  /** Throw the first error met, if any. */
  check(): void {
    if (this.error !== undefined) throw this.error;
  }
}

const EMPTY_BUFFER = Buffer.alloc(0);
