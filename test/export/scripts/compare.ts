/**
 * Runs in a fresh network namespace: raingauge's exporter and Debian's
 * prometheus-node-exporter side by side on loopback; prints both scrapes'
 * parsed families as JSON for the test to compare.
 */
import { spawn } from 'node:child_process';
import { buildCollectors } from '../../../src/export/collectors/index.ts';
import { startExporter } from '../../../src/export/server.ts';
import { fetchText, parsePromText, waitForHttp } from './promtext.ts';

const NE_PORT = 19100;
const ne = spawn(
  'prometheus-node-exporter',
  [
    `--web.listen-address=127.0.0.1:${NE_PORT}`,
    '--collector.disable-defaults',
    ...[
      'netstat',
      'sockstat',
      'tcpstat',
      'loadavg',
      'meminfo',
      'cpu',
      'stat',
      'pressure',
      'filefd',
      'netdev',
      'uname',
    ].map((c) => `--collector.${c}`),
    '--web.disable-exporter-metrics',
  ],
  { stdio: ['ignore', 'ignore', 'ignore'] },
);
try {
  const rg = await startExporter({
    collectors: buildCollectors({ names: ['netstat', 'sockstat', 'tcpstat', 'system'] }),
    port: 0,
    dashboard: false,
  });
  await waitForHttp(`http://127.0.0.1:${NE_PORT}/metrics`);
  const a = await fetchText(`${rg.url}/metrics`);
  const b = await fetchText(`http://127.0.0.1:${NE_PORT}/metrics`);
  await rg.close();
  process.stdout.write(
    `${JSON.stringify({ raingauge: [...parsePromText(a).values()], nodeExporter: [...parsePromText(b).values()] })}\n`,
  );
} finally {
  ne.kill('SIGTERM');
}
