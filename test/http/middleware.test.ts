/**
 * The middleware's stats endpoint and counters on a live node:http server:
 * raindrops' exact bytes (compared with ruby-raindrops' own Middleware on the
 * same listeners), a Telegraf-style parser, formats, access, 1 000 concurrent
 * stats requests, and the exchange life cycle.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { test } from 'node:test';
import {
  chooseStatsFormat,
  formatRaindropsText,
  type HttpCounters,
  instrumentServer,
  isLoopbackAddress,
  RaindropsMiddleware,
  raindropsHandler,
  safeListenerName,
} from '../../src/http/index.ts';
import { have, skipBecause } from '../helpers/env.ts';

let seq = 0;
const uniqueName = () => `test-${process.pid}-${++seq}`;

/** Local counters that record every operation, to prove exactly-once. */
function recordingCounters(): HttpCounters & { v: Record<string, number>; min: Record<string, number> } {
  const v: Record<string, number> = { calling: 0, writing: 0 };
  const min: Record<string, number> = { calling: 0, writing: 0 };
  return {
    v,
    min,
    incr: (k, n = 1) => (v[k]! += n),
    decr(k, n = 1) {
      v[k]! -= n;
      min[k] = Math.min(min[k]!, v[k]!);
      return v[k]!;
    },
    get: (k) => v[k]!,
  };
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    http
      .request({ host: '127.0.0.1', port, path, headers, method, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject)
      .end();
  });
}

/** Telegraf's inputs.raindrops parsing, re-implemented from its rules (BEHAVIOUR.md §8). */
function telegrafParse(body: string) {
  const lines = body.split(/(?<=\n)/);
  let i = 0;
  const num = (line: string) => {
    const after = line.slice(line.indexOf(':') + 1);
    assert.ok(after.endsWith('\n'), 'a counter line must end with \\n');
    assert.match(after.trim(), /^\d+$/);
    return BigInt(after.trim());
  };
  const calling = num(lines[i++]!);
  const writing = num(lines[i++]!);
  const listeners: { name: string; active: bigint; queued: bigint }[] = [];
  while (i < lines.length && lines[i] !== '\n') {
    const a = lines[i++]!.split(' ');
    const b = (lines[i++] ?? '').split(' ');
    assert.ok(a.length >= 3 && b.length >= 3, 'fewer than 3 space-separated fields would panic telegraf');
    assert.equal(a[1], 'active:');
    assert.equal(b[1], 'queued:');
    assert.equal(a[0], b[0]);
    listeners.push({ name: a[0]!, active: BigInt(a[2]!.trim()), queued: BigInt(b[2]!.trim()) });
  }
  return { calling, writing, listeners };
}

test('raindrops text: exact layout, Telegraf-style parse, names made space-free', () => {
  const s = {
    calling: 3,
    writing: 1,
    listeners: [
      { listener: '127.0.0.1:8080', family: 'inet' as const, active: 2, queued: 5, backlog: 511 },
      { listener: '[::1]:8080', family: 'inet6' as const, active: 0, queued: 0, backlog: 511 },
      { listener: '/tmp/a b.sock', family: 'unix' as const, active: 1, queued: 0, backlog: 128 },
    ],
  };
  const text = formatRaindropsText(s);
  assert.equal(
    text,
    'calling: 3\nwriting: 1\n127.0.0.1:8080 active: 2\n127.0.0.1:8080 queued: 5\n[::1]:8080 active: 0\n[::1]:8080 queued: 0\n/tmp/a%20b.sock active: 1\n/tmp/a%20b.sock queued: 0\n',
  );
  const p = telegrafParse(text);
  assert.equal(p.calling, 3n);
  assert.equal(p.writing, 1n);
  assert.deepEqual(
    p.listeners.map((l) => [l.name, l.active, l.queued]),
    [
      ['127.0.0.1:8080', 2n, 5n],
      ['[::1]:8080', 0n, 0n],
      ['/tmp/a%20b.sock', 1n, 0n],
    ],
  );
  assert.equal(safeListenerName('/run/app.sock'), '/run/app.sock');
  assert.equal(safeListenerName('/x\ny%'), '/x%0Ay%25');
  assert.equal(formatRaindropsText({ calling: 0, writing: 0, listeners: [] }), 'calling: 0\nwriting: 0\n');
});

