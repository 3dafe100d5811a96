/**
 * Typed errors of the shared-counter layer. They extend the package's
 * {@link RaingaugeError} family, so `instanceof InvalidArgumentError` etc. still hold.
 * @module
 */
import { InvalidArgumentError, RaingaugeError } from '../errors.js';

/** Any call on a closed counter set, aggregate or registry (raindrops' "invalid or freed Raindrops"). */
export class StatsClosedError extends RaingaugeError {
  /** The class whose instance was closed (`Raindrops`, `SharedAggregate`, `MetricsRegistry`). */
  readonly what: string;
  constructor(what: string) {
    super(`this ${what} was closed (close()); create a new one to keep counting`, 'ERR_RAINGAUGE_CLOSED');
    this.what = what;
  }
}

/**
 * A counter index that is not an integer in `[0, size)`. Unlike raindrops, a
 * huge index never aliases slot 0: it is refused here with the index and the size.
 */
export class IndexOutOfRangeError extends InvalidArgumentError {
  readonly index: unknown;
  readonly size: number;
  constructor(index: unknown, size: number) {
    super(
      `counter index ${typeof index === 'bigint' ? `${index}n` : (JSON.stringify(index) ?? String(index))} is not an integer in [0, ${size}) (size ${size}); use an index below size or raise size (within capacity, or grow it)`,
      index,
    );
    this.index = index;
    this.size = size;
  }
}

/** A labelled family would need more series than the registry's `maxSeries` allows. */
export class SeriesLimitError extends RaingaugeError {
  /** The metric family name. */
  readonly family: string;
  /** The configured limit. */
  readonly maxSeries: number;
  /** The label set that was refused. */
  readonly labels: Record<string, string>;
  constructor(family: string, maxSeries: number, labels: Record<string, string>) {
    super(
      `metric ${family}: cannot add series ${JSON.stringify(labels)}: the registry holds its maximum of ${maxSeries} series; raise maxSeries (new MetricsRegistry({ maxSeries })) or use fewer distinct label values`,
      'ERR_RAINGAUGE_SERIES_LIMIT',
    );
    this.family = family;
    this.maxSeries = maxSeries;
    this.labels = labels;
  }
}

/** A shared-memory file or mapping that cannot be used (wrong kind, not a regular file, not mappable, corrupt header). */
export class SharedMemoryError extends RaingaugeError {
  /** The path or `memfd:` name concerned. */
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_RAINGAUGE_SHARED_MEMORY', options);
    this.path = path;
  }
}
