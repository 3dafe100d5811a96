/**
 * The decoded `struct taskstats` record (include/uapi/linux/taskstats.h) and
 * its pure decoder {@link decodeTaskstats}.
 *
 * Every u64 member is a `bigint` (counters and nanosecond totals can exceed
 * 2^53); u8/u16/u32 members are numbers. Members added after version 8 are
 * optional: absent when the record's version predates them. Units follow the
 * kernel: `*DelayTotal`, `*DelayMax`, `*DelayMin`, `cpuRun*Total` in
 * nanoseconds; `acEtime`, `acUtime`, `acStime` (and `*scaled`) in
 * microseconds; `acBtime`/`acBtime64` in seconds since the epoch; `coremem`
 * and `virtmem` in MB·µs; `hiwaterRss`/`hiwaterVm` in KiB; I/O in bytes
 * (rounded down to 1 KiB by the kernel).
 * @module
 */
import { endianness } from 'node:os';
import { DecodeError } from '../errors.js';
import {
  TASKSTATS_FIELDS,
  TASKSTATS_MAX_VERSION,
  TASKSTATS_MIN_VERSION,
  TASKSTATS_SIZE_BY_VERSION,
  TS_COMM_LEN,
} from './layout.js';

/** One `struct taskstats`, decoded. Field names are lowerCamelCase of the kernel's. */
export interface TaskstatsRecord {
  /** `version`: layout version of the record (8 … 16; later versions keep extra bytes in {@link rawTail}). */
  version: number;
  /** `ac_exitcode`: raw wait status of the task (decode with `decodeExitStatus`). 0 for live tasks. */
  acExitcode: number;
  /** `ac_flag`: accounting flags (AFORK 0x01, ASU 0x02, ACORE 0x08, AXSIG 0x10, AGROUP 0x20). */
  acFlag: number;
  /** `ac_nice`: nice value of the task (−20 … 19; the kernel's u8 decoded as signed). */
  acNice: number;
  /** `cpu_count`: number of times the task waited on a run queue (always filled, from the scheduler). */
  cpuCount: bigint;
  /** `cpu_delay_total`: total run-queue wait in ns (= /proc/<pid>/schedstat second field). */
  cpuDelayTotal: bigint;
  /** `blkio_count`: synchronous block I/O waits (needs delay accounting). */
  blkioCount: bigint;
  /** `blkio_delay_total`: total block I/O wait in ns. */
  blkioDelayTotal: bigint;
  /** `swapin_count`: waits for swap-in page faults. */
  swapinCount: bigint;
  /** `swapin_delay_total`: total swap-in wait in ns. */
  swapinDelayTotal: bigint;
  /** `cpu_run_real_total`: CPU time in ns ("wall-clock" run time, adjusted for steal on some arches). */
  cpuRunRealTotal: bigint;
  /** `cpu_run_virtual_total`: CPU time in ns as seen by the kernel (= schedstat first field). */
  cpuRunVirtualTotal: bigint;
  /** `ac_comm`: command name (up to the first NUL of the 32-byte array). */
  acComm: string;
  /** `ac_sched`: scheduling discipline (SCHED_NORMAL 0, FIFO 1, RR 2, BATCH 3, IDLE 5, DEADLINE 6). */
  acSched: number;
  /** `ac_uid`: real user id. */
  acUid: number;
  /** `ac_gid`: real group id. */
  acGid: number;
  /** `ac_pid`: task id (thread id, init namespace). */
  acPid: number;
  /** `ac_ppid`: parent's thread-group id. */
  acPpid: number;
  /** `ac_btime`: start time, seconds since the epoch (u32, clamped; prefer {@link acBtime64}). */
  acBtime: number;
  /** `ac_etime`: elapsed time since the task started, in µs. */
  acEtime: bigint;
  /** `ac_utime`: user CPU time in µs. */
  acUtime: bigint;
  /** `ac_stime`: system CPU time in µs. */
  acStime: bigint;
  /** `ac_minflt`: minor page faults. */
  acMinflt: bigint;
  /** `ac_majflt`: major page faults. */
  acMajflt: bigint;
  /** `coremem`: accumulated RSS usage in MB·µs. */
  coremem: bigint;
  /** `virtmem`: accumulated virtual memory usage in MB·µs. */
  virtmem: bigint;
  /** `hiwater_rss`: peak resident set size in KiB. */
  hiwaterRss: bigint;
  /** `hiwater_vm`: peak virtual memory size in KiB. */
  hiwaterVm: bigint;
  /** `read_char`: bytes read by read-like syscalls (rounded down to 1 KiB; /proc/<pid>/io `rchar` is exact). */
  readChar: bigint;
  /** `write_char`: bytes written by write-like syscalls (rounded down to 1 KiB). */
  writeChar: bigint;
  /** `read_syscalls`: read-like syscalls (rounded down to a multiple of 1024 by the kernel, like the byte counters). */
  readSyscalls: bigint;
  /** `write_syscalls`: write-like syscalls (rounded down to a multiple of 1024 as well). */
  writeSyscalls: bigint;
  /** `read_bytes`: bytes fetched from storage (rounded down to 1 KiB). */
  readBytes: bigint;
  /** `write_bytes`: bytes sent to storage (rounded down to 1 KiB). */
  writeBytes: bigint;
  /** `cancelled_write_bytes`: bytes whose write-out was cancelled (truncation; rounded down to 1 KiB). */
  cancelledWriteBytes: bigint;
  /** `nvcsw`: voluntary context switches. */
  nvcsw: bigint;
  /** `nivcsw`: involuntary context switches. */
  nivcsw: bigint;
  /** `ac_utimescaled`: user time scaled by CPU frequency, in µs. */
  acUtimescaled: bigint;
  /** `ac_stimescaled`: system time scaled by CPU frequency, in µs. */
  acStimescaled: bigint;
  /** `cpu_scaled_run_real_total`: scaled CPU run time in ns. */
  cpuScaledRunRealTotal: bigint;
  /** `freepages_count`: waits in direct memory reclaim. */
  freepagesCount: bigint;
  /** `freepages_delay_total`: total memory-reclaim wait in ns. */
  freepagesDelayTotal: bigint;
  /** `thrashing_count` (v9): waits on thrashing (refaulting) pages. */
  thrashingCount?: bigint;
  /** `thrashing_delay_total` (v9): total thrashing wait in ns. */
  thrashingDelayTotal?: bigint;
  /** `ac_btime64` (v10): start time, seconds since the epoch (64-bit). */
  acBtime64?: bigint;
  /** `compact_count` (v11): waits in direct memory compaction. */
  compactCount?: bigint;
  /** `compact_delay_total` (v11): total compaction wait in ns. */
  compactDelayTotal?: bigint;
  /** `ac_tgid` (v12): thread-group id. */
  acTgid?: number;
  /** `ac_tgetime` (v12): elapsed time of the thread group, in µs. */
  acTgetime?: bigint;
  /** `ac_exe_dev` (v12): device number of the executable (kernel `huge_encode_dev`). */
  acExeDev?: bigint;
  /** `ac_exe_inode` (v12): inode number of the executable. */
  acExeInode?: bigint;
  /** `wpcopy_count` (v13): waits on write-protect copy (copy-on-write faults). */
  wpcopyCount?: bigint;
  /** `wpcopy_delay_total` (v13): total write-protect-copy wait in ns. */
  wpcopyDelayTotal?: bigint;
  /** `irq_count` (v14): delays by IRQ/softirq handling. */
  irqCount?: bigint;
  /** `irq_delay_total` (v14): total IRQ/softirq delay in ns. */
  irqDelayTotal?: bigint;
  /** `cpu_delay_max` (v15): longest single run-queue wait, ns. */
  cpuDelayMax?: bigint;
  /** `cpu_delay_min` (v15): shortest single run-queue wait, ns (0 when there was none). */
  cpuDelayMin?: bigint;
  /** `blkio_delay_max` (v15): longest block I/O wait, ns. */
  blkioDelayMax?: bigint;
  /** `blkio_delay_min` (v15): shortest block I/O wait, ns. */
  blkioDelayMin?: bigint;
  /** `swapin_delay_max` (v15): longest swap-in wait, ns. */
  swapinDelayMax?: bigint;
  /** `swapin_delay_min` (v15): shortest swap-in wait, ns. */
  swapinDelayMin?: bigint;
  /** `freepages_delay_max` (v15): longest reclaim wait, ns. */
  freepagesDelayMax?: bigint;
  /** `freepages_delay_min` (v15): shortest reclaim wait, ns. */
  freepagesDelayMin?: bigint;
  /** `thrashing_delay_max` (v15): longest thrashing wait, ns. */
  thrashingDelayMax?: bigint;
  /** `thrashing_delay_min` (v15): shortest thrashing wait, ns. */
  thrashingDelayMin?: bigint;
  /** `compact_delay_max` (v15): longest compaction wait, ns. */
  compactDelayMax?: bigint;
  /** `compact_delay_min` (v15): shortest compaction wait, ns. */
  compactDelayMin?: bigint;
  /** `wpcopy_delay_max` (v15): longest write-protect-copy wait, ns. */
  wpcopyDelayMax?: bigint;
  /** `wpcopy_delay_min` (v15): shortest write-protect-copy wait, ns. */
  wpcopyDelayMin?: bigint;
  /** `irq_delay_max` (v15): longest IRQ delay, ns. */
  irqDelayMax?: bigint;
  /** `irq_delay_min` (v15): shortest IRQ delay, ns. */
  irqDelayMin?: bigint;
  /**
   * Bytes beyond the members this decoder knows (records of a version newer
   * than 16, or a longer payload than the version's size), copied. Absent otherwise.
   */
  rawTail?: Buffer;
  /**
   * Not a kernel member: notes added by `TaskstatsClient` queries, e.g. that
   * the delay-accounting fields are 0 because `kernel.task_delayacct` was off
   * when the task started.
   */
  warnings?: string[];
}