test('format choice: ?format= wins, Accept by q, raindrops text by default', () => {
  assert.equal(chooseStatsFormat('', undefined), 'raindrops');
  assert.equal(chooseStatsFormat('', '*/*'), 'raindrops');
  assert.equal(chooseStatsFormat('', 'text/plain'), 'raindrops');
  assert.equal(chooseStatsFormat('', 'application/json'), 'json');
  assert.equal(chooseStatsFormat('', 'text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'prometheus');
  assert.equal(
    chooseStatsFormat(
      '',
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    ),
    'openmetrics',
  );
  assert.equal(chooseStatsFormat('format=json', 'text/plain;version=0.0.4'), 'json');
  assert.equal(chooseStatsFormat('a=1&format=prometheus', undefined), 'prometheus');
  assert.equal(chooseStatsFormat('format=xml', undefined), undefined);
});

test('loopback detection', () => {
  for (const a of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopbackAddress(a), a);
  for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '::2', '128.0.0.1', '127.0.0', undefined]) {
    assert.ok(!isLoopbackAddress(a), String(a));
  }
});

test('bad options are typed errors naming the value', () => {
  assert.throws(() => new RaindropsMiddleware({ path: 'x', counters: recordingCounters() }), /path must be/);
  assert.throws(
    () => new RaindropsMiddleware({ listeners: ['localhost:80'], counters: recordingCounters() }),
    /host names/,
  );
  assert.throws(
    () => new RaindropsMiddleware({ allow: ['10.0.0.0/33'], counters: recordingCounters() }),
    /prefix length/,
  );
  assert.throws(() => new RaindropsMiddleware({ allow: ['example.com'], counters: recordingCounters() }), /not an IP/);
});

test('byte-for-byte with ruby-raindrops Middleware on the same listeners', async (t) => {
  if (!have('ruby')) return void skipBecause(t, 'needs ruby and ruby-raindrops (Debian ruby-raindrops)');
  // ruby holds a TCP and a UNIX listener, each with one un-accepted client, prints its middleware's body, waits
  const script = `
    require "raindrops"; require "socket"; require "tmpdir"
    dir = Dir.mktmpdir; path = File.join(dir, "rd.sock")
    t = TCPServer.new("127.0.0.1", 0); tc = TCPSocket.new("127.0.0.1", t.addr[1])
    u = UNIXServer.new(path); uc = UNIXSocket.new(path)
    l = ["127.0.0.1:#{t.addr[1]}", path]
    mw = Raindrops::Middleware.new(nil, listeners: l)
    st, h, b = mw.call("PATH_INFO" => "/_raindrops")
    $stdout.write([l.join(" "), h["Content-Length"], b.join].to_json + "\\n") rescue $stdout.write("#{l.join(" ")}\\n#{h["Content-Length"]}\\n#{b.join.inspect}\\n")
    $stdout.flush
    $stdin.read
    File.unlink(path); Dir.rmdir(dir)`;
  const rb = spawn('ruby', ['-rjson', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(rb.stdout, 'data')) as [Buffer];
    const [listeners, contentLength, rubyBody] = JSON.parse(line.toString()) as [string, string, string];
    const mw = new RaindropsMiddleware({ listeners: listeners.split(' '), counters: recordingCounters() });
    const server = http.createServer(raindropsHandler((_q, r) => r.end(), mw));
    const port = await listen(server);
    try {
      const r = await get(port, '/_raindrops');
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'text/plain');
      assert.equal(r.headers['content-length'], contentLength);
      assert.equal(r.body, rubyBody);
      assert.match(rubyBody, / queued: 1\n.* queued: 1\n$/s);
    } finally {
      server.close();
    }
  } finally {
    rb.stdin.end();
    await once(rb, 'close');
  }
});

