/**
 * `/proc/mdstat`: Linux software RAID (md) arrays (kernel `md_seq_show`). The file has many layouts
 * (raid0/1/5/6/10, linear, inactive, external metadata, resync/recovery/check/reshape in progress,
 * delayed/pending resync); unknown status words are tolerated.
 *
 * Go procfs: `FS.MDStat() []MDStat`.
 * @module
 */
import { fail, float, lines, uint, type Where } from './system_util.js';

/** One md array (Go procfs: `MDStat`). */
export interface MDStat {
  /** Device name (`md0`). */
  name: string;
  /**
   * State: `active`, `inactive`, or while a sync runs `recovering`, `resyncing`, `checking`,
   * `reshaping` (as Go procfs reports). An array whose resync waits (`resync=DELAYED`: another
   * array on the same disks syncs first; `resync=PENDING`: a read-only array that will sync once
   * written; `resync=REMOTE`: a cluster peer syncs it) is `resyncing` with `syncWaiting` set and
   * `blocksSynced` 0, as Go procfs reports it.
   */
  activityState: string;
  /** Why a resync has not started (`DELAYED`, `PENDING`, `REMOTE`); absent otherwise. */
  syncWaiting?: string;
  /** `(read-only)` or `(auto-read-only)` follows `active`. Not in Go procfs. */
  readOnly?: boolean;
  /** RAID personality (`raid1`, `raid5`, `linear`, …); absent for inactive arrays. Not in Go procfs. */
  level?: string;
  /**
   * Working member disks (`[n/m]` m, or the members that are neither spare nor faulty when the status
   * line has no `[n/m]`: raid0, linear); 0 for an inactive array, as in Go procfs.
   */
  disksActive: number;
  /** Disks the array needs (`[n/m]` n, or the member count); 0 for an inactive array. */
  disksTotal: number;
  /** Members marked failed `(F)`. */
  disksFailed: number;
  /** Missing slots (`_` in `[UU_]`). */
  disksDown: number;
  /** Spare members `(S)`. */
  disksSpare: number;
  /** Size in 1 KiB blocks (`N blocks`); 0 for an inactive array printed without a size line. */
  blocksTotal: number;
  /** Blocks in sync: the sync's done count while one runs, 0 while it waits, else `blocksTotal`. */
  blocksSynced: number;
  /**
   * Blocks the running sync covers (`(done/TOTAL)`; a reshape or a bitmap-based recovery can cover
   * less or more than the size); `blocksTotal` when none runs. As Go procfs `BlocksToBeSynced`.
   */
  blocksToBeSynced: number;
  /** Percent done of the running sync; absent when none runs. */
  blocksSyncedPct?: number;
  /** Estimated minutes to finish the running sync (`finish=`); absent when none runs. */
  blocksSyncedFinishTime?: number;
  /** Sync speed, KiB/s (`speed=`); absent when none runs. */
  blocksSyncedSpeed?: number;
  /** Member device names (without `[n]` and flags), in file order. */
  devices: string[];
  /** Each member with its descriptor index and role flags, in file order. Beyond Go procfs. */
  members: MDMember[];
}

/** A member disk of an md array: `name[descIndex]` followed by role flags (kernel `md_seq_show`). */
export interface MDMember {
  /** Block device name (`sda1`). */
  device: string;
  /** Index of the member's descriptor in the superblock (`rdev->desc_nr`, the number in `[n]`). */
  descriptorIndex: number;
  /**
   * Its role: `faulty` `(F)`, `journal` `(J)` (raid4/5/6 write journal), `spare` `(S)` (no slot),
   * `replacement` `(R)` (rebuilding to replace another member), otherwise `active`.
   */
  role: 'active' | 'faulty' | 'spare' | 'journal' | 'replacement';
  /** `(W)`: write-mostly (reads avoid it, raid1). */
  writeMostly: boolean;
  /** The flag letters as printed, e.g. `WF`. */
  flags: string;
}

const SYNC =
  /(recovery|resync|check|reshape)\s*=\s*([\d.]+)%\s*\((\d+)\/(\d+)\)\s*finish\s*=\s*([\d.]+)min\s*speed\s*=\s*(\d+)K\/sec/;
/** `resync=DELAYED`, `resync=PENDING`, `resync=REMOTE` (kernel `status_resync`): a sync that waits. */
const WAITING = /\b(recovery|resync|check|reshape)\s*=\s*([A-Z]+)\b/;
const SYNC_STATE: Record<string, string> = {
  recovery: 'recovering',
  resync: 'resyncing',
  check: 'checking',
  reshape: 'reshaping',
};

