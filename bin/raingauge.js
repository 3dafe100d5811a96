#!/usr/bin/env node
import { readFileSync } from 'node:fs';
// The `raingauge` command. Kept tiny: start-up time is most of a one-shot
// command's run time (see docs/startup.md).
import module from 'node:module';

// Node >= 22.1: reuse compiled code between runs (cached under the OS temp dir)
module.enableCompileCache?.();

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // answered without loading the CLI at all
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  // the bundled CLI (npm run build); the plain tsc output when the bundle is absent
  const { main } = await import('../dist/cli-bundle/main.js').catch((err) => {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return import('../dist/cli/main.js');
  });
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    process.stderr.write(`raingauge: ${err?.message ?? err}\n`);
    process.exitCode = 1;
  }
}
