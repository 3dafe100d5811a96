/**
 * Reading a trace instance's per-CPU `trace_pipe_raw` buffers without
 * blocking the event loop, and the generic {@link traceEvents} stream.
 *
 * Each CPU's pipe is opened O_NONBLOCK; a read returns one sub-buffer or
 * EAGAIN when empty. Reading happens when the consumer asks for events: a
 * bounded number of pages per call (so one call never holds the event loop
 * for long), at most once per `intervalMs` unless the previous pull left a
 * backlog (a CPU filled its `maxPagesPerCpu`), so a busy buffer is read in
 * large batches rather than page by page. A consumer that stops pulling lets the kernel buffer fill; the
 * events the kernel then loses are counted in {@link TraceSessionStats}.
 * @module
 */
import { DecodeError, InvalidArgumentError } from '../errors.js';
import { decodeEventFields, type EventFormat, type TraceFieldValue } from './format.js';
import { splitTraceEventName, Tracefs, type TraceInstance, type TraceInstanceOptions } from './fs.js';
import { TracePageCursor } from './page.js';

/** `common_flags` bits that mean the event ran in interrupt context (hardirq 0x08, softirq 0x10, NMI 0x40). */
export const TRACE_FLAG_INTERRUPT_MASK = 0x08 | 0x10 | 0x40;

/** Read counters of one CPU's buffer. */
export interface TraceCpuReadStats {
  cpu: number;
  /** Sub-buffers read. */
  pages: number;
  /** Items delivered from this CPU (events). */
  events: number;
  /** Records skipped (unknown event id or filtered by the decoder). */
  skipped: number;
  /** Lost events the page headers reported (overwrite mode). */
  lostInPages: number;
  /** Pages flagged "events lost" without a count. */
  lostUnknownPages: number;
  /** `per_cpu/cpuN/stats` `overrun` (events overwritten, overwrite mode). */
  overrun: number;
  /** `per_cpu/cpuN/stats` `dropped events` (buffer full, no-overwrite mode). */
  droppedEvents: number;
  /** Events lost on this CPU: max(lostInPages, overrun) + droppedEvents. */
  lost: number;
}

/** Counters of a session. */
export interface TraceSessionStats {
  /** Items delivered. */
  events: number;
  /** Events the kernel lost (all CPUs), see {@link TraceCpuReadStats.lost}. */
  lost: number;
  /** Pages that failed to decode (skipped; the last error is `lastError`). */
  badPages: number;
  lastError: Error | undefined;
  perCpu: TraceCpuReadStats[];
}

/**
 * Turns one record into zero or one item: call `emit` to deliver it.
 * `page[start, start + length)` is the payload; `cpu` the buffer it came from.
 */
export type TraceRecordDecoder<T> = (
  cpu: number,
  page: Buffer,
  start: number,
  length: number,
  timestampNs: number,
  emit: (item: T) => void,
) => void;

/** Options of {@link TraceSession}. */
export interface TraceSessionOptions {
  /**
   * Period of the reads, ms (default 50): after a pull that emptied every
   * buffer the next one starts `intervalMs` after it (whether or not it
   * found events); only a backlog (a CPU that filled `maxPagesPerCpu`)
   * is read again at once, after yielding to the event loop.
   */
  intervalMs?: number;
  /** Sub-buffers read per CPU per pull before yielding to the event loop (default 64). */
  maxPagesPerCpu?: number;
  /** Stop the session when this signal aborts. */
  signal?: AbortSignal;
  /** Called once after the instance is removed. */
  onClose?: () => void;
}

interface CpuReader {
  cpu: number;
  fd: number;
  st: TraceCpuReadStats;
}

interface CpuCursor {
  reader: CpuReader;
  cursor: TracePageCursor;
  pages: Buffer[];
  lengths: number[];
  index: number;
  emit: (item: unknown) => void;
}

/**
 * Pull-based reader over a prepared instance: async-iterable items produced
 * by a record decoder, plus stats. Closing (or `return`/`throw` from a
 * `for await`) removes the instance.
 */
