/**
 * Line walking shared by the system-wide procfs parsers of whitespace
 * tables and one-line files (`/proc/net/arp`, `/proc/swaps`, `/proc/loadavg`…).
 * Not part of the public API.
 * @module
 * @internal
 */
import { fail, fields, lines, type Where } from './system_util.js';

/** A line of a file with where it stands: its 1-based number and its text. */
export type LineAt = Where & { line: number; text: string };

/** Where the first line of `ls` (a header, a title or the only line) stands, for errors about it. */
export function firstLineAt(ls: string[], file: string): LineAt {
  return { file, line: 1, text: ls[0] ?? '' };
}

/**
 * The non-blank lines of `ls` from index `from` on (default 1: the rows after
 * a header line), each as where it stands; its text is `.text`.
 */
export function* rowsAt(ls: string[], file: string, from = 1): Generator<LineAt> {
  for (let i = from; i < ls.length; i++) {
    const text = ls[i]!;
    if (text.trim() !== '') yield { file, line: i + 1, text };
  }
}

/**
 * The words of a file that must be exactly one line of `count`
 * whitespace-separated fields (`/proc/loadavg`, `/proc/uptime`…), with where that line stands.
 * @throws ParseError naming the line when there are more or fewer lines or fields.
 */
export function singleLineFields(text: string, file: string, count: number): { f: string[]; w: LineAt } {
  const ls = lines(text);
  const w = firstLineAt(ls, file);
  if (ls.length !== 1) fail(w, `expected one line, found ${ls.length}`);
  const f = fields(ls[0]!);
  if (f.length !== count) fail(w, `expected ${count} fields, found ${f.length}`);
  return { f, w };
}
