/**
 * Collectors and the scrape that runs them: each collector turns one group of
 * kernel reads into metric families; a scrape runs the selected collectors
 * one after the other (they share the netlink sockets and the event loop),
 * times each, and adds node_exporter-style meta families
 * (`raingauge_scrape_collector_duration_seconds`, `…_success`) plus one
 * `raingauge_scrape_collector_degraded` series per reason a collector ran
 * with less than it could (a missing privilege, a missing kernel file), so a
 * degraded collector is reported, never silent.
 * @module
 */
import { InvalidArgumentError, NotSupportedError, PermissionError, RaingaugeError } from '../errors.js';
import type { ExpositionFamily } from './exposition.js';

/** What a collector's `collect` may use to report partial results. */
export interface CollectContext {
  /**
   * Report that the collector ran degraded: `reason` is a short stable
   * identifier (`no_cap_net_admin`, `no_psi`), `detail` the error or fix for
   * the log. Repeated reasons are reported once per scrape.
   */
  degraded(reason: string, detail?: string): void;
  /** Aborted when the scrape's time is up; long collectors should stop early. */
  signal: AbortSignal;
}

/** A source of metric families. */
export interface Collector {
  /** Name used in `collect[]=` / `exclude[]=` and the `collector` label (`[a-z_]+`). */
  readonly name: string;
  /** One-line description for `--help` and docs. */
  readonly description: string;
  /** Read the kernel and return the families (any order; names must be unique across collectors). */
  collect(ctx: CollectContext): ExpositionFamily[] | Promise<ExpositionFamily[]>;
  /** Release descriptors and sockets (optional). */
  close?(): void;
}

/** One collector's outcome in a scrape. */
export interface CollectorResult {
  /** Collector name. */
  name: string;
  /** Wall time of its `collect`, seconds. */
  durationSeconds: number;
  /** False when `collect` threw (its families are then missing from the scrape). */
  success: boolean;
  /** The error when it threw. */
  error?: unknown;
  /** Degradation reasons reported, reason → detail. */
  degraded: Map<string, string>;
  /** Its families. */
  families: ExpositionFamily[];
}

/** Options of {@link runCollectors}. */
export interface RunCollectorsOptions {
  /** Only these collectors (node_exporter's `collect[]`). */
  include?: readonly string[];
  /** All but these (node_exporter's `exclude[]`). */
  exclude?: readonly string[];
  /** Aborts the scrape (a collector still running finishes its current read). */
  signal?: AbortSignal;
  /** Called once per degradation, for a log line (`serve` prints each reason once). */
  onDegraded?: (collector: string, reason: string, detail: string) => void;
  /** Called when a collector throws. */
  onError?: (collector: string, error: unknown) => void;
}

/** A `collect[]` or `exclude[]` list named a collector that does not exist, or both were given. */
export class CollectorSelectionError extends InvalidArgumentError {}

const NAME_RE = /^[a-z][a-z0-9_]*$/;

/**
 * Pick the collectors for a request. `include` and `exclude` together are an
 * error (as in node_exporter: HTTP 400); an unknown name is an error naming
 * the known ones.
 *
 * @throws {CollectorSelectionError}
 */
export function selectCollectors(
  all: readonly Collector[],
  include?: readonly string[],
  exclude?: readonly string[],
): Collector[] {
  const inc = include?.filter((s) => s !== '') ?? [];
  const exc = exclude?.filter((s) => s !== '') ?? [];
  if (inc.length > 0 && exc.length > 0) {
    throw new CollectorSelectionError('collect[] and exclude[] cannot be used together');
  }
  const known = new Set(all.map((c) => c.name));
  for (const n of [...inc, ...exc]) {
    if (!known.has(n)) {
      throw new CollectorSelectionError(
        `unknown collector ${JSON.stringify(n.slice(0, 64))} (have: ${[...known].join(', ')})`,
        n,
      );
    }
  }
  if (inc.length > 0) return all.filter((c) => inc.includes(c.name));
  if (exc.length > 0) return all.filter((c) => !exc.includes(c.name));
  return [...all];
}