test('live node:http: stats path, methods, formats, not counted, 404 falls through, explicit absent listener', async () => {
  const c = recordingCounters();
  const mw = new RaindropsMiddleware({ counters: c });
  const server = http.createServer(raindropsHandler((_req, res) => res.end('app\n'), mw));
  const port = await listen(server);
  try {
    const own = `127.0.0.1:${port}`;
    const r = await get(port, '/_raindrops');
    assert.equal(r.body, `calling: 0\nwriting: 0\n${own} active: 1\n${own} queued: 0\n`);
    assert.equal(r.headers['content-length'], String(r.body.length));
    for (const m of ['POST', 'PUT', 'DELETE']) assert.equal((await get(port, '/_raindrops', {}, m)).body, r.body);
    const head = await get(port, '/_raindrops', {}, 'HEAD');
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(r.body.length));
    assert.equal((await get(port, '/_raindrops?x=1')).body, r.body);
    // not the stats path: the app answers (and is counted)
    assert.equal((await get(port, '/_raindrops/')).body, 'app\n');
    assert.equal((await get(port, '/_raindropsx')).body, 'app\n');
    const j = JSON.parse((await get(port, '/_raindrops', { accept: 'application/json' })).body);
    assert.deepEqual(j, {
      calling: 0,
      writing: 0,
      listeners: [{ listener: own, family: 'inet', active: 1, queued: 0, backlog: j.listeners[0].backlog }],
    });
    assert.ok(j.listeners[0].backlog > 0);
    const prom = await get(port, '/_raindrops?format=prometheus');
    assert.match(prom.headers['content-type']!, /^text\/plain; version=0.0.4/);
    assert.match(
      prom.body,
      new RegExp(`^raingauge_listener_active_connections\\{listener="${own}",family="inet"\\} 1$`, 'm'),
    );
    assert.match(prom.body, /^raingauge_http_requests_calling 0$/m);
    assert.match(prom.body, /^raingauge_http_responses_writing 0$/m);
    const om = await get(port, '/_raindrops', { accept: 'application/openmetrics-text; version=1.0.0' });
    assert.ok(om.body.endsWith('# EOF\n'));
    assert.equal((await get(port, '/_raindrops?format=bogus')).status, 400);
    assert.deepEqual(c.min, { calling: 0, writing: 0 });
    assert.deepEqual(c.v, { calling: 0, writing: 0 });
  } finally {
    server.close();
  }
  // explicit listeners: an absent one prints zeros (raindrops' single-address rule), order kept
  const mw2 = new RaindropsMiddleware({
    counters: recordingCounters(),
    listeners: ['127.0.0.1:1', '/nonexistent/x.sock'],
  });
  const s2 = http.createServer(raindropsHandler((_q, r) => r.end(), mw2));
  const p2 = await listen(s2);
  try {
    assert.equal(
      (await get(p2, '/_raindrops')).body,
      'calling: 0\nwriting: 0\n127.0.0.1:1 active: 0\n127.0.0.1:1 queued: 0\n/nonexistent/x.sock active: 0\n/nonexistent/x.sock queued: 0\n',
    );
  } finally {
    s2.close();
  }
});

test('access: non-allowed clients fall through to the application; allow-list and predicate open it', async () => {
  const deny = new RaindropsMiddleware({ counters: recordingCounters(), allow: ['10.0.0.0/8'] });
  const pred = new RaindropsMiddleware({
    counters: recordingCounters(),
    path: '/p',
    allow: (req) => req.headers['x-ok'] === '1',
  });
  const allow = new RaindropsMiddleware({ counters: recordingCounters(), path: '/a', allow: ['127.0.0.0/8'] });
  const app = (_req: http.IncomingMessage, res: http.ServerResponse) => res.end('app\n');
  const server = http.createServer(raindropsHandler(raindropsHandler(raindropsHandler(app, deny), pred), allow));
  const port = await listen(server);
  try {
    assert.equal((await get(port, '/_raindrops')).body, 'app\n');
    assert.equal((await get(port, '/p')).body, 'app\n');
    assert.match((await get(port, '/p', { 'x-ok': '1' })).body, /^calling: /);
    assert.match((await get(port, '/a')).body, /^calling: /);
  } finally {
    server.close();
  }
});

