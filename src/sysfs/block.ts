/**
 * Block devices: `/proc/diskstats`, `/sys/block/<dev>/stat` and
 * `/sys/block/<dev>/queue/*` (Documentation/admin-guide/iostats.rst,
 * Documentation/block/stat.rst, Documentation/ABI/stable/sysfs-block).
 * @module
 */
import { ParseError } from '../errors.js';
import { type AttributeErrors, type AttrMap, AttrReader } from './attr.js';

/**
 * I/O counters of one block device, in the order the kernel prints them
 * (block/genhd.c `diskstats_show` and `part_stat_show`).
 *
 * Sectors are always 512-byte units whatever the device's sector size. Times
 * are milliseconds. Counters are `number`: the kernel keeps them in
 * `unsigned long` (ios, merges, sectors) or prints them as 32-bit `unsigned
 * int` (the tick fields, which wrap at 2^32 ms ≈ 49.7 days), and reaching
 * 2^53 I/Os would take over 28 years at 10 million IOPS; a value beyond 2^53
 * is a {@link ParseError}, never silently rounded.
 */
export interface IOStats {
  /** Field 1: reads completed successfully. */
  readIOs: number;
  /** Field 2: adjacent reads merged into one request. */
  readMerges: number;
  /** Field 3: sectors (512 bytes) read. */
  readSectors: number;
  /** Field 4: milliseconds spent by all reads. */
  readTicks: number;
  /** Field 5: writes completed successfully. */
  writeIOs: number;
  /** Field 6: writes merged. */
  writeMerges: number;
  /** Field 7: sectors (512 bytes) written. */
  writeSectors: number;
  /** Field 8: milliseconds spent by all writes. */
  writeTicks: number;
  /** Field 9: I/Os currently in flight (the only field that goes down). */
  iosInProgress: number;
  /** Field 10: milliseconds during which at least one I/O was in flight ("io_ticks", the basis of %util). */
  iosTotalTicks: number;
  /** Field 11: weighted milliseconds doing I/O ("time_in_queue"): in-flight count × time. */
  weightedIOTicks: number;
  /** Field 12 (Linux 4.18+): discards completed successfully. */
  discardIOs?: number;
  /** Field 13 (4.18+): discards merged. */
  discardMerges?: number;
  /** Field 14 (4.18+): sectors discarded. */
  discardSectors?: number;
  /** Field 15 (4.18+): milliseconds spent by all discards. */
  discardTicks?: number;
  /** Field 16 (Linux 5.5+): flush requests completed successfully. */
  flushRequestsCompleted?: number;
  /** Field 17 (5.5+): milliseconds spent flushing. */
  timeSpentFlushing?: number;
  /** `readSectors × 512`: bytes read (exact below 8 PiB). */
  readBytes: number;
  /** `writeSectors × 512`: bytes written. */
  writeBytes: number;
  /** `discardSectors × 512`: bytes discarded (4.18+). */
  discardBytes?: number;
  /** Fields after the 17 known ones (a newer kernel's additions), kept in order. */
  extraFields?: number[];
}

/** One line of `/proc/diskstats`: device numbers, name and its {@link IOStats}. */
export interface Diskstats extends IOStats {
  /** Device major number. */
  majorNumber: number;
  /** Device minor number. */
  minorNumber: number;
  /** Kernel device name (`sda`, `nvme0n1p2`, `dm-0`). */
  deviceName: string;
  /** How many statistics fields the line had: 11 (before 4.18), 15 (4.18+), 17 (5.5+) or more. */
  ioStatsCount: number;
}

const STAT_FIELDS = [
  'readIOs',
  'readMerges',
  'readSectors',
  'readTicks',
  'writeIOs',
  'writeMerges',
  'writeSectors',
  'writeTicks',
  'iosInProgress',
  'iosTotalTicks',
  'weightedIOTicks',
  'discardIOs',
  'discardMerges',
  'discardSectors',
  'discardTicks',
  'flushRequestsCompleted',
  'timeSpentFlushing',
] as const;

