/**
 * `/proc/sys/fs/file-nr`: system-wide file handle usage (kernel `proc_nr_files`). Beyond the seed.
 * @module
 */
import { fail, fields, lines, ubig, uint, type Where } from './system_util.js';

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
  const ls = lines(text);
  const w: Where = { file, line: 1, text: ls[0] ?? '' };
  if (ls.length !== 1) fail(w, `expected one line, found ${ls.length}`);
  const f = fields(ls[0]!);
  if (f.length !== 3) fail(w, `expected 3 fields, found ${f.length}`);
  return { allocated: uint(f[0], w, 'allocated'), unused: uint(f[1], w, 'unused'), max: ubig(f[2], w, 'max') };
}
