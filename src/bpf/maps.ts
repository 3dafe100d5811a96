/**
 * BPF maps with typed keys and values: array, per-CPU array, hash, and the
 * ring buffer (mmapped, read without system calls). Every map is a
 * descriptor owned by this process: nothing is pinned, so the kernel frees it
 * when the last descriptor (this process's, or a loaded program's) closes.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import {
  BPF_CMD,
  bpfCall,
  bpfError,
  bpfSyscall,
  bufferAddress,
  close,
  errno,
  mmapShared,
  possibleCpuCount,
  type SharedMapping,
} from '../sys/index.js';

/** Number of possible CPUs: the stride count of per-CPU map values. */
export { possibleCpuCount };

/** Map types (`enum bpf_map_type`). */
export const BPF_MAP_TYPE = {
  HASH: 1,
  ARRAY: 2,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  RINGBUF: 27,
} as const;

/** `map_flags`: allocate hash elements on demand instead of all at creation. */
export const BPF_F_NO_PREALLOC = 1;

/** Update flags of `BPF_MAP_UPDATE_ELEM`. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

/** How a key or value is written to and read from bytes. */
export interface BpfCodec<T> {
  /** Size in bytes. */
  readonly size: number;
  encode(v: T, b: Buffer, off: number): void;
  decode(b: Buffer, off: number): T;
}

/** Codecs for the common scalar types. */
export const codec = {
  u32: {
    size: 4,
    encode: (v, b, o) => b.writeUInt32LE(v >>> 0, o),
    decode: (b, o) => b.readUInt32LE(o),
  } as BpfCodec<number>,
  u64: {
    size: 8,
    encode: (v, b, o) => b.writeBigUInt64LE(BigInt.asUintN(64, v), o),
    decode: (b, o) => b.readBigUInt64LE(o),
  } as BpfCodec<bigint>,
  /** Raw bytes of a fixed size. */
  bytes(size: number): BpfCodec<Buffer> {
    return {
      size,
      encode: (v, b, o) => {
        b.fill(0, o, o + size);
        v.copy(b, o, 0, Math.min(size, v.length));
      },
      decode: (b, o) => Buffer.from(b.subarray(o, o + size)),
    };
  },
};

/** Options of {@link createMapFd}. */
export interface BpfMapSpec {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  /** Up to 15 characters, shown by bpftool. */
  name?: string;
}

/** `BPF_MAP_CREATE` (attr: map_type@0 key_size@4 value_size@8 max_entries@12 map_flags@16 map_name@28). */
export function createMapFd(spec: BpfMapSpec): number {
  const a = Buffer.alloc(72);
  a.writeUInt32LE(spec.type, 0);
  a.writeUInt32LE(spec.keySize, 4);
  a.writeUInt32LE(spec.valueSize, 8);
  a.writeUInt32LE(spec.maxEntries, 12);
  a.writeUInt32LE(spec.flags ?? 0, 16);
  if (spec.name) a.write(spec.name.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 15), 28, 'latin1');
  return bpfCall(BPF_CMD.MAP_CREATE, a, `MAP_CREATE type ${spec.type} ${spec.name ?? ''}`.trim());
}

/** Common part of the key/value maps: the descriptor and the element commands. */
export class BpfMap<K> {
  readonly fd: number;
  readonly name: string;
  readonly maxEntries: number;
  protected readonly keyCodec: BpfCodec<K>;
  protected readonly valueSize: number;
  private readonly attr = Buffer.alloc(32);
  protected readonly keyBuf: Buffer;
  protected readonly nextKeyBuf: Buffer;
  protected readonly valueBuf: Buffer;
  private closed = false;

  protected constructor(fd: number, name: string, maxEntries: number, keyCodec: BpfCodec<K>, valueBytes: number) {
    this.fd = fd;
    this.name = name;
    this.maxEntries = maxEntries;
    this.keyCodec = keyCodec;
    this.valueSize = valueBytes;
    this.keyBuf = Buffer.alloc(Math.max(keyCodec.size, 8));
    this.nextKeyBuf = Buffer.alloc(Math.max(keyCodec.size, 8));
    this.valueBuf = Buffer.alloc(Math.max(valueBytes, 8));
    this.attr.writeUInt32LE(fd, 0);
  }