function ioStatsFrom(nums: string[], file: string, line: number | undefined, text: string): IOStats {
  if (nums.length !== 11 && nums.length !== 15 && nums.length < 17) {
    throw new ParseError(file, `expected 11, 15 or 17 statistics fields, found ${nums.length}`, { line, text });
  }
  const values = nums.map((s) => {
    if (!/^\d+$/.test(s)) throw new ParseError(file, `not an unsigned integer: ${JSON.stringify(s)}`, { line, text });
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw new ParseError(file, `counter beyond 2^53: ${s}`, { line, text });
    return n;
  });
  const out: Record<string, unknown> = {};
  STAT_FIELDS.forEach((f, i) => {
    if (i < values.length) out[f] = values[i];
  });
  if (values.length > STAT_FIELDS.length) out.extraFields = values.slice(STAT_FIELDS.length);
  const st = out as unknown as IOStats;
  st.readBytes = st.readSectors * 512;
  st.writeBytes = st.writeSectors * 512;
  if (st.discardSectors !== undefined) st.discardBytes = st.discardSectors * 512;
  return st;
}

/**
 * Parse `/proc/diskstats`: one line per block device and partition,
 * `major minor name` followed by 11 (before Linux 4.18), 15 (discard fields,
 * 4.18+) or 17 (flush fields, 5.5+) counters; later additions are kept in
 * `extraFields`. Blank lines are ignored.
 *
 * @throws {ParseError} naming the line and its text when a line has another
 *   field count or a field is not an unsigned integer.
 */
export function parseDiskstats(text: string, file = '/proc/diskstats'): Diskstats[] {
  const out: Diskstats[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const f = raw.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') continue;
    if (f.length < 3 + 11) {
      throw new ParseError(file, `expected major minor name and at least 11 counters, found ${f.length} fields`, {
        line: i + 1,
        text: raw,
      });
    }
    const [maj, min, name] = f as [string, string, string];
    if (!/^\d+$/.test(maj) || !/^\d+$/.test(min)) {
      throw new ParseError(file, 'major and minor must be unsigned integers', { line: i + 1, text: raw });
    }
    const st = ioStatsFrom(f.slice(3), file, i + 1, raw);
    out.push({
      majorNumber: Number(maj),
      minorNumber: Number(min),
      deviceName: name,
      ioStatsCount: f.length - 3,
      ...st,
    });
  }
  return out;
}

/**
 * Parse `/sys/block/<dev>/stat` (or a partition's `stat`): the same counters
 * as a `/proc/diskstats` line without device numbers and name.
 *
 * @throws {ParseError} when the field count is not 11, 15 or ≥ 17 or a field is not an unsigned integer.
 */
export function parseBlockStat(text: string, file = 'stat'): IOStats {
  const f = text.trim().split(/\s+/);
  return ioStatsFrom(f.length === 1 && f[0] === '' ? [] : f, file, undefined, text);
}

/**
 * `/sys/block/<dev>/queue/*`: the request queue's limits and settings
 * (Documentation/ABI/stable/sysfs-block). Every field is optional (absent
 * when the kernel or device lacks the file); attributes without a typed field
 * are kept as text in {@link BlockQueueStats.raw}.
 */
