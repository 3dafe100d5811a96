/**
 * `raingauge netstat`: the kernel's network counters (like `nstat`), with
 * deltas since the last run, rates, and what each counter means.
 * @module
 */
import type { Command } from 'commander';
import { RaingaugeError } from '../../errors.js';
import {
  type CounterChange,
  type CounterValue,
  counterDelta,
  counterFromNetstatS,
  counterKind,
  counterMatcher,
  deltaValues,
  describeCounter,
  describedCounters,
  filterCounters,
  flattenCounters,
  loadNetstatHistory,
  type NetCounterDelta,
  NetCounterReader,
  type NetCounterSet,
  netCounters,
  netnsInode,
  netstatHistoryPath,
  netstatPrometheusText,
  nodeExporterDefaultField,
  prometheusName,
  resetNetstatHistory,
  saveNetstatHistory,
  stringifyCounters,
} from '../../netstat/index.js';
import { sleep } from '../../util/time.js';
import { parsePositive, stopSignal, UsageError } from '../util.js';

interface NetstatOptions {
  delta?: boolean;
  interval?: string;
  count?: string;
  json?: boolean;
  explain?: string;
  zeros?: boolean;
  reset?: boolean;
  update?: boolean;
  pid?: string;
  prometheus?: boolean;
}

/** First sentence of a meaning, at most `max` characters. */
export function shortMeaning(proto: string, name: string, max = 70): string {
  const d = describeCounter(proto, name);
  if (d === undefined) return '';
  let s = d.meaning.replace(/^Gauge( \([^)]*\))?: /, '');
  s = s[0]!.toUpperCase() + s.slice(1);
  const dot = s.search(/[.:](\s|$)/);
  if (dot > 0) s = s.slice(0, dot);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function isZero(v: CounterValue): boolean {
  return v === 0 || v === 0n;
}

function fmtRate(r: number | undefined): string {
  if (r === undefined) return '';
  return r >= 100 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2);
}