export class TraceSession<T> implements AsyncIterable<T> {
  readonly instance: TraceInstance;
  private readonly decode: TraceRecordDecoder<T>;
  private readonly readers: CpuReader[];
  private readonly pageBytes: number;
  private readonly pool: Buffer[] = [];
  private readonly cursors: CpuCursor[] = [];
  private readonly intervalMs: number;
  private readonly maxPages: number;
  private queue: T[] = [];
  private head = 0;
  private delivered = 0;
  private badPages = 0;
  private lastError: Error | undefined;
  private closed = false;
  private finalStats: TraceSessionStats | undefined;
  private wake: (() => void) | undefined;
  /** performance.now() of the last pull (0 = never). */
  private lastPumpAt = 0;
  /** The last pull stopped at `maxPagesPerCpu` on some CPU: more is waiting. */
  private backlog = false;
  private pumps = 0;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => this.close();
  private readonly onClose: (() => void) | undefined;

  constructor(instance: TraceInstance, decode: TraceRecordDecoder<T>, options: TraceSessionOptions = {}) {
    this.instance = instance;
    this.decode = decode;
    this.intervalMs = options.intervalMs ?? 50;
    this.maxPages = options.maxPagesPerCpu ?? 64;
    this.onClose = options.onClose;
    this.pageBytes = instance.subBufferBytes();
    this.readers = instance.cpus().map((cpu) => ({
      cpu,
      fd: instance.openRawPipe(cpu),
      st: {
        cpu,
        pages: 0,
        events: 0,
        skipped: 0,
        lostInPages: 0,
        lostUnknownPages: 0,
        overrun: 0,
        droppedEvents: 0,
        lost: 0,
      },
    }));
    for (const r of this.readers) {
      const st = r.st;
      this.cursors[r.cpu] = {
        reader: r,
        cursor: new TracePageCursor(),
        pages: [],
        lengths: [],
        index: 0,
        emit: (item: unknown) => {
          st.events++;
          this.queue.push(item as T);
        },
      };
    }
    this.signal = options.signal;
    if (this.signal?.aborted) this.close();
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Read up to `maxPagesPerCpu` sub-buffers from each CPU and decode their
   * records into the queue, merged across CPUs in time-stamp order (so a
   * socket created on one CPU and closed on another is seen in order).
   * Synchronous and bounded. Returns the number of pages read.
   */
  pump(): number {
    if (this.closed) return 0;
    this.pumps++;
    this.lastPumpAt = performance.now();
    this.backlog = false;
    let total = 0;
    let poolUsed = 0;
    const active: CpuCursor[] = [];
    for (const r of this.readers) {
      const cc = this.cursors[r.cpu]!;
      cc.pages.length = 0;
      cc.lengths.length = 0;
      cc.index = 0;
      for (let i = 0; i < this.maxPages; i++) {
        if (poolUsed === this.pool.length) this.pool.push(Buffer.alloc(this.pageBytes));
        const buf = this.pool[poolUsed]!;
        const n = this.instance.readRaw(r.fd, buf);
        if (n <= 0) break;
        poolUsed++;
        r.st.pages++;
        total++;
        cc.pages.push(buf);
        cc.lengths.push(n);
        if (i === this.maxPages - 1) this.backlog = true;
      }
      if (cc.pages.length > 0 && this.loadNext(cc)) active.push(cc);
    }
    if (active.length === 0) return total;
    for (;;) {
      // pick the CPU whose current record is the oldest
      let best = active[0]!;
      for (let i = 1; i < active.length; i++) {
        if (active[i]!.cursor.timestampNs < best.cursor.timestampNs) best = active[i]!;
      }
      const st = best.reader.st;
      const before = st.events;
      const c = best.cursor;
      this.decode(best.reader.cpu, c.page, c.start, c.length, c.timestampNs, best.emit);
      if (st.events === before) st.skipped++;
      if (!this.advance(best)) {
        active.splice(active.indexOf(best), 1);
        if (active.length === 0) break;
      }
    }
    return total;
  }

  /** Move a CPU cursor to its next record, loading following pages as needed. */
  private advance(cc: CpuCursor): boolean {
    try {
      if (cc.cursor.next()) return true;
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.badPages++;
      this.lastError = err;
    }
    return this.loadNext(cc);
  }

  /** Load the next page of a CPU cursor that has a record; false when none is left. */
  private loadNext(cc: CpuCursor): boolean {
    while (cc.index < cc.pages.length) {
      const i = cc.index++;
      try {
        const info = cc.cursor.reset(cc.pages[i]!, cc.lengths[i]!);
        cc.reader.st.lostInPages += info.lostEvents;
        if (info.lostUnknown) cc.reader.st.lostUnknownPages++;
        if (cc.cursor.next()) return true;
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        this.badPages++;
        this.lastError = err;
      }
    }
    return false;
  }

  private takeBatch(max: number): T[] {
    const end = Math.min(this.queue.length, this.head + max);
    const out = this.queue.slice(this.head, end);
    this.head = end;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    return out;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * The next batch of up to `max` items, waiting (on a timer, never blocking)
   * until at least one is available; `undefined` once the session is closed
   * and drained.
   */
  async nextBatch(max = 4096): Promise<T[] | undefined> {
    for (;;) {
      if (this.head < this.queue.length) return this.takeBatch(max);
      if (this.closed) return undefined;
      if (this.lastPumpAt !== 0) {
        if (this.backlog) {
          // more pages are waiting: read on, but let timers and I/O run first
          await new Promise<void>((resolve) => setImmediate(resolve));
        } else {
          // the buffers were empty at the last pull: let them fill for one period, so
          // each read takes a full sub-buffer instead of the few records written since
          const wait = this.lastPumpAt + this.intervalMs - performance.now();
          if (wait > 0) await this.sleep(wait);
        }
        if (this.closed) continue;
      }
      this.pump();
    }
  }

  /** Pulls so far (each reads every CPU's buffer until it is empty or `maxPagesPerCpu` sub-buffers were read). */
  get pullCount(): number {
    return this.pumps;
  }

  /** Async iteration over batches (arrays) of items: cheaper than one item at a time at high rates. */
  async *batches(max = 4096): AsyncGenerator<T[], void, undefined> {
    try {
      for (let b = await this.nextBatch(max); b; b = await this.nextBatch(max)) yield b;
    } finally {
      this.close();
    }
  }

  /** Async iteration over items; `break`, `return` or a throw in the loop close the session. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    try {
      for (let b = await this.nextBatch(); b; b = await this.nextBatch()) {
        for (const item of b) {
          this.delivered++;
          yield item;
        }
      }
    } finally {
      this.close();
    }
  }

  /** Current counters (reads `per_cpu/cpuN/stats`; after close, the final snapshot). */
  stats(): TraceSessionStats {
    if (this.finalStats) return this.finalStats;
    let events = 0;
    let lost = 0;
    const perCpu: TraceCpuReadStats[] = [];
    for (const r of this.readers) {
      try {
        const s = this.instance.cpuStats(r.cpu);
        r.st.overrun = s.overrun;
        r.st.droppedEvents = s.droppedEvents;
      } catch {
        // instance gone: keep the last values
      }
      r.st.lost = Math.max(r.st.lostInPages, r.st.overrun) + r.st.droppedEvents;
      events += r.st.events;
      lost += r.st.lost;
      perCpu.push({ ...r.st });
    }
    return { events, lost, badPages: this.badPages, lastError: this.lastError, perCpu };
  }

  /** Items handed out by the item iterator so far. */
  get deliveredCount(): number {
    return this.delivered;
  }

  /** True after {@link close}. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Stop tracing, drain what the buffers still hold into the queue (still
   * delivered by the iterators), take a final stats snapshot, and remove the
   * instance. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    try {
      this.instance.writeFile('tracing_on', '0');
      for (let i = 0; i < 1024 && this.pump() > 0; i++) {
        // drain
      }
    } catch {
      // instance already gone
    }
    this.finalStats = this.stats();
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.instance.close();
    this.wake?.();
    this.onClose?.();
  }
}

/** A decoded event of any tracepoint. */
export interface TraceEvent {
  /** `system:name`, e.g. `sched:sched_process_exec`. */
  event: string;
  /** CPU whose buffer held it. */
  cpu: number;
  /** Time stamp (ns, the instance's trace clock, `local` = since boot by default). */
  timestampNs: number;
  /** `common_pid`: the kernel thread id (initial pid namespace) that was running. */
  tid: number;
  /** `common_flags` (irqs-off 0x01, need-resched 0x04, hardirq 0x08, softirq 0x10, NMI 0x40 …). */
  commonFlags: number;
  /** Ran in interrupt context (hardirq, softirq or NMI): `tid` is whoever happened to run. */
  interrupt: boolean;
  /** The event's own fields, decoded per its `format` (see {@link decodeEventFields}). */
  fields: Record<string, TraceFieldValue>;
}

/** Options of {@link traceEvents}. */
export interface TraceEventsOptions extends TraceSessionOptions, TraceInstanceOptions {
  /** Events as `system:name` (`sched:sched_process_exec`). */
  events: readonly string[];
  /** A kernel filter for every event, or per event (`{ 'sock:sock_send_length': 'family == 2' }`). */
  filter?: string | Readonly<Record<string, string>>;
  /** Only these processes (`set_event_pid`), and their children unless `followForks` is false. */
  pid?: number | readonly number[];
  /** Follow forks of `pid` (`options/event-fork`, default true). */
  followForks?: boolean;
  /** A tracefs to use (default: found/mounted). */
  tracefs?: Tracefs;
}

/** Build a decoder for generic {@link TraceEvent}s from a set of formats. */
export function genericEventDecoder(formats: readonly EventFormat[]): TraceRecordDecoder<TraceEvent> {
  const byId = new Map<number, { f: EventFormat; key: string }>();
  for (const f of formats) byId.set(f.id, { f, key: `${f.system ?? '?'}:${f.name}` });
  return (cpu, page, start, len, ts, emit) => {
    if (len < 8) return;
    const e = byId.get(page.readUInt16LE(start));
    if (!e) return;
    const flags = page[start + 2]!;
    emit({
      event: e.key,
      cpu,
      timestampNs: ts,
      tid: page.readInt32LE(start + 4),
      commonFlags: flags,
      interrupt: (flags & TRACE_FLAG_INTERRUPT_MASK) !== 0,
      fields: decodeEventFields(e.f, page, start, len),
    });
  };
}

/**
 * Trace any tracepoints in a private instance: an async iterable of decoded
 * events plus `stats()`. The instance is removed when iteration ends (break,
 * return, throw), on `close()`, when `signal` aborts, and at process exit.
 *
 * ```ts
 * const s = traceEvents({ events: ['sched:sched_process_exec'] });
 * for await (const e of s) console.log(e.tid, e.fields.filename);
 * ```
 * Needs root (or CAP_SYS_ADMIN and write access to tracefs).
 * @throws {TracepointMissingError}, {@link TraceFilterError}, {@link PermissionError}
 */
export function traceEvents(options: TraceEventsOptions): TraceSession<TraceEvent> {
  if (!options.events || options.events.length === 0) {
    throw new InvalidArgumentError('traceEvents needs at least one event ("system:name")');
  }
  const tfs = options.tracefs ?? Tracefs.open();
  const formats = options.events.map((e) => tfs.format(e)); // fail before creating anything
  const inst = tfs.createInstance(options);
  try {
    if (options.pid !== undefined) {
      const pids = typeof options.pid === 'number' ? [options.pid] : options.pid;
      inst.setEventPids(pids, options.followForks ?? true);
    }
    for (const e of options.events) {
      const filter = typeof options.filter === 'string' ? options.filter : options.filter?.[normalize(e)];
      if (filter) inst.setFilter(e, filter);
    }
    for (const e of options.events) inst.enable(e);
    return new TraceSession(inst, genericEventDecoder(formats), options);
  } catch (err) {
    inst.close();
    throw err;
  }
}

function normalize(e: string): string {
  const [s, n] = splitTraceEventName(e);
  return `${s}:${n}`;
}
