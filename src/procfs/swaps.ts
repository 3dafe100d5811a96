/**
 * `/proc/swaps`: active swap areas (kernel `swap_show`).
 *
 * Seed (Go procfs): `FS.Swaps() []*Swap`.
 * @module
 */
import { fail, lines, sint, uint, type Where } from './system_util.js';

/** One swap area (seed: `Swap`). */
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

/** Decode the octal escapes (`\040` for space, `\011` tab, `\012` newline, `\134` backslash) of seq_file paths. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/**
 * Parse the text of `/proc/swaps`.
 * @throws ParseError on a missing header or a row without 5 columns.
 */
export function parseSwaps(text: string, file = '/proc/swaps'): Swap[] {
  const ls = lines(text);
  if (!ls[0]?.startsWith('Filename'))
    fail({ file, line: 1, text: ls[0] ?? '' }, 'missing the "Filename Type …" header');
  const out: Swap[] = [];
  for (let i = 1; i < ls.length; i++) {
    const t = ls[i]!;
    if (t.trim() === '') continue;
    const w: Where = { file, line: i + 1, text: t };
    const f = t.trim().split(/\s+/);
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
