/**
 * The prom-client / @prometheus-io/client and OpenTelemetry adapters against
 * the real packages, with a real listener on loopback (filtered to its own port).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import * as promClient from 'prom-client';
import { registerRaingaugeOtel } from '../../src/export/adapters/otel.ts';
import { registerRaingaugeMetrics } from '../../src/export/adapters/promclient.ts';
import type { Collector } from '../../src/export/collector.ts';
import { listenersCollector } from '../../src/export/collectors/listeners.ts';
import { have } from '../helpers/env.ts';

const require = createRequire(import.meta.url);

let server: net.Server;
let port = 0;
let key = '';
before(async () => {
  server = net.createServer();
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 77 }, () => r()));
  port = (server.address() as net.AddressInfo).port;
  key = `127.0.0.1:${port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

/** A collector with a histogram and a counter whose calls are counted. */
function appCollector(): Collector & { calls: number } {
  const c = {
    name: 'application',
    description: 'test',
    calls: 0,
    collect() {
      c.calls++;
      return [
        {
          name: 'app_latency_seconds',
          help: 'Latency.',
          type: 'histogram' as const,
          series: [
            {
              labels: { route: '/a' },
              buckets: [
                { le: 0.1, count: 2 },
                { le: Number.POSITIVE_INFINITY, count: 3 },
              ],
              sum: 0.7,
              count: 3,
            },
          ],
        },
        {
          name: 'app_requests_total',
          help: 'Requests.',
          type: 'counter' as const,
          series: [{ labels: { code: '200' }, value: 5 }],
        },
      ];
    },
  };
  return c;
}

describe('prom-client adapter', () => {
  for (const [lib, mod] of [
    ['prom-client 15', promClient],
    ['@prometheus-io/client 0.16', require('@prometheus-io/client') as typeof promClient],
  ] as const) {
    test(`${lib}: families in the user's registry, one collection per scrape, both formats`, async () => {
      const reg = new mod.Registry();
      new mod.Counter({ name: 'user_own_total', help: 'The app’s own.', registers: [reg] }).inc(2);
      const app = appCollector();
      const only = (k: string) => k === key;
      const unregister = await registerRaingaugeMetrics(reg, {
        collectors: [listenersCollector({ match: only, unix: false }), app],
      });
      const callsAfterRegister = app.calls;
      const text = await reg.metrics();
      assert.equal(app.calls, callsAfterRegister + 1, 'one collection for the whole scrape');
      assert.match(text, /^user_own_total 2$/m);
      assert.ok(text.includes(`raingauge_listener_backlog{listener="${key}",family="inet"} 77`), text);
      assert.ok(text.includes(`raingauge_listener_queued_connections{listener="${key}",family="inet"} 0`));
      assert.match(text, /^app_latency_seconds_bucket\{route="\/a",le="0.1"\} 2$/m);
      assert.match(text, /^app_latency_seconds_bucket\{route="\/a",le="\+Inf"\} 3$/m);
      assert.match(text, /^app_latency_seconds_count\{route="\/a"\} 3$/m);
      assert.match(text, /^# TYPE app_requests_total counter$/m);
      if (have('promtool')) {
        const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stdout + r.stderr);
      }
      reg.setContentType(mod.Registry.OPENMETRICS_CONTENT_TYPE as never);
      const om = await reg.metrics();
      assert.match(om, /^app_requests_total\{code="200"\} 5$/m);
      assert.ok(om.endsWith('# EOF\n'));
      unregister();
      assert.ok(!(await reg.metrics()).includes('raingauge_listener_backlog'));
    });
  }
});

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('OpenTelemetry adapter', () => {
  test('batch callbacks feed semantic-convention and raingauge instruments', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('raingauge-test');
    let batches = 0;
    const counting = new Proxy(meter, {
      get(target, prop, recv) {
        const v = Reflect.get(target, prop, recv);
        if (prop === 'addBatchObservableCallback') {
          return (...a: Parameters<typeof meter.addBatchObservableCallback>) => {
            batches++;
            return target.addBatchObservableCallback(...a);
          };
        }
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const stop = registerRaingaugeOtel(counting, {
      listeners: { match: (k) => k === key, unix: false },
      processes: { pids: [process.pid], taskstats: false },
    });
    try {
      assert.equal(batches, 4, 'one batch callback per kernel read: listeners, tcp states, netstat, processes');
      const { resourceMetrics, errors } = await reader.collect();
      assert.deepEqual(errors, []);
      const metrics = new Map(
        resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]),
      );
      const backlog = metrics.get('raingauge.listener.backlog')!;
      const point = backlog.dataPoints.find((p) => p.attributes['server.port'] === port)!;
      assert.equal(point.value, 77);
      assert.equal(point.attributes['server.address'], '127.0.0.1');
      assert.equal(point.attributes['network.transport'], 'tcp');
      const conns = metrics.get('system.network.connection.count')!;
      const listen = conns.dataPoints.find((p) => p.attributes['network.connection.state'] === 'listen');
      assert.ok(listen && (listen.value as number) >= 1);
      assert.equal(metrics.get('system.network.connection.count')!.descriptor.unit, '{connection}');
      assert.ok(metrics.has('raingauge.tcp.listen_overflows'));
      const cpu = metrics.get('process.cpu.time')!;
      const user = cpu.dataPoints.find(
        (p) => p.attributes['cpu.mode'] === 'user' && p.attributes['process.pid'] === process.pid,
      );
      assert.ok(user && (user.value as number) > 0);
      assert.ok(metrics.has('process.memory.usage'));
    } finally {
      stop();
      await provider.shutdown();
    }
  });
});
