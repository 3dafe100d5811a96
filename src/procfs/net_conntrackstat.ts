/**
 * `/proc/net/stat/nf_conntrack`: netfilter connection-tracking statistics per CPU
 * (kernel `ct_cpu_seq_show`). Present when the `nf_conntrack` module is loaded.
 *
 * Go procfs: `FS.ConntrackStat() []ConntrackStatEntry`.
 * @module
 */
import { parseNetStatFile } from './net_stat.js';
import { fail, record } from './system_util.js';

/**
 * One CPU's row (Go procfs: `ConntrackStatEntry`). A field is absent when this kernel's header lacks
 * its column (e.g. `found`, `insert`, `search_restart` changed across versions).
 */
export interface ConntrackStatEntry {
  /** Conntrack entries in the table (`entries`; global, repeated on every row). */
  entries: number;
  /** Successful lookups (`found`). */
  found?: number;
  /** Packets that could not be tracked (`invalid`). */
  invalid?: number;
  /** Packets already tracked / untracked (`ignore`). */
  ignore?: number;
  /** Entries inserted (`insert`). */
  insert?: number;
  /** Insertions that failed (`insert_failed`). */
  insertFailed?: number;
  /** Packets dropped because tracking failed (`drop`). */
  drop?: number;
  /** Entries dropped early to make room (`early_drop`). */
  earlyDrop?: number;
  /** Lookups restarted because of a hash resize (`search_restart`). */
  searchRestart?: number;
  /** Other columns of this kernel (`clashres`, `chainlength`, `icmp_error`, …), by header name. */
  other: Record<string, number>;
}

const NAMES: Record<string, keyof ConntrackStatEntry> = {
  entries: 'entries',
  found: 'found',
  invalid: 'invalid',
  ignore: 'ignore',
  insert: 'insert',
  insert_failed: 'insertFailed',
  drop: 'drop',
  early_drop: 'earlyDrop',
  search_restart: 'searchRestart',
};

/**
 * Parse the text of `/proc/net/stat/nf_conntrack`.
 * @throws ParseError on a malformed row or a header without `entries`.
 */
export function parseConntrackStat(text: string, file = '/proc/net/stat/nf_conntrack'): ConntrackStatEntry[] {
  const { stats } = parseNetStatFile(text, 'nf_conntrack', file);
  const cols = Object.keys(stats);
  if (!cols.includes('entries')) fail({ file, line: 1 }, 'header lacks the "entries" column');
  const n = stats.entries!.length;
  const out: ConntrackStatEntry[] = [];
  for (let i = 0; i < n; i++) {
    const e: Record<string, unknown> = { other: record<number>() };
    for (const c of cols) {
      const name = NAMES[c];
      if (name) e[name] = stats[c]![i];
      else (e.other as Record<string, number>)[c] = stats[c]![i]!;
    }
    out.push(e as unknown as ConntrackStatEntry);
  }
  return out;
}
