/** Runs the raingauge CLI from source (for the live CLI tests): `node --import tsx test/probes/run-cli.ts ARGS…`. */
import { main } from '../../src/cli/main.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`raingauge: ${(err as Error)?.message ?? err}\n`);
    process.exitCode = 1;
  },
);
