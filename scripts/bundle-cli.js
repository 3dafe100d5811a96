#!/usr/bin/env node
// Bundles the command line (dist/cli/main.js and every command it loads) into
// dist/cli-bundle/: one entry module plus one chunk per command and the code
// they share, with commander inlined. Start-up then resolves a handful of
// files instead of ~60 (see docs/startup.md for what it saves). koffi stays
// external (a native addon). bin/raingauge.js falls back to dist/cli/main.js
// when the bundle is absent.
//
//   node scripts/bundle-cli.js        (run by `npm run build`, after tsc)
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/cli-bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [`${root}dist/cli/main.js`],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  external: ['koffi'],
  // CommonJS dependencies (commander) call require(): give the ESM bundle one
  banner: {
    js: "import { createRequire as __rgCreateRequire } from 'node:module'; const require = __rgCreateRequire(import.meta.url);",
  },
  legalComments: 'inline',
  logLevel: 'warning',
});
