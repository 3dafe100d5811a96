/**
 * `/proc/swaps`: active swap areas (kernel `swap_show`).
 *
 * Go procfs: `FS.Swaps() []*Swap`.
 * @module
 */
import { unescapeOctal } from './proc_util.js';
import { firstLineAt, rowsAt } from './rows.js';
import { fail, fields, lines, sint, uint } from './system_util.js';

/** One swap area (Go procfs: `Swap`). */
export interface Swap {
  /** Device or file path (`Filename`; `\040`-style escapes decoded). */
  filename: string;
  /** `partition` or `file` (`Type`). */
  type: string;
  /** Size in kB (KiB) as printed (`Size`). */
  size: number;
  /** `size` in bytes. */
  sizeBytes: number;
  /** Used in kB (`Used`). */
  used: number;
  /** `used` in bytes. */
  usedBytes: number;
  /** Priority (`Priority`; negative when assigned by the kernel). */
  priority: number;
}

/**
 * Parse the text of `/proc/swaps`.
 * @throws ParseError on a missing header or a row without 5 columns.
 */
export function parseSwaps(text: string, file = '/proc/swaps'): Swap[] {
  const ls = lines(text);
  if (!ls[0]?.startsWith('Filename')) fail(firstLineAt(ls, file), 'missing the "Filename Type …" header');
  const out: Swap[] = [];
  for (const w of rowsAt(ls, file)) {
    const t = w.text;
    const f = fields(t);
    if (f.length !== 5) fail(w, `expected 5 columns, found ${f.length}`);
    const size = uint(f[2], w, 'Size');
    const used = uint(f[3], w, 'Used');
    out.push({
      filename: unescapeOctal(f[0]!),
      type: f[1]!,
      size,
      sizeBytes: size * 1024,
      used,
      usedBytes: used * 1024,
      priority: sint(f[4], w, 'Priority'),
    });
  }
  return out;
}
