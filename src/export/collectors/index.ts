/**
 * The exporter's collectors and the default set `raingauge serve` runs.
 * @module
 */
import { type Collector, CollectorSelectionError } from '../collector.js';
import { type ApplicationMetricsSource, applicationCollector } from './application.js';
import { type ListenersCollectorOptions, listenersCollector } from './listeners.js';
import { netstatCollector, sockstatCollector, tcpstatCollector } from './network.js';
import { type ProcessesCollectorOptions, processesCollector } from './processes.js';
import { systemCollector } from './system.js';

export * from './application.js';
export * from './listeners.js';
export * from './network.js';
export * from './processes.js';
export * from './system.js';

/** Names of the built-in collectors, in scrape order. */
export const COLLECTOR_NAMES = [
  'listeners',
  'netstat',
  'sockstat',
  'tcpstat',
  'system',
  'processes',
  'application',
] as const;

/** Options of {@link buildCollectors}. */
export interface BuildCollectorsOptions {
  /** Only these (default: all but `application` when no sources are given). */
  names?: readonly string[];
  /** procfs mount point (default `/proc`). */
  procRoot?: string;
  /** Export every netstat counter, not node_exporter's default field set. */
  netstatAll?: boolean;
  /** Listener collector options. */
  listeners?: ListenersCollectorOptions;
  /** Process selection. */
  processes?: ProcessesCollectorOptions;
  /** Shared-memory registries for the `application` collector. */
  applicationSources?: readonly ApplicationMetricsSource[];
}

/** Build the collectors `serve` runs. */
export function buildCollectors(opts: BuildCollectorsOptions = {}): Collector[] {
  const procRoot = opts.procRoot;
  const make: Record<string, () => Collector> = {
    listeners: () => listenersCollector({ procRoot, ...opts.listeners }),
    netstat: () => netstatCollector({ all: opts.netstatAll, procRoot }),
    sockstat: () => sockstatCollector({ procRoot }),
    tcpstat: () => tcpstatCollector(),
    system: () => systemCollector({ procRoot }),
    processes: () => processesCollector({ procRoot, ...opts.processes }),
    application: () => applicationCollector(opts.applicationSources ?? []),
  };
  const names =
    opts.names ?? COLLECTOR_NAMES.filter((n) => n !== 'application' || (opts.applicationSources?.length ?? 0) > 0);
  return names.map((n) => {
    const f = make[n];
    if (!f)
      throw new CollectorSelectionError(
        `unknown collector ${JSON.stringify(n)} (have: ${COLLECTOR_NAMES.join(', ')})`,
        n,
      );
    return f();
  });
}
