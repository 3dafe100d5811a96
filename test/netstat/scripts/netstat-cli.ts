/**
 * Runs in a fresh network namespace with RAINGAUGE_NETSTAT_HISTORY set:
 * exercises `raingauge netstat` (--json, --delta with the history, --reset,
 * --explain, patterns, --interval) and prints what each printed as JSON.
 */
import { runCli } from './cli-capture.ts';
import { closedPort, tryConnect } from './common.ts';

const res: Record<string, { code: number; out: string }> = {};
res.first = await runCli(['netstat', '--delta', '--json', 'Tcp*']);
const port = await closedPort();
for (let i = 0; i < 3; i++) await tryConnect(port);
res.second = await runCli(['netstat', '--delta', '--json', 'TcpAttemptFails', 'TcpActiveOpens', 'Tcp.CurrEstab']);
res.third = await runCli(['netstat', '--delta', '--json', 'AttemptFails']);
res.table = await runCli(['netstat', '--delta', '--zeros', 'TcpExt*Listen*', 'AttemptFails']);
res.reset = await runCli(['netstat', '--reset', '--json', 'AttemptFails']);
res.absolute = await runCli(['netstat', '--json']);
res.prometheus = await runCli(['netstat', '--prometheus']);
res.explain = await runCli(['netstat', '--explain', 'TcpExtListenOverflows']);
res.explainJson = await runCli(['netstat', '--explain', 'node_netstat_Tcp_AttemptFails', '--json']);
res.unknown = await runCli(['netstat', '--explain', 'NoSuchCounter']);
res.badInterval = await runCli(['netstat', '--interval', '0']);
res.interval = await runCli(
  ['netstat', '--interval', '0.4', '--count', '2', '--json', 'TcpAttemptFails'],
  () => tryConnect(port),
  100,
);
process.stdout.write(`${JSON.stringify(res)}\n`);
process.exit(0);
