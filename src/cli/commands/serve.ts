/**
 * `raingauge serve`: a Prometheus exporter (`/metrics`, text 0.0.4 or
 * OpenMetrics) with node_exporter-compatible families and a live dashboard
 * at `/`. `--once` prints one scrape to stdout (textfile-collector use).
 * See docs/export.md.
 * @module
 */
import type { Command } from 'commander';
import {
  buildCollectors,
  type ClosableApplicationMetricsSource,
  COLLECTOR_NAMES,
  openApplicationSource,
} from '../../export/collectors/index.js';
import type { ExporterAuth } from '../../export/server.js';
import { parseDuration, parsePositiveInt, stopSignal, UsageError } from '../util.js';

interface ServeOptions {
  listen: string;
  allowRemote?: boolean;
  collectors?: string;
  netstatAll?: boolean;
  listenerOwners?: boolean;
  pid?: string[];
  pattern?: string;
  matchCmdline?: boolean;
  cgroup?: string;
  top?: string;
  exportCmdline?: boolean;
  appMetrics?: string[];
  authBearerFile?: string;
  authBasicFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  maxScrapes: string;
  scrapeTimeout: string;
  dashboard: boolean;
  dashboardInterval: string;
  once?: boolean;
  format: string;
}

/** Split `host:port`, `[v6]:port` or `:port`. @throws {UsageError} */
export function parseListenAddress(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) {
    throw new UsageError(
      `--listen must be HOST:PORT such as 127.0.0.1:9464 or [::1]:9464, got ${JSON.stringify(value)}`,
      value,
    );
  }
  const host = m[1] ?? (m[2] === '' ? '127.0.0.1' : m[2]!);
  return { host, port };
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Register `serve`. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('Prometheus exporter (/metrics) with node_exporter-compatible families and a live dashboard at /')
    .option('--listen <host:port>', 'address to listen on (loopback unless --allow-remote)', '127.0.0.1:9464')
    .option('--allow-remote', 'allow a non-loopback --listen address')
    .option('--collectors <list>', `comma-separated collectors (default all: ${COLLECTOR_NAMES.join(',')})`)
    .option('--netstat-all', 'export every netstat counter, not node_exporter’s default field set')
    .option('--listener-owners', 'add raingauge_listener_owner_info (scans /proc/<pid>/fd)')
    .option('--pid <pid>', 'export this process (repeatable)', collect)
    .option('--pattern <regex>', 'export processes whose comm matches')
    .option('--match-cmdline', 'match --pattern against the command line too')
    .option('--cgroup <path>', 'export processes in this cgroup (path prefix)')
    .option(
      '--top <n>',
      'export the N processes with the most CPU since the last scrape (default 10 if no other selection)',
    )
    .option('--export-cmdline', 'export command lines in raingauge_process_info (off: they never leave the host)')
    .option(
      '--app-metrics <path|pid:name>',
      'a shared-memory MetricsRegistry to export, by file path or PID:NAME (repeatable)',
      collect,
    )
    .option('--auth-bearer-file <file>', 'require "Authorization: Bearer <token>" with the token in this file')
    .option('--auth-basic-file <file>', 'require basic auth; file has one user:password per line')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--max-scrapes <n>', 'concurrent scrapes before answering 503', '4')
    .option('--scrape-timeout <seconds>', 'time for one scrape before answering 503', '10')
    .option('--no-dashboard', 'do not serve the dashboard at /')
    .option('--dashboard-interval <seconds>', 'dashboard sampling interval', '1')
    .option('--once', 'print one scrape to stdout and exit (textfile collector)')
    .option('--format <format>', 'with --once: prometheus (text 0.0.4) or openmetrics', 'prometheus')
    .action(async (o: ServeOptions) => {
      const { host, port } = parseListenAddress(o.listen);
      if (o.format !== 'prometheus' && o.format !== 'openmetrics') {
        throw new UsageError(`--format must be prometheus or openmetrics, got ${JSON.stringify(o.format)}`);
      }
      if ((o.tlsCert === undefined) !== (o.tlsKey === undefined))
        throw new UsageError('--tls-cert and --tls-key go together');
      if (o.authBearerFile && o.authBasicFile)
        throw new UsageError('choose one of --auth-bearer-file and --auth-basic-file');
      let pattern: RegExp | undefined;
      if (o.pattern !== undefined) {
        try {
          pattern = new RegExp(o.pattern);
        } catch (e) {
          throw new UsageError(`--pattern is not a valid regular expression: ${(e as Error).message}`);
        }
      }
      const names = o.collectors
        ?.split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      for (const n of names ?? []) {
        if (!(COLLECTOR_NAMES as readonly string[]).includes(n)) {
          throw new UsageError(
            `--collectors: unknown collector ${JSON.stringify(n)} (have: ${COLLECTOR_NAMES.join(', ')})`,
          );
        }
      }
      const pids = (o.pid ?? []).map((p) => parsePositiveInt('--pid', p));
      const applicationSources: ClosableApplicationMetricsSource[] = [];
      for (const spec of o.appMetrics ?? []) applicationSources.push(openApplicationSource(spec));
      const closeSources = () => {
        for (const s of applicationSources) s.close();
      };
      const collectors = buildCollectors({
        names,
        netstatAll: o.netstatAll,
        listeners: { owners: o.listenerOwners === true },
        processes: {
          pids: pids.length > 0 ? pids : undefined,
          pattern,
          matchCmdline: o.matchCmdline,
          cgroup: o.cgroup,
          top: o.top === undefined ? undefined : parsePositiveInt('--top', o.top),
          cmdline: o.exportCmdline,
        },
        applicationSources,
      });
      if (o.once) {
        const { scrape } = await import('../../export/scrape.js');
        const out = await scrape(collectors, {
          format: o.format as 'prometheus' | 'openmetrics',
          onDegraded: (c, r, d) => process.stderr.write(`raingauge: collector ${c} degraded (${r}): ${d}\n`),
          onError: (c, e) => process.stderr.write(`raingauge: collector ${c} failed: ${(e as Error)?.message ?? e}\n`),
        });
        process.stdout.write(out.text);
        for (const c of collectors) c.close?.();
        closeSources();
        return;
      }
      let auth: ExporterAuth | undefined;
      if (o.authBearerFile) auth = { type: 'bearer', tokenFile: o.authBearerFile };
      if (o.authBasicFile) auth = { type: 'basic', usersFile: o.authBasicFile };
      const { startExporter } = await import('../../export/server.js');
      const exporter = await startExporter({
        collectors,
        host,
        port,
        allowRemote: o.allowRemote,
        auth,
        tls: o.tlsCert && o.tlsKey ? { certFile: o.tlsCert, keyFile: o.tlsKey } : undefined,
        maxConcurrentScrapes: parsePositiveInt('--max-scrapes', o.maxScrapes),
        scrapeTimeoutMs: parseDuration('--scrape-timeout', o.scrapeTimeout) * 1000,
        dashboard: o.dashboard,
        dashboardIntervalMs: parseDuration('--dashboard-interval', o.dashboardInterval) * 1000,
        log: (line) => process.stderr.write(`raingauge: ${line}\n`),
      });
      process.stderr.write(
        `raingauge: serving ${exporter.url}/metrics${o.dashboard ? ` and the dashboard at ${exporter.url}/` : ''}\n`,
      );
      const stop = stopSignal();
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      stop.dispose();
      await exporter.close();
      closeSources();
    });
}
