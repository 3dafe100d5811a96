/**
 * The `application` collector: the labelled counters, gauges and histograms
 * an application keeps in shared memory (`MetricsRegistry` of the shared
 * counters, written by every cluster worker and thread), read in one pass
 * over the mapping at scrape time: no IPC round trip to the workers, and a
 * dead worker's counts stay in the mapping.
 *
 * The source is duck-typed: anything with `collect(): MetricFamilySnapshot[]`
 * (the contract of `MetricsRegistry.collect()`), so this module does not
 * depend on the shared-counters implementation.
 * @module
 */
import type { Collector } from '../collector.js';
import type { ExpositionFamily } from '../exposition.js';

/** What a registry snapshot looks like (the `MetricFamilySnapshot` contract of the shared counters). */
export interface MetricFamilySnapshotLike {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  series: {
    labels: Record<string, string>;
    value?: number;
    buckets?: { le: number; count: number }[];
    sum?: number;
    count?: number;
  }[];
}

/** A source of application families: `MetricsRegistry` or anything with the same `collect()`. */
export interface ApplicationMetricsSource {
  collect(): MetricFamilySnapshotLike[] | Promise<MetricFamilySnapshotLike[]>;
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
