/**
 * Each framework adapter with a minimal real app (Express 5, Fastify 5 with
 * reply.hijack, Koa 3, Hono 4 on @hono/node-server) including an erroring
 * route: the stats endpoint answers raindrops' text, and calling/writing
 * count the held and streaming requests and return to 0 after errors.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import {
  type HttpCounters,
  raindropsExpress,
  raindropsFastify,
  raindropsHono,
  raindropsKoa,
} from '../../src/http/index.ts';

function counters(): HttpCounters & { v: Record<string, number>; min: Record<string, number> } {
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

function get(port: number, path: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

/** Gates the apps wait on: /hold waits before answering, /stream writes a chunk then waits. */
function gates() {
  const list: (() => void)[] = [];
  return {
    wait: () => new Promise<void>((r) => list.push(r)),
    open: () => {
      for (const f of list.splice(0)) f();
    },
  };
}

/** The common scenario over a started app on `port`. */
async function scenario(
  port: number,
  c: ReturnType<typeof counters>,
  g: ReturnType<typeof gates>,
  extra: string[] = [],
) {
  const waitFor = async (calling: number, writing: number) => {
    for (let i = 0; i < 500 && (c.v.calling !== calling || c.v.writing !== writing); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(c.v, { calling, writing });
  };
  assert.equal((await get(port, '/')).body, 'hi');
  const s = await get(port, '/_raindrops');
  assert.equal(s.status, 200);
  assert.equal(s.headers['content-type'], 'text/plain');
  assert.equal(s.body, `calling: 0\nwriting: 0\n127.0.0.1:${port} active: 1\n127.0.0.1:${port} queued: 0\n`);
  const held = [get(port, '/hold'), get(port, '/hold'), get(port, '/stream'), ...extra.map((p) => get(port, p))];
  await waitFor(2, 1 + extra.length);
  const during = await get(port, '/_raindrops');
  assert.match(
    during.body,
    new RegExp(`^calling: 2\\nwriting: ${1 + extra.length}\\n127\\.0\\.0\\.1:${port} active: ${4 + extra.length}\\n`),
  );
  g.open();
  await Promise.all(held);
  const err = await get(port, '/error');
  assert.equal(err.status, 500);
  assert.equal((await get(port, '/missing')).status, 404);
  await waitFor(0, 0);
  assert.deepEqual(c.min, { calling: 0, writing: 0 });
}

test('Express 5', async () => {
  const c = counters();
  const g = gates();
  const app = express();
  app.use(raindropsExpress({ counters: c }));
  app.get('/', (_q, r) => void r.send('hi'));
  app.get('/hold', async (_q, r) => {
    await g.wait();
    r.send('x');
  });
  app.get('/stream', (_q, r) => {
    r.write('a');
    void g.wait().then(() => r.end('b'));
  });
  app.get('/error', async () => {
    throw new Error('route fails');
  });
  app.use((err: Error, _q: express.Request, r: express.Response, _n: express.NextFunction) => {
    void err;
    r.status(500).send('err');
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await scenario((server.address() as AddressInfo).port, c, g);
  } finally {
    server.close();
  }
});

test('Fastify 5: hooks see routes, errors, 404 and reply.hijack()', async () => {
  const c = counters();
  const g = gates();
  const app = Fastify();
  await app.register(raindropsFastify, { counters: c });
  app.get('/', async () => 'hi');
  app.get('/hold', async () => {
    await g.wait();
    return 'x';
  });
  app.get('/stream', (_q, reply) => {
    reply.hijack();
    reply.raw.writeHead(200);
    reply.raw.write('a');
    void g.wait().then(() => reply.raw.end('b'));
  });
  app.get('/hijack-hold', async (_q, reply) => {
    reply.hijack();
    reply.raw.writeHead(200);
    reply.raw.write('a');
    await g.wait();
    reply.raw.end('b');
  });
  app.get('/error', async () => {
    throw new Error('route fails');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    await scenario((app.server.address() as AddressInfo).port, c, g, ['/hijack-hold']);
  } finally {
    await app.close();
  }
});

test('Koa 3', async () => {
  const c = counters();
  const g = gates();
  const app = new Koa();
  app.silent = true;
  app.use(raindropsKoa({ counters: c }));
  app.use(async (ctx) => {
    if (ctx.path === '/') ctx.body = 'hi';
    else if (ctx.path === '/hold') {
      await g.wait();
      ctx.body = 'x';
    } else if (ctx.path === '/stream') {
      ctx.respond = false;
      ctx.res.write('a');
      void g.wait().then(() => ctx.res.end('b'));
    } else if (ctx.path === '/error') throw new Error('route fails');
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await scenario((server.address() as AddressInfo).port, c, g);
  } finally {
    server.close();
  }
});

test('Hono 4 on @hono/node-server', async () => {
  const c = counters();
  const g = gates();
  const app = new Hono();
  app.use(raindropsHono({ counters: c }));
  app.get('/', (ctx) => ctx.text('hi'));
  app.get('/hold', async (ctx) => {
    await g.wait();
    return ctx.text('x');
  });
  app.get('/stream', (ctx) => {
    const body = new ReadableStream({
      async start(ctrl) {
        ctrl.enqueue(new TextEncoder().encode('a'));
        await g.wait();
        ctrl.enqueue(new TextEncoder().encode('b'));
        ctrl.close();
      },
    });
    return ctx.body(body);
  });
  app.get('/error', () => {
    throw new Error('route fails');
  });
  app.onError((_e, ctx) => ctx.text('err', 500));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as http.Server;
  if (!server.listening) await once(server, 'listening');
  try {
    await scenario((server.address() as AddressInfo).port, c, g);
  } finally {
    server.close();
  }
});
