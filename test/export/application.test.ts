import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.ts';
import {
  applicationCollector,
  openApplicationSource,
  parseApplicationSpec,
} from '../../src/export/collectors/index.ts';
import { scrape } from '../../src/export/scrape.ts';
import { spawnCli } from '../helpers/cli.ts';

const SCRIPT = new URL('./scripts/app-cluster.ts', import.meta.url).pathname;
const WORKERS = 3;

/** Start the cluster app; resolves with the primary's pid once every worker wrote and worker 0 was SIGKILLed. */
function startApp(name: string, mode?: 'path'): Promise<{ child: ChildProcess; pid: number }> {
  const args = ['--import', 'tsx', SCRIPT, name, String(WORKERS), ...(mode ? [mode] : [])];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`cluster app did not get ready: ${out}`)), 90_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, pid: Number(m[1]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cluster app exited early (${code}): ${out}`));
    });
  });
}

function stopApp(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.stdin!.end();
  });
}

/** Assert the exact totals of every worker (worker 0 was SIGKILLed after writing). */
function assertTotals(text: string): void {
  for (let i = 0; i < WORKERS; i++) {
    for (const kind of ['even', 'odd'])
      assert.match(text, new RegExp(`^app_jobs_total\\{worker="${i}",kind="${kind}"\\} ${500 * (i + 1)}$`, 'm'));
  }
  const n = WORKERS;
  assert.match(text, new RegExp(`^app_job_seconds_bucket\\{kind="render",le="0.1"\\} ${125 * n}$`, 'm'));
  assert.match(text, new RegExp(`^app_job_seconds_bucket\\{kind="render",le="0.5"\\} ${250 * n}$`, 'm'));
  assert.match(text, new RegExp(`^app_job_seconds_bucket\\{kind="render",le="1"\\} ${375 * n}$`, 'm'));
  assert.match(text, new RegExp(`^app_job_seconds_bucket\\{kind="render",le="\\+Inf"\\} ${500 * n}$`, 'm'));
  assert.match(text, new RegExp(`^app_job_seconds_count\\{kind="render"\\} ${500 * n}$`, 'm'));
  const sum = Number(/^app_job_seconds_sum\{kind="render"\} (\S+)$/m.exec(text)?.[1]);
  assert.ok(Math.abs(sum - 125 * n * 3.05) < 1e-6, `sum ${sum}`);
  assert.match(text, /^# TYPE app_jobs_total counter$/m);
  assert.match(text, /^# TYPE app_job_seconds histogram$/m);
}

test('application: a node:cluster app by PID:NAME, one pass, exact totals, a SIGKILLed worker loses nothing', async () => {
  const name = `rg-export-test-${process.pid}`;
  const { child, pid } = await startApp(name);
  try {
    const src = openApplicationSource(`${pid}:${name}`);
    try {
      const out = await scrape([applicationCollector([src])]);
      assertTotals(out.text);
    } finally {
      src.close();
    }
    const r = await spawnCli(['serve', '--once', '--collectors', 'application', '--app-metrics', `${pid}:${name}`]);
    assert.equal(r.code, 0, r.stderr);
    assertTotals(r.stdout);
    assert.match(r.stdout, /^raingauge_scrape_collector_success\{collector="application"\} 1$/m);
  } finally {
    await stopApp(child);
  }
});

test('application: a registry shared through a file path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-export-app-'));
  const file = join(dir, 'metrics.rg');
  try {
    const { child } = await startApp(file, 'path');
    try {
      const r = await spawnCli(['serve', '--once', '--collectors', 'application', '--app-metrics', file]);
      assert.equal(r.code, 0, r.stderr);
      assertTotals(r.stdout);
    } finally {
      await stopApp(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('application: --app-metrics specs are parsed and bad ones rejected with the reason', async () => {
  assert.deepEqual(parseApplicationSpec('42:app'), { pid: 42, name: 'app' });
  assert.deepEqual(parseApplicationSpec('/run/app.rg'), { path: '/run/app.rg' });
  assert.deepEqual(parseApplicationSpec('./42:app'), { path: './42:app' });
  assert.throws(() => parseApplicationSpec(''), InvalidArgumentError);
  const r = await spawnCli([
    'serve',
    '--once',
    '--collectors',
    'application',
    '--app-metrics',
    '/nonexistent/rg.metrics',
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /nonexistent/);
  const p = await spawnCli([
    'serve',
    '--once',
    '--collectors',
    'application',
    '--app-metrics',
    `${process.pid}:no-such-registry`,
  ]);
  assert.notEqual(p.code, 0);
  assert.match(p.stderr, /no-such-registry/);
});
