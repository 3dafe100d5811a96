/**
 * Live cluster scenario (run inside a private network namespace by
 * test/http/cluster.test.ts): a primary forks 2 workers serving node:http with
 * raindropsHandler on one shared listener; the primary holds requests inside
 * the handler and slow streamed bodies, reads /_raindrops, aborts or releases
 * them, and prints what it saw as JSON.
 */
import cluster from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import { raindropsHandler } from '../../../src/http/index.ts';

const PORT = 18181;
const HOLD = 3;
const STREAM = 2;

if (cluster.isWorker) {
  const releases = new Set<() => void>();
  process.on('message', (m) => {
    if (m === 'release') for (const r of [...releases]) r();
  });
  process.on('unhandledRejection', () => {});
  process.on('uncaughtException', () => {});
  const waitRelease = (res: http.ServerResponse) =>
    new Promise<void>((resolve) => {
      const done = () => {
        releases.delete(done);
        resolve();
      };
      releases.add(done);
      res.on('close', done);
    });
  const app = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === '/hold') {
      await waitRelease(res);
      if (!res.destroyed) res.end('held\n');
    } else if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk\n');
      void waitRelease(res).then(() => res.end('last chunk\n'));
    } else if (req.url === '/reject') {
      throw new Error('handler rejects');
    } else if (req.url === '/throw') {
      // a sync throw from a non-async handler
      return syncThrow();
    } else res.end('hello\n');
  };
  const syncThrow = () => {
    throw new Error('handler throws');
  };
  http.createServer(raindropsHandler(app)).listen(PORT, '127.0.0.1', () => process.send!('ready'));
} else {
  const get = (path: string) =>
    new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: PORT, path, agent: false }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
  /** Open a request and resolve once its headers are out (the server has it). */
  const open = (path: string) => {
    const s = net.connect(PORT, '127.0.0.1');
    s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    s.on('error', () => {});
    return s;
  };
  const stats = () => get('/_raindrops');
  const until = async (want: (body: string) => boolean) => {
    let last = '';
    for (let i = 0; i < 400; i++) {
      last = await stats();
      if (want(last)) return last;
      await new Promise((r) => setTimeout(r, 25));
    }
    return last;
  };
  const out: Record<string, string> = {};
  let ready = 0;
  for (let i = 0; i < 2; i++) cluster.fork().on('message', (m) => m === 'ready' && ++ready === 2 && void run());
  async function run() {
    out.idle = await stats();
    const held = Array.from({ length: HOLD }, () => open('/hold'));
    const streams = Array.from({ length: STREAM }, () => open('/stream'));
    out.busy = await until((b) => b.startsWith(`calling: ${HOLD}\nwriting: ${STREAM}\n`));
    // release: every held request answers and every stream ends
    for (const w of Object.values(cluster.workers!)) w!.send('release');
    out.released = await until((b) => b.startsWith('calling: 0\nwriting: 0\n') && b.includes(' queued: 0'));
    for (const s of [...held, ...streams]) s.destroy();
    // aborting clients: hold and stream again, then destroy the client sockets
    const again = [
      ...Array.from({ length: HOLD }, () => open('/hold')),
      ...Array.from({ length: STREAM }, () => open('/stream')),
    ];
    out.busy2 = await until((b) => b.startsWith(`calling: ${HOLD}\nwriting: ${STREAM}\n`));
    for (const s of again) s.destroy();
    out.aborted = await until(
      (b) => b.startsWith('calling: 0\nwriting: 0\n') && b.includes(`127.0.0.1:${PORT} active: 1\n`),
    );
    // throwing and rejecting handlers (their responses stay open until the client gives up)
    const bad = [open('/throw'), open('/reject'), open('/throw'), open('/reject')];
    await new Promise((r) => setTimeout(r, 200));
    out.failing = await stats();
    for (const s of bad) s.destroy();
    out.after = await until((b) => b.includes(`127.0.0.1:${PORT} active: 1\n`));
    process.stdout.write(`${JSON.stringify({ port: PORT, hold: HOLD, stream: STREAM, out })}\n`);
    for (const w of Object.values(cluster.workers!)) w!.kill();
    process.exit(0);
  }
}
