/**
 * Labelled counter, gauge and histogram families in shared memory, so that
 * an application's own metrics are counted across every cluster worker and
 * worker thread and read in one pass by anyone holding the mapping.
 *
 * Layout (after the region header): a small global area; an entry table
 * (one entry per family and per label set: hash, key in a string heap,
 * value cells); an open-addressing hash index of entries; the string heap;
 * then value cells, one column of `maxCells` doubles per writer stripe.
 *
 * A label set gets its entry and cells on first use, in whichever process
 * uses it first: the entry is written completely, then published with a
 * compare-and-swap into the hash index, so every process finds the same
 * cells; two processes racing on a new label set both find the winner's
 * entry (the loser's unpublished entry is marked dead and skipped).
 *
 * Counters and histograms are written with plain stores into the writer's
 * own stripe (exact by construction: one writer per stripe) and summed by
 * readers; gauges live in stripe 0 (set: one 8-byte store; inc/dec: a
 * compare-and-swap loop), so `set` means the last writer wins.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { pageAlign } from '../sys/index.js';
import { SeriesLimitError, StatsClosedError } from './errors.js';
import { KIND, Region } from './region.js';

/** One family in a {@link MetricsRegistry.collect} result. */
export interface MetricFamilySnapshot {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  series: {
    labels: Record<string, string>;
    /** Counter or gauge value. */
    value?: number;
    /** Histogram: cumulative counts per upper bound; the last `le` is +Infinity. */
    buckets?: { le: number; count: number }[];
    sum?: number;
    count?: number;
  }[];
}

/** Options of {@link MetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Share by name within the application (cluster workers and threads; see docs/stats.md). */
  name?: string;
  /** Share through a file. */
  path?: string;
  /** Attach to a passed descriptor. */
  fd?: number;
  /** Join this pid's group. */
  group?: number;
  /** Most label sets over all families (default 4096); beyond it {@link SeriesLimitError}. */
  maxSeries?: number;
  /** Most families (default 256). */
  maxFamilies?: number;
  /** Writer stripes (default 32). */
  stripes?: number;
  /** Clear on open. */
  zero?: boolean;
}

/** A labelled counter. */
export interface SharedCounter {
  /** Add `n` (default 1, must be ≥ 0) to the series of `labels`. */
  inc(labels?: Record<string, string | number>, n?: number): void;
}
/** A labelled gauge. */
export interface SharedGauge {
  set(labels: Record<string, string | number> | undefined, v: number): void;
  inc(labels?: Record<string, string | number>, n?: number): void;
  dec(labels?: Record<string, string | number>, n?: number): void;
}
/** A labelled histogram. */
export interface SharedHistogram {
  observe(labels: Record<string, string | number> | undefined, v: number): void;
}

/** prom-client's default histogram buckets (seconds). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const TYPES = ['counter', 'gauge', 'histogram'] as const;
type MetricType = (typeof TYPES)[number];

// globals (u32 indexes from the data start)
const G_ENTRIES = 0;
const G_STRINGS = 1;
const G_CELLS = 2;
const G_SERIES = 3;
const G_FAMILIES = 4;
// entry words
const E_WORDS = 8;
const E_STATE = 0; // 0 being written, 2 ready, 3 dead
const E_HASH = 1;
const E_KEY = 2;
const E_KEYLEN = 3;
const E_CELL = 4; // family: def string offset
const E_NCELLS = 5; // family: def string length
const E_KIND = 6; // 1 family, 2 series
const E_FAMILY = 7; // series: family entry index
const STRING_BYTES_PER_ENTRY = 192;
const CELLS_PER_SERIES = 16;

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1;
}

const METRIC_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface FamilyDef {
  name: string;
  help: string;
  type: MetricType;
  labelNames: string[];
  buckets?: number[];
}

const scratchF = new Float64Array(1);
const scratchB = new BigUint64Array(scratchF.buffer);

/** Shared-memory metric families; see the module documentation. */
export class MetricsRegistry {
  private region: Region | null;
  private readonly maxSeries: number;
  private readonly maxFamilies: number;
  private readonly maxEntries: number;
  private readonly maxCells: number;
  private readonly stringBytes: number;
  private readonly hashSlots: number;
  /** u32 indexes. */
  private readonly g0: number;
  private readonly e0: number;
  private readonly h0: number;
  /** byte offset of the string heap. */
  private readonly s0: number;
  /** f64 index of stripe 0's cells. */
  private readonly c0: number;
  /** f64 index of this writer's cells (-1: none, use atomics in stripe 0). */
  private own: number;
  private readonly stripe: number;
  private u32: Uint32Array;
  private f64: Float64Array;
  private u64: BigUint64Array;
  private bytes: Uint8Array;
  private readonly keyCache = new Map<number, string>();
  private readonly families = new Map<string, { def: FamilyDef; entry: number; handle: unknown }>();

