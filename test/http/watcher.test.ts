/**
 * The watcher on a live server: every route and header, reset, tail filters,
 * HEAD/404/405, mounting under a prefix, a disappearing listener.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { rubyFloat, tailLine, Watcher } from '../../src/http/index.ts';

function req(port: number, path: string, method = 'GET', headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    http
      .request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject)
      .end();
  });
}

async function listen(s: net.Server, host = '127.0.0.1'): Promise<number> {
  s.listen(0, host);
  await once(s, 'listening');
  return (s.address() as AddressInfo).port;
}

test('rubyFloat and tail line formats follow Ruby', () => {
  assert.equal(rubyFloat(1), '1.0');
  assert.equal(rubyFloat(5.5), '5.5');
  assert.equal(rubyFloat(1 / 11), '0.09090909090909091');
  assert.equal(rubyFloat(Number.NaN), 'NaN');
  assert.equal(rubyFloat(0), '0.0');
  assert.equal(rubyFloat(1e-5), '1.0e-05');
  assert.equal(rubyFloat(1e20), '1.0e+20');
  // raindrops' verbatim tail line (0x3b = 59 bytes)
  const l = tailLine(new Date('2026-12-03T13:25:00Z'), '127.0.0.1:18090', 0, 1);
  assert.equal(l, '2026-12-03T13:25:00Z 127.0.0.1:18090          0          1\n');
  assert.equal(l.length, 0x3b);
});

test('watcher: index, histograms and X-* headers, HEAD, 404/405/400, reset, tail filters, prefix, disappearing listener', async () => {
  // a listener with one queued (never accepted) client: a net server paused by pauseOnConnect still accepts,
  // so hold the queue with a server that stops accepting: backlog via a listener we never read from
  const target = net.createServer({ pauseOnConnect: true });
  const accepted: net.Socket[] = [];
  target.on('connection', (c) => accepted.push(c));
  const tport = await listen(target);
  const addr = `127.0.0.1:${tport}`;
  const client = net.connect(tport, '127.0.0.1');
  await once(client, 'connect');
  const w = new Watcher({ listeners: [addr], delay: 0.05 });
  const mount = '/watch';
  const server = http.createServer((rq, rs) => {
    // mounted under a prefix: strip it like Express does
    if (rq.url === mount) {
      rs.writeHead(301, { Location: `${mount}/` }).end();
      return;
    }
    if (rq.url?.startsWith(`${mount}/`)) {
      rq.url = rq.url.slice(mount.length);
      w.handler(rq, rs);
    } else rs.writeHead(404).end();
  });
  const port = await listen(server);
  const p = (s: string) => `${mount}${s}`;
  const e = encodeURIComponent(addr);
  try {
    // first request never hangs and sees a sample
    const idx = await req(port, p('/'));
    assert.equal(idx.status, 200);
    assert.equal(idx.headers['content-type'], 'text/html');
    assert.ok(idx.headers['last-modified'] && idx.headers.expires);
    assert.ok(idx.body.includes(`<a href='tail/${e}.txt'`), 'relative links');
    assert.ok(idx.body.includes(`href='active/${e}.html'`));
    assert.ok(idx.body.includes(`action='reset/${e}'`));
    assert.ok(idx.body.includes("src='assets/uPlot.iife.min.js'"));
    // wait for a few samples
    for (let i = 0; i < 200; i++) {
      const r = await req(port, p(`/active/${e}.txt`));
      if (Number(r.headers['x-count']) >= 20) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const act = await req(port, p(`/active/${e}.txt`));
    assert.equal(act.status, 200);
    assert.equal(act.headers['content-type'], 'text/plain');
    for (const h of [
      'x-count',
      'x-min',
      'x-max',
      'x-mean',
      'x-std-dev',
      'x-outliers-low',
      'x-outliers-high',
      'x-last-reset',
      'x-current',
      'x-first-peak-at',
      'x-last-peak-at',
      'expires',
    ]) {
      assert.ok(h in act.headers, h);
    }
    // the pauseOnConnect server accepted the client: active 1 on every sample
    assert.equal(act.headers['x-current'], '1');
    assert.equal(act.headers['x-min'], '1');
    assert.equal(act.headers['x-mean'], '1.0');
    assert.equal(act.headers['x-std-dev'], '0.0');
    assert.match(act.body, /^value \|-+\| count\n {4}1 \|@+ +\| +\d+\n {6}~\nTotal \|-+\| +\d+\n$/);
    assert.equal(act.headers['content-length'], String(act.body.length));
    const q = await req(port, p(`/queued/${e}.txt`));
    assert.equal(q.headers['x-current'], '0');
    assert.equal(q.body, 'Empty histogram');
    assert.equal(q.headers['x-outliers-low'], q.headers['x-count'], 'zeros are low outliers');
    assert.equal(q.headers['x-min'], '0');
    const html = await req(port, p(`/queued/${e}.html`));
    assert.equal(html.headers['content-type'], 'text/html');
    assert.ok(html.body.includes(`<form action='../reset/${e}' method='post'>`));
    assert.ok(html.body.includes('<tr><td>Count</td>'));
    const head = await req(port, p(`/active/${e}.txt`), 'HEAD');
    assert.equal(head.body, '');
    assert.ok(Number(head.headers['content-length']) > 0);
    // bad input
    assert.equal((await req(port, p('/active/9.9.9.9%3A1.txt'))).status, 404);
    assert.match((await req(port, p('/active/9.9.9.9%3A1.txt'))).body, /no such listener/);
    assert.equal((await req(port, p('/active/%E0%A4%A.txt'))).status, 400);
    assert.equal((await req(port, p('/nope'))).status, 404);
    assert.equal((await req(port, p('/active/.txt'))).status, 404);
    const m405 = await req(port, p(`/active/${e}.txt`), 'PUT');
    assert.equal(m405.status, 405);
    assert.equal(m405.headers.allow, 'GET, HEAD');
    assert.equal((await req(port, p(`/reset/${e}`), 'GET')).status, 405);
    assert.equal((await req(port, p('/reset/1.2.3.4%3A5'), 'POST')).status, 404);
    // reset: aggregates cleared, peaks kept, 302 with a valid relative Location
    const before = await req(port, p(`/active/${e}.txt`));
    const reset = await req(port, p(`/reset/${e}`), 'POST');
    assert.equal(reset.status, 302);
    assert.equal(reset.headers.location, '../');
    assert.equal(new URL(reset.headers.location!, `http://127.0.0.1:${port}${p(`/reset/${e}`)}`).pathname, `${mount}/`);
    const ref = await req(port, p(`/reset/${e}`), 'POST', {
      referer: `http://127.0.0.1:${port}${mount}/`,
      host: `127.0.0.1:${port}`,
    });
    assert.equal(ref.headers.location, `http://127.0.0.1:${port}${mount}/`);
    const evil = await req(port, p(`/reset/${e}`), 'POST', { referer: 'http://evil.example/' });
    assert.equal(evil.headers.location, '../');
    const after = await req(port, p(`/active/${e}.txt`));
    assert.ok(Number(after.headers['x-count']) < Number(before.headers['x-count']), 'the aggregate was cleared');
    assert.ok(Date.parse(String(after.headers['x-last-reset'])) >= Date.parse(String(before.headers['x-last-reset'])));
    assert.equal(after.headers['x-first-peak-at'], before.headers['x-first-peak-at']);
    // prefix: the bare mount point redirects to the slash so relative links resolve
    assert.equal((await req(port, mount)).status, 301);
    // tail: lines with the filter, chunked; a queued_min filter that nothing passes gives no lines
    const lines = await tail(port, p(`/tail/${e}.txt?active_min=1`), 2);
    assert.equal(lines.length, 2);
    for (const l of lines)
      assert.match(
        l,
        new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ ${addr.replace(/\./g, '\\.')} {10}1 {10}0$`),
      );
    const none = await tail(port, p(`/tail/${e}.txt?queued_min=2`), 1, 300);
    assert.equal(none.length, 0);
    assert.equal((await req(port, p(`/tail/${e}.txt?active_min=x`))).status, 400);
    assert.equal((await req(port, p(`/tail/${e}.txt`), 'HEAD')).status, 200);
    assert.equal((await req(port, p('/history.json'))).status, 200);
    // a disappearing listener: its tail rows end, the pages keep its history, nothing crashes
    const t2 = tailStream(port, p(`/tail/${e}.txt`));
    await t2.lines(1);
    client.destroy();
    for (const c of accepted) c.destroy();
    target.close();
    await once(target, 'close');
    const n = t2.count();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(t2.count() <= n + 1, 'rows end when the listener is gone');
    t2.close();
    const gone = await req(port, p(`/active/${e}.txt`));
    assert.equal(gone.status, 200);
    assert.equal(gone.headers['x-current'], '0');
    assert.ok(!(await req(port, p('/'))).body.includes(`>${addr}<`));
  } finally {
    w.close();
    client.destroy();
    for (const c of accepted) c.destroy();
    if (target.listening) target.close();
    server.close();
  }
});

test('tail never blocks server.close(): the stream ends once the server stops listening', async () => {
  const w = new Watcher({ delay: 0.05 });
  const server = http.createServer(w.handler);
  const port = await listen(server);
  const t = tailStream(port, '/tail/127.0.0.1%3A1.txt');
  await new Promise((r) => setTimeout(r, 100));
  const closed = once(server, 'close');
  server.close();
  await closed; // would hang forever with raindrops' Tailer
  await t.ended;
  w.close();
});

function tailStream(port: number, path: string) {
  const got: string[] = [];
  let buf = '';
  const waiters: (() => void)[] = [];
  let r!: http.ClientRequest;
  const ended = new Promise<void>((resolve) => {
    r = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      assert.equal(res.headers['transfer-encoding'], 'chunked');
      assert.equal(res.headers['cache-control'], 'no-transform');
      assert.equal(res.headers.expires, 'Thu, 01 Jan 1970 00:00:00 GMT');
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let i = buf.indexOf('\n');
        while (i !== -1) {
          got.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
          i = buf.indexOf('\n');
        }
        for (const w of waiters.splice(0)) w();
      });
      res.on('end', resolve);
      res.on('close', resolve);
    });
    r.on('error', () => resolve());
  });
  return {
    ended,
    count: () => got.length,
    async lines(n: number) {
      while (got.length < n) await new Promise<void>((res) => waiters.push(res));
      return got.slice(0, n);
    },
    close: () => r.destroy(),
  };
}

async function tail(port: number, path: string, n: number, maxMs = 10_000): Promise<string[]> {
  const t = tailStream(port, path);
  await Promise.race([t.lines(n), new Promise((r) => setTimeout(r, maxMs))]);
  t.close();
  return t
    .lines(0)
    .then(() => [])
    .then(() => (t.count() >= n ? t.lines(n) : Promise.resolve([])));
}
