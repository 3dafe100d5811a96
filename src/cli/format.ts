/**
 * The one formatting module of the CLI: bytes, durations, percentages and
 * tables.
 *
 * Tables are plain aligned columns separated by two spaces (easy to `grep`,
 * `awk` and `cut`), never box-drawing characters. When stdout is a terminal
 * the table is fitted to its width: the flexible column (the last by
 * default: command line, owner, meaning) is shortened with `…`. Cells are
 * escaped with {@link escapeControl} before they are measured, so names from
 * the kernel can neither move the cursor nor split a row; colour is applied
 * after padding so alignment is the same with and without it.
 * @module
 */
import { stripVTControlCharacters } from 'node:util';
import { escapeControl } from './output.js';

/** A table cell: plain text, or text with a colour function applied after padding. */
export type Cell = string | number | bigint | { text: string; color?: (s: string) => string };

/** Column alignment. */
export type Align = 'left' | 'right';

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Per-column alignment (default left). */
  align?: readonly Align[];
  /** Fit to this many columns (a terminal's width); undefined = never shorten. */
  width?: number;
  /** Index of the column shortened to fit (default: the last). */
  flex?: number;
  /** Applied to each header cell after padding (e.g. bold). */
  headColor?: (s: string) => string;
}

function cellText(c: Cell): string {
  if (typeof c === 'object') return escapeControl(c.text);
  return escapeControl(String(c));
}

/** Display width of `s` (escape sequences take no room; wide characters counted as one). */
export function displayWidth(s: string): number {
  let n = 0;
  for (const _ of stripVTControlCharacters(s)) n++;
  return n;
}

/** Shorten `s` to `width` display columns, ending in `…` when cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...s];
  if (chars.length <= width) return s;
  return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/**
 * Render `head` and `rows` as aligned columns (two spaces apart, trailing
 * blanks trimmed). Pure.
 */
export function renderTable(
  head: readonly string[] | undefined,
  rows: readonly (readonly Cell[])[],
  o: TableOptions = {},
): string {
  const all: { text: string; color?: (s: string) => string }[][] = [];
  if (head) all.push(head.map((h) => ({ text: escapeControl(h), color: o.headColor })));
  for (const r of rows)
    all.push(r.map((c) => ({ text: cellText(c), color: typeof c === 'object' ? c.color : undefined })));
  const ncol = Math.max(0, ...all.map((r) => r.length));
  const widths = new Array<number>(ncol).fill(0);
  for (const r of all) for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i]!, displayWidth(r[i]!.text));
  const flex = o.flex ?? ncol - 1;
  if (o.width !== undefined && ncol > 0) {
    const total = widths.reduce((a, b) => a + b, 0) + 2 * (ncol - 1);
    if (total > o.width) widths[flex] = Math.max(4, widths[flex]! - (total - o.width));
  }
  const lines: string[] = [];
  for (const r of all) {
    const parts: string[] = [];
    for (let i = 0; i < ncol; i++) {
      const cell = r[i] ?? { text: '' };
      let t = cell.text;
      if (displayWidth(t) > widths[i]!) t = truncate(t, widths[i]!);
      const pad = ' '.repeat(Math.max(0, widths[i]! - displayWidth(t)));
      const last = i === ncol - 1;
      const padded =
        o.align?.[i] === 'right'
          ? pad + (cell.color ? cell.color(t) : t)
          : (cell.color ? cell.color(t) : t) + (last ? '' : pad);
      parts.push(padded);
    }
    let line = parts.join('  ').trimEnd();
    if (o.width !== undefined && displayWidth(line) > o.width) line = truncate(stripVTControlCharacters(line), o.width);
    lines.push(line);
  }
  return lines.join('\n');
}

/** Human-readable byte size in IEC units: `512 B`, `1.5 KiB`, `230 MiB`. */
export function formatBytes(n: number | bigint): string {
  const v0 = Number(n);
  if (v0 < 1024) return `${v0} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = v0 / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** A duration in seconds for humans: `850 µs`, `12.3 ms`, `4.20 s`, `3m05s`, `2h03m`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  if (s < 0) return `-${formatSeconds(-s)}`;
  if (s === 0) return '0 s';
  if (s < 1e-3) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(s < 0.01 ? 2 : 1)} ms`;
  if (s < 60) return `${s.toFixed(2)} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

/** A duration given in nanoseconds (`bigint` kernel counters), via {@link formatSeconds}. */
export function formatNs(ns: number | bigint): string {
  return formatSeconds(Number(ns) / 1e9);
}

/** A percentage: one decimal under 10 %, whole numbers above. */
export function formatPercent(p: number): string {
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)}%`;
}

/** An interval as the user gave it, for titles: `every 0.5 s`. */
export function formatInterval(seconds: number): string {
  return `${Number(seconds.toFixed(3))} s`;
}

/** ANSI styles; identity functions when `enabled` is false. */
export function colors(enabled: boolean): {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
} {
  const wrap = (a: number, b: number) => (enabled ? (s: string) => `\x1b[${a}m${s}\x1b[${b}m` : (s: string) => s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), yellow: wrap(33, 39) };
}