const WHAT = 'struct taskstats';

function readComm(buf: Buffer, o: number): string {
  let end = o;
  const stop = o + TS_COMM_LEN;
  while (end < stop && buf[end] !== 0) end++;
  return buf.toString('utf8', o, end);
}

type CompiledDecoder = (buf: Buffer, base: number, need: number) => Record<string, unknown>;

const compiled = new Map<number, CompiledDecoder>();

// An 8-byte-aligned scratch copy of the struct lets u64 members be read
// through a BigUint64Array (much cheaper than Buffer#readBigUInt64LE).
// Typed arrays use the host byte order, so this path is for little-endian
// hosts; big-endian hosts read the little-endian struct with Buffer methods.
const SCRATCH = new ArrayBuffer(1024);
const S8 = new Uint8Array(SCRATCH);
const SI8 = new Int8Array(SCRATCH);
const S16 = new Uint16Array(SCRATCH);
const S32 = new Uint32Array(SCRATCH);
const S64 = new BigUint64Array(SCRATCH);
const SBUF = Buffer.from(SCRATCH);
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * A decoder for one known version, generated once from the offset table as a
 * single object literal (one hidden class, no per-field dispatch): decoding
 * is the hot path of every query and exit event.
 */
function decoderFor(known: number): CompiledDecoder {
  let d = compiled.get(known);
  if (d) return d;
  const v15 = known === 15;
  const parts: string[] = [];
  for (const f of TASKSTATS_FIELDS) {
    if (f.since > known) continue;
    const off = v15 ? f.offsetV15 : f.offset;
    const at = `o + ${off}`;
    const expr = LITTLE_ENDIAN
      ? {
          u8: `s8[${off}]`,
          s8: `si8[${off}]`,
          u16: `s16[${off >> 1}]`,
          u32: `s32[${off >> 2}]`,
          u64: `s64[${off >> 3}]`,
          comm: `comm(sbuf, ${off})`,
        }[f.kind]
      : {
          u8: `b[${at}]`,
          s8: `b.readInt8(${at})`,
          u16: `b.readUInt16LE(${at})`,
          u32: `b.readUInt32LE(${at})`,
          u64: `b.readBigUInt64LE(${at})`,
          comm: `comm(b, ${at})`,
        }[f.kind];
    if (!/^[a-zA-Z0-9]+$/.test(f.name)) throw new Error(`bad field name ${f.name}`);
    parts.push(`${f.name}: ${expr}`);
  }
  const copy = LITTLE_ENDIAN ? 'b.copy(sbuf, 0, o, o + n);' : '';
  d = new Function(
    'comm',
    's8',
    'si8',
    's16',
    's32',
    's64',
    'sbuf',
    `return function (b, o, n) { ${copy} return { ${parts.join(', ')} }; };`,
  )(readComm, S8, SI8, S16, S32, S64, SBUF) as CompiledDecoder;
  compiled.set(known, d);
  return d;
}

