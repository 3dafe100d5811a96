/**
 * `/proc/<pid>/fdinfo/<fd>` (kernel `seq_show` in fs/proc/fd.c plus the
 * file type's `show_fdinfo`): position, flags, mount ID, inode, and
 * type-specific lines (inotify watches, epoll targets, eventfd count…).
 *
 * Go procfs: `Proc.FDInfo(fd) *ProcFDInfo`, `FileDescriptorsInfo()`,
 * `ProcFDInfos.InotifyWatchLen()`, `InotifyInfo`.
 * @module
 */
import { type ProcWhere, pOct, procFail, procLines, pU64, pUint, safeKey } from './proc_util.js';

/** One `inotify wd:… ino:… sdev:… mask:…` line (values are hex text, as in Go procfs). */
export interface InotifyInfo {
  /** Watch descriptor (`wd`). */
  wd: string;
  /** Inode number watched (`ino`, hex). */
  ino: string;
  /** Device of the inode (`sdev`, hex). */
  sdev: string;
  /** Event mask (`mask`, hex). */
  mask: string;
}

/** `/proc/<pid>/fdinfo/<fd>` parsed. */
export interface ProcFDInfo {
  /** The descriptor number (from the file name). */
  fd: number;
  /** `pos`: file offset (bigint: loff_t). */
  pos: bigint;
  /** `flags`: open flags (`O_*`, octal in the file). */
  flags: number;
  /** `mnt_id`: mount ID (matches {@link MountInfo.mountId}). */
  mntId?: number;
  /** `ino` (5.14+): inode number of the file. */
  ino?: bigint;
  /** inotify watches, when the descriptor is an inotify instance. */
  inotifyInfos: InotifyInfo[];
  /** Other `key:\tvalue` lines (eventfd-count, clockid, Pid…), first occurrence of each key. */
  fields: Record<string, string>;
  /** Type-specific lines kept verbatim (epoll `tfd:`, fanotify…), excluding the ones parsed above. */
  lines: string[];
}

/** Parse one fdinfo file. @param fd the descriptor number. @throws {ParseError} */
export function parseProcFDInfo(text: string, fd: number, file = '/proc/<pid>/fdinfo/<fd>'): ProcFDInfo {
  const out: ProcFDInfo = { fd, pos: -1n, flags: -1, inotifyInfos: [], fields: {}, lines: [] };
  const ls = procLines(text);
  for (let i = 0; i < ls.length; i++) {
    const line = ls[i]!;
    const where: ProcWhere = { file, line: i + 1, text: line };
    if (line.startsWith('inotify ')) {
      const kv: Record<string, string> = {};
      for (const part of line.slice(8).trim().split(/\s+/)) {
        const c = part.indexOf(':');
        if (c > 0) kv[part.slice(0, c)] = part.slice(c + 1);
      }
      if (kv.wd === undefined || kv.ino === undefined || kv.sdev === undefined || kv.mask === undefined) {
        procFail(where, 'inotify line without wd/ino/sdev/mask');
      }
      out.inotifyInfos.push({ wd: kv.wd, ino: kv.ino, sdev: kv.sdev, mask: kv.mask });
      continue;
    }
    const m = /^([\w-]+):\s*(.*)$/.exec(line);
    if (!m) {
      out.lines.push(line);
      continue;
    }
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'pos') out.pos = pU64(value.trim(), where, 'pos');
    else if (key === 'flags') out.flags = pOct(value.trim(), where, 'flags');
    else if (key === 'mnt_id') out.mntId = pUint(value.trim(), where, 'mnt_id');
    else if (key === 'ino') out.ino = pU64(value.trim(), where, 'ino');
    else if (key === 'tfd') out.lines.push(line);
    else if (safeKey(key) && !(key in out.fields)) out.fields[key] = value;
  }
  if (out.pos < 0n) procFail({ file }, 'missing the pos line');
  if (out.flags < 0) procFail({ file }, 'missing the flags line');
  return out;
}

/** Total inotify watches across descriptors (Go procfs `ProcFDInfos.InotifyWatchLen`). */
export function inotifyWatchLen(infos: readonly ProcFDInfo[]): number {
  let n = 0;
  for (const i of infos) n += i.inotifyInfos.length;
  return n;
}