  constructor(opts: MetricsRegistryOptions = {}) {
    this.region = null;
    const maxSeries = opts.maxSeries ?? 4096;
    const maxFamilies = opts.maxFamilies ?? 256;
    for (const [k, v] of Object.entries({ maxSeries, maxFamilies })) {
      if (!Number.isInteger(v) || v < 1 || v > 1_000_000)
        throw new InvalidArgumentError(`${k} must be an integer in [1, 1000000], got ${v}`, v);
    }
    const stripes = opts.stripes ?? 32;
    const r = MetricsRegistry.openRegion(opts, { maxSeries, maxFamilies, stripes });
    this.region = r;
    this.maxSeries = r.param(0);
    this.maxFamilies = r.param(1);
    this.maxEntries = this.maxSeries + this.maxFamilies;
    this.maxCells = r.param(2);
    this.stringBytes = r.param(3);
    this.hashSlots = r.param(4);
    this.g0 = r.dataOffset / 4;
    this.e0 = this.g0 + 16;
    this.h0 = this.e0 + this.maxEntries * E_WORDS;
    this.s0 = (this.h0 + this.hashSlots) * 4;
    this.c0 = pageAlign(this.s0 + this.stringBytes) / 8;
    this.u32 = r.u32;
    this.f64 = r.f64;
    this.u64 = r.u64;
    this.bytes = new Uint8Array(r.mapping!.buffer);
    this.stripe = r.readOnly ? 0 : r.claimStripe();
    this.own = this.stripe > 0 ? this.c0 + this.stripe * this.maxCells : -1;
    if (opts.zero && (opts.fd !== undefined || opts.name !== undefined) && !r.readOnly) r.zeroData();
  }

  private static layout(maxSeries: number, maxFamilies: number, stripes: number) {
    const maxEntries = maxSeries + maxFamilies;
    let hashSlots = 1;
    while (hashSlots < maxEntries * 2) hashSlots *= 2;
    const maxCells = maxSeries * CELLS_PER_SERIES;
    const stringBytes = maxEntries * STRING_BYTES_PER_ENTRY;
    const headBytes = pageAlign((16 + maxEntries * E_WORDS + hashSlots) * 4 + stringBytes);
    return {
      params: [maxSeries, maxFamilies, maxCells, stringBytes, hashSlots],
      dataBytes: headBytes + maxCells * 8 * stripes,
    };
  }

  private static openRegion(
    opts: MetricsRegistryOptions & { readOnly?: boolean; pid?: number },
    s: { maxSeries: number; maxFamilies: number; stripes: number },
  ): Region {
    const l = MetricsRegistry.layout(s.maxSeries, s.maxFamilies, s.stripes);
    const spec = {
      kind: KIND.registry,
      dataBytes: l.dataBytes,
      stripes: s.stripes,
      params: l.params,
      what: 'MetricsRegistry',
      adopt: opts.readOnly,
    };
    if (opts.pid !== undefined) return Region.openFromProcess(spec, opts.pid, opts.name ?? '', true);
    return Region.open(spec, opts);
  }