export interface BlockQueueStats {
  /** `add_random`: 1 when this disk's I/O timing feeds the entropy pool. */
  addRandom?: number;
  /** `chunk_sectors`: RAID stripe chunk or zone size in 512-byte sectors (0 when none). */
  chunkSectors?: number;
  /** `dax`: 1 when the device supports direct access (DAX). */
  dax?: number;
  /** `discard_granularity`: internal allocation unit for discard, bytes (0: no discard). */
  discardGranularity?: number;
  /** `discard_max_bytes`: largest discard the kernel issues, bytes. */
  discardMaxBytes?: number;
  /** `discard_max_hw_bytes`: largest discard the hardware accepts, bytes. */
  discardMaxHWBytes?: number;
  /** `fua`: 1 when the device supports Force Unit Access writes. */
  fua?: number;
  /** `hw_sector_size`: hardware sector size, bytes. */
  hwSectorSize?: number;
  /** `io_poll`: 1 when polled I/O is enabled. */
  ioPoll?: number;
  /** `io_poll_delay`: -1 classic polling, 0 hybrid, > 0 sleep in µs before polling. */
  ioPollDelay?: number;
  /** `io_timeout`: request timeout, milliseconds. */
  ioTimeout?: number;
  /** `iostats`: 1 when I/O accounting is on for this disk. */
  ioStats?: number;
  /** `logical_block_size`: smallest addressable unit, bytes. */
  logicalBlockSize?: number;
  /** `max_discard_segments`: max DMA segments in one discard request. */
  maxDiscardSegments?: number;
  /** `max_hw_sectors_kb`: largest transfer the hardware accepts, KiB. */
  maxHWSectorsKB?: number;
  /** `max_integrity_segments`: max integrity segments per request. */
  maxIntegritySegments?: number;
  /** `max_sectors_kb`: largest request the block layer builds, KiB. */
  maxSectorsKB?: number;
  /** `max_segments`: max DMA segments per request. */
  maxSegments?: number;
  /** `max_segment_size`: max DMA segment size, bytes. */
  maxSegmentSize?: number;
  /** `minimum_io_size`: smallest preferred I/O size, bytes. */
  minimumIOSize?: number;
  /** `nomerges`: 0 all merges, 1 simple merges only, 2 none. */
  noMerges?: number;
  /** `nr_requests`: requests that may be allocated per queue. */
  nrRequests?: number;
  /** `nr_zones`: zones of a zoned device (0 otherwise). */
  nrZones?: number;
  /** `optimal_io_size`: optimal I/O size, bytes (0: not reported). */
  optimalIOSize?: number;
  /** `physical_block_size`: physical sector size, bytes. */
  physicalBlockSize?: number;
  /** `read_ahead_kb`: read-ahead window, KiB. */
  readAHeadKB?: number;
  /** `rotational`: 1 for spinning disks, 0 for SSDs and virtual disks. */
  rotational?: number;
  /** `rq_affinity`: 0 complete anywhere, 1 on the submitting CPU's group, 2 on the submitting CPU. */
  rqAffinity?: number;
  /** `scheduler`: every scheduler offered, brackets removed. */
  schedulerList?: string[];
  /** `scheduler`: the active one (the bracketed entry), e.g. `mq-deadline` or `none`. */
  schedulerCurrent?: string;
  /** `throttle_sample_time`: blk-throttle sampling window, ms (only with CONFIG_BLK_DEV_THROTTLING_LOW). */
  throttleSampleTime?: number;
  /** `wbt_lat_usec`: writeback-throttling target read latency, µs (0: off, -1 on some kernels: not set). */
  wbtLatUSec?: number;
  /** `write_cache`: `write back` or `write through`. */
  writeCache?: string;
  /** `write_same_max_bytes`: largest WRITE SAME, bytes (0: unsupported). */
  writeSameMaxBytes?: number;
  /** `write_zeroes_max_bytes`: largest WRITE ZEROES, bytes (0: unsupported). */
  writeZeroesMaxBytes?: number;
  /** `zoned`: `none`, `host-aware` or `host-managed`. */
  zoned?: string;
  /** Every other attribute file of `queue/`, trimmed text, keyed by file name (e.g. `atomic_write_max_bytes`). */
  raw: Record<string, string>;
  /** Attributes that exist but could not be read or parsed, keyed by file name. */
  errors: AttributeErrors;
}

const QUEUE_INTS: [string, keyof BlockQueueStats][] = [
  ['add_random', 'addRandom'],
  ['chunk_sectors', 'chunkSectors'],
  ['dax', 'dax'],
  ['discard_granularity', 'discardGranularity'],
  ['discard_max_bytes', 'discardMaxBytes'],
  ['discard_max_hw_bytes', 'discardMaxHWBytes'],
  ['fua', 'fua'],
  ['hw_sector_size', 'hwSectorSize'],
  ['io_poll', 'ioPoll'],
  ['io_poll_delay', 'ioPollDelay'],
  ['io_timeout', 'ioTimeout'],
  ['iostats', 'ioStats'],
  ['logical_block_size', 'logicalBlockSize'],
  ['max_discard_segments', 'maxDiscardSegments'],
  ['max_hw_sectors_kb', 'maxHWSectorsKB'],
  ['max_integrity_segments', 'maxIntegritySegments'],
  ['max_sectors_kb', 'maxSectorsKB'],
  ['max_segments', 'maxSegments'],
  ['max_segment_size', 'maxSegmentSize'],
  ['minimum_io_size', 'minimumIOSize'],
  ['nomerges', 'noMerges'],
  ['nr_requests', 'nrRequests'],
  ['nr_zones', 'nrZones'],
  ['optimal_io_size', 'optimalIOSize'],
  ['physical_block_size', 'physicalBlockSize'],
  ['read_ahead_kb', 'readAHeadKB'],
  ['rotational', 'rotational'],
  ['rq_affinity', 'rqAffinity'],
  ['throttle_sample_time', 'throttleSampleTime'],
  ['wbt_lat_usec', 'wbtLatUSec'],
  ['write_same_max_bytes', 'writeSameMaxBytes'],
  ['write_zeroes_max_bytes', 'writeZeroesMaxBytes'],
];
const QUEUE_STRS: [string, keyof BlockQueueStats][] = [
  ['write_cache', 'writeCache'],
  ['zoned', 'zoned'],
];
const QUEUE_KNOWN = new Set([...QUEUE_INTS.map(([f]) => f), ...QUEUE_STRS.map(([f]) => f), 'scheduler']);

