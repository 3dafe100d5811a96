/**
 * Decoding of the kernel ring buffer's binary sub-buffers ("pages") as read
 * from `per_cpu/cpuN/trace_pipe_raw`. Layout from `events/header_page` and
 * `events/header_event` (kernel/trace/ring_buffer.c):
 *
 * - page header: `u64 timestamp @0` (ns, the instance's `trace_clock`),
 *   `local_t commit @8` (data bytes in bits 0–26; bit 31 = events were lost
 *   before this page; bit 30 = their count is stored as a u64 after the data);
 *   data from byte 16.
 * - each record: u32 header `type_len = h & 31`, `time_delta = h >>> 5`;
 *   1–28 = payload of `type_len * 4` bytes; 0 = payload length + 4 in the next
 *   u32, payload at +8; 29 = padding (`delta == 0`: rest of the page empty);
 *   30 = time extend; 31 = absolute time stamp.
 *
 * Pure functions; timestamps are JavaScript numbers of nanoseconds (exact up
 * to 2^53 ns ≈ 104 days of uptime, then rounded to a few ns).
 * @module
 */
import { DecodeError } from '../errors.js';

/** Size of the page header (timestamp + commit). */
export const TRACE_PAGE_HEADER_BYTES = 16;
const SIZE_MASK = (1 << 27) - 1;
const MISSED_EVENTS = 0x80000000;
const MISSED_STORED = 0x40000000;
const TWO27 = 2 ** 27;
const TWO32 = 2 ** 32;
const TWO59 = 2 ** 59;

/** Record types of the ring buffer (`enum ring_buffer_type`). */
export const RINGBUF_TYPE_DATA_TYPE_LEN_MAX = 28;
export const RINGBUF_TYPE_PADDING = 29;
export const RINGBUF_TYPE_TIME_EXTEND = 30;
export const RINGBUF_TYPE_TIME_STAMP = 31;

/** What a page said about itself. */
export interface TracePageInfo {
  /** Page base time stamp (`timestamp` u64 @0), ns. */
  timestampNs: number;
  /** Bytes of record data (`commit & 0x7ffffff`). */
  dataBytes: number;
  /** Data records handed to the callback. */
  records: number;
  /**
   * Events the kernel lost before this page (overwritten in overwrite mode),
   * from the u64 stored after the data; 0 when none or unknown.
   */
  lostEvents: number;
  /** Bit 31 was set without a stored count: some events were lost, how many is unknown. */
  lostUnknown: boolean;
}

/**
 * Called for each data record: its payload is `page[start, start + length)`
 * (the payload may be longer than the event's fields: it is rounded up to 4
 * bytes). `timestampNs` is the record's absolute time.
 */
export type TraceRecordCallback = (page: Buffer, start: number, length: number, timestampNs: number) => void;

/**
 * Incremental reader of one sub-buffer: {@link reset} parses the page header,
 * each {@link next} moves to the next data record (`start`, `length`,
 * `timestampNs`). Lets a reader merge several CPUs' pages in time order.
 */
export class TracePageCursor {
  /** The page being read. */
  page: Buffer = Buffer.alloc(0);
  /** Payload offset of the current record. */
  start = 0;
  /** Payload length of the current record. */
  length = 0;
  /** Time stamp of the current record (ns). */
  timestampNs = 0;
  /** Page header of the current page. */
  info: TracePageInfo = { timestampNs: 0, dataBytes: 0, records: 0, lostEvents: 0, lostUnknown: false };
  private pos = 0;
  private end = 0;