  /**
   * Attach read-only to another process's registry: by `path`, or by the
   * `{ pid, name }` of any process holding it (found through
   * `/proc/<pid>/fd` with an identity check on the opened descriptor).
   * Only `collect()` is useful on the result.
   */
  static open(opts: { path: string } | { pid: number; name: string }): MetricsRegistry {
    const o = Object.create(MetricsRegistry.prototype) as MetricsRegistry;
    const ro = 'pid' in opts ? { pid: opts.pid, name: opts.name, readOnly: true } : { path: opts.path, readOnly: true };
    const r = MetricsRegistry.openRegion(ro, { maxSeries: 1, maxFamilies: 1, stripes: 1 });
    const stripes = r.stripes;
    Object.assign(o, { keyCache: new Map(), families: new Map() });
    const x = o as unknown as Record<string, unknown>;
    x.region = r;
    x.maxSeries = r.param(0);
    x.maxFamilies = r.param(1);
    x.maxEntries = r.param(0) + r.param(1);
    x.maxCells = r.param(2);
    x.stringBytes = r.param(3);
    x.hashSlots = r.param(4);
    x.g0 = r.dataOffset / 4;
    x.e0 = (x.g0 as number) + 16;
    x.h0 = (x.e0 as number) + (x.maxEntries as number) * E_WORDS;
    x.s0 = ((x.h0 as number) + (x.hashSlots as number)) * 4;
    x.c0 = pageAlign((x.s0 as number) + (x.stringBytes as number)) / 8;
    const need = ((x.c0 as number) + (x.maxCells as number) * stripes) * 8;
    if (r.length < need) {
      r.close();
      throw new InvalidArgumentError(
        `the registry mapping is shorter (${r.length} bytes) than its header says (${need})`,
        need,
      );
    }
    x.u32 = r.u32;
    x.f64 = r.f64;
    x.u64 = r.u64;
    x.bytes = new Uint8Array(r.mapping!.buffer);
    x.stripe = 0;
    x.own = -1;
    return o;
  }

  private live(): Region {
    if (!this.region) throw new StatsClosedError('MetricsRegistry');
    return this.region;
  }

  private readKey(e: number): string {
    let k = this.keyCache.get(e);
    if (k === undefined) {
      const b = this.e0 + e * E_WORDS;
      const off = this.u32[b + E_KEY]!;
      const len = this.u32[b + E_KEYLEN]!;
      k = Buffer.from(this.bytes.buffer, this.s0 + off, len).toString('utf8');
      this.keyCache.set(e, k);
    }
    return k;
  }

  private readString(off: number, len: number): string {
    return Buffer.from(this.bytes.buffer, this.s0 + off, len).toString('utf8');
  }

  private lookup(key: string, h: number): number {
    const u = this.u32;
    const mask = this.hashSlots - 1;
    for (let p = h & mask, n = 0; n < this.hashSlots; p = (p + 1) & mask, n++) {
      const v = Atomics.load(u, this.h0 + p);
      if (v === 0) return -1;
      const e = v - 1;
      if (u[this.e0 + e * E_WORDS + E_HASH] === h && this.readKey(e) === key) return e;
    }
    return -1;
  }

  private allocString(s: string): [number, number] {
    const b = Buffer.from(s, 'utf8');
    const off = Atomics.add(this.u32, this.g0 + G_STRINGS, b.length);
    if (off + b.length > this.stringBytes) return [-1, 0];
    this.bytes.set(b, this.s0 + off);
    return [off, b.length];
  }