  /** One element command with `key`, `value` pointers (attr: map_fd@0 key@8 value/next_key@16 flags@24). */
  protected elem(cmd: number, key: Buffer | null, value: Buffer | null, flags = 0): number {
    const a = this.attr;
    a.writeBigUInt64LE(key ? bufferAddress(key) : 0n, 8);
    a.writeBigUInt64LE(value ? bufferAddress(value) : 0n, 16);
    a.writeBigUInt64LE(BigInt(flags), 24);
    return bpfSyscall(cmd, a).errno;
  }

  /** Raw lookup into `this.valueBuf`; false when the key is absent. */
  protected lookupRaw(key: K): boolean {
    this.keyCodec.encode(key, this.keyBuf, 0);
    const e = this.elem(BPF_CMD.MAP_LOOKUP_ELEM, this.keyBuf, this.valueBuf);
    if (e === 0) return true;
    if (e === errno.ENOENT) return false;
    throw bpfErr(`MAP_LOOKUP_ELEM ${this.name}`, e);
  }

  /** Raw update from `this.valueBuf`. */
  protected updateRaw(key: K, flags: number): void {
    this.keyCodec.encode(key, this.keyBuf, 0);
    const e = this.elem(BPF_CMD.MAP_UPDATE_ELEM, this.keyBuf, this.valueBuf, flags);
    if (e !== 0) throw bpfErr(`MAP_UPDATE_ELEM ${this.name}`, e);
  }

  /** Delete `key`; false when it was absent. */
  delete(key: K): boolean {
    this.keyCodec.encode(key, this.keyBuf, 0);
    const e = this.elem(BPF_CMD.MAP_DELETE_ELEM, this.keyBuf, null);
    if (e === 0) return true;
    if (e === errno.ENOENT) return false;
    throw bpfErr(`MAP_DELETE_ELEM ${this.name}`, e);
  }

  /** Every key (`BPF_MAP_GET_NEXT_KEY` from no key until ENOENT). */
  keys(): K[] {
    const out: K[] = [];
    let cur: Buffer | null = null;
    for (let guard = 0; guard <= this.maxEntries; guard++) {
      const e = this.elem(BPF_CMD.MAP_GET_NEXT_KEY, cur, this.nextKeyBuf);
      if (e === errno.ENOENT) break;
      if (e !== 0) throw bpfErr(`MAP_GET_NEXT_KEY ${this.name}`, e);
      out.push(this.keyCodec.decode(this.nextKeyBuf, 0));
      this.nextKeyBuf.copy(this.keyBuf);
      cur = this.keyBuf;
    }
    return out;
  }

  /** Release the descriptor (the kernel frees the map once no program uses it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd);
  }
}

function bpfErr(what: string, e: number): Error {
  return bpfError(what, e);
}

/** A hash or array map of `K` → `V`. */
export class BpfKeyValueMap<K, V> extends BpfMap<K> {
  private readonly valueCodec: BpfCodec<V>;
  constructor(fd: number, name: string, maxEntries: number, key: BpfCodec<K>, value: BpfCodec<V>) {
    super(fd, name, maxEntries, key, value.size);
    this.valueCodec = value;
  }

  /** Create a hash map. */
  static hash<K, V>(name: string, key: BpfCodec<K>, value: BpfCodec<V>, maxEntries: number, flags = 0) {
    const fd = createMapFd({
      type: BPF_MAP_TYPE.HASH,
      keySize: key.size,
      valueSize: value.size,
      maxEntries,
      flags,
      name,
    });
    return new BpfKeyValueMap(fd, name, maxEntries, key, value);
  }

  /** Create an array map (keys 0..maxEntries-1, every element exists, zeroed). */
  static array<V>(name: string, value: BpfCodec<V>, maxEntries: number): BpfKeyValueMap<number, V> {
    const fd = createMapFd({ type: BPF_MAP_TYPE.ARRAY, keySize: 4, valueSize: value.size, maxEntries, name });
    return new BpfKeyValueMap(fd, name, maxEntries, codec.u32, value);
  }