/** Check that collector names are valid and unique. @throws {InvalidArgumentError} */
export function checkCollectorNames(all: readonly Collector[]): void {
  const seen = new Set<string>();
  for (const c of all) {
    if (!NAME_RE.test(c.name))
      throw new InvalidArgumentError(`collector name ${JSON.stringify(c.name)}: use [a-z][a-z0-9_]*`);
    if (seen.has(c.name)) throw new InvalidArgumentError(`two collectors named ${c.name}`);
    seen.add(c.name);
  }
}

/** A short reason identifier for an error a collector hit (used as the `reason` label). */
export function degradedReasonOf(e: unknown): string {
  if (e instanceof PermissionError) {
    return e.capability ? `no_${e.capability.toLowerCase()}` : 'permission_denied';
  }
  if (e instanceof NotSupportedError) return `not_supported_${e.feature.replace(/[^a-zA-Z0-9]+/g, '_').toLowerCase()}`;
  if (e instanceof RaingaugeError) return e.code.replace(/^ERR_RAINGAUGE_?/, '').toLowerCase() || 'error';
  return 'error';
}

/**
 * Run collectors in order and return each one's outcome. A collector that
 * throws is reported (`success: false`) and the scrape goes on.
 */
export async function runCollectors(
  collectors: readonly Collector[],
  opts: RunCollectorsOptions = {},
): Promise<CollectorResult[]> {
  const out: CollectorResult[] = [];
  const signal = opts.signal ?? new AbortController().signal;
  for (const c of collectors) {
    if (signal.aborted) break;
    const degraded = new Map<string, string>();
    const ctx: CollectContext = {
      degraded(reason, detail = '') {
        if (degraded.has(reason)) return;
        degraded.set(reason, detail);
        opts.onDegraded?.(c.name, reason, detail);
      },
      signal,
    };
    const t0 = performance.now();
    try {
      const families = await c.collect(ctx);
      out.push({ name: c.name, durationSeconds: (performance.now() - t0) / 1000, success: true, degraded, families });
    } catch (error) {
      opts.onError?.(c.name, error);
      out.push({
        name: c.name,
        durationSeconds: (performance.now() - t0) / 1000,
        success: false,
        error,
        degraded,
        families: [],
      });
    }
  }
  return out;
}

/** The meta families describing a scrape: per-collector duration, success and degradations. */
export function scrapeMetaFamilies(results: readonly CollectorResult[]): ExpositionFamily[] {
  const degraded: ExpositionFamily['series'][number][] = [];
  for (const r of results) {
    for (const reason of r.degraded.keys()) degraded.push({ labels: { collector: r.name, reason }, value: 1 });
  }
  return [
    {
      name: 'raingauge_scrape_collector_duration_seconds',
      help: 'raingauge: Duration of a collector scrape.',
      type: 'gauge',
      unit: 'seconds',
      series: results.map((r) => ({ labels: { collector: r.name }, value: r.durationSeconds })),
    },
    {
      name: 'raingauge_scrape_collector_success',
      help: 'raingauge: Whether a collector succeeded.',
      type: 'gauge',
      series: results.map((r) => ({ labels: { collector: r.name }, value: r.success ? 1 : 0 })),
    },
    {
      name: 'raingauge_scrape_collector_degraded',
      help: 'raingauge: 1 for each reason a collector ran with less than it could (missing privilege or kernel feature).',
      type: 'gauge',
      series: degraded,
    },
  ];
}

/** All families of a scrape in one list: the collectors' then the meta families. */
export function scrapeFamilies(results: readonly CollectorResult[]): ExpositionFamily[] {
  const out: ExpositionFamily[] = [];
  for (const r of results) for (const f of r.families) out.push(f);
  for (const f of scrapeMetaFamilies(results)) out.push(f);
  return out;
}