/**
 * Parse the text of `/proc/mdstat`.
 * @throws ParseError on an array line without members or status, or a malformed number.
 */
export function parseMDStat(text: string, file = '/proc/mdstat'): MDStat[] {
  const ls = lines(text);
  const out: MDStat[] = [];
  for (let i = 0; i < ls.length; i++) {
    const t = ls[i]!;
    const m = /^(md\S*)\s*:\s*(.*)$/.exec(t);
    if (!m) continue; // Personalities, unused devices, blank, bitmap lines
    const w: Where = { file, line: i + 1, text: t };
    const words = m[2]!.trim().split(/\s+/);
    const state = words.shift();
    if (state === undefined || state === '') fail(w, 'no state after "mdN :"');
    const md: MDStat = {
      name: m[1]!,
      activityState: state!,
      disksActive: 0,
      disksTotal: 0,
      disksFailed: 0,
      disksDown: 0,
      disksSpare: 0,
      blocksTotal: 0,
      blocksSynced: 0,
      blocksToBeSynced: 0,
      devices: [],
      members: [],
    };
    if (words[0] === '(read-only)' || words[0] === '(auto-read-only)') {
      md.readOnly = true;
      words.shift();
    }
    for (const word of words) {
      const d = /^([^[\s]+)\[(\d+)\]((?:\([A-Z]\))*)$/.exec(word);
      if (d) {
        const flags = d[3]!.replace(/[()]/g, '');
        md.devices.push(d[1]!);
        md.members.push({
          device: d[1]!,
          descriptorIndex: uint(d[2], w, 'descriptor index'),
          role: flags.includes('F')
            ? 'faulty'
            : flags.includes('J')
              ? 'journal'
              : flags.includes('S')
                ? 'spare'
                : flags.includes('R')
                  ? 'replacement'
                  : 'active',
          writeMostly: flags.includes('W'),
          flags,
        });
        if (flags.includes('F')) md.disksFailed++;
        if (flags.includes('S')) md.disksSpare++;
      } else if (md.level === undefined && md.devices.length === 0) md.level = word;
      else fail(w, `unexpected word ${JSON.stringify(word)}`);
    }
    // status line
    const st = ls[i + 1];
    const sw: Where = { file, line: i + 2, text: st ?? '' };
    const blocks = st === undefined ? null : /^\s+(\d+)\s+blocks\b/.exec(st);
    if (!blocks && state !== 'inactive') fail(sw, 'expected a "N blocks …" status line after the array line');
    md.blocksTotal = blocks ? uint(blocks[1], sw, 'blocks') : 0;
    md.blocksSynced = md.blocksTotal;
    md.blocksToBeSynced = md.blocksTotal;
    const nm = blocks ? /\[(\d+)\/(\d+)\]/.exec(st!) : null;
    if (state === 'inactive') {
      md.disksTotal = 0;
      md.disksActive = 0;
    } else if (nm) {
      md.disksTotal = uint(nm[1], sw, 'disks total');
      md.disksActive = uint(nm[2], sw, 'disks active');
    } else {
      md.disksTotal = md.devices.length - md.disksSpare;
      md.disksActive = md.devices.length - md.disksSpare - md.disksFailed;
    }
    const um = blocks ? /\[([U_]+)\]\s*$/.exec(st!) : null;
    if (um) md.disksDown = (um[1]!.match(/_/g) ?? []).length;
    // following indented lines: sync progress, bitmap
    for (let j = i + 2; j < ls.length && /^\s+\S/.test(ls[j]!); j++) {
      const l = ls[j]!;
      const lw: Where = { file, line: j + 1, text: l };
      const s = SYNC.exec(l);
      if (s) {
        md.activityState = SYNC_STATE[s[1]!]!;
        md.blocksSyncedPct = float(s[2], lw, 'percent');
        md.blocksSynced = uint(s[3], lw, 'synced blocks');
        md.blocksToBeSynced = uint(s[4], lw, 'blocks to be synced');
        md.blocksSyncedFinishTime = float(s[5], lw, 'finish');
        md.blocksSyncedSpeed = uint(s[6], lw, 'speed');
      } else if (WAITING.test(l)) {
        const wt = WAITING.exec(l)!;
        md.activityState = SYNC_STATE[wt[1]!]!;
        md.syncWaiting = wt[2]!;
        md.blocksSynced = 0;
      } else if (/\b(recovery|resync|check|reshape)\s*=\s*\d/.test(l)) {
        fail(lw, 'cannot read the sync progress line');
      }
    }
    out.push(md);
  }
  return out;
}
