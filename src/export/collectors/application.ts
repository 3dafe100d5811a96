/**
 * The `application` collector: the labelled counters, gauges and histograms
 * an application keeps in shared memory (`MetricsRegistry` of the shared
 * counters, written by every cluster worker and thread), read in one pass
 * over the mapping at scrape time: no IPC round trip to the workers, and a
 * dead worker's counts stay in the mapping.
 *
 * Sources are `MetricsRegistry` objects (src/stats/registry.ts), opened
 * read-only with {@link openApplicationSource} by path or by `pid:name`, or
 * anything else with the same `collect()`.
 * @module
 */
import { InvalidArgumentError } from '../../errors.js';
import type { MetricFamilySnapshot } from '../../stats/index.js';
import { MetricsRegistry } from '../../stats/index.js';
import type { Collector } from '../collector.js';
import type { ExpositionFamily } from '../exposition.js';

/** What a registry snapshot looks like: the shared counters' own {@link MetricFamilySnapshot}. */
export type MetricFamilySnapshotLike = MetricFamilySnapshot;

/** A source of application families: `MetricsRegistry` or anything with the same `collect()`. */
export interface ApplicationMetricsSource {
  collect(): MetricFamilySnapshotLike[] | Promise<MetricFamilySnapshotLike[]>;
}

/** An opened application source that can be let go of. */
export interface ClosableApplicationMetricsSource extends ApplicationMetricsSource {
  close(): void;
}

/**
 * Parse an `--app-metrics` value: `PID:NAME` (the registry created with
 * `new MetricsRegistry({ name: NAME })` in the group of process PID, e.g. the
 * cluster primary) or a file path (`new MetricsRegistry({ path })`; write
 * `./PID:NAME` for a file whose name looks like the other form).
 * @throws {InvalidArgumentError} on an empty value or a pid that is not a positive integer
 */
export function parseApplicationSpec(spec: string): { path: string } | { pid: number; name: string } {
  if (typeof spec !== 'string' || spec === '')
    throw new InvalidArgumentError('--app-metrics needs a file path or PID:NAME, got an empty value', spec);
  const m = /^(\d+):(.+)$/.exec(spec);
  if (!m) return { path: spec };
  const pid = Number(m[1]);
  if (!Number.isSafeInteger(pid) || pid < 1)
    throw new InvalidArgumentError(`--app-metrics ${spec}: the pid must be a positive integer`, spec);
  return { pid, name: m[2]! };
}

/**
 * Attach read-only to an application's shared-memory `MetricsRegistry` by
 * `PID:NAME` or path (see {@link parseApplicationSpec}); a scrape of the
 * result is one pass over the mapping, summed over every writer stripe,
 * including those of workers that died (their values stay in the mapping).
 * @throws the registry's typed errors when nothing matches (no such pid, name or file)
 */
export function openApplicationSource(spec: string): ClosableApplicationMetricsSource {
  return MetricsRegistry.open(parseApplicationSpec(spec));
}

/** The `application` collector over one or more sources (their family names must not collide). */
export function applicationCollector(sources: readonly ApplicationMetricsSource[]): Collector {
  return {
    name: 'application',
    description: 'application counters, gauges and histograms from shared memory (MetricsRegistry), one pass',
    async collect(): Promise<ExpositionFamily[]> {
      const out: ExpositionFamily[] = [];
      for (const s of sources) for (const f of await s.collect()) out.push(f);
      return out;
    },
  };
}
