/**
 * Live UNIX listener scenarios, run as root inside a private network
 * namespace (unix sock_diag lists the sockets of the caller's namespace, so
 * the dump holds only what this script opens). Expected numbers come from
 * what the script sets up. Prints "ok <n> checks".
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unixListenerStats, unixListenerStatsSync } from '../../../src/listeners/index.ts';
import type { ListenerStats } from '../../../src/listeners/types.ts';
import { acceptedBy, connectN, killChildren, parseSsListeners, startChild, waitFor } from './lib.ts';

let checks = 0;
function check(actual: ListenerStats | undefined, expected: Partial<ListenerStats>, what: string): void {
  assert.ok(actual, `${what}: missing from the result`);
  for (const [k, v] of Object.entries(expected)) {
    assert.deepEqual((actual as unknown as Record<string, unknown>)[k], v, `${what}: ${k}`);
  }
  checks++;
}

const dir = mkdtempSync(join(tmpdir(), 'rg-unix-'));
const held: net.Socket[] = [];
const servers: net.Server[] = [];
try {
  // --- a path listener (backlog 10) that accepts 2 connections and then stops accepting; 5 clients
  const path = join(dir, 'app.sock');
  const link = join(dir, 'link.sock');
  symlinkSync(path, link);
  const blocked = await startChild('blocked.mjs', ['unix', path, 10, 2]);
  await connectN(5, { path }, held);
  await waitFor(() => acceptedBy(blocked) === 2, 10_000, '2 accepted');
  // --- an abstract name, accepting, 3 clients
  const abstractName = `rg-test-${process.pid}`;
  const abs = net.createServer((c) => held.push(c));
  await new Promise<void>((r) => abs.listen({ path: `\0${abstractName}`, backlog: 7 }, r));
  servers.push(abs);
  await connectN(3, { path: `\0${abstractName}` }, held);
  await waitFor(() => new Promise((r) => abs.getConnections((_e, n) => r(n === 3))));
  // --- an idle listener that will be closed between two calls
  const idlePath = join(dir, 'idle.sock');
  const idle = net.createServer();
  await new Promise<void>((r) => idle.listen({ path: idlePath, backlog: 3 }, r));

  const all = await unixListenerStats();
  assert.deepEqual(Object.fromEntries(unixListenerStatsSync()), Object.fromEntries(all), 'sync and async agree');
  check(all.get(path), { active: 2, queued: 3, backlog: 10, sockets: 1 }, 'path listener');
  check(all.get(`@${abstractName}`), { active: 3, queued: 0, backlog: 7 }, 'abstract listener');
  check(all.get(idlePath), { active: 0, queued: 0, backlog: 3 }, 'idle listener');
  assert.equal(all.size, 3, `only this namespace's listeners: ${[...all.keys()].join(' ')}`);

  // --- asked-for: through the symlink (keyed as given), the path itself, the abstract name, a missing one
  const asked = await unixListenerStats([link, path, `@${abstractName}`, join(dir, 'nothing.sock')], { owners: true });
  check(asked.get(link), { active: 2, queued: 3, backlog: 10 }, 'through a symlink, keyed as given');
  check(asked.get(path), { active: 2, queued: 3, backlog: 10 }, 'the path');
  check(asked.get(`@${abstractName}`), { active: 3, queued: 0 }, 'abstract, asked');
  assert.ok(!asked.has(join(dir, 'nothing.sock')), 'no listener: left out');
  assert.deepEqual(
    asked.get(path)!.owners!.map((o) => o.pid),
    [blocked.pid],
    'owner of the path listener',
  );
  assert.deepEqual(
    asked.get(`@${abstractName}`)!.owners!.map((o) => o.pid),
    [process.pid],
    'owner of the abstract one',
  );
  checks++;

  // --- queued-only
  const q = unixListenerStatsSync([path], { active: false });
  check(q.get(path), { active: 0, queued: 3, backlog: 10 }, 'queued-only');

  // --- the /proc/net/unix fallback gives the same active/queued (no backlog in that file)
  const proc = unixListenerStatsSync([link, path, `@${abstractName}`], { source: 'proc' });
  check(proc.get(link), { active: 2, queued: 3, backlog: 0 }, '/proc fallback through the symlink');
  check(proc.get(path), { active: 2, queued: 3, backlog: 0 }, '/proc fallback');
  check(proc.get(`@${abstractName}`), { active: 3, queued: 0 }, '/proc fallback, abstract');
  const procAll = unixListenerStatsSync(undefined, { source: 'proc' });
  assert.deepEqual([...procAll.keys()].sort(), [...all.keys()].sort(), 'same listeners from /proc/net/unix');
  checks++;

  // --- compare with ss -lxn
  const ss = parseSsListeners(execFileSync('ss', ['-lxn'], { encoding: 'utf8' }), true);
  for (const [k, s] of all) {
    const e = ss.get(k);
    assert.ok(e, `ss has ${k}`);
    assert.deepEqual([e.queued, e.backlog], [s.queued, s.backlog], `ss vs raingauge for ${k}`);
    checks++;
  }

  // --- closed between two calls
  await new Promise<void>((r) => idle.close(() => r()));
  const after = await unixListenerStats();
  assert.ok(!after.has(idlePath), 'closed listener gone');
  assert.equal(after.size, 2);
  checks++;
} finally {
  killChildren();
  for (const c of held) c.destroy();
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`ok ${checks} checks\n`);
process.exit(0);