test('life cycle on node:http: calling inside the handler, writing while streaming, exactly once on abort and sync throw', async () => {
  const c = recordingCounters();
  const mw = new RaindropsMiddleware({ counters: c });
  const gates: (() => void)[] = [];
  const gate = () => new Promise<void>((r) => gates.push(r));
  const inner = raindropsHandler(async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === '/hold') {
      await gate();
      res.end('held\n');
    } else if (req.url === '/stream') {
      res.write('a');
      void gate().then(() => res.end('b'));
    } else if (req.url === '/callback') {
      // returns at once, answers later: still calling until it answers
      void gate().then(() => res.end('late\n'));
    } else if (req.url === '/reject') {
      throw new Error('rejects');
    } else if (req.url === '/throw-sync') {
      res.write('partial');
      throw new Error('sync');
    } else res.end('ok\n');
  }, mw);
  const server = http.createServer((req, res) => {
    try {
      const p = inner(req, res) as Promise<void>;
      p.catch(() => res.destroy());
    } catch {
      res.destroy();
    }
  });
  // a plain sync handler that throws: wrap it directly to prove calling is restored
  const throwing = raindropsHandler((_req: http.IncomingMessage, _res: http.ServerResponse) => {
    throw new Error('boom');
  }, mw);
  const port = await listen(server);
  const waitFor = async (calling: number, writing: number) => {
    for (let i = 0; i < 500 && (c.v.calling !== calling || c.v.writing !== writing); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(c.v, { calling, writing }, `waiting for ${calling}/${writing}`);
  };
  try {
    const hold = [get(port, '/hold'), get(port, '/hold')];
    const cb = get(port, '/callback');
    const stream = get(port, '/stream');
    await waitFor(3, 1);
    for (const g of gates.splice(0)) g();
    assert.deepEqual(await Promise.all(hold).then((a) => a.map((x) => x.body)), ['held\n', 'held\n']);
    assert.equal((await cb).body, 'late\n');
    assert.equal((await stream).body, 'ab');
    await waitFor(0, 0);
    // aborted clients: inside the handler and mid-body
    const sockets = ['/hold', '/stream', '/callback'].map((p) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.write(`GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`);
      return s;
    });
    await waitFor(2, 1);
    for (const s of sockets) s.destroy();
    await waitFor(1, 0); // the visible /hold handler is still running: calling until it returns
    for (const g of gates.splice(0)) g();
    await waitFor(0, 0);
    assert.throws(() => throwing({} as http.IncomingMessage, fakeRes()), /boom/);
    await waitFor(0, 0);
    assert.deepEqual(c.min, { calling: 0, writing: 0 }, 'never below zero (raindrops Proxy underflow bug)');
  } finally {
    server.close();
  }
});

/** A minimal ServerResponse stand-in for a handler that throws before touching it. */
function fakeRes(): http.ServerResponse {
  const res = new http.ServerResponse({
    method: 'GET',
    httpVersionMajor: 1,
    httpVersionMinor: 1,
  } as http.IncomingMessage);
  return res;
}

test('instrumentServer: one-line hook counts every request listener, added before or after', async () => {
  const c = recordingCounters();
  const server = http.createServer();
  const mw = instrumentServer(server, { counters: c });
  assert.equal(instrumentServer(server), mw);
  let release!: () => void;
  server.on('request', (req, res) => {
    if (req.url === '/hold') new Promise<void>((r) => (release = r)).then(() => res.end('x'));
    else res.end('y');
  });
  const port = await listen(server);
  try {
    const held = get(port, '/hold');
    for (let i = 0; i < 500 && c.v.calling !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    const r = await get(port, '/_raindrops');
    assert.equal(r.body, `calling: 1\nwriting: 0\n127.0.0.1:${port} active: 2\n127.0.0.1:${port} queued: 0\n`);
    release();
    assert.equal((await held).body, 'x');
    for (let i = 0; i < 500 && c.v.calling + c.v.writing !== 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(c.v, { calling: 0, writing: 0 });
  } finally {
    server.close();
  }
});

test('1 000 concurrent stats requests: all correct, dumps shared (bounded memory)', async () => {
  const mw = new RaindropsMiddleware({ name: uniqueName() });
  const server = http.createServer(raindropsHandler((_q, r) => r.end(), mw));
  server.maxConnections = 2000;
  const port = await listen(server);
  try {
    const heapBefore = process.memoryUsage().heapUsed;
    const N = 1000;
    const agent = new http.Agent({ keepAlive: false, maxSockets: N });
    const bodies = await Promise.all(
      Array.from(
        { length: N },
        () =>
          new Promise<string>((resolve, reject) => {
            http
              .get({ host: '127.0.0.1', port, path: '/_raindrops', agent }, (res) => {
                let b = '';
                res.on('data', (d) => (b += d));
                res.on('end', () => resolve(b));
              })
              .on('error', reject);
          }),
      ),
    );
    agent.destroy();
    const re = new RegExp(
      `^calling: 0\\nwriting: 0\\n127\\.0\\.0\\.1:${port} active: (\\d+)\\n127\\.0\\.0\\.1:${port} queued: (\\d+)\\n$`,
    );
    for (const b of bodies) {
      const m = re.exec(b);
      assert.ok(m, b);
      // each answer's dump started after its own connection was accepted
      assert.ok(Number(m[1]) >= 1);
    }
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 200 * 1024 * 1024, `heap grew ${grown} bytes`);
  } finally {
    server.close();
  }
});
