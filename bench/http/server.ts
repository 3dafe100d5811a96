/**
 * Benchmark server (child process): a hello-world app of one framework twice,
 * plain and with the raindrops middleware, on two ports; prints {"plain":P,"mw":P}.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { raindropsExpress, raindropsFastify, raindropsHandler } from '../../src/http/index.ts';

const kind = process.argv[2] ?? 'node';
const hello = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hello world\n');
};

async function start(withMw: boolean): Promise<number> {
  if (kind === 'express') {
    const app = express();
    if (withMw) app.use(raindropsExpress({ name: `bench-${process.pid}` }));
    app.get('/', (_q, r) => void r.send('hello world\n'));
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    return (s.address() as AddressInfo).port;
  }
  if (kind === 'fastify') {
    const app = Fastify();
    if (withMw) await app.register(raindropsFastify, { name: `bench-${process.pid}` });
    app.get('/', async () => 'hello world\n');
    await app.listen({ port: 0, host: '127.0.0.1' });
    return (app.server.address() as AddressInfo).port;
  }
  const s = http.createServer(withMw ? raindropsHandler(hello, { name: `bench-${process.pid}` }) : hello);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

const plain = await start(false);
const mw = await start(true);
process.stdout.write(`${JSON.stringify({ plain, mw })}\n`);
