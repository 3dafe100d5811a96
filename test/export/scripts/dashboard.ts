/**
 * Runs in a fresh network namespace: raingauge's exporter with its
 * dashboard, a listener that never accepts (its queue fills step by step,
 * then overflows), a listener that accepts (active connections), and
 * headless Chromium (Debian `chromium` driven by playwright-core) loading
 * the page. Prints JSON: console errors, failed requests, and the chart data
 * lengths and values at two moments. Usage: dashboard.ts SCREENSHOT.png [PROFILE_DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildCollectors } from '../../../src/export/collectors/index.ts';
import { startExporter } from '../../../src/export/server.ts';
import { setSynRetries, startStuckListener, tryConnect } from '../../netstat/scripts/common.ts';

const shot = process.argv[2]!;
// the Chromium profile: a fresh directory the caller removes (with its own temp dir) afterwards
const profile = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'rg-chromium-'));
const sockets: net.Socket[] = [];
setSynRetries(1);
const stuck = await startStuckListener(8);
// whatever happens below, the never-accepting child must not outlive this script
process.on('exit', () => stuck.child.kill('SIGKILL'));
const guard = setTimeout(() => {
  process.stderr.write('dashboard script: overall timeout\n');
  process.exit(1);
}, 90_000);
guard.unref();
const app = net.createServer((s) => {
  s.on('error', () => {});
});
await new Promise<void>((r) => app.listen({ port: 0, host: '127.0.0.1', backlog: 64 }, () => r()));
const appPort = (app.address() as net.AddressInfo).port;
const exporter = await startExporter({
  collectors: buildCollectors({ names: ['listeners', 'netstat', 'tcpstat', 'processes'], processes: { top: 10 } }),
  port: 0,
  dashboardIntervalMs: 250,
});
const consoleErrors: string[] = [];
const failed: string[] = [];
let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 1100 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('requestfailed', (r) => {
    if (!r.url().endsWith('/api/events')) failed.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  await page.goto(exporter.url, { waitUntil: 'load' });
  const snapshot = () =>
    page.evaluate(() => {
      const d = (
        globalThis as unknown as {
          raingaugeDashboard: { charts: Record<string, { plot: { data: number[][] } }>; samples: unknown[] };
        }
      ).raingaugeDashboard;
      const doc = (
        globalThis as unknown as {
          document: {
            querySelectorAll(s: string): { length: number };
            getElementById(id: string): { textContent: string | null } | null;
          };
        }
      ).document;
      const q = d.charts['c-queued']?.plot.data;
      const tcp = d.charts['c-tcp']?.plot.data;
      return {
        samples: d.samples.length,
        charts: Object.keys(d.charts).sort(),
        canvases: doc.querySelectorAll('.uplot canvas').length,
        points: q?.[0]?.length ?? 0,
        queuedLast: q && q.length > 1 ? q.slice(1).map((s) => s[s.length - 1]) : [],
        tcpLast: tcp && tcp.length > 1 ? tcp.slice(1).map((s) => s[s.length - 1]) : [],
        listenersTable: doc.getElementById('t-listeners')?.textContent ?? '',
      };
    });
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { raingaugeDashboard: { samples: unknown[] } }).raingaugeDashboard.samples.length >= 3,
  );
  const first = await snapshot();
  // change what the kernel reports: fill the stuck listener's queue, open active connections, then overflow it
  for (let i = 0; i < 9; i++) {
    const r = await tryConnect(stuck.port);
    if (r.sock) sockets.push(r.sock);
    const a = await tryConnect(appPort);
    if (a.sock) sockets.push(a.sock);
    await new Promise((r) => setTimeout(r, 300));
  }
  const overflow = Promise.all([tryConnect(stuck.port), tryConnect(stuck.port)]);
  await new Promise((r) => setTimeout(r, 3500));
  const second = await snapshot();
  await page.screenshot({ path: shot, fullPage: true });
  for (const r of await overflow) r.sock?.destroy();
  process.stdout.write(`${JSON.stringify({ consoleErrors, failed, first, second, stuckPort: stuck.port, appPort })}\n`);
} finally {
  await context?.close();
  clearTimeout(guard);
  for (const s of sockets) s.destroy();
  stuck.child.kill('SIGKILL');
  app.close();
  await exporter.close();
  rmSync(profile, { recursive: true, force: true });
}
