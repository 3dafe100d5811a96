// Runs the raingauge CLI from the sources (tests spawn it: node --import tsx cli.ts listen …).
import { main } from '../../../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