  /** The value of `key`, or undefined. */
  get(key: K): V | undefined {
    return this.lookupRaw(key) ? this.valueCodec.decode(this.valueBuf, 0) : undefined;
  }

  /** Set `key` to `value` (`flags`: {@link BPF_ANY}, {@link BPF_NOEXIST}, {@link BPF_EXIST}). */
  set(key: K, value: V, flags = BPF_ANY): void {
    this.valueCodec.encode(value, this.valueBuf, 0);
    this.updateRaw(key, flags);
  }

  /** Every entry (keys walked, then each looked up; entries deleted meanwhile are skipped). */
  entries(): [K, V][] {
    const out: [K, V][] = [];
    for (const k of this.keys()) {
      const v = this.get(k);
      if (v !== undefined) out.push([k, v]);
    }
    return out;
  }
}

/**
 * A per-CPU array: each element has one value per possible CPU (the kernel
 * copies `round_up(value_size, 8)` bytes per CPU on lookup).
 */
export class BpfPerCpuArray<V> extends BpfMap<number> {
  private readonly valueCodec: BpfCodec<V>;
  private readonly stride: number;
  readonly cpus: number;
  private readonly all: Buffer;
  constructor(name: string, value: BpfCodec<V>, maxEntries: number) {
    const fd = createMapFd({ type: BPF_MAP_TYPE.PERCPU_ARRAY, keySize: 4, valueSize: value.size, maxEntries, name });
    super(fd, name, maxEntries, codec.u32, 8);
    this.valueCodec = value;
    this.stride = Math.ceil(value.size / 8) * 8;
    this.cpus = possibleCpuCount();
    this.all = Buffer.alloc(this.stride * this.cpus);
  }

  /** The per-CPU values of element `index`, CPU 0 first. */
  getPerCpu(index: number): V[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.maxEntries) {
      throw new InvalidArgumentError(`index ${index} outside ${this.name} (0..${this.maxEntries - 1})`, index);
    }
    this.keyCodec.encode(index, this.keyBuf, 0);
    const e = this.elem(BPF_CMD.MAP_LOOKUP_ELEM, this.keyBuf, this.all);
    if (e !== 0) throw bpfErr(`MAP_LOOKUP_ELEM ${this.name}`, e);
    const out: V[] = [];
    for (let c = 0; c < this.cpus; c++) out.push(this.valueCodec.decode(this.all, c * this.stride));
    return out;
  }

  /** Set element `index` to the same value on every CPU. */
  setAll(index: number, value: V): void {
    for (let c = 0; c < this.cpus; c++) this.valueCodec.encode(value, this.all, c * this.stride);
    this.keyCodec.encode(index, this.keyBuf, 0);
    const e = this.elem(BPF_CMD.MAP_UPDATE_ELEM, this.keyBuf, this.all, BPF_ANY);
    if (e !== 0) throw bpfErr(`MAP_UPDATE_ELEM ${this.name}`, e);
  }
}

/** Sum per-CPU u64 values. */
export function sumBigints(values: readonly bigint[]): bigint {
  let s = 0n;
  for (const v of values) s += v;
  return s;
}

const RINGBUF_BUSY = 0x80000000;
const RINGBUF_DISCARD = 0x40000000;
const RINGBUF_HDR = 8;

/** Counters of a {@link BpfRingBuffer}. */
export interface BpfRingBufferStats {
  /** Records delivered to the callback. */
  records: number;
  /** Records a program discarded (`bpf_ringbuf_discard`). */
  discarded: number;
  /** Bytes consumed (headers and padding included). */
  bytes: number;
}

/**
 * A `BPF_MAP_TYPE_RINGBUF` read through its shared pages: the consumer
 * position page (read-write) at offset 0, then the producer page and the
 * data pages mapped twice (so a record that wraps is contiguous). Records
 * are `u32 len (BUSY bit 31, DISCARD bit 30) | u32 pg_off | data`, padded to 8.
 *
 * Positions are 64-bit, but are read as aligned 32-bit halves (hi, lo, hi
 * again): `DataView.getBigUint64` on shared memory may tear.
 */
