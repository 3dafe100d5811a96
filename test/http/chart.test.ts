/**
 * The watcher's live chart in a real headless browser (Debian chromium via
 * playwright-core): uPlot loads from the package, samples arrive over SSE,
 * and the page logs no console errors.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Watcher } from '../../src/http/index.ts';
import { skipBecause } from '../helpers/env.ts';

const CHROMIUM = '/usr/bin/chromium';

test('live chart on the index page in headless Chromium: uPlot drawn, SSE samples arrive, no console errors', async (t) => {
  if (!existsSync(CHROMIUM)) return void skipBecause(t, 'needs Debian chromium at /usr/bin/chromium');
  const { chromium } = await import('playwright-core');
  const w = new Watcher({ delay: 0.1 });
  const server = http.createServer(w.handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const profile = mkdtempSync(join(tmpdir(), 'rg-chromium-'));
  let browser: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  try {
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
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
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${port}/`);
    // (a fresh --user-data-dir: the profile directory, removed afterwards)
    // the watcher's own server is a listener: the chart gets a series for it and several SSE samples
    await page.waitForFunction(
      () => ((globalThis as unknown as { __watcherSamples?: number }).__watcherSamples ?? 0) >= 5,
      null,
      {
        timeout: 30_000,
      },
    );
    const info = await page.evaluate(() => {
      const p = (globalThis as unknown as { __watcherChart?: { series: { label?: string }[]; data: unknown[][] } })
        .__watcherChart;
      return {
        series: p?.series.map((s) => s.label ?? ''),
        points: p?.data[0]?.length ?? 0,
        canvas: !!(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
          '#chart canvas',
        ),
      };
    });
    assert.ok(info.canvas, 'uPlot drew a canvas');
    assert.ok(info.series?.includes(`127.0.0.1:${port} active`), JSON.stringify(info.series));
    assert.ok(info.points >= 5);
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
    w.close();
    server.close();
    server.closeAllConnections();
  }
});