  /** Find or create the entry of `key`; `make` fills in kind-specific words. Returns the entry index. */
  private intern(
    key: string,
    kind: 1 | 2,
    cells: number,
    familyEntry: number,
    extra: string | undefined,
    onFull: () => Error,
  ): number {
    const h = fnv(key);
    const found = this.lookup(key, h);
    if (found >= 0) return found;
    const r = this.live();
    if (r.readOnly) throw onFull();
    const u = this.u32;
    const limitIdx = this.g0 + (kind === 2 ? G_SERIES : G_FAMILIES);
    const limit = kind === 2 ? this.maxSeries : this.maxFamilies;
    if (Atomics.add(u, limitIdx, 1) >= limit) {
      Atomics.sub(u, limitIdx, 1);
      throw onFull();
    }
    const e = Atomics.add(u, this.g0 + G_ENTRIES, 1);
    if (e >= this.maxEntries) throw onFull();
    const b = this.e0 + e * E_WORDS;
    const [koff, klen] = this.allocString(key);
    let coff = 0;
    let clen = cells;
    if (kind === 1) {
      const [o, l] = this.allocString(extra ?? '');
      coff = o;
      clen = l;
      if (o < 0) {
        Atomics.store(u, b + E_STATE, 3);
        throw onFull();
      }
    } else {
      coff = Atomics.add(u, this.g0 + G_CELLS, cells);
      if (coff + cells > this.maxCells) {
        Atomics.store(u, b + E_STATE, 3);
        throw onFull();
      }
    }
    if (koff < 0) {
      Atomics.store(u, b + E_STATE, 3);
      throw onFull();
    }
    u[b + E_HASH] = h;
    u[b + E_KEY] = koff;
    u[b + E_KEYLEN] = klen;
    u[b + E_CELL] = coff;
    u[b + E_NCELLS] = clen;
    u[b + E_KIND] = kind;
    u[b + E_FAMILY] = familyEntry;
    Atomics.store(u, b + E_STATE, 2);
    const mask = this.hashSlots - 1;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const prev = Atomics.compareExchange(u, this.h0 + p, 0, e + 1);
      if (prev === 0) return e;
      const o = prev - 1;
      if (u[this.e0 + o * E_WORDS + E_HASH] === h && this.readKey(o) === key) {
        Atomics.store(u, b + E_STATE, 3); // lost the race: use the winner's entry
        Atomics.sub(u, limitIdx, 1);
        return o;
      }
    }
  }

  private family(name: string, help: string, type: MetricType, labelNames: readonly string[], buckets?: number[]) {
    this.live();
    if (typeof name !== 'string' || !METRIC_RE.test(name))
      throw new InvalidArgumentError(`invalid metric name ${JSON.stringify(name)}: use [a-zA-Z_:][a-zA-Z0-9_:]*`, name);
    if (typeof help !== 'string') throw new InvalidArgumentError(`metric ${name}: help must be a string`, help);
    if (!Array.isArray(labelNames))
      throw new InvalidArgumentError(`metric ${name}: labelNames must be an array`, labelNames);
    const seen = new Set<string>();
    for (const l of labelNames) {
      if (typeof l !== 'string' || !LABEL_RE.test(l) || l.startsWith('__')) {
        throw new InvalidArgumentError(`metric ${name}: invalid label name ${JSON.stringify(l)}`, l);
      }
      if (type === 'histogram' && l === 'le')
        throw new InvalidArgumentError(`metric ${name}: 'le' is reserved in histograms`, l);
      if (seen.has(l)) throw new InvalidArgumentError(`metric ${name}: label ${l} appears twice`, l);
      seen.add(l);
    }
    const def: FamilyDef = { name, help, type, labelNames: [...labelNames] };
    if (type === 'histogram') {
      const bs = buckets ?? [...DEFAULT_BUCKETS];
      if (
        !Array.isArray(bs) ||
        bs.length === 0 ||
        bs.some((b, i) => typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= bs[i - 1]!))
      ) {
        throw new InvalidArgumentError(
          `metric ${name}: buckets must be a non-empty increasing list of finite numbers`,
          bs,
        );
      }
      def.buckets = [...bs];
    }
    const json = JSON.stringify(def);
    const cached = this.families.get(name);
    if (cached) {
      if (JSON.stringify(cached.def) !== json) this.mismatch(name, cached.def, def);
      return cached;
    }
    const e = this.intern(
      `\x01${name}`,
      1,
      0,
      0,
      json,
      () =>
        new InvalidArgumentError(
          `cannot register metric ${name}: the registry holds its maximum of ${this.maxFamilies} families (maxFamilies) or its string heap is full`,
          name,
        ),
    );
    const b = this.e0 + e * E_WORDS;
    const existing = JSON.parse(this.readString(this.u32[b + E_CELL]!, this.u32[b + E_NCELLS]!)) as FamilyDef;
    if (JSON.stringify(existing) !== json) this.mismatch(name, existing, def);
    const rec = { def, entry: e, handle: undefined as unknown };
    this.families.set(name, rec);
    return rec;
  }

  private mismatch(name: string, a: FamilyDef, b: FamilyDef): never {
    throw new InvalidArgumentError(
      `metric ${name} is already registered as a ${a.type} with labels [${a.labelNames.join(', ')}]${a.buckets ? ` and buckets [${a.buckets.join(', ')}]` : ''}; asked for a ${b.type} with labels [${b.labelNames.join(', ')}]`,
      name,
    );
  }

  /** A resolver from a label object to the series' first cell, cached per process in nested Maps. */
  private resolver(
    rec: { def: FamilyDef; entry: number },
    cells: number,
  ): (labels: Record<string, string | number> | undefined) => number {
    const names = rec.def.labelNames;
    const depth = names.length;
    const root = new Map<unknown, unknown>();
    let noLabels = -1;
    const slow = (labels: Record<string, string | number> | undefined): number => {
      const values: string[] = [];
      const given = labels ?? {};
      if (typeof given !== 'object')
        throw new InvalidArgumentError(`metric ${rec.def.name}: labels must be an object`, labels);
      for (const k of Object.keys(given)) {
        if (!names.includes(k))
          throw new InvalidArgumentError(
            `metric ${rec.def.name}: unknown label ${JSON.stringify(k)}; its labels are [${names.join(', ')}]`,
            k,
          );
      }
      for (const n of names) {
        const v = given[n];
        if (typeof v !== 'string' && typeof v !== 'number') {
          throw new InvalidArgumentError(
            `metric ${rec.def.name}: label ${n} needs a string value, got ${v === undefined ? 'none' : typeof v}`,
            labels,
          );
        }
        values.push(String(v));
      }
      const key = `\x02${rec.entry}\x00${JSON.stringify(values)}`;
      const e = this.intern(
        key,
        2,
        cells,
        rec.entry,
        undefined,
        () =>
          new SeriesLimitError(rec.def.name, this.maxSeries, Object.fromEntries(names.map((n, i) => [n, values[i]!]))),
      );
      const cell = this.u32[this.e0 + e * E_WORDS + E_CELL]!;
      let m = root;
      for (let i = 0; i < depth - 1; i++) {
        let next = m.get(values[i]) as Map<unknown, unknown> | undefined;
        if (!next) {
          next = new Map();
          m.set(values[i], next);
        }
        m = next;
      }
      if (depth > 0) m.set(values[depth - 1], cell);
      else noLabels = cell;
      return cell;
    };
    if (depth === 0) return (labels) => (noLabels >= 0 && labels === undefined ? noLabels : slow(labels));
    if (depth === 1) {
      const n0 = names[0]!;
      return (labels) => {
        const c = labels === undefined ? undefined : (root.get(String(labels[n0])) as number | undefined);
        return c === undefined ? slow(labels) : c;
      };
    }
    return (labels) => {
      if (labels === undefined) return slow(labels);
      let m: unknown = root;
      for (let i = 0; i < depth; i++) {
        const v = labels[names[i]!];
        m = (m as Map<unknown, unknown>).get(typeof v === 'string' ? v : String(v));
        if (m === undefined) return slow(labels);
      }
      return m as number;
    };
  }

  private casAdd(idx: number, n: number): void {
    const u = this.u64;
    for (;;) {
      const old = Atomics.load(u, idx);
      scratchB[0] = old;
      scratchF[0] += n;
      if (Atomics.compareExchange(u, idx, old, scratchB[0]) === old) return;
    }
  }

  /** A labelled counter family (registered once per name; the same call again returns it). */
  counter(name: string, help: string, labelNames: readonly string[] = []): SharedCounter {
    const rec = this.family(name, help, 'counter', labelNames);
    if (rec.handle) return rec.handle as SharedCounter;
    const cellOf = this.resolver(rec, 1);
    const self = this;
    const handle: SharedCounter = {
      inc(labels, n = 1) {
        if (!(n >= 0) || n === Number.POSITIVE_INFINITY) {
          throw new InvalidArgumentError(`metric ${name}: a counter only goes up by a finite n >= 0, got ${n}`, n);
        }
        const c = cellOf(labels);
        if (self.own >= 0) self.f64[self.own + c]! += n;
        else {
          self.live();
          self.casAdd(self.c0 + c, n);
        }
      },
    };
    rec.handle = handle;
    return handle;
  }

  /** A labelled gauge family. `set` stores (last writer wins); `inc`/`dec` are atomic. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): SharedGauge {
    const rec = this.family(name, help, 'gauge', labelNames);
    if (rec.handle) return rec.handle as SharedGauge;
    const cellOf = this.resolver(rec, 1);
    const self = this;
    const num = (v: number): number => {
      if (typeof v !== 'number' || Number.isNaN(v))
        throw new InvalidArgumentError(`metric ${name}: gauge values must be numbers, got ${String(v)}`, v);
      return v;
    };
    const handle: SharedGauge = {
      set(labels, v) {
        num(v);
        const c = cellOf(labels);
        self.live();
        self.f64[self.c0 + c] = v;
      },
      inc(labels, n = 1) {
        num(n);
        const c = cellOf(labels);
        self.live();
        self.casAdd(self.c0 + c, n);
      },
      dec(labels, n = 1) {
        num(n);
        const c = cellOf(labels);
        self.live();
        self.casAdd(self.c0 + c, -n);
      },
    };
    rec.handle = handle;
    return handle;
  }

  /** A labelled histogram family (default buckets: prom-client's). */
  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: number[]): SharedHistogram {
    const rec = this.family(name, help, 'histogram', labelNames, buckets);
    if (rec.handle) return rec.handle as SharedHistogram;
    const bounds = Float64Array.from(rec.def.buckets!);
    const nb = bounds.length;
    const cellOf = this.resolver(rec, nb + 2);
    const self = this;
    const handle: SharedHistogram = {
      observe(labels, v) {
        if (typeof v !== 'number' || Number.isNaN(v))
          throw new InvalidArgumentError(`metric ${name}: observed values must be numbers, got ${String(v)}`, v);
        const c = cellOf(labels);
        let i = 0;
        while (i < nb && v > bounds[i]!) i++;
        if (self.own >= 0) {
          const f = self.f64;
          const b = self.own + c;
          f[b + i]!++;
          f[b + nb + 1]! += v;
        } else {
          self.live();
          self.casAdd(self.c0 + c + i, 1);
          self.casAdd(self.c0 + c + nb + 1, v);
        }
      },
    };
    rec.handle = handle;
    return handle;
  }

  /** Every family and series, in registration order, summed over all writers: one pass over the mapping, no IPC. */
  collect(): MetricFamilySnapshot[] {
    const r = this.live();
    const u = this.u32;
    const f = this.f64;
    const n = Math.min(Atomics.load(u, this.g0 + G_ENTRIES), this.maxEntries);
    const stripes = r.stripeHwm;
    const fams = new Map<number, { snap: MetricFamilySnapshot; def: FamilyDef }>();
    const out: MetricFamilySnapshot[] = [];
    for (let e = 0; e < n; e++) {
      const b = this.e0 + e * E_WORDS;
      if (Atomics.load(u, b + E_STATE) !== 2) continue;
      if (u[b + E_KIND] === 1) {
        let def: FamilyDef;
        try {
          def = JSON.parse(this.readString(u[b + E_CELL]!, u[b + E_NCELLS]!)) as FamilyDef;
        } catch {
          continue;
        }
        const snap: MetricFamilySnapshot = { name: def.name, help: def.help, type: def.type, series: [] };
        fams.set(e, { snap, def });
        out.push(snap);
        continue;
      }
      const fam = fams.get(u[b + E_FAMILY]!);
      if (!fam) continue;
      const key = this.readKey(e);
      const values = JSON.parse(key.slice(key.indexOf('\x00') + 1)) as string[];
      const labels: Record<string, string> = {};
      fam.def.labelNames.forEach((l, i) => {
        labels[l] = values[i]!;
      });
      const cell = this.c0 + u[b + E_CELL]!;
      if (fam.def.type === 'gauge') {
        fam.snap.series.push({ labels, value: f[cell]! });
      } else if (fam.def.type === 'counter') {
        let v = 0;
        for (let s = 0; s < stripes; s++) v += f[cell + s * this.maxCells]!;
        fam.snap.series.push({ labels, value: v });
      } else {
        const bounds = fam.def.buckets!;
        const nb = bounds.length;
        const counts = new Array<number>(nb + 1).fill(0);
        let sum = 0;
        for (let s = 0; s < stripes; s++) {
          const c = cell + s * this.maxCells;
          for (let i = 0; i <= nb; i++) counts[i]! += f[c + i]!;
          sum += f[c + nb + 1]!;
        }
        let cum = 0;
        const buckets = counts.map((c, i) => {
          cum += c;
          return { le: i < nb ? bounds[i]! : Number.POSITIVE_INFINITY, count: cum };
        });
        fam.snap.series.push({ labels, buckets, sum, count: cum });
      }
    }
    return out;
  }

  /** Descriptor of the shared memory, for a child process. */
  get fd(): number {
    return this.live().fd;
  }

  /** Unmap; this writer's stripe is given back with its values. Idempotent. */
  close(): void {
    const r = this.region;
    if (!r) return;
    this.region = null;
    this.own = -1;
    this.u32 = new Uint32Array(0);
    this.f64 = new Float64Array(0);
    this.u64 = new BigUint64Array(0);
    this.bytes = new Uint8Array(0);
    r.releaseStripe(this.stripe);
    r.close();
  }
}
