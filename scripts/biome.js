#!/usr/bin/env node
// Runs the Biome linter/formatter from its platform package.
//
// The project depends on @biomejs/cli-linux-x64 directly instead of the
// @biomejs/biome wrapper: the wrapper lists every platform's binary as an
// optional dependency, and `npm ci` rejects a lock file that lacks any of
// them when the registry in use does not serve them all.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = `@biomejs/cli-${process.platform}-${process.arch}`;
let bin;
try {
  bin = require.resolve(`${pkg}/biome`);
} catch {
  process.stderr.write(`biome: ${pkg} is not installed (npm install --save-dev ${pkg}); lint skipped is not allowed\n`);
  process.exit(1);
}
const r = spawnSync(bin, process.argv.slice(2), { stdio: 'inherit' });
process.exit(r.status ?? 1);
