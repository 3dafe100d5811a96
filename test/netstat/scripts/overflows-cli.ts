/**
 * Runs in a fresh network namespace: a stuck listener with backlog 2, then
 * `raingauge overflows --interval 1 --count 2 --json` while 3 + 2 clients
 * connect; then the text form for one interval while one more client tries.
 * Prints { port, listenerPid, json: [...reports], text } as JSON.
 */
import { runCli } from './cli-capture.ts';
import { setSynRetries, startStuckListener, tryConnect } from './common.ts';

setSynRetries(1);
const { port, child } = await startStuckListener(2);

const socks: { sock?: { destroy(): void } }[] = [];
const json = await runCli(['overflows', '--interval', '1', '--count', '2', '--json'], async () => {
  for (let i = 0; i < 3; i++) socks.push(await tryConnect(port));
  // two more that cannot be queued: their SYNs are dropped (do not wait for the timeout)
  void tryConnect(port).then((r) => socks.push(r));
  void tryConnect(port).then((r) => socks.push(r));
});
const text = await runCli(['overflows', '--interval', '0.8', '--count', '1'], async () => {
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
