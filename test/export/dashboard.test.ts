/**
 * The dashboard in headless Chromium (Debian `chromium` driven by
 * playwright-core, fresh profile removed afterwards), inside a private
 * network namespace: the page loads with no console errors, the charts are
 * drawn, and their data follows what the kernel reports (a listener's queue
 * filling). With RAINGAUGE_DASHBOARD_SCREENSHOT=docs/dashboard.png the
 * screenshot is kept there (the README's); otherwise it goes to a temp dir.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { needNetns, repoRoot, runInNetns, skipBecause } from '../helpers/env.ts';

test('dashboard: loads without console errors, charts show changing data', async (t) => {
  if (needNetns(t)) return;
  if (!existsSync('/usr/bin/chromium')) {
    skipBecause(t, 'needs Debian chromium (scripts/install-test-deps.sh)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rg-dash-'));
  try {
    const keep = process.env.RAINGAUGE_DASHBOARD_SCREENSHOT;
    const shot = keep ? resolve(repoRoot, keep) : join(dir, 'dashboard.png');
    const r = await runInNetns(`${repoRoot}test/export/scripts/dashboard.ts`, [shot, join(dir, 'profile')], 120_000);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      consoleErrors: string[];
      failed: string[];
      first: { samples: number; charts: string[]; canvases: number; points: number; queuedLast: number[] };
      second: { samples: number; points: number; queuedLast: number[]; listenersTable: string };
      stuckPort: number;
    };
    assert.deepEqual(j.consoleErrors, []);
    assert.deepEqual(j.failed, []);
    assert.deepEqual(j.first.charts, ['c-active', 'c-drops', 'c-queued', 'c-tcp', 'c-used']);
    assert.ok(j.first.canvases >= 5);
    assert.ok(j.second.points > j.first.points, 'the charts grew');
    // the stuck listener (backlog 8) is the fullest, so it is the first series; its queue went 0 → 9
    assert.equal(j.first.queuedLast[0], 0);
    assert.equal(j.second.queuedLast[0], 9);
    assert.ok(j.second.listenersTable.includes(`127.0.0.1:${j.stuckPort}`));
    assert.ok(statSync(shot).size > 10_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
