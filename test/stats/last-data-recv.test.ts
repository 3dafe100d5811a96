/** LastDataRecv: live tcpi_last_data_recv of delayed accepts, TCP_DEFER_ACCEPT, and the handler's raindrops headers. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import { lastDataRecvHandler, lastDataRecvResponse } from '../../src/http/last-data-recv.ts';
import { Aggregate, recordLastDataRecv, SharedAggregate } from '../../src/stats/index.ts';
import { AF_INET, close, connect, SOCK_STREAM, send, socket } from '../../src/sys/index.ts';

function sockaddrIn(port: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  b.set([127, 0, 0, 1], 4);
  return b;
}

async function rawGet(port: number, method = 'GET'): Promise<string> {
  const c = net.connect(port, '127.0.0.1');
  c.end(`${method} /anything HTTP/1.0\r\n\r\n`);
  let out = '';
  c.setEncoding('latin1');
  c.on('data', (d) => {
    out += d;
  });
  await once(c, 'close');
  return out;
}

test('an http.Server that stops accepting for a known time records that wait (within 20 ms) per connection', async () => {
  const agg = new Aggregate();
  const recorded: number[] = [];
  const server = http.createServer((_req, res) => res.end('ok'));
  const rec = recordLastDataRecv(server, {
    aggregate: {
      add(v) {
        recorded.push(v);
        agg.add(v);
      },
    },
  });
  const acceptedAt: number[] = [];
  server.on('connection', () => acceptedAt.push(performance.now()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  assert.equal(rec.deferAccept(server), 63, 'TCP_DEFER_ACCEPT 60 s reads back as 63 (kernel retransmission steps)');
  const port = (server.address() as net.AddressInfo).port;
  const fds: number[] = [];
  for (let i = 0; i < 5; i++) {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    connect(fd, sockaddrIn(port));
    send(fd, Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    fds.push(fd);
  }
  const sentAt = performance.now();
  // the application does not accept for 300 ms: its event loop is busy
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  while (agg.count < 5) await new Promise((r) => setTimeout(r, 5));
  assert.equal(rec.recorded, 5);
  for (let i = 0; i < 5; i++) {
    // the recorder runs first on each connection, then this test's listener stamps the accept time
    const waited = acceptedAt[i]! - sentAt;
    assert.ok(
      Math.abs(recorded[i]! - waited) <= 20,
      `connection ${i}: recorded ${recorded[i]} ms, waited ${waited.toFixed(1)} ms`,
    );
  }
  assert.ok(agg.min! >= 280, `recorded ${agg.min} ms after a 300 ms stall`);
  for (const fd of fds) close(fd);
  rec.stop();
  server.closeAllConnections();
  server.close();
});

test('deferAcceptSeconds: false leaves the option alone; a custom value is applied; bad values are typed errors', async () => {
  const a = net.createServer((s) => s.destroy());
  const b = net.createServer((s) => s.destroy());
  a.listen(0, '127.0.0.1');
  b.listen(0, '127.0.0.1');
  await Promise.all([once(a, 'listening'), once(b, 'listening')]);
  const ra = recordLastDataRecv(a, { aggregate: new Aggregate(), deferAcceptSeconds: false });
  const rb = recordLastDataRecv([b], { aggregate: new Aggregate(), deferAcceptSeconds: 5 });
  assert.equal(ra.deferAccept(a), undefined);
  assert.ok(rb.deferAccept(b)! >= 5);
  assert.throws(() => recordLastDataRecv(a, { deferAcceptSeconds: -1 }), { name: 'InvalidArgumentError' });
  assert.throws(() => recordLastDataRecv({} as net.Server), { name: 'InvalidArgumentError' });
  ra.stop();
  rb.stop();
  a.close();
  b.close();
});

test('handler: raindrops LastDataRecv headers in order (X-* only when count > 1), histogram body, HEAD without body', async () => {
  const empty = lastDataRecvResponse(new Aggregate());
  assert.deepEqual(empty.headers, [
    ['Content-Type', 'text/plain'],
    ['X-Count', '0'],
    ['Content-Length', '15'],
  ]);
  assert.equal(empty.body, 'Empty histogram');
  const one = new Aggregate();
  one.add(5);
  assert.deepEqual(lastDataRecvResponse(one).headers, [
    ['Content-Type', 'text/plain'],
    ['X-Count', '1'],
    ['Content-Length', '251'],
  ]);
  const shared = new SharedAggregate();
  for (const v of [5, 10, 20, 1000]) shared.add(v);
  const server = http.createServer(lastDataRecvHandler(shared));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const res = await rawGet(port);
  const [head, body] = res.split('\r\n\r\n');
  const lines = head!.split('\r\n').filter((l) => /^(Content-|X-)/.test(l));
  assert.deepEqual(lines, [
    'Content-Type: text/plain',
    'X-Count: 4',
    'X-Min: 5',
    'X-Max: 1000',
    'X-Mean: 259',
    'X-Std-Dev: 494',
    'X-Outliers-Low: 0',
    'X-Outliers-High: 0',
    'Content-Length: 502',
  ]);
  assert.equal(body, shared.read().toString());
  const headRes = await rawGet(port, 'HEAD');
  assert.equal(headRes.split('\r\n\r\n')[1], '');
  server.close();
  shared.close();
});
