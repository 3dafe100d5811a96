/**
 * The `raingauge` command line. Each sub-command lives in its own module under
 * `src/cli/commands/` exporting `register(program)`, and is listed once in
 * {@link COMMANDS} with a one-line summary and a loader.
 *
 * Start-up loads only what the command needs: the named command's module
 * (and through it the kernel sources it reads); every other command is a
 * stub that carries only its summary for `--help`. `--version` never gets
 * here (bin/raingauge.js answers it from package.json).
 * @module
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { RaingaugeError } from '../errors.js';
import { guardStdout } from './output.js';
import { UsageError } from './util.js';

/** One entry per command: its name, the line `raingauge --help` shows, and its module. */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<{ register(program: Command): void }>;
}

/** Every command, in `--help` order. Add a command with one entry here. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'listen',
    summary: 'listen-queue statistics of TCP and UNIX listeners',
    load: () => import('./commands/listen.js'),
  },
  { name: 'ps', summary: 'process table from /proc', load: () => import('./commands/ps.js') },
  { name: 'proc', summary: 'everything /proc says about one process', load: () => import('./commands/proc.js') },
  { name: 'sys', summary: 'system-wide /proc and /sys metrics', load: () => import('./commands/sys.js') },
  {
    name: 'taskstats',
    summary: 'taskstats of a process or thread: CPU, I/O, delays',
    load: () => import('./commands/taskstats.js'),
  },
  {
    name: 'exits',
    summary: 'stream exiting tasks from taskstats exit events',
    load: () => import('./commands/exits.js'),
  },
  {
    name: 'delays',
    summary: 'top-like view of processes by time spent waiting',
    load: () => import('./commands/delays.js'),
  },
  {
    name: 'trace',
    summary: 'live kernel events through tracefs (needs root)',
    load: () => import('./commands/trace.js'),
  },
  {
    name: 'netstat',
    summary: 'network counters (like nstat) with deltas, rates and meanings',
    load: () => import('./commands/netstat.js'),
  },
  {
    name: 'watch',
    summary: "serve raindrops' Watcher: listener history pages, tails and a live chart",
    load: () => import('./commands/watch.js'),
  },
  {
    name: 'overflows',
    summary: 'watch listen-queue overflows and name the full listeners',
    load: () => import('./commands/overflows.js'),
  },
  {
    name: 'serve',
    summary: 'Prometheus exporter (/metrics) and live dashboard',
    load: () => import('./commands/serve.js'),
  },
];

/** The package version, from package.json (one place to bump it). */
export function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

function baseProgram(): Command {
  const program = new Command('raingauge')
    .description("The Linux kernel's own numbers about processes and sockets")
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  return program;
}

/**
 * Build the program. Commands named in `load` (default: all) are loaded and
 * registered in full; the others get a stub with their summary.
 */
export async function buildProgram(load: ReadonlySet<string> | 'all' = 'all'): Promise<Command> {
  const program = baseProgram();
  const wanted = COMMANDS.filter((c) => load === 'all' || load.has(c.name));
  const mods = await Promise.all(wanted.map((c) => c.load()));
  const loaded = new Map(wanted.map((c, i) => [c.name, mods[i]!]));
  for (const entry of COMMANDS) {
    const mod = loaded.get(entry.name);
    if (mod) {
      mod.register(program);
      program.commands.find((c) => c.name() === entry.name)?.summary(entry.summary);
    } else {
      program.command(entry.name).summary(entry.summary).description(entry.summary);
    }
  }
  const markExit = (c: Command) => {
    c.exitOverride();
    for (const s of c.commands) markExit(s);
  };
  markExit(program);
  return program;
}

/** The command `argv` runs (`help NAME` names NAME), if it names one. */
export function commandNamed(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const first = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.some((c) => c.name === first) ? first : undefined;
}

/**
 * Run the CLI with `argv` (without `node` and the script). Resolves to the exit
 * code: 0 success, 1 runtime failure, 2 bad arguments.
 */
export async function main(argv: string[]): Promise<number> {
  guardStdout();
  const name = commandNamed(argv);
  try {
    const program = await buildProgram(new Set(name ? [name] : []));
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
