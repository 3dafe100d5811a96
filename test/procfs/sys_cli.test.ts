/**
 * `raingauge sys`: JSON and text output on the fixture tree (static files: no CPU tick elapses,
 * missing files become warnings) and live (values cross-checked with node:os), bad arguments.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, test } from 'node:test';
import { formatBytes } from '../../src/cli/commands/sys.ts';
import { spawnCli } from '../helpers/cli.ts';
import { procFixtureRoot as fixture } from './fixtures.ts';

describe('raingauge sys', () => {
  test('--json on the fixture tree', async () => {
    const r = await spawnCli(['sys', '--json', '--proc', fixture, '--interval', '20']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    const memTotal = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync(`${fixture}/meminfo`, 'utf8'))![1]);
    assert.equal(s.memory.totalBytes, memTotal * 1024);
    assert.equal(s.cpu.busyPercent, undefined, 'a static /proc/stat has no elapsed ticks');
    assert.ok(s.interfaces.some((i: { name: string }) => i.name === 'lo'));
    assert.equal(typeof s.interfaces[0].rxBytes, 'number', 'bigint written as a JSON number');
    assert.deepEqual(Object.keys(s.pressure).sort(), ['cpu', 'io', 'memory']);
    assert.ok(
      s.warnings.some((w: string) => w.startsWith('disks:')),
      'no diskstats in the fixture: a warning',
    );
    assert.equal(s.disks, undefined);
  });
  test('text on the fixture tree', async () => {
    const r = await spawnCli(['sys', '--proc', fixture, '--interval', '5']);
    assert.equal(r.code, 0, r.stderr);
    for (const word of ['uptime', 'memory', 'load', 'pressure', 'interface', 'lo', 'warning: disks']) {
      assert.ok(r.stdout.includes(word), word);
    }
  });
  test('live --json agrees with node:os', async () => {
    const r = await spawnCli(['sys', '--json', '--interval', '200']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(s.warnings, []);
    assert.equal(s.cpu.count, os.cpus().length);
    assert.equal(s.memory.totalBytes, os.totalmem());
    assert.ok(s.intervalMs >= 190, `interval ${s.intervalMs}`);
    if (s.cpu.busyPercent !== undefined) {
      assert.ok(s.cpu.busyPercent >= 0 && s.cpu.busyPercent <= 100);
      const sum = s.cpu.busyPercent + s.cpu.idlePercent + s.cpu.iowaitPercent;
      assert.ok(Math.abs(sum - 100) < 0.001, `busy+idle+iowait = ${sum}`);
    }
    assert.ok(Math.abs(s.uptimeSeconds - os.uptime()) < 3);
    assert.ok(s.interfaces.some((i: { name: string }) => i.name === 'lo'));
    assert.ok(Array.isArray(s.disks));
  });
  test('bad arguments exit 2', async () => {
    assert.equal((await spawnCli(['sys', '--interval', 'soon'])).code, 2);
    assert.equal((await spawnCli(['sys', '--nope'])).code, 2);
  });
  test('formatBytes', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(5n * 1024n ** 3n), '5.0 GiB');
  });
});
