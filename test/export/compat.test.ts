/**
 * node_exporter compatibility (live, against Debian's prometheus-node-exporter
 * on the same kernel, both inside one private network namespace) and
 * `promtool check metrics` on a full raingauge scrape.
 *
 * Tolerances (the two scrapes are taken one after the other, and the
 * scrapes' own HTTP traffic changes the socket counters):
 * - socket counts (sockstat, tcp states): ±8; queued-bytes pseudo-states ±256 KiB;
 * - netstat counters: ±64, octet counters ±1 MiB (a scrape's own bytes);
 * - memory: ±1 % or ±32 MiB; CPU seconds ±2 s per cpu and mode; pressure ±2 s;
 * - context switches, interrupts, forks: ±5 % + 20 000; load ±1; procs ±8; file handles ±128;
 * - every other value equal.
 * Known differences, allowed: node_exporter 1.5 (Debian bookworm) lacks the
 * netstat fields TCPOFOQueue and TCPRcvQDrop (added in 1.6/1.7) and the irq
 * pressure family, and its netlink netdev collector leaves out `lo`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { buildCollectors } from '../../src/export/collectors/index.ts';
import { scrape } from '../../src/export/scrape.ts';
import { have, needNetns, repoRoot, runInNetns, skipBecause } from '../helpers/env.ts';
import type { ParsedFamily, ParsedSample } from './scripts/promtext.ts';

const ALLOWED_ONLY_RAINGAUGE = [
  /^node_netstat_TcpExt_(TCPOFOQueue|TCPRcvQDrop)$/,
  /^node_pressure_irq_stalled_seconds_total$/,
  /^node_network_/,
];

function tolerance(name: string, labels: Record<string, string>, a: number, b: number): number {
  const m = Math.max(Math.abs(a), Math.abs(b));
  if (name === 'node_tcp_connection_states') return labels.state?.endsWith('_bytes') ? 256 * 1024 : 8;
  if (name.startsWith('node_sockstat_')) return name.endsWith('mem_bytes') ? 1 << 20 : name.endsWith('_mem') ? 256 : 8;
  if (name.startsWith('node_netstat_')) return name.endsWith('Octets') ? 1 << 20 : 64;
  if (name.startsWith('node_memory_')) return Math.max(0.01 * m, 32 * 2 ** 20);
  if (name === 'node_cpu_seconds_total' || name === 'node_cpu_guest_seconds_total') return 2;
  if (name.startsWith('node_pressure_')) return 2;
  if (/^node_(context_switches|intr|forks)_total$/.test(name)) return 0.05 * m + 20_000;
  if (/^node_load/.test(name)) return 1;
  if (/^node_procs_/.test(name)) return 8;
  if (name === 'node_filefd_allocated') return 128;
  return 0;
}

const key = (s: ParsedSample) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;

describe('node_exporter compatibility (live)', () => {
  test('same families, types, HELP and labels; values within the documented tolerance', async (t) => {
    if (needNetns(t)) return;
    if (!have('prometheus-node-exporter')) {
      skipBecause(t, 'needs Debian prometheus-node-exporter (scripts/install-test-deps.sh)');
      return;
    }
    const r = await runInNetns(`${repoRoot}test/export/scripts/compare.ts`, [], 60_000);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { raingauge: ParsedFamily[]; nodeExporter: ParsedFamily[] };
    const ours = new Map(j.raingauge.map((f) => [f.name, f]));
    const theirs = new Map(j.nodeExporter.map((f) => [f.name, f]));
    const problems: string[] = [];
    const labelKeys = (f: ParsedFamily) =>
      [...new Set(f.samples.flatMap((s) => Object.keys(s.labels)))].sort().join(',');
    let compared = 0;
    for (const [name, f] of ours) {
      if (!name.startsWith('node_')) continue;
      const g = theirs.get(name);
      if (!g) {
        if (!ALLOWED_ONLY_RAINGAUGE.some((re) => re.test(name))) problems.push(`only raingauge has ${name}`);
        continue;
      }
      if (f.type !== g.type) problems.push(`${name}: type ${f.type} vs ${g.type}`);
      if (f.help !== g.help) problems.push(`${name}: HELP ${JSON.stringify(f.help)} vs ${JSON.stringify(g.help)}`);
      if (labelKeys(f) !== labelKeys(g) && f.samples.length > 0 && g.samples.length > 0) {
        problems.push(`${name}: labels ${labelKeys(f)} vs ${labelKeys(g)}`);
      }
      const theirValues = new Map(g.samples.map((s) => [key(s), s.value]));
      const ourKeys = new Set(f.samples.map(key));
      for (const s of f.samples) {
        const v = theirValues.get(key(s)) ?? (name === 'node_tcp_connection_states' ? 0 : undefined);
        if (v === undefined) {
          problems.push(`${key(s)} missing in node_exporter`);
          continue;
        }
        compared++;
        const tol = tolerance(name, s.labels, s.value, v);
        if (Math.abs(s.value - v) > tol) problems.push(`${key(s)}: ${s.value} vs ${v} (tolerance ${tol})`);
      }
      for (const s of g.samples) {
        if (ourKeys.has(key(s))) continue;
        if (name === 'node_tcp_connection_states' && s.value <= 8) continue;
        problems.push(`${key(s)} missing in raingauge`);
      }
    }
    for (const name of theirs.keys()) {
      if (name.startsWith('node_scrape_') || name === 'node_exporter_build_info' || name.startsWith('promhttp_'))
        continue;
      if (!ours.has(name)) problems.push(`only node_exporter has ${name}`);
    }
    assert.deepEqual(problems, []);
    assert.ok(compared > 100, `compared ${compared} samples`);
    assert.ok(ours.has('node_uname_info'));
  });
});

describe('promtool check metrics', () => {
  test("raingauge's own families have no findings; node_* camelCase is node_exporter's documented exception", async (t) => {
    if (!have('promtool')) {
      skipBecause(t, 'needs promtool (Debian prometheus)');
      return;
    }
    const collectors = buildCollectors({
      netstatAll: true,
      listeners: { owners: true },
      processes: { top: 5, cmdline: true },
    });
    try {
      const { text } = await scrape(collectors);
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      const findings = `${r.stdout}${r.stderr}`
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '');
      const ownFindings = findings.filter(
        (l) => !/^node_(memory|netstat)_\S+ metric names should be written in 'snake_case'/.test(l),
      );
      assert.deepEqual(ownFindings, []);
      assert.ok(r.status === 0 || r.status === 3, `promtool exit ${r.status}: ${r.stderr}`);
      assert.match(text, /^raingauge_listener_backlog\{/m);
      assert.match(text, /^raingauge_process_cpu_seconds_total\{/m);
    } finally {
      for (const c of collectors) c.close?.();
    }
  });
});
