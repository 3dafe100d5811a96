/**
 * The `raingauge` command line. Each sub-command lives in its own module under
 * `src/cli/commands/` and registers itself on the commander program.
 * @module
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { RaingaugeError } from '../errors.js';
import { register as registerDelays } from './commands/delays.js';
import { register as registerExits } from './commands/exits.js';
import { register as registerListen } from './commands/listen.js';
import { register as registerNetstat } from './commands/netstat.js';
import { register as registerOverflows } from './commands/overflows.js';
import { register as registerProc } from './commands/proc.js';
import { register as registerPs } from './commands/ps.js';
import { register as registerSys } from './commands/sys.js';
import { register as registerTaskstats } from './commands/taskstats.js';
import { register as registerTrace } from './commands/trace.js';
import { UsageError } from './util.js';

/** The package version, from package.json (one place to bump it). */
const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Build the commander program with every sub-command registered. */
export function buildProgram(): Command {
  const program = new Command('raingauge')
    .description("The Linux kernel's own numbers about processes and sockets")
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const reg of [
    registerListen,
    registerPs,
    registerProc,
    registerSys,
    registerTaskstats,
    registerExits,
    registerDelays,
    registerTrace,
    registerNetstat,
    registerOverflows,
  ]) {
    reg(program);
  }
  for (const c of program.commands) c.exitOverride();
  return program;
}

/**
 * Run the CLI with `argv` (without `node` and the script). Resolves to the exit
 * code: 0 success, 1 runtime failure, 2 bad arguments.
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; every usage problem exits 2 (commander already printed the reason)
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`raingauge: ${err.message}\n`);
      return 2;
    }
    if (err instanceof RaingaugeError) {
      process.stderr.write(`raingauge: ${err.message}\n`);
      return err.code === 'ERR_RAINGAUGE_INVALID_ARGUMENT' ? 2 : 1;
    }
    throw err;
  }
}
