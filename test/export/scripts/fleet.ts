/**
 * Runs in a fresh network namespace: a real Prometheus (Debian `prometheus`,
 * config and data in a temp dir removed at the end) scrapes raingauge's
 * exporter every second. A listener with backlog B that never accepts is
 * filled (B + 1 connections wait in its accept queue), then K more clients
 * provoke ListenOverflows. Prints, as JSON, what PromQL answers through
 * Prometheus's HTTP API beside the kernel's own counter delta.
 * Usage: fleet.ts B K
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCollectors } from '../../../src/export/collectors/index.ts';
import { startExporter } from '../../../src/export/server.ts';
import { netCounters } from '../../../src/netstat/index.ts';
import { setSynRetries, startStuckListener, tryConnect } from '../../netstat/scripts/common.ts';
import { fetchText, waitForHttp } from './promtext.ts';

const [B, K] = process.argv.slice(2).map(Number) as [number, number];
const PROM_PORT = 19090;
const dir = mkdtempSync(join(tmpdir(), 'rg-fleet-'));
let prom: ChildProcess | undefined;
let listener: ChildProcess | undefined;
const socks: { destroy(): void }[] = [];

async function query(q: string): Promise<number | undefined> {
  const body = await fetchText(`http://127.0.0.1:${PROM_PORT}/api/v1/query?query=${encodeURIComponent(q)}`);
  const j = JSON.parse(body) as { data: { result: { value: [number, string] }[] } };
  const r = j.data.result[0];
  return r === undefined ? undefined : Number(r.value[1]);
}

/** Poll a query until `ok(value)` (bounded); returns the last value. */
async function until(
  q: string,
  ok: (v: number | undefined) => boolean,
  timeoutMs = 30_000,
): Promise<number | undefined> {
  const end = Date.now() + timeoutMs;
  let v: number | undefined;
  while (Date.now() < end) {
    v = await query(q);
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  return v;
}

const exporter = await startExporter({
  collectors: buildCollectors({ names: ['listeners', 'netstat', 'tcpstat'] }),
  port: 0,
  dashboard: false,
});
try {
  setSynRetries(1);
  const stuck = await startStuckListener(B);
  listener = stuck.child;
  for (let i = 0; i <= B; i++) {
    const r = await tryConnect(stuck.port);
    if (!r.sock) throw new Error(`client ${i} failed: ${r.error}`);
    socks.push(r.sock);
  }
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 900ms',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: raingauge',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${exporter.port}']`,
      '',
    ].join('\n'),
  );
  prom = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${PROM_PORT}`,
      '--storage.tsdb.retention.time=1h',
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  await waitForHttp(`http://127.0.0.1:${PROM_PORT}/-/ready`, 30_000);
  const sel = `{listener="127.0.0.1:${stuck.port}"}`;
  const queued = await until(`raingauge_listener_queued_connections${sel}`, (v) => v === B + 1);
  const backlog = await query(`raingauge_listener_backlog${sel}`);
  // two scrapes before the overflows, so the counter's rise is between samples
  const base = await until('count_over_time(node_netstat_TcpExt_ListenOverflows[1m])', (v) => (v ?? 0) >= 2);
  const before = netCounters().TcpExt?.ListenOverflows ?? 0;
  const extra = await Promise.all(Array.from({ length: K }, () => tryConnect(stuck.port)));
  for (const r of extra) r.sock?.destroy();
  const after = netCounters().TcpExt?.ListenOverflows ?? 0;
  const kernelDelta = Number(after) - Number(before);
  const range = 'node_netstat_TcpExt_ListenOverflows[2m]';
  const seenDelta = await until(`max_over_time(${range}) - min_over_time(${range})`, (v) => v === kernelDelta);
  const rate = await until(`rate(node_netstat_TcpExt_ListenOverflows[30s])`, (v) => (v ?? 0) > 0);
  const attributed = await until(
    `max_over_time(raingauge_listener_overflows_attributed_total${sel}[2m])`,
    (v) => v === kernelDelta,
    10_000,
  );
  process.stdout.write(
    `${JSON.stringify({ B, K, queued, backlog, base, kernelDelta, seenDelta, rate, attributed, errors: extra.map((r) => r.error ?? 'connected') })}\n`,
  );
} finally {
  for (const s of socks) s.destroy();
  listener?.kill('SIGKILL');
  if (prom) {
    const exited = new Promise((r) => prom!.once('exit', r));
    prom.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    prom.kill('SIGKILL');
  }
  await exporter.close();
  rmSync(dir, { recursive: true, force: true });
}