/**
 * Decode one `struct taskstats` from `length` bytes of `buf` at `offset`
 * (the payload of a `TASKSTATS_TYPE_STATS` attribute). Pure; no alignment
 * assumed (netlink attributes are only 4-byte aligned).
 *
 * Versions 8 … 16 decode every member of their version (version 15 with its
 * own layout). A newer version decodes the version-16 members and keeps the
 * bytes after them in `rawTail`. The payload must be at least the size of its
 * version ({@link TASKSTATS_SIZE_BY_VERSION}); extra bytes go to `rawTail`.
 *
 * @throws {DecodeError} when the payload is shorter than the version needs,
 *   the version is older than 8, or the range lies outside `buf`.
 */
export function decodeTaskstats(buf: Buffer, offset = 0, length = buf.length - offset): TaskstatsRecord {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
    throw new DecodeError(WHAT, offset, `invalid range (offset ${offset}, length ${length})`);
  }
  if (offset + length > buf.length) {
    throw new DecodeError(WHAT, offset, `range of ${length} bytes runs past the ${buf.length}-byte buffer`);
  }
  if (length < 2) throw new DecodeError(WHAT, offset, `payload of ${length} bytes has no version field`);
  const version = buf.readUInt16LE(offset);
  if (version < TASKSTATS_MIN_VERSION) {
    throw new DecodeError(
      WHAT,
      offset,
      `version ${version} is older than ${TASKSTATS_MIN_VERSION}, the oldest layout this decoder supports (Linux 2.6.32+)`,
    );
  }
  const known = Math.min(version, TASKSTATS_MAX_VERSION);
  const need = TASKSTATS_SIZE_BY_VERSION[known]!;
  if (length < need) {
    throw new DecodeError(
      WHAT,
      offset,
      `version ${version} needs ${need} bytes but the payload has ${length} (truncated message or wrong layout)`,
    );
  }
  const rec = decoderFor(known)(buf, offset, need);
  if (length > need) rec.rawTail = Buffer.from(buf.subarray(offset + need, offset + length));
  return rec as unknown as TaskstatsRecord;
}
