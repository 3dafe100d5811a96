/**
 * Runs in a fresh network namespace with RAINGAUGE_NETSTAT_HISTORY set:
 * exercises `raingauge netstat` (--json, --delta with the history, --reset,
 * --explain, patterns, --interval) and prints what each printed as JSON.
 */
import { main } from '../../../src/cli/main.ts';
import { closedPort, tryConnect } from './common.ts';

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const orig = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await main(argv);
    return { code, out };
  } finally {
    process.stdout.write = orig;
  }
}

const res: Record<string, { code: number; out: string }> = {};
res.first = await run(['netstat', '--delta', '--json', 'Tcp*']);
const port = await closedPort();
for (let i = 0; i < 3; i++) await tryConnect(port);
res.second = await run(['netstat', '--delta', '--json', 'TcpAttemptFails', 'TcpActiveOpens', 'Tcp.CurrEstab']);
res.third = await run(['netstat', '--delta', '--json', 'AttemptFails']);
res.table = await run(['netstat', '--delta', '--zeros', 'TcpExt*Listen*', 'AttemptFails']);
res.reset = await run(['netstat', '--reset', '--json', 'AttemptFails']);
res.absolute = await run(['netstat', '--json']);
res.prometheus = await run(['netstat', '--prometheus']);
res.explain = await run(['netstat', '--explain', 'TcpExtListenOverflows']);
res.explainJson = await run(['netstat', '--explain', 'node_netstat_Tcp_AttemptFails', '--json']);
res.unknown = await run(['netstat', '--explain', 'NoSuchCounter']);
res.badInterval = await run(['netstat', '--interval', '0']);
const during = run(['netstat', '--interval', '0.4', '--count', '2', '--json', 'TcpAttemptFails']);
await new Promise((r) => setTimeout(r, 100));
await tryConnect(port);
res.interval = await during;
process.stdout.write(`${JSON.stringify(res)}\n`);
process.exit(0);
