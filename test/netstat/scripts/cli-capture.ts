/**
 * Run the raingauge CLI in-process from a netstat live script and capture what
 * it writes to stdout (the scripts print their own JSON result afterwards).
 */
import { main } from '../../../src/cli/main.ts';

/**
 * Run `raingauge <argv>` with stdout captured. When `during` is given it runs
 * `afterMs` after the start, while the command is still sampling (to make the
 * counters move inside its interval).
 */
export async function runCli(
  argv: string[],
  during?: () => Promise<unknown>,
  afterMs = 200,
): Promise<{ code: number; out: string }> {
  const orig = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    const run = main(argv);
    if (during) {
      await new Promise((r) => setTimeout(r, afterMs));
      await during();
    }
    return { code: await run, out };
  } finally {
    process.stdout.write = orig;
  }
}
