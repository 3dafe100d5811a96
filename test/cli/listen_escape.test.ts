/**
 * `raingauge listen` escapes control characters in socket names in its
 * human-readable output (a name is chosen by whoever binds the socket), while
 * JSON keeps the exact name; an asked listener that does not exist is reported
 * as not found with a non-zero exit.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { spawnCli } from '../helpers/cli.ts';

async function listenAbstract(name: string): Promise<net.Server> {
  const srv = net.createServer();
  srv.listen(`\0${name}`);
  await once(srv, 'listening');
  return srv;
}

for (const name of [`rg-test-${process.pid}\x1b]0;pwned\x07`, `rg-test-${process.pid}\nsecond line`]) {
  test(`listen escapes ${JSON.stringify(name)} in the table, keeps it exact in JSON`, async () => {
    const srv = await listenAbstract(name);
    try {
      const human = await spawnCli(['listen', `@${name}`]);
      assert.equal(human.code, 0, human.stderr);
      assert.doesNotMatch(human.stdout, /[\x07\x1b]/, 'no raw BEL/ESC reaches the terminal');
      assert.ok(!human.stdout.includes(name), 'the raw name (with its newline or escape) is not printed');
      const escaped = name.replace('\x1b', '\\e').replace('\x07', '\\a').replace('\n', '\\n');
      assert.ok(human.stdout.includes(`@${escaped}`), human.stdout);

      const json = await spawnCli(['listen', '--json', `@${name}`]);
      assert.equal(json.code, 0, json.stderr);
      const parsed = JSON.parse(json.stdout) as Record<string, { backlog: number }>;
      assert.deepEqual(Object.keys(parsed), [`@${name}`]);
    } finally {
      srv.close();
    }
  });
}

test('listen ADDR with no listener says not found and exits non-zero', async () => {
  // bind then close a port so that nothing listens on it now
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  await once(srv, 'close');
  const r = await spawnCli(['listen', `127.0.0.1:${port}`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, new RegExp(`no listener on 127\\.0\\.0\\.1:${port} \\(not found\\)`));
  const j = await spawnCli(['listen', '--json', `127.0.0.1:${port}`]);
  assert.notEqual(j.code, 0);
  assert.equal(j.stdout.trim(), '{}');
  assert.match(j.stderr, /not found/);
});
