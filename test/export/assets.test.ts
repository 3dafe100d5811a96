import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { NotFoundError } from '../../src/errors.ts';
import {
  contentTypeOfName,
  etagMatches,
  makeAsset,
  UPLOT_ASSET_NAMES,
  uplotAsset,
  uplotAssetHandler,
  uplotAssetPath,
  uplotVersion,
} from '../../src/export/assets.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('uPlot assets from node_modules', () => {
  test('resolves the installed files; bytes are the package files', () => {
    for (const n of UPLOT_ASSET_NAMES) {
      const p = uplotAssetPath(n);
      assert.match(p, /node_modules\/uplot\/dist\//);
      assert.deepEqual(uplotAsset(n).body, readFileSync(p));
    }
    assert.match(uplotVersion(), /^1\.6\./);
    assert.equal(uplotAsset('uPlot.min.css').contentType, 'text/css; charset=utf-8');
    assert.equal(uplotAsset('uPlot.iife.min.js').contentType, 'text/javascript; charset=utf-8');
    assert.throws(() => uplotAsset('../package.json'), NotFoundError);
  });

  test('ETag is stable per content and differs between contents', () => {
    const a = makeAsset('a.js', 'x');
    assert.equal(a.etag, makeAsset('b.js', 'x').etag);
    assert.notEqual(a.etag, makeAsset('a.js', 'y').etag);
    assert.match(a.etag, /^"[A-Za-z0-9_-]+"$/);
    assert.equal(etagMatches(`"zz", ${a.etag}`, a.etag), true);
    assert.equal(etagMatches(`W/${a.etag}`, a.etag), true);
    assert.equal(etagMatches('*', a.etag), true);
    assert.equal(etagMatches('"other"', a.etag), false);
    assert.equal(etagMatches(undefined, a.etag), false);
    assert.equal(contentTypeOfName('x.unknown'), 'application/octet-stream');
  });
});

describe('uplotAssetHandler over HTTP', () => {
  const handler = uplotAssetHandler('/assets/');
  const server = createServer((req, res) => {
    if (!handler(req, res)) {
      res.statusCode = 404;
      res.end('nope');
    }
  });
  let port = 0;
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('200 with ETag and cache headers, 304 on revalidation, gzip when accepted', async () => {
    const js = await get(port, '/assets/uPlot.iife.min.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=3600');
    assert.equal(js.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(js.body, readFileSync(uplotAssetPath('uPlot.iife.min.js')));
    const etag = js.headers.etag as string;
    assert.ok(etag);
    const again = await get(port, '/assets/uPlot.iife.min.js', { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const gz = await get(port, '/assets/uPlot.min.css?v=1', { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), readFileSync(uplotAssetPath('uPlot.min.css')));
    const head = await get(port, '/assets/uPlot.min.css', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  test('other paths fall through; other methods get 405', async () => {
    assert.equal((await get(port, '/assets/../package.json')).status, 404);
    assert.equal((await get(port, '/assets/uPlot.d.ts')).status, 404);
    assert.equal((await get(port, '/other')).status, 404);
    const post = await get(port, '/assets/uPlot.min.css', {}, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });
});
