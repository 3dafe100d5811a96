/**
 * Live checks of `raingauge listen`, run as root inside a private network
 * namespace: real listeners, the CLI spawned as a separate process, its
 * output compared with what this script set up. Prints "ok <n> checks".
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectN, killChildren, scriptsDir, startChild, waitFor } from './lib.ts';

let checks = 0;
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', `${scriptsDir}/cli.ts`, 'listen', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });

const dir = mkdtempSync(join(tmpdir(), 'rg-cli-'));
const held: net.Socket[] = [];
const servers: net.Server[] = [];
try {
  const a = net.createServer((c) => held.push(c));
  await new Promise<void>((r) => a.listen({ host: '127.0.0.1', port: 8101 }, r));
  servers.push(a);
  await connectN(2, { host: '127.0.0.1', port: 8101 }, held);
  await waitFor(() => new Promise((r) => a.getConnections((_e, n) => r(n === 2))));
  await startChild('blocked.mjs', ['tcp', '127.0.0.1', 8102, 4, 0]);
  await connectN(3, { host: '127.0.0.1', port: 8102 }, held);
  const w = net.createServer();
  await new Promise<void>((r) => w.listen({ host: '0.0.0.0', port: 8103, backlog: 9 }, r));
  servers.push(w);
  const sock = join(dir, 'cli.sock');
  const u = net.createServer();
  await new Promise<void>((r) => u.listen({ path: sock, backlog: 5 }, r));
  servers.push(u);

  // exact JSON
  let r = cli(['--json', '127.0.0.1:8101', '127.0.0.1:8102']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    `${JSON.stringify({ '127.0.0.1:8101': { active: 2, queued: 0, backlog: 511 }, '127.0.0.1:8102': { active: 0, queued: 3, backlog: 4 } })}\n`,
  );
  checks++;
  // one JSON object per line with --interval
  r = cli(['--json', '--interval', '0.05', '--count', '3', '127.0.0.1:8102', sock]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 3);
  for (const l of lines) {
    assert.deepEqual(JSON.parse(l), {
      '127.0.0.1:8102': { active: 0, queued: 3, backlog: 4 },
      [sock]: { active: 0, queued: 0, backlog: 5 },
    });
  }
  checks++;
  // --threshold
  r = cli(['--json', '--threshold', '1']);
  assert.deepEqual(Object.keys(JSON.parse(r.stdout)), ['127.0.0.1:8102']);
  checks++;
  // no arguments: every TCP and UNIX listener
  r = cli(['--json']);
  assert.deepEqual(
    Object.keys(JSON.parse(r.stdout)).sort(),
    ['0.0.0.0:8103', '127.0.0.1:8101', '127.0.0.1:8102', sock].sort(),
  );
  checks++;
  // table: wildcard fallback is said, missing listeners are said, owners shown
  r = cli(['127.0.0.9:8103', '127.0.0.1:8104', '127.0.0.1:8101']);
  // an asked listener that does not exist (8104) is reported and makes the exit status 1, for scripts
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /127\.0\.0\.9:8103 → 0\.0\.0\.0:8103/);
  assert.match(r.stdout, /127\.0\.0\.9:8103 has no listener of its own: the numbers are those of 0\.0\.0\.0:8103/);
  assert.match(r.stdout, /no listener on 127\.0\.0\.1:8104/);
  assert.match(r.stdout, new RegExp(`127\\.0\\.0\\.1:8101 +│ +2 │ +0 │ +511 │ +0% │ node\\[${process.pid}\\]`));
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no escape sequences when piped');
  checks++;
  // piped --interval: one line per sample
  r = cli(['--interval', '0.05', '--count', '2', '--no-unix']);
  const samples = r.stdout.trim().split('\n');
  assert.equal(samples.length, 2);
  for (const s of samples) assert.match(s, /^\d{4}-\d\d-\d\dT\S+Z {2}.*127\.0\.0\.1:8102 active=0 queued=3 backlog=4/);
  checks++;
  // bad arguments: exit 2 and a one-line reason
  for (const bad of [
    ['foo'],
    ['127.0.0.1:0'],
    ['--count', '0'],
    ['--interval', '-1'],
    ['[::1:80'],
    ['example.com:80'],
  ]) {
    r = cli(bad);
    assert.equal(r.status, 2, `exit 2 for ${bad.join(' ')}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${bad.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    checks++;
  }
  // a terminal: redrawn in place (cursor up + clear), colors unless NO_COLOR
  if (spawnSync('sh', ['-c', 'command -v script'], { stdio: 'ignore' }).status === 0) {
    const cmd = `"${process.execPath}" --import tsx "${scriptsDir}/cli.ts" listen --interval 0.05 --count 3 --no-unix 127.0.0.1:8102`;
    const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '' },
    });
    assert.equal(tty.status, 0, tty.stderr);
    assert.match(tty.stdout, /\x1b\[\d+F\x1b\[J/, 'redraw in place');
    assert.match(tty.stdout, /\x1b\[3[13]m/, 'queued emphasized in color');
    const plain = spawnSync('script', ['-qec', cmd, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.doesNotMatch(plain.stdout, /\x1b\[3\dm/, 'NO_COLOR: no colors');
    assert.match(plain.stdout, /\x1b\[\d+F\x1b\[J/, 'NO_COLOR still redraws');
    checks++;
  }
  // Ctrl-C stops a running --interval cleanly
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', `${scriptsDir}/cli.ts`, 'listen', '--interval', '0.2', '--json'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  await waitFor(() => out.includes('\n'), 20_000, 'first sample');
  const t0 = Date.now();
  child.kill('SIGINT');
  const code = await new Promise((res) => child.on('exit', (c) => res(c)));
  assert.equal(code, 0, 'exit 0 on Ctrl-C');
  assert.ok(Date.now() - t0 < 2000, 'stops promptly');
  checks++;
} finally {
  killChildren();
  for (const c of held) c.destroy();
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`ok ${checks} checks\n`);
process.exit(0);
