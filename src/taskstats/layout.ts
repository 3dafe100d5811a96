/**
 * Constants of the taskstats generic-netlink family and the byte layout of
 * `struct taskstats` (include/uapi/linux/taskstats.h) for versions 8 to 16,
 * little-endian x86_64/arm64 alignment (u64 members on 8-byte offsets).
 *
 * Versions 8 … 14 and 16 only ever appended members, so one table of
 * offsets serves them all; a member exists when its version is ≤ the
 * record's version. Version 15 (Linux 6.15/6.16 before the fix) inserted the
 * `*_delay_max`/`*_delay_min` pairs right after each `*_delay_total`,
 * shifting every later member; version 16 moved them to the end. Both are
 * 560 bytes, so only `version` tells them apart.
 * @module
 */

/** Generic-netlink family name of taskstats (`TASKSTATS_GENL_NAME`). */
export const TASKSTATS_GENL_NAME = 'TASKSTATS';
/** `TASKSTATS_GENL_VERSION`, sent in the genlmsghdr of requests. */
export const TASKSTATS_GENL_VERSION = 1;

/** `TASKSTATS_CMD_GET` (user → kernel request). */
export const TASKSTATS_CMD_GET = 1;
/** `TASKSTATS_CMD_NEW` (kernel → user reply or exit event). */
export const TASKSTATS_CMD_NEW = 2;

/** `TASKSTATS_CMD_ATTR_PID` (u32): query one task (thread) by its id. */
export const TASKSTATS_CMD_ATTR_PID = 1;
/** `TASKSTATS_CMD_ATTR_TGID` (u32): query a thread group (process). */
export const TASKSTATS_CMD_ATTR_TGID = 2;
/** `TASKSTATS_CMD_ATTR_REGISTER_CPUMASK` (NUL-terminated cpulist string). */
export const TASKSTATS_CMD_ATTR_REGISTER_CPUMASK = 3;
/** `TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK` (NUL-terminated cpulist string). */
export const TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK = 4;

/** `TASKSTATS_TYPE_PID` (u32) inside an `AGGR_PID` nest. */
export const TASKSTATS_TYPE_PID = 1;
/** `TASKSTATS_TYPE_TGID` (u32) inside an `AGGR_TGID` nest. */
export const TASKSTATS_TYPE_TGID = 2;
/** `TASKSTATS_TYPE_STATS`: the `struct taskstats` bytes. */
export const TASKSTATS_TYPE_STATS = 3;
/** `TASKSTATS_TYPE_AGGR_PID`: nest with PID + STATS of one task. */
export const TASKSTATS_TYPE_AGGR_PID = 4;
/** `TASKSTATS_TYPE_AGGR_TGID`: nest with TGID + STATS of a thread group. */
export const TASKSTATS_TYPE_AGGR_TGID = 5;
/** `TASKSTATS_TYPE_NULL`: zero-length padding attribute, skipped. */
export const TASKSTATS_TYPE_NULL = 6;

/** `ac_flag` bit AFORK: the task forked but did not exec. */
export const AC_FLAG_AFORK = 0x01;
/** `ac_flag` bit ASU: the task used super-user privileges. */
export const AC_FLAG_ASU = 0x02;
/** `ac_flag` bit ACORE: the task dumped core. */
export const AC_FLAG_ACORE = 0x08;
/** `ac_flag` bit AXSIG: the task was killed by a signal. */
export const AC_FLAG_AXSIG = 0x10;
/** `ac_flag` bit AGROUP: the record is the last thread of its group (group exit). */
export const AC_FLAG_AGROUP = 0x20;

/** Size in bytes of `struct taskstats` by version (8 … 16). */
export const TASKSTATS_SIZE_BY_VERSION: Readonly<Record<number, number>> = Object.freeze({
  8: 328,
  9: 344,
  10: 352,
  11: 368,
  12: 400,
  13: 416,
  14: 432,
  15: 560,
  16: 560,
});

/** Oldest and newest `struct taskstats` versions this decoder knows member by member. */
export const TASKSTATS_MIN_VERSION = 8;
/** Newest version known; later versions decode this version's members and keep the rest raw. */
export const TASKSTATS_MAX_VERSION = 16;

/** Member kinds of `struct taskstats`. */
export type TaskstatsFieldKind = 'u8' | 's8' | 'u16' | 'u32' | 'u64' | 'comm';

/** One member of `struct taskstats`: record name, kind, offsets and the version that added it. */
export interface TaskstatsField {
  /** lowerCamelCase of the kernel member (`cpu_delay_total` → `cpuDelayTotal`). */
  readonly name: string;
  /** The kernel member name. */
  readonly kernelName: string;
  readonly kind: TaskstatsFieldKind;
  /** Offset in the append-only layout (versions 8 … 14 and 16+). */
  readonly offset: number;
  /** Offset in the version-15 layout. */
  readonly offsetV15: number;
  /** First version (≥ 8) that has the member. */
  readonly since: number;
}