  /**
   * Start reading `page[0, pageLength)`.
   * @throws {DecodeError} when the header does not fit the page.
   */
  reset(page: Buffer, pageLength: number): TracePageInfo {
    if (pageLength > page.length) pageLength = page.length;
    if (pageLength < TRACE_PAGE_HEADER_BYTES) {
      throw new DecodeError('trace page', 0, `${pageLength} bytes is shorter than the 16-byte page header`);
    }
    const ts = page.readUInt32LE(0) + page.readUInt32LE(4) * TWO32;
    const commit = page.readUInt32LE(8);
    const size = commit & SIZE_MASK;
    const end = TRACE_PAGE_HEADER_BYTES + size;
    if (end > pageLength) {
      throw new DecodeError('trace page', 8, `commit says ${size} data bytes but the page has ${pageLength - 16}`);
    }
    let lostEvents = 0;
    let lostUnknown = false;
    if ((commit & MISSED_EVENTS) !== 0) {
      if ((commit & MISSED_STORED) !== 0) {
        if (end + 8 > pageLength) {
          throw new DecodeError('trace page', end, 'lost-events count stored past the end of the page');
        }
        lostEvents = page.readUInt32LE(end) + page.readUInt32LE(end + 4) * TWO32;
      } else lostUnknown = true;
    }
    this.page = page;
    this.pos = TRACE_PAGE_HEADER_BYTES;
    this.end = end;
    this.timestampNs = ts;
    this.info = { timestampNs: ts, dataBytes: size, records: 0, lostEvents, lostUnknown };
    return this.info;
  }

  /**
   * Move to the next data record; false at the end of the page.
   * @throws {DecodeError} when a record does not fit the data.
   */
  next(): boolean {
    const page = this.page;
    const end = this.end;
    let p = this.pos;
    let ts = this.timestampNs;
    while (p < end) {
      if (p + 4 > end) throw new DecodeError('trace page', p, 'record header crosses the end of the data');
      const h = page.readUInt32LE(p);
      const typeLen = h & 31;
      const delta = h >>> 5;
      if (typeLen !== 0 && typeLen <= RINGBUF_TYPE_DATA_TYPE_LEN_MAX) {
        const len = typeLen << 2;
        if (p + 4 + len > end) {
          throw new DecodeError('trace page', p, `record of ${len} bytes crosses the end of the data`);
        }
        this.start = p + 4;
        this.length = len;
        this.timestampNs = ts + delta;
        this.pos = p + 4 + len;
        this.info.records++;
        return true;
      }
      if (typeLen === 0) {
        if (p + 8 > end) throw new DecodeError('trace page', p, 'large record length crosses the end of the data');
        const a = page.readUInt32LE(p + 4);
        if (a < 4 || p + 4 + a > end) {
          throw new DecodeError('trace page', p, `large record length ${a} does not fit the data`);
        }
        this.start = p + 8;
        this.length = a - 4;
        this.timestampNs = ts + delta;
        this.pos = p + 4 + a;
        this.info.records++;
        return true;
      }
      if (typeLen === RINGBUF_TYPE_PADDING) {
        if (delta === 0) break; // rest of the page is empty
        if (p + 8 > end) throw new DecodeError('trace page', p, 'padding length crosses the end of the data');
        const a = page.readUInt32LE(p + 4);
        if (p + 4 + a > end || a < 4) throw new DecodeError('trace page', p, `padding of ${a} bytes does not fit`);
        p += 4 + a; // discarded event: its delta is not added (as the kernel's own reader does)
        continue;
      }
      if (p + 8 > end) throw new DecodeError('trace page', p, 'time stamp record crosses the end of the data');
      const v = page.readUInt32LE(p + 4) * TWO27 + delta;
      if (typeLen === RINGBUF_TYPE_TIME_EXTEND) ts += v;
      else ts = Math.floor(ts / TWO59) * TWO59 + v; // absolute: keep the top 5 bits
      p += 8;
    }
    this.pos = end;
    this.timestampNs = ts;
    return false;
  }
}

/**
 * Walk one sub-buffer (`page[0, pageLength)`), calling `onRecord` for each
 * data record in order.
 * @throws {DecodeError} when a header or record does not fit the page.
 */
