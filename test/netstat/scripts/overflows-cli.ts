/**
 * Runs in a fresh network namespace: a stuck listener with backlog 2, then
 * `raingauge overflows --interval 1 --count 2 --json` while 3 + 2 clients
 * connect; then the text form for one interval while one more client tries.
 * Prints { port, listenerPid, json: [...reports], text } as JSON.
 */
import { main } from '../../../src/cli/main.ts';
import { setSynRetries, startStuckListener, tryConnect } from './common.ts';

setSynRetries(1);
const { port, child } = await startStuckListener(2);

async function capture(argv: string[], during: () => Promise<unknown>): Promise<{ code: number; out: string }> {
  const orig = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    const run = main(argv);
    await new Promise((r) => setTimeout(r, 200));
    await during();
    const code = await run;
    return { code, out };
  } finally {
    process.stdout.write = orig;
  }
}

const socks: { sock?: { destroy(): void } }[] = [];
const json = await capture(['overflows', '--interval', '1', '--count', '2', '--json'], async () => {
  for (let i = 0; i < 3; i++) socks.push(await tryConnect(port));
  // two more that cannot be queued: their SYNs are dropped (do not wait for the timeout)
  void tryConnect(port).then((r) => socks.push(r));
  void tryConnect(port).then((r) => socks.push(r));
});
const text = await capture(['overflows', '--interval', '0.8', '--count', '1'], async () => {
  void tryConnect(port).then((r) => socks.push(r));
});
for (const s of socks) s.sock?.destroy();
child.kill('SIGKILL');
process.stdout.write(
  `${JSON.stringify({
    port,
    listenerPid: child.pid,
    jsonCode: json.code,
    json: json.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    textCode: text.code,
    text: text.out,
  })}\n`,
);
process.exit(0);
