/**
 * Adapter for prom-client 15 and its successor `@prometheus-io/client`
 * 0.16: adds raingauge's families to the user's registry, so an application
 * that already serves `/metrics` adds listener queues in one line:
 *
 * ```ts
 * import { register } from 'prom-client';
 * import { registerRaingaugeMetrics, listenersCollector } from 'raingauge';
 * await registerRaingaugeMetrics(register, { collectors: [listenersCollector()] });
 * ```
 *
 * Duck-typed (no dependency on either package): the registry needs
 * `registerMetric(metric)`, and each family becomes an object with `name`,
 * `help`, `type`, `aggregator` and an async `get()` — the shape both
 * libraries' registries read. The registry calls every metric's `get()` in
 * one `Promise.all`, so one scrape runs the collectors once (the calls share
 * one collection).
 * @module
 */
import { type Collector, runCollectors } from '../collector.js';
import type { ExpositionFamily } from '../exposition.js';

/** The part of a prom-client / @prometheus-io/client Registry the adapter uses. */
export interface PromClientRegistryLike {
  /** Typed `never` so both libraries' Registry classes fit; the adapter passes a {@link PromClientMetricLike}. */
  registerMetric(metric: never): void;
  removeSingleMetric?(name: string): void;
}

/** One value as prom-client's `get()` returns it. */
export interface PromClientValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** The metric object registered for each raingauge family. */
export interface PromClientMetricLike {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: PromClientValue[] }>;
  reset(): void;
}

/** Options of {@link registerRaingaugeMetrics}. */
export interface RegisterRaingaugeOptions {
  /** The collectors whose families are added (e.g. `[listenersCollector()]`). */
  collectors: readonly Collector[];
  /** prom-client's cluster aggregator for these families (default `first`: kernel numbers are per host, not per worker). */
  aggregator?: 'sum' | 'first' | 'min' | 'max' | 'average' | 'omit';
}

/** prom-client `values` of one family. */
export function promClientValues(f: ExpositionFamily): PromClientValue[] {
  const out: PromClientValue[] = [];
  for (const s of f.series) {
    const labels = { ...(s.labels ?? {}) };
    if (f.type === 'histogram') {
      let count = s.count ?? 0;
      let sawInf = false;
      for (const b of s.buckets ?? []) {
        if (b.le === Number.POSITIVE_INFINITY) sawInf = true;
        out.push({
          labels: { ...labels, le: b.le === Number.POSITIVE_INFINITY ? '+Inf' : b.le },
          value: b.count,
          metricName: `${f.name}_bucket`,
        });
        count = s.count ?? b.count;
      }
      if (!sawInf) out.push({ labels: { ...labels, le: '+Inf' }, value: count, metricName: `${f.name}_bucket` });
      out.push({ labels, value: s.sum ?? 0, metricName: `${f.name}_sum` });
      out.push({ labels, value: count, metricName: `${f.name}_count` });
    } else if (s.value !== undefined) {
      out.push({ labels, value: Number(s.value) });
    }
  }
  return out;
}

/**
 * Run the collectors once to learn their family names, then register one
 * metric per family on `registry`. Resolves to a function that unregisters
 * them (when the registry has `removeSingleMetric`). The family names are
 * fixed at registration (every built-in collector always returns the same
 * families, possibly without series; node_netstat_* follows the kernel's
 * counter list).
 *
 * @throws whatever the registry throws for a name that is already registered.
 */
export async function registerRaingaugeMetrics(
  registry: PromClientRegistryLike,
  opts: RegisterRaingaugeOptions,
): Promise<() => void> {
  const aggregator = opts.aggregator ?? 'first';
  let pending: Promise<Map<string, ExpositionFamily>> | undefined;
  const collectOnce = (): Promise<Map<string, ExpositionFamily>> => {
    pending ??= runCollectors(opts.collectors)
      .then((results) => {
        const m = new Map<string, ExpositionFamily>();
        for (const r of results) for (const f of r.families) m.set(f.name, f);
        return m;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  const first = await collectOnce();
  const names: string[] = [];
  for (const [familyName, fam] of first) {
    const metric: PromClientMetricLike = {
      name: familyName,
      help: fam.help,
      type: fam.type,
      aggregator,
      async get() {
        const f = (await collectOnce()).get(familyName);
        return {
          name: metric.name,
          help: fam.help,
          type: fam.type,
          aggregator,
          values: f ? promClientValues(f) : [],
        };
      },
      reset() {},
    };
    (registry.registerMetric as (m: PromClientMetricLike) => void).call(registry, metric);
    names.push(familyName);
  }
  return () => {
    for (const n of names) registry.removeSingleMetric?.(n);
  };
}