export class BpfRingBuffer {
  readonly fd: number;
  readonly name: string;
  /** Data area size in bytes (a power of 2, multiple of the page size). */
  readonly sizeBytes: number;
  private readonly consumerMap: SharedMapping;
  private readonly producerMap: SharedMapping;
  private readonly cons: Uint32Array;
  private readonly prod: Uint32Array;
  private readonly data: Buffer;
  private readonly data32: Uint32Array;
  private readonly pageBytes: number;
  private readonly st: BpfRingBufferStats = { records: 0, discarded: 0, bytes: 0 };
  private closed = false;

  /** Create a ring of `sizeBytes` (rounded up to a power of two of at least one page). */
  constructor(name: string, sizeBytes: number, pageBytes = 4096) {
    let size = pageBytes;
    while (size < sizeBytes) size *= 2;
    this.name = name;
    this.sizeBytes = size;
    this.pageBytes = pageBytes;
    this.fd = createMapFd({ type: BPF_MAP_TYPE.RINGBUF, keySize: 0, valueSize: 0, maxEntries: size, name });
    try {
      this.consumerMap = mmapShared(this.fd, pageBytes, 0, true);
      this.producerMap = mmapShared(this.fd, pageBytes + 2 * size, pageBytes, false);
    } catch (e) {
      close(this.fd);
      throw e;
    }
    this.cons = new Uint32Array(this.consumerMap.buffer, 0, 2);
    this.prod = new Uint32Array(this.producerMap.buffer, 0, 2);
    this.data = Buffer.from(this.producerMap.buffer, pageBytes, 2 * size);
    this.data32 = new Uint32Array(this.producerMap.buffer, pageBytes, (2 * size) / 4);
  }

  private producerPos(): number {
    for (;;) {
      const hi = Atomics.load(this.prod, 1);
      const lo = Atomics.load(this.prod, 0);
      if (Atomics.load(this.prod, 1) === hi) return hi * 0x100000000 + lo;
    }
  }

  private consumerPos(): number {
    return this.cons[1]! * 0x100000000 + this.cons[0]!;
  }

  private setConsumerPos(pos: number): void {
    // lo first, then hi (the kernel reads the 64-bit value; only this process writes it)
    Atomics.store(this.cons, 0, pos >>> 0);
    Atomics.store(this.cons, 1, Math.floor(pos / 0x100000000));
  }

  /** Bytes written by programs and not yet consumed. */
  pendingBytes(): number {
    return this.producerPos() - this.consumerPos();
  }

  /**
   * Hand every committed record to `onRecord(data, offset, length)` (the view
   * is valid only during the call) and advance the consumer position. Stops
   * at a record still being written (BUSY). Returns the records delivered.
   */
  drain(
    onRecord: (data: Buffer, offset: number, length: number) => void,
    maxRecords = Number.POSITIVE_INFINITY,
  ): number {
    if (this.closed) return 0;
    let cons = this.consumerPos();
    const prod = this.producerPos();
    const mask = this.sizeBytes - 1;
    let n = 0;
    while (cons < prod && n < maxRecords) {
      const off = cons & mask;
      const len = Atomics.load(this.data32, off >>> 2);
      if (len & RINGBUF_BUSY) break;
      const dataLen = len & ~(RINGBUF_BUSY | RINGBUF_DISCARD);
      const total = (RINGBUF_HDR + dataLen + 7) & ~7;
      if (len & RINGBUF_DISCARD) this.st.discarded++;
      else {
        onRecord(this.data, off + RINGBUF_HDR, dataLen);
        this.st.records++;
        n++;
      }
      cons += total;
      this.st.bytes += total;
      this.setConsumerPos(cons);
    }
    return n;
  }

  /** Counters so far. */
  stats(): BpfRingBufferStats {
    return { ...this.st };
  }

  /** Unmap and close. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.consumerMap.unmap();
    this.producerMap.unmap();
    close(this.fd);
  }

  /** The page size used for the mapping. */
  get pageSize(): number {
    return this.pageBytes;
  }
}
