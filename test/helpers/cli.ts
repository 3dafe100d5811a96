/**
 * Run the raingauge CLI from source (through tsx) in a child process, as a
 * user runs `raingauge <args>`: for end-to-end tests of the commands.
 */
import { runCapture, type ScriptResult } from './env.ts';

const RUN = "import { main } from './src/cli/main.ts'; process.exitCode = await main(process.argv.slice(1));";

/**
 * Run `raingauge <args>` from source in the repository root; resolves to its exit code and
 * output. `prefix` runs it under another command (`setpriv --reuid=65534 … --` to drop root);
 * the child is killed after `timeoutMs`.
 */
export function spawnCli(args: string[], { prefix = [] as string[], timeoutMs = 60_000 } = {}): Promise<ScriptResult> {
  const argv = [...prefix, process.execPath, '--import', 'tsx', '--input-type=module', '-e', RUN, '--', ...args];
  return runCapture(argv[0]!, argv.slice(1), timeoutMs);
}
