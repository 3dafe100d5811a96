import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnCli } from '../helpers/cli.ts';

test('serve --once prints one scrape (text 0.0.4, or OpenMetrics with --format)', async () => {
  const r = await spawnCli(['serve', '--once', '--collectors', 'netstat,sockstat,system']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^# TYPE node_netstat_TcpExt_ListenOverflows untyped$/m);
  assert.match(r.stdout, /^node_uname_info\{/m);
  assert.match(r.stdout, /^raingauge_scrape_collector_success\{collector="system"\} 1$/m);
  assert.doesNotMatch(r.stdout, /raingauge_listener_/);
  const om = await spawnCli(['serve', '--once', '--collectors', 'sockstat', '--format', 'openmetrics']);
  assert.equal(om.code, 0, om.stderr);
  assert.ok(om.stdout.endsWith('# EOF\n'));
});

test('serve: bad arguments exit 2 with a one-line reason', async () => {
  for (const [args, re] of [
    [['--listen', 'nonsense'], /--listen must be HOST:PORT/],
    [['--collectors', 'nope', '--once'], /unknown collector "nope"/],
    [['--listen', '0.0.0.0:0'], /--allow-remote/],
    [['--tls-cert', 'x.pem'], /--tls-cert and --tls-key go together/],
    [['--pattern', '(', '--once'], /--pattern is not a valid regular expression/],
    [['--once', '--format', 'xml'], /--format must be prometheus or openmetrics/],
  ] as const) {
    const r = await spawnCli(['serve', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});