function table(rows: string[][], rightAligned: boolean[]): string {
  const widths: number[] = [];
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i] ?? 0, r[i]!.length);
  }
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : rightAligned[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Render absolute values as a table: counter, value, meaning. */
export function renderValues(set: NetCounterSet, zeros: boolean): string {
  const rows: string[][] = [['counter', 'value', 'meaning']];
  for (const c of flattenCounters(set)) {
    if (!zeros && isZero(c.value) && counterKind(c.proto, c.name) === 'counter') continue;
    rows.push([c.nstatName, String(c.value), shortMeaning(c.proto, c.name)]);
  }
  return table(rows, [false, true, false]);
}

/** Render changes as a table: counter, value, delta, rate/s, meaning. */
export function renderDelta(d: NetCounterDelta, zeros: boolean): string {
  const rows: string[][] = [['counter', 'value', 'delta', 'rate/s', 'meaning']];
  for (const proto of Object.keys(d)) {
    for (const [name, c] of Object.entries(d[proto]!) as [string, CounterChange][]) {
      if (!zeros && isZero(c.delta)) continue;
      rows.push([
        proto + name,
        String(c.value),
        c.kind === 'gauge' ? `${Number(c.delta) > 0 ? '+' : ''}${c.delta}` : `${c.delta}${c.restarted ? '*' : ''}`,
        c.kind === 'gauge' ? '(gauge)' : fmtRate(c.ratePerSecond),
        shortMeaning(proto, name),
      ]);
    }
  }
  return table(rows, [false, true, true, true, false]);
}

function filterDelta(d: NetCounterDelta, match: (p: string, n: string) => boolean): NetCounterDelta {
  const out: NetCounterDelta = {};
  for (const proto of Object.keys(d)) {
    for (const [name, c] of Object.entries(d[proto]!)) {
      if (!match(proto, name)) continue;
      out[proto] ??= {};
      out[proto][name] = c;
    }
  }
  return out;
}

/** Find the counters `query` names, in any accepted form, among `known`. */
export function resolveCounterName(query: string, known: [string, string][]): [string, string][] {
  let q = query.trim();
  if (q.toLowerCase().startsWith('node_netstat_')) q = q.slice('node_netstat_'.length);
  const lower = q.toLowerCase();
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const [proto, name] of known) {
    const forms = [proto + name, `${proto}.${name}`, `${proto}_${name}`, `${proto} ${name}`, name];
    if (!forms.some((f) => f.toLowerCase() === lower)) continue;
    const k = `${proto}.${name}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push([proto, name]);
  }
  // a bare name that is also some proto+name (e.g. "InErrors") matches the bare names only
  return out;
}

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur.length > 0 && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur.length > 0 ? `${cur} ${w}` : w;
  }
  if (cur.length > 0) lines.push(cur);
  return lines.map((l) => indent + l).join('\n');
}

/** The `--explain` text for one counter. */
export function explainText(proto: string, name: string, value: CounterValue | undefined): string {
  const d = describeCounter(proto, name);
  const kind = counterKind(proto, name);
  const lines = [
    `${proto} ${name}  (${kind}${d?.mib ? `, ${d.mib}` : ''})`,
    `  nstat name:       ${proto}${name}`,
    `  Prometheus name:  ${prometheusName(proto, name)}${
      nodeExporterDefaultField(proto, name)
        ? '  (in node_exporter’s default set)'
        : '  (not in node_exporter’s default set)'
    }`,
  ];
  if (value !== undefined) lines.push(`  current value:    ${value}`);
  if (d === undefined) {
    lines.push('  no description available for this counter (it is still read and exported).');
    return lines.join('\n');
  }
  if (d.netstatS !== undefined) lines.push(`  netstat -s:       "N ${d.netstatS}"`);
  lines.push('  meaning:', wrap(d.meaning, 76, '    '), '  changed by:');
  for (const f of d.incrementedBy) lines.push(`    ${f}`);
  if (d.seeAlso?.length) lines.push(`  see also:         ${d.seeAlso.join(', ')}`);
  return lines.join('\n');
}

function parsePid(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`--pid must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

async function run(patterns: string[], o: NetstatOptions): Promise<void> {
  const pid = parsePid(o.pid);
  const match = counterMatcher(patterns);
  const zeros = o.zeros === true;
  const out = (s: string) => process.stdout.write(`${s}\n`);

  if (o.explain !== undefined) {
    const now = netCounters({ pid });
    const known: [string, string][] = flattenCounters(now).map((c) => [c.proto, c.name]);
    const hits = resolveCounterName(o.explain, known);
    if (hits.length === 0) {
      // not printed by this kernel, maybe still described (e.g. counters of older kernels)
      hits.push(...resolveCounterName(o.explain, describedCounters()));
    }
    if (hits.length === 0) {
      // a line of `netstat -s` output, e.g. "22438 times the listen queue of a socket overflowed"
      const fromS = counterFromNetstatS(o.explain);
      if (fromS !== undefined) hits.push(fromS);
    }
    if (hits.length === 0) {
      throw new UsageError(
        `no counter named ${JSON.stringify(o.explain)} (try: raingauge netstat --zeros to list them)`,
      );
    }
    if (o.json) {
      for (const [p, n] of hits) {
        out(
          stringifyCounters({
            proto: p,
            name: n,
            kind: counterKind(p, n),
            value: now[p]?.[n],
            prometheusName: prometheusName(p, n),
            nodeExporterDefault: nodeExporterDefaultField(p, n),
            ...(describeCounter(p, n) ?? {}),
          }),
        );
      }
    } else out(hits.map(([p, n]) => explainText(p, n, now[p]?.[n])).join('\n\n'));
    return;
  }

  if (o.interval !== undefined) {
    const seconds = parsePositive('--interval', o.interval);
    const count = o.count === undefined ? undefined : parsePositive('--count', o.count, { integer: true });
    const reader = new NetCounterReader({ pid });
    const stop = stopSignal();
    try {
      let prev = reader.read();
      let prevT = performance.now();
      for (let i = 0; count === undefined || i < count; i++) {
        await sleep(seconds * 1000, stop.signal);
        if (stop.signal.aborted) break;
        const next = reader.read();
        const t = performance.now();
        const d = filterDelta(counterDelta(prev, next, (t - prevT) / 1000), match);
        if (o.json) out(stringifyCounters(deltaValues(d)));
        else out(`# ${new Date().toISOString()}  (${((t - prevT) / 1000).toFixed(2)} s)\n${renderDelta(d, zeros)}`);
        prev = next;
        prevT = t;
      }
    } finally {
      stop.dispose();
      reader.close();
    }
    return;
  }

  if (o.count !== undefined) throw new UsageError('--count needs --interval');
  const now = netCounters({ pid });
  const nowMs = Date.now();

  if (o.delta || o.reset) {
    const ns = netnsInode({ pid });
    const path = netstatHistoryPath(ns);
    // a history that cannot be read or written is reported once on stderr; the table is still printed
    const historyProblem = (what: string, f: () => void): void => {
      try {
        f();
      } catch (err) {
        if (!(err instanceof RaingaugeError)) throw err;
        process.stderr.write(`raingauge: ${what} the netstat history: ${err.message}\n`);
      }
    };
    if (o.reset) historyProblem('cannot reset', () => resetNetstatHistory(path));
    let hist: ReturnType<typeof loadNetstatHistory>;
    historyProblem('ignoring', () => {
      hist = loadNetstatHistory(path);
    });
    if (hist !== undefined && hist.netns !== ns) hist = undefined;
    if (o.update !== false) {
      historyProblem('cannot save', () =>
        saveNetstatHistory(path, { version: 1, netns: ns, timeMs: nowMs, counters: now }),
      );
    }
    if (hist === undefined && !o.json) {
      process.stderr.write(`# no history yet (${path}): showing totals since the network namespace started\n`);
    }
    const d = filterDelta(
      counterDelta(hist?.counters ?? {}, now, hist ? (nowMs - hist.timeMs) / 1000 : undefined),
      match,
    );
    if (o.json) out(stringifyCounters(deltaValues(d)));
    else out(renderDelta(d, zeros));
    return;
  }

  const sel = filterCounters(now, match);
  if (o.prometheus) {
    process.stdout.write(netstatPrometheusText(sel, { all: patterns.length > 0 }));
    return;
  }
  if (o.json) out(stringifyCounters(sel));
  else out(renderValues(sel, zeros));
}

/** Register `raingauge netstat`. */
export function register(program: Command): void {
  program
    .command('netstat')
    .description(
      'network counters from /proc/net/netstat, snmp and snmp6 (like nstat), with deltas, rates and meanings',
    )
    .argument(
      '[pattern...]',
      'counters to show: TcpExtListenOverflows, ListenOverflows, TcpExt*Listen*, /re/ (case-insensitive)',
    )
    .option('--delta', 'show what changed since the last --delta run (history file per user and network namespace)')
    .option('--reset', 'forget the history first (the next --delta shows changes from now)')
    .option('--no-update', 'with --delta: do not update the history')
    .option('--interval <seconds>', 'repeat every S seconds, showing deltas and rates since the previous sample')
    .option('--count <n>', 'with --interval: stop after N samples')
    .option(
      '--json',
      'print the nested { Proto: { Name: value } } object (deltas with --delta/--interval; one line per sample)',
    )
    .option(
      '--explain <name>',
      'explain a counter (any name form, or a `netstat -s` line): meaning, kernel functions, Prometheus name',
    )
    .option('--zeros', 'also show counters that are zero (or did not change)')
    .option(
      '--prometheus',
      'print Prometheus text as node_exporter does (node_netstat_<Proto>_<Name>; its default set unless patterns are given)',
    )
    .option('--pid <pid>', "read another process's network namespace (/proc/<pid>/net; root for other users)")
    .action(async (patterns: string[], o: NetstatOptions) => {
      await run(patterns, o);
    });
}
