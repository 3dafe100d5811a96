import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { InvalidArgumentError } from '../../src/errors.ts';
import type { Collector } from '../../src/export/collector.ts';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_TEXT_CONTENT_TYPE } from '../../src/export/exposition.ts';
import { type Exporter, isLoopbackHost, startExporter } from '../../src/export/server.ts';
import { have, skipBecause } from '../helpers/env.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
  extra: { ca?: string; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = fn(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, headers, method, ca: extra.ca, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(extra.body);
  });
}

/** A collector whose value the test sets, and that can be held mid-collect. */
function fakeCollector(name: string) {
  let value = 1;
  let gate: Promise<void> | undefined;
  const c: Collector & { set(v: number): void; hold(): () => void; calls: number } = {
    name,
    description: 'test',
    calls: 0,
    set(v) {
      value = v;
    },
    hold() {
      let release!: () => void;
      gate = new Promise<void>((r) => {
        release = r;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
    async collect(ctx) {
      c.calls++;
      if (gate) await gate;
      if (name === 'broken') throw new Error('boom');
      if (name === 'partial') ctx.degraded('no_cap_test', 'needs CAP_TEST');
      return [
        {
          name: `test_${name}_value`,
          help: `Value of ${name}.`,
          type: 'gauge',
          series: [{ labels: { k: 'v' }, value }],
        },
      ];
    },
  };
  return c;
}

const dirs: string[] = [];
const exporters: Exporter[] = [];
after(async () => {
  for (const e of exporters) await e.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'rg-export-'));
  dirs.push(d);
  return d;
}
async function start(
  opts: Partial<Parameters<typeof startExporter>[0]> & { collectors: Collector[] },
): Promise<Exporter> {
  const e = await startExporter({ port: 0, dashboard: false, ...opts });
  exporters.push(e);
  return e;
}

describe('serve: /metrics', () => {
  test('text 0.0.4 by default, OpenMetrics by Accept, gzip, HEAD, meta families', async () => {
    const a = fakeCollector('alpha');
    const e = await start({ collectors: [a, fakeCollector('broken'), fakeCollector('partial')] });
    const r = await get(`${e.url}/metrics`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], PROMETHEUS_TEXT_CONTENT_TYPE);
    const text = r.body.toString();
    assert.match(text, /^test_alpha_value\{k="v"\} 1$/m);
    assert.match(text, /^raingauge_scrape_collector_success\{collector="alpha"\} 1$/m);
    assert.match(text, /^raingauge_scrape_collector_success\{collector="broken"\} 0$/m);
    assert.match(text, /^raingauge_scrape_collector_degraded\{collector="partial",reason="no_cap_test"\} 1$/m);
    assert.match(text, /^raingauge_scrape_collector_duration_seconds\{collector="alpha"\} [0-9.e-]+$/m);
    a.set(7);
    const om = await get(`${e.url}/metrics`, {
      Accept: 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2',
      'Accept-Encoding': 'gzip',
    });
    assert.equal(om.headers['content-type'], OPENMETRICS_CONTENT_TYPE);
    assert.equal(om.headers['content-encoding'], 'gzip');
    const omText = gunzipSync(om.body).toString();
    assert.match(omText, /^test_alpha_value\{k="v"\} 7$/m);
    assert.ok(omText.endsWith('# EOF\n'));
    const head = await get(`${e.url}/metrics`, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  test('collect[] and exclude[] select collectors; both or unknown names are 400', async () => {
    const e = await start({ collectors: [fakeCollector('alpha'), fakeCollector('beta')] });
    const only = (await get(`${e.url}/metrics?collect[]=beta`)).body.toString();
    assert.ok(only.includes('test_beta_value') && !only.includes('test_alpha_value'));
    const excl = (await get(`${e.url}/metrics?exclude%5B%5D=beta`)).body.toString();
    assert.ok(excl.includes('test_alpha_value') && !excl.includes('test_beta_value'));
    assert.equal((await get(`${e.url}/metrics?collect[]=alpha&exclude[]=beta`)).status, 400);
    const bad = await get(`${e.url}/metrics?collect[]=gamma`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.toString(), /unknown collector "gamma" \(have: alpha, beta\)/);
  });

  test('/-/healthy, 404, 405, 413, 414', async () => {
    const e = await start({ collectors: [fakeCollector('alpha')] });
    assert.equal((await get(`${e.url}/-/healthy`)).status, 200);
    assert.equal((await get(`${e.url}/nothing`)).status, 404);
    const post = await get(`${e.url}/metrics`, { 'Content-Type': 'text/plain' }, 'POST', { body: 'x' });
    assert.equal(post.status, 405);
    const body = await get(`${e.url}/metrics`, { 'Content-Length': '3' }, 'GET', { body: 'abc' });
    assert.equal(body.status, 413);
    assert.equal((await get(`${e.url}/metrics?${'a'.repeat(9000)}`)).status, 414);
  });

  test('a scrape past the concurrency cap gets 503; the held ones finish', async () => {
    const a = fakeCollector('alpha');
    const e = await start({ collectors: [a], maxConcurrentScrapes: 2 });
    const release = a.hold();
    const p1 = get(`${e.url}/metrics`);
    const p2 = get(`${e.url}/metrics`);
    while (a.calls < 2) await new Promise((r) => setTimeout(r, 5));
    const third = await get(`${e.url}/metrics`);
    assert.equal(third.status, 503);
    assert.equal(third.headers['retry-after'], '1');
    release();
    assert.equal((await p1).status, 200);
    assert.equal((await p2).status, 200);
    assert.equal((await get(`${e.url}/metrics`)).status, 200);
  });

  test('a scrape over the scrape timeout gets 503', async () => {
    const a = fakeCollector('alpha');
    const e = await start({ collectors: [a], scrapeTimeoutMs: 50 });
    const release = a.hold();
    const r = await get(`${e.url}/metrics`);
    release();
    assert.equal(r.status, 503);
    assert.match(r.body.toString(), /timed out/);
  });

  test('a client that sends half a request is cut off by the header timeout', async () => {
    const e = await start({ collectors: [fakeCollector('alpha')], requestTimeoutMs: 300 });
    const closed = await new Promise<string>((resolve) => {
      const s = connect(e.port, '127.0.0.1', () => s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'));
      let got = '';
      s.on('data', (d) => {
        got += d.toString();
      });
      s.on('close', () => resolve(got));
    });
    assert.match(closed, /^HTTP\/1\.1 408|^$/);
  });
});

describe('serve: security', () => {
  test('loopback only unless allowRemote', async () => {
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('::1'), true);
    assert.equal(isLoopbackHost('[::1]'), true);
    assert.equal(isLoopbackHost('localhost'), true);
    assert.equal(isLoopbackHost('0.0.0.0'), false);
    assert.equal(isLoopbackHost('10.1.2.3'), false);
    await assert.rejects(
      startExporter({ collectors: [], host: '0.0.0.0', port: 0 }),
      (err: unknown) => err instanceof InvalidArgumentError && /--allow-remote/.test(err.message),
    );
  });

  test('bearer token from a file', async () => {
    const d = tmp();
    writeFileSync(join(d, 'token'), 's3cret\n', { mode: 0o600 });
    const e = await start({
      collectors: [fakeCollector('alpha')],
      auth: { type: 'bearer', tokenFile: join(d, 'token') },
    });
    const no = await get(`${e.url}/metrics`);
    assert.equal(no.status, 401);
    assert.match(String(no.headers['www-authenticate']), /^Bearer/);
    assert.equal((await get(`${e.url}/metrics`, { Authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await get(`${e.url}/metrics`, { Authorization: 'Bearer s3cret' })).status, 200);
    assert.equal((await get(`${e.url}/-/healthy`)).status, 200);
  });

  test('basic auth from a file; an empty or malformed file is a typed error', async () => {
    const d = tmp();
    writeFileSync(join(d, 'users'), '# users\nprom:pa:ss\nother:x\n', { mode: 0o600 });
    const e = await start({
      collectors: [fakeCollector('alpha')],
      auth: { type: 'basic', usersFile: join(d, 'users') },
    });
    const b = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    assert.equal((await get(`${e.url}/metrics`)).status, 401);
    assert.equal((await get(`${e.url}/metrics`, { Authorization: b('prom:wrong') })).status, 401);
    assert.equal((await get(`${e.url}/metrics`, { Authorization: b('prom:pa:ss') })).status, 200);
    assert.equal((await get(`${e.url}/metrics`, { Authorization: b('other:x') })).status, 200);
    writeFileSync(join(d, 'bad'), 'nocolon\n');
    await assert.rejects(
      startExporter({ collectors: [], port: 0, auth: { type: 'basic', usersFile: join(d, 'bad') } }),
      InvalidArgumentError,
    );
    await assert.rejects(
      startExporter({ collectors: [], port: 0, auth: { type: 'bearer', tokenFile: join(d, 'missing') } }),
      /cannot read/,
    );
  });

  test('TLS from cert and key files (self-signed, made by openssl here)', async (t) => {
    if (!have('openssl')) {
      skipBecause(t, 'needs openssl to make a test certificate');
      return;
    }
    const d = tmp();
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(d, 'key.pem'),
        '-out',
        join(d, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const e = await start({
      collectors: [fakeCollector('alpha')],
      tls: { certFile: join(d, 'cert.pem'), keyFile: join(d, 'key.pem') },
    });
    assert.match(e.url, /^https:/);
    const ca = spawnSync('cat', [join(d, 'cert.pem')], { encoding: 'utf8' }).stdout;
    const ok = await get(`${e.url}/metrics`, {}, 'GET', { ca });
    assert.equal(ok.status, 200);
    assert.match(ok.body.toString(), /test_alpha_value/);
    await assert.rejects(get(`${e.url}/metrics`), /self.signed|certificate/i);
  });
});
