/** Runs the raingauge CLI from source with the given arguments (for sys_cli.test.ts). */
import { main } from '../../../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