function camel(k: string): string {
  return k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

// [kernel name, kind, offset (v8…14, v16), offset (v15), since]
const RAW: [string, TaskstatsFieldKind, number, number, number][] = [
  ['version', 'u16', 0, 0, 8],
  ['ac_exitcode', 'u32', 4, 4, 8],
  ['ac_flag', 'u8', 8, 8, 8],
  ['ac_nice', 's8', 9, 9, 8],
  ['cpu_count', 'u64', 16, 16, 8],
  ['cpu_delay_total', 'u64', 24, 24, 8],
  ['blkio_count', 'u64', 32, 48, 8],
  ['blkio_delay_total', 'u64', 40, 56, 8],
  ['swapin_count', 'u64', 48, 80, 8],
  ['swapin_delay_total', 'u64', 56, 88, 8],
  ['cpu_run_real_total', 'u64', 64, 112, 8],
  ['cpu_run_virtual_total', 'u64', 72, 120, 8],
  ['ac_comm', 'comm', 80, 128, 8],
  ['ac_sched', 'u8', 112, 160, 8],
  ['ac_uid', 'u32', 120, 168, 8],
  ['ac_gid', 'u32', 124, 172, 8],
  ['ac_pid', 'u32', 128, 176, 8],
  ['ac_ppid', 'u32', 132, 180, 8],
  ['ac_btime', 'u32', 136, 184, 8],
  ['ac_etime', 'u64', 144, 192, 8],
  ['ac_utime', 'u64', 152, 200, 8],
  ['ac_stime', 'u64', 160, 208, 8],
  ['ac_minflt', 'u64', 168, 216, 8],
  ['ac_majflt', 'u64', 176, 224, 8],
  ['coremem', 'u64', 184, 232, 8],
  ['virtmem', 'u64', 192, 240, 8],
  ['hiwater_rss', 'u64', 200, 248, 8],
  ['hiwater_vm', 'u64', 208, 256, 8],
  ['read_char', 'u64', 216, 264, 8],
  ['write_char', 'u64', 224, 272, 8],
  ['read_syscalls', 'u64', 232, 280, 8],
  ['write_syscalls', 'u64', 240, 288, 8],
  ['read_bytes', 'u64', 248, 296, 8],
  ['write_bytes', 'u64', 256, 304, 8],
  ['cancelled_write_bytes', 'u64', 264, 312, 8],
  ['nvcsw', 'u64', 272, 320, 8],
  ['nivcsw', 'u64', 280, 328, 8],
  ['ac_utimescaled', 'u64', 288, 336, 8],
  ['ac_stimescaled', 'u64', 296, 344, 8],
  ['cpu_scaled_run_real_total', 'u64', 304, 352, 8],
  ['freepages_count', 'u64', 312, 360, 8],
  ['freepages_delay_total', 'u64', 320, 368, 8],
  ['thrashing_count', 'u64', 328, 392, 9],
  ['thrashing_delay_total', 'u64', 336, 400, 9],
  ['ac_btime64', 'u64', 344, 424, 10],
  ['compact_count', 'u64', 352, 432, 11],
  ['compact_delay_total', 'u64', 360, 440, 11],
  ['ac_tgid', 'u32', 368, 464, 12],
  ['ac_tgetime', 'u64', 376, 472, 12],
  ['ac_exe_dev', 'u64', 384, 480, 12],
  ['ac_exe_inode', 'u64', 392, 488, 12],
  ['wpcopy_count', 'u64', 400, 496, 13],
  ['wpcopy_delay_total', 'u64', 408, 504, 13],
  ['irq_count', 'u64', 416, 528, 14],
  ['irq_delay_total', 'u64', 424, 536, 14],
  // max/min pairs: at the end in v16, right after each *_delay_total in v15
  ['cpu_delay_max', 'u64', 432, 32, 15],
  ['cpu_delay_min', 'u64', 440, 40, 15],
  ['blkio_delay_max', 'u64', 448, 64, 15],
  ['blkio_delay_min', 'u64', 456, 72, 15],
  ['swapin_delay_max', 'u64', 464, 96, 15],
  ['swapin_delay_min', 'u64', 472, 104, 15],
  ['freepages_delay_max', 'u64', 480, 376, 15],
  ['freepages_delay_min', 'u64', 488, 384, 15],
  ['thrashing_delay_max', 'u64', 496, 408, 15],
  ['thrashing_delay_min', 'u64', 504, 416, 15],
  ['compact_delay_max', 'u64', 512, 448, 15],
  ['compact_delay_min', 'u64', 520, 456, 15],
  ['wpcopy_delay_max', 'u64', 528, 512, 15],
  ['wpcopy_delay_min', 'u64', 536, 520, 15],
  ['irq_delay_max', 'u64', 544, 544, 15],
  ['irq_delay_min', 'u64', 552, 552, 15],
];

/** Every member of `struct taskstats` known for versions 8 … 16, in v16 order. */
export const TASKSTATS_FIELDS: readonly TaskstatsField[] = Object.freeze(
  RAW.map(([kernelName, kind, offset, offsetV15, since]) =>
    Object.freeze({ name: camel(kernelName), kernelName, kind, offset, offsetV15, since }),
  ),
);

/** Length of `ac_comm` (`TS_COMM_LEN`). */
export const TS_COMM_LEN = 32;

/** Byte width of a member kind. */
export function fieldWidth(kind: TaskstatsFieldKind): number {
  switch (kind) {
    case 'u8':
    case 's8':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
      return 4;
    case 'u64':
      return 8;
    case 'comm':
      return TS_COMM_LEN;
  }
}