/**
 * Parse the `scheduler` attribute (`none [mq-deadline] kyber bfq`): every
 * entry, and the bracketed current one (a lone unbracketed entry is current).
 */
export function parseBlockScheduler(text: string): { list: string[]; current: string | undefined } {
  const list: string[] = [];
  let current: string | undefined;
  for (const tok of text.trim().split(/\s+/)) {
    if (tok === '') continue;
    const m = /^\[(.*)\]$/.exec(tok);
    if (m) current = m[1]!;
    list.push(m ? m[1]! : tok);
  }
  if (current === undefined && list.length === 1) current = list[0];
  return { list, current };
}

/** Build {@link BlockQueueStats} from the files of `queue/` (pure; never throws). */
export function buildBlockQueueStats(attrs: AttrMap, dir = 'queue'): BlockQueueStats {
  const r = new AttrReader(attrs, dir);
  const out: BlockQueueStats = { raw: {}, errors: r.errors };
  const o = out as unknown as Record<string, unknown>;
  for (const [file, field] of QUEUE_INTS) {
    const v = r.int(file);
    if (v !== undefined) o[field] = v;
  }
  for (const [file, field] of QUEUE_STRS) {
    const v = r.str(file);
    if (v !== undefined) o[field] = v;
  }
  const sched = r.str('scheduler');
  if (sched !== undefined) {
    const { list, current } = parseBlockScheduler(sched);
    out.schedulerList = list;
    if (current !== undefined) out.schedulerCurrent = current;
  }
  for (const key of attrs.keys()) {
    if (QUEUE_KNOWN.has(key)) continue;
    const v = r.str(key);
    if (v !== undefined) out.raw[key] = v;
  }
  return out;
}

/**
 * Identity and size of a whole block device, from `/sys/block/<dev>/`
 * (`dev`, `size`, `ro`, `removable`) and the partitions below it (the
 * subdirectories that contain a `partition` file).
 */
export interface BlockDevice {
  /** Kernel device name (`sda`, `nvme0n1`). */
  name: string;
  /** Device major number (from `dev`, `major:minor`). */
  majorNumber?: number;
  /** Device minor number (from `dev`). */
  minorNumber?: number;
  /** `size`: capacity in 512-byte sectors (whatever the logical block size). */
  size?: number;
  /** `size × 512`: capacity in bytes. */
  sizeBytes?: number;
  /** `ro`: 1 when the device is read-only. */
  ro?: number;
  /** `removable`: 1 for removable media. */
  removable?: number;
  /** Partition names (`sda1`, `nvme0n1p2`), naturally sorted; read their counters with `blockDeviceStat(dev, part)`. */
  partitions: string[];
  /** Attributes that exist but could not be read or parsed, keyed by file name. */
  errors: AttributeErrors;
}

/** Build a {@link BlockDevice} from the attributes of `/sys/block/<dev>/` (pure; never throws). */
export function buildBlockDevice(name: string, attrs: AttrMap, partitions: string[], dir = name): BlockDevice {
  const r = new AttrReader(attrs, dir);
  const out: BlockDevice = { name, partitions, errors: r.errors };
  const dev = r.str('dev');
  if (dev !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(dev);
    if (m) {
      out.majorNumber = Number(m[1]);
      out.minorNumber = Number(m[2]);
    } else r.fail('dev', 'expected "major:minor"', dev);
  }
  const size = r.int('size');
  if (size !== undefined) {
    out.size = size;
    out.sizeBytes = size * 512;
  }
  const ro = r.int('ro');
  if (ro !== undefined) out.ro = ro;
  const removable = r.int('removable');
  if (removable !== undefined) out.removable = removable;
  return out;
}
