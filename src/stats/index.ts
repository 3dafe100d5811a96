/**
 * Shared counters, aggregates and labelled metric families in shared memory
 * (raindrops' `Raindrops`, `Struct`, `Aggregate`, `Aggregate::PMQ`, and more),
 * seen by every cluster worker and worker thread of an application.
 * See docs/stats.md.
 * @module
 */
export { Aggregate, type LinearBuckets, LOG_BUCKETS, SUB_BUCKETS } from './aggregate.js';
export { IndexOutOfRangeError, SeriesLimitError, SharedMemoryError, StatsClosedError } from './errors.js';
export {
  defaultLastDataRecvAggregate,
  type LastDataRecvOptions,
  type LastDataRecvRecorder,
  lastDataRecvMs,
  recordLastDataRecv,
  type SampleSink,
  TCP_DEFER_ACCEPT,
} from './last-data-recv.js';
export {
  DEFAULT_STRIPES,
  defineStruct,
  RAINDROPS_SLOT_BYTES,
  Raindrops,
  type RaindropsOptions,
  type RaindropsStructClass,
  type RaindropsStructInstance,
} from './raindrops.js';
export {
  DEFAULT_BUCKETS,
  type MetricFamilySnapshot,
  MetricsRegistry,
  type MetricsRegistryOptions,
  type SharedCounter,
  type SharedGauge,
  type SharedHistogram,
} from './registry.js';
export { SharedAggregate, type SharedAggregateOptions } from './shared-aggregate.js';