export function walkTracePage(page: Buffer, pageLength: number, onRecord: TraceRecordCallback): TracePageInfo {
  const c = new TracePageCursor();
  const info = c.reset(page, pageLength);
  while (c.next()) onRecord(page, c.start, c.length, c.timestampNs);
  return info;
}

/** One record for {@link buildTracePage} (tests and benchmarks). */
export type SyntheticRecord =
  | { kind: 'data'; delta: number; payload: Uint8Array; large?: boolean }
  | { kind: 'extend'; delta: number }
  | { kind: 'absolute'; timestampNs: number }
  | { kind: 'padding'; delta: number; length: number }
  | { kind: 'end' };

/**
 * Build a sub-buffer the way the kernel lays it out (for tests, fuzzing and
 * benchmarks). `lost`: `undefined` none, a number = stored count, `'unknown'`
 * = flag without count. Payloads are padded to 4 bytes.
 */
export function buildTracePage(
  pageTimestampNs: number,
  records: readonly SyntheticRecord[],
  options: { pageSize?: number; lost?: number | 'unknown' } = {},
): Buffer {
  const pageSize = options.pageSize ?? 4096;
  const page = Buffer.alloc(pageSize);
  page.writeUInt32LE(pageTimestampNs % TWO32, 0);
  page.writeUInt32LE(Math.floor(pageTimestampNs / TWO32), 4);
  let p = TRACE_PAGE_HEADER_BYTES;
  const need = (n: number) => {
    if (p + n > pageSize) throw new RangeError('synthetic records do not fit the page');
  };
  for (const r of records) {
    switch (r.kind) {
      case 'data': {
        const len = (r.payload.length + 3) & ~3;
        if (!r.large && len > 0 && len <= RINGBUF_TYPE_DATA_TYPE_LEN_MAX * 4) {
          need(4 + len);
          page.writeUInt32LE(((r.delta << 5) | (len >> 2)) >>> 0, p);
          page.set(r.payload, p + 4);
          p += 4 + len;
        } else {
          need(8 + len);
          page.writeUInt32LE((r.delta << 5) >>> 0, p);
          page.writeUInt32LE(len + 4, p + 4);
          page.set(r.payload, p + 8);
          p += 8 + len;
        }
        break;
      }
      case 'extend':
        need(8);
        page.writeUInt32LE((((r.delta % TWO27) << 5) | RINGBUF_TYPE_TIME_EXTEND) >>> 0, p);
        page.writeUInt32LE(Math.floor(r.delta / TWO27), p + 4);
        p += 8;
        break;
      case 'absolute': {
        const v = r.timestampNs % TWO59;
        need(8);
        page.writeUInt32LE((((v % TWO27) << 5) | RINGBUF_TYPE_TIME_STAMP) >>> 0, p);
        page.writeUInt32LE(Math.floor(v / TWO27), p + 4);
        p += 8;
        break;
      }
      case 'padding':
        need(4 + r.length);
        page.writeUInt32LE(((r.delta << 5) | RINGBUF_TYPE_PADDING) >>> 0, p);
        page.writeUInt32LE(r.length, p + 4);
        p += 4 + r.length;
        break;
      case 'end':
        need(4);
        page.writeUInt32LE(RINGBUF_TYPE_PADDING, p);
        p += 4;
        break;
    }
  }
  const size = p - TRACE_PAGE_HEADER_BYTES;
  let commit = size;
  if (options.lost !== undefined) {
    commit |= MISSED_EVENTS;
    if (options.lost !== 'unknown') {
      commit |= MISSED_STORED;
      if (p + 8 > pageSize) throw new RangeError('no room for the lost-events count');
      page.writeUInt32LE(options.lost % TWO32, p);
      page.writeUInt32LE(Math.floor(options.lost / TWO32), p + 4);
    }
  }
  page.writeUInt32LE(commit >>> 0, 8);
  return page;
}
