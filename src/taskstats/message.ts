/**
 * Pure decoding of taskstats generic-netlink messages (replies to
 * `TASKSTATS_CMD_GET` and exit events, both `TASKSTATS_CMD_NEW`): the
 * genlmsghdr, then `TASKSTATS_TYPE_AGGR_PID` / `TASKSTATS_TYPE_AGGR_TGID`
 * nests, each holding a PID/TGID u32 and a `TASKSTATS_TYPE_STATS` struct.
 * The nests come without NLA_F_NESTED; unknown and NULL (padding) attributes
 * are skipped.
 * @module
 */
import { DecodeError } from '../errors.js';
import { NetlinkAttributeCursor } from '../netlink/message.js';
import {
  TASKSTATS_CMD_NEW,
  TASKSTATS_TYPE_AGGR_PID,
  TASKSTATS_TYPE_AGGR_TGID,
  TASKSTATS_TYPE_PID,
  TASKSTATS_TYPE_STATS,
  TASKSTATS_TYPE_TGID,
} from './layout.js';
import { decodeTaskstats, type TaskstatsRecord } from './record.js';

/** Size of `struct genlmsghdr`. */
const GENL_HDRLEN = 4;

/** One `AGGR_PID` or `AGGR_TGID` nest of a taskstats message. */
export interface TaskstatsEntry {
  /** `pid` for a task (thread) record (`AGGR_PID`), `tgid` for a thread-group aggregate (`AGGR_TGID`). */
  scope: 'pid' | 'tgid';
  /** The `TASKSTATS_TYPE_PID` or `TASKSTATS_TYPE_TGID` value (init-namespace id). */
  id: number;
  /** The decoded `TASKSTATS_TYPE_STATS`. */
  stats: TaskstatsRecord;
}

/** A decoded taskstats message. */
export interface TaskstatsMessage {
  /** genlmsghdr `cmd` (`TASKSTATS_CMD_NEW` = 2 for replies and events). */
  cmd: number;
  /** genlmsghdr `version`. */
  genlVersion: number;
  /** The nests in message order: a `pid` entry, then (last thread of a group exiting) a `tgid` entry. */
  entries: TaskstatsEntry[];
}

function decodeNest(buf: Buffer, off: number, len: number, scope: 'pid' | 'tgid'): TaskstatsEntry {
  const idType = scope === 'pid' ? TASKSTATS_TYPE_PID : TASKSTATS_TYPE_TGID;
  let id: number | undefined;
  let stats: TaskstatsRecord | undefined;
  const ad = new NetlinkAttributeCursor(buf, off, off + len);
  while (ad.next()) {
    if (ad.type === idType) id = ad.u32(scope === 'pid' ? 'TASKSTATS_TYPE_PID' : 'TASKSTATS_TYPE_TGID');
    else if (ad.type === TASKSTATS_TYPE_STATS) stats = decodeTaskstats(buf, ad.offset, ad.length);
    // TASKSTATS_TYPE_NULL padding and unknown types are skipped
  }
  ad.check();
  const what = scope === 'pid' ? 'TASKSTATS_TYPE_AGGR_PID' : 'TASKSTATS_TYPE_AGGR_TGID';
  if (id === undefined) throw new DecodeError(what, off, `nest has no ${scope === 'pid' ? 'PID' : 'TGID'} attribute`);
  if (stats === undefined) throw new DecodeError(what, off, 'nest has no STATS attribute');
  return { scope, id, stats };
}

/**
 * Decode the generic-netlink payload of a taskstats message (the bytes after
 * the 16-byte nlmsghdr: genlmsghdr + attributes) in `buf[offset..end)`. Pure.
 * @throws {DecodeError} when the command is not `TASKSTATS_CMD_NEW`, a nest
 *   lacks its id or stats, or any length is impossible.
 */
export function decodeTaskstatsMessage(buf: Buffer, offset = 0, end = buf.length): TaskstatsMessage {
  if (!Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end > buf.length || offset > end) {
    throw new DecodeError(
      'taskstats message',
      offset,
      `range ${offset}..${end} is outside the ${buf.length}-byte buffer`,
    );
  }
  if (end - offset < GENL_HDRLEN) {
    throw new DecodeError('genlmsghdr', offset, `${end - offset} bytes, the header needs ${GENL_HDRLEN}`);
  }
  const cmd = buf[offset]!;
  const genlVersion = buf[offset + 1]!;
  if (cmd !== TASKSTATS_CMD_NEW) {
    throw new DecodeError('genlmsghdr', offset, `command ${cmd} is not TASKSTATS_CMD_NEW (${TASKSTATS_CMD_NEW})`);
  }
  const entries: TaskstatsEntry[] = [];
  const ad = new NetlinkAttributeCursor(buf, offset + GENL_HDRLEN, end);
  while (ad.next()) {
    if (ad.type === TASKSTATS_TYPE_AGGR_PID) entries.push(decodeNest(buf, ad.offset, ad.length, 'pid'));
    else if (ad.type === TASKSTATS_TYPE_AGGR_TGID) entries.push(decodeNest(buf, ad.offset, ad.length, 'tgid'));
  }
  ad.check();
  return { cmd, genlVersion, entries };
}
