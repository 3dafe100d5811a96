/**
 * `/proc/mdstat`: Linux software RAID (md) arrays (kernel `md_seq_show`). The file has many layouts
 * (raid0/1/5/6/10, linear, inactive, external metadata, resync/recovery/check/reshape in progress,
 * delayed/pending resync); unknown status words are tolerated.
 *
 * Seed (Go procfs): `FS.MDStat() []MDStat`.
 * @module
 */
import { fail, float, lines, uint, type Where } from './system_util.js';

/** One md array (seed: `MDStat`). */
export interface MDStat {
  /** Device name (`md0`). */
  name: string;
  /**
   * State: `active`, `inactive`, or while a sync runs `recovering`, `resyncing`, `checking`,
   * `reshaping` (as the seed reports); `resync=DELAYED`/`PENDING` keep `active`.
   */
  activityState: string;
  /** `(read-only)` or `(auto-read-only)` follows `active`. Beyond the seed. */
  readOnly?: boolean;
  /** RAID personality (`raid1`, `raid5`, `linear`, …); absent for inactive arrays. Beyond the seed. */
  level?: string;
  /** Working member disks (`[n/m]` m, or the member count when the status line has no `[n/m]`). */
  disksActive: number;
  /** Disks the array needs (`[n/m]` n, or the member count). */
  disksTotal: number;
  /** Members marked failed `(F)`. */
  disksFailed: number;
  /** Missing slots (`_` in `[UU_]`). */
  disksDown: number;
  /** Spare members `(S)`. */
  disksSpare: number;
  /** Size in 1 KiB blocks (`N blocks`); 0 for an inactive array printed without a size line. */
  blocksTotal: number;
  /** Blocks in sync: the sync's done count while one runs, else `blocksTotal`. */
  blocksSynced: number;
  /** Percent done of the running sync; absent when none runs. */
  blocksSyncedPct?: number;
  /** Estimated minutes to finish the running sync (`finish=`); absent when none runs. */
  blocksSyncedFinishTime?: number;
  /** Sync speed, KiB/s (`speed=`); absent when none runs. */
  blocksSyncedSpeed?: number;
  /** Member device names (without `[n]` and flags), in file order. */
  devices: string[];
}

const SYNC =
  /(recovery|resync|check|reshape)\s*=\s*([\d.]+)%\s*\((\d+)\/(\d+)\)\s*finish\s*=\s*([\d.]+)min\s*speed\s*=\s*(\d+)K\/sec/;
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
      devices: [],
    };
    if (words[0] === '(read-only)' || words[0] === '(auto-read-only)') {
      md.readOnly = true;
      words.shift();
    }
    for (const word of words) {
      const d = /^([^[\s]+)\[(\d+)\]((?:\([A-Z]\))*)$/.exec(word);
      if (d) {
        md.devices.push(d[1]!);
        if (d[3]!.includes('(F)')) md.disksFailed++;
        if (d[3]!.includes('(S)')) md.disksSpare++;
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
    const nm = blocks ? /\[(\d+)\/(\d+)\]/.exec(st!) : null;
    if (nm) {
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
        md.blocksSyncedFinishTime = float(s[5], lw, 'finish');
        md.blocksSyncedSpeed = uint(s[6], lw, 'speed');
      } else if (/\b(recovery|resync|check|reshape)\s*=\s*\d/.test(l)) {
        fail(lw, 'cannot read the sync progress line');
      }
    }
    out.push(md);
  }
  return out;
}
