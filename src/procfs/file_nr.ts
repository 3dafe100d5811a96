/**
 * `/proc/sys/fs/file-nr`: system-wide file handle usage (kernel `proc_nr_files`). Not in Go procfs.
 * @module
 */
import { singleLineFields } from './rows.js';
import { ubig, uint } from './system_util.js';

/** `/proc/sys/fs/file-nr` parsed. */
export interface FileNr {
  /** File handles allocated now (`nr_files`, 1st field). */
  allocated: number;
  /** Allocated but unused handles (2nd field; always 0 since Linux 2.6). */
  unused: number;
  /**
   * Maximum number of file handles (`fs.file-max`, 3rd field). A `bigint`: the kernel's
   * default on large machines and the "unlimited" value `LONG_MAX` exceed 2^53.
   */
  max: bigint;
}

/**
 * Parse the text of `/proc/sys/fs/file-nr` (`621\t0\t2466170`).
 * @throws ParseError when the line does not have three unsigned numbers.
 */
export function parseFileNr(text: string, file = '/proc/sys/fs/file-nr'): FileNr {
  const { f, w } = singleLineFields(text, file, 3);
  return { allocated: uint(f[0], w, 'allocated'), unused: uint(f[1], w, 'unused'), max: ubig(f[2], w, 'max') };
}
