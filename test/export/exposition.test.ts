import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  acceptsGzip,
  contentTypeFor,
  type ExpositionFamily,
  encodeFamilies,
  encodeFamily,
  escapeHelpOpenMetrics,
  escapeHelpText,
  escapeLabelValue,
  formatSampleValue,
  InvalidMetricNameError,
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_TEXT_CONTENT_TYPE,
} from '../../src/export/exposition.ts';
import { have, skipBecause } from '../helpers/env.ts';

const queued: ExpositionFamily = {
  name: 'raingauge_listener_queued_connections',
  help: 'Connections waiting in the accept queue.',
  type: 'gauge',
  series: [
    { labels: { listener: '127.0.0.1:8080', family: 'inet' }, value: 3 },
    { labels: { listener: '[::1]:8080', family: 'inet6' }, value: 0 },
  ],
};
const requests: ExpositionFamily = {
  name: 'app_requests_total',
  help: 'Requests "served".\nSecond line \\ backslash',
  type: 'counter',
  series: [{ labels: { code: '200' }, value: 12n ** 20n }, { value: 5 }],
};
const latency: ExpositionFamily = {
  name: 'app_latency_seconds',
  help: 'Latency.',
  type: 'histogram',
  unit: 'seconds',
  series: [
    {
      labels: { route: '/a' },
      buckets: [
        { le: 0.1, count: 1 },
        { le: 1, count: 3 },
        { le: Number.POSITIVE_INFINITY, count: 4 },
      ],
      sum: 2.5,
      count: 4,
    },
    { buckets: [{ le: 0.5, count: 2 }], sum: 0.25, count: 2 },
  ],
};

describe('escaping', () => {
  test('text HELP escapes backslash and newline only; OpenMetrics HELP also quotes', () => {
    assert.equal(escapeHelpText('a\\b\nc"d'), 'a\\\\b\\nc"d');
    assert.equal(escapeHelpOpenMetrics('a\\b\nc"d'), 'a\\\\b\\nc\\"d');
    assert.equal(escapeLabelValue('x"y\\z\n'), 'x\\"y\\\\z\\n');
    assert.equal(escapeLabelValue('plain'), 'plain');
  });

  test('label values round-trip through the escape for any string', () => {
    const unescapeValue = (s: string) => s.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const e = escapeLabelValue(s);
        assert.ok(!e.includes('\n'));
        assert.ok(!/(^|[^\\])(\\\\)*"/.test(e), 'no unescaped quote');
        assert.equal(unescapeValue(e), s);
      }),
    );
  });

  test('values: integers without a point, specials, bigints in full', () => {
    assert.equal(formatSampleValue(3), '3');
    assert.equal(formatSampleValue(0.25), '0.25');
    assert.equal(formatSampleValue(Number.NaN), 'NaN');
    assert.equal(formatSampleValue(Number.POSITIVE_INFINITY), '+Inf');
    assert.equal(formatSampleValue(Number.NEGATIVE_INFINITY), '-Inf');
    assert.equal(formatSampleValue(2n ** 64n - 1n), '18446744073709551615');
  });
});

describe('text 0.0.4', () => {
  test('gauge, counter and histogram exactly', () => {
    const text = encodeFamilies([queued, requests, latency]);
    assert.equal(
      text,
      [
        '# HELP raingauge_listener_queued_connections Connections waiting in the accept queue.',
        '# TYPE raingauge_listener_queued_connections gauge',
        'raingauge_listener_queued_connections{listener="127.0.0.1:8080",family="inet"} 3',
        'raingauge_listener_queued_connections{listener="[::1]:8080",family="inet6"} 0',
        '# HELP app_requests_total Requests "served".\\nSecond line \\\\ backslash',
        '# TYPE app_requests_total counter',
        `app_requests_total{code="200"} ${12n ** 20n}`,
        'app_requests_total 5',
        '# HELP app_latency_seconds Latency.',
        '# TYPE app_latency_seconds histogram',
        'app_latency_seconds_bucket{route="/a",le="0.1"} 1',
        'app_latency_seconds_bucket{route="/a",le="1"} 3',
        'app_latency_seconds_bucket{route="/a",le="+Inf"} 4',
        'app_latency_seconds_sum{route="/a"} 2.5',
        'app_latency_seconds_count{route="/a"} 4',
        'app_latency_seconds_bucket{le="0.5"} 2',
        'app_latency_seconds_bucket{le="+Inf"} 2',
        'app_latency_seconds_sum 0.25',
        'app_latency_seconds_count 2',
        '',
      ].join('\n'),
    );
  });

  test('untyped families keep their type; a family with no series keeps HELP/TYPE', () => {
    const t = encodeFamily({
      name: 'node_netstat_Tcp_CurrEstab',
      help: 'Statistic TcpCurrEstab.',
      type: 'untyped',
      series: [],
    });
    assert.equal(
      t,
      '# HELP node_netstat_Tcp_CurrEstab Statistic TcpCurrEstab.\n# TYPE node_netstat_Tcp_CurrEstab untyped\n',
    );
  });

  test('invalid metric and label names are typed errors naming the fix', () => {
    assert.throws(() => encodeFamily({ name: 'a.b', help: '', type: 'gauge', series: [] }), InvalidMetricNameError);
    assert.throws(
      () => encodeFamily({ name: 'a', help: '', type: 'gauge', series: [{ labels: { 'x-y': '1' }, value: 1 }] }),
      /invalid label name "x-y" in family "a"/,
    );
    assert.throws(
      () => encodeFamily({ name: 'a', help: '', type: 'gauge', series: [{ labels: { __x: '1' }, value: 1 }] }),
      InvalidMetricNameError,
    );
  });

  test('promtool check metrics finds nothing in the output', (t) => {
    if (!have('promtool')) {
      skipBecause(t, 'needs promtool (Debian prometheus)');
      return;
    }
    const text = encodeFamilies([queued, requests, latency]);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal((r.stdout + r.stderr).trim(), '');
  });
});

describe('OpenMetrics 1.0', () => {
  test('TYPE/UNIT/HELP order, counter family without _total, canonical le, # EOF', () => {
    const text = encodeFamilies([requests, latency], { format: 'openmetrics' });
    assert.equal(
      text,
      [
        '# TYPE app_requests counter',
        '# HELP app_requests Requests \\"served\\".\\nSecond line \\\\ backslash',
        `app_requests_total{code="200"} ${12n ** 20n}`,
        'app_requests_total 5',
        '# TYPE app_latency_seconds histogram',
        '# UNIT app_latency_seconds seconds',
        '# HELP app_latency_seconds Latency.',
        'app_latency_seconds_bucket{route="/a",le="0.1"} 1',
        'app_latency_seconds_bucket{route="/a",le="1.0"} 3',
        'app_latency_seconds_bucket{route="/a",le="+Inf"} 4',
        'app_latency_seconds_sum{route="/a"} 2.5',
        'app_latency_seconds_count{route="/a"} 4',
        'app_latency_seconds_bucket{le="0.5"} 2',
        'app_latency_seconds_bucket{le="+Inf"} 2',
        'app_latency_seconds_sum 0.25',
        'app_latency_seconds_count 2',
        '# EOF',
        '',
      ].join('\n'),
    );
    assert.ok(!text.includes('\r'));
  });

  test('untyped is written unknown; a counter not ending in _total gets the suffix on its sample', () => {
    const t = encodeFamilies(
      [
        { name: 'x', help: 'h', type: 'untyped', series: [{ value: 1 }] },
        { name: 'c', help: 'h', type: 'counter', series: [{ value: 2 }] },
      ],
      { format: 'openmetrics', eof: false },
    );
    assert.equal(t, '# TYPE x unknown\n# HELP x h\nx 1\n# TYPE c counter\n# HELP c h\nc_total 2\n');
  });
});

describe('negotiation', () => {
  test('Accept headers of real scrapers', () => {
    // Prometheus 3 default scrape_protocols
    assert.equal(
      negotiateFormat(
        'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
      ),
      'openmetrics',
    );
    // Prometheus 2.x
    assert.equal(
      negotiateFormat(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
      'openmetrics',
    );
    assert.equal(negotiateFormat('text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5'), 'prometheus');
    assert.equal(negotiateFormat(undefined), 'prometheus');
    assert.equal(negotiateFormat('*/*'), 'prometheus');
    assert.equal(negotiateFormat('application/json'), 'prometheus');
    assert.equal(negotiateFormat('application/openmetrics-text; version=2.0.0'), 'prometheus');
    assert.equal(negotiateFormat('application/openmetrics-text;q=0'), 'prometheus');
    assert.equal(
      negotiateFormat('application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited'),
      'prometheus',
    );
    assert.equal(negotiateFormat(['text/plain;q=0.1', 'application/openmetrics-text;q=0.2']), 'openmetrics');
  });

  test('content types carry the version', () => {
    assert.equal(contentTypeFor('prometheus'), PROMETHEUS_TEXT_CONTENT_TYPE);
    assert.equal(contentTypeFor('openmetrics'), OPENMETRICS_CONTENT_TYPE);
    assert.match(PROMETHEUS_TEXT_CONTENT_TYPE, /version=0\.0\.4/);
    assert.match(OPENMETRICS_CONTENT_TYPE, /version=1\.0\.0/);
  });

  test('gzip acceptance', () => {
    assert.equal(acceptsGzip('gzip, deflate, br'), true);
    assert.equal(acceptsGzip('br;q=1, gzip;q=0'), false);
    assert.equal(acceptsGzip('*'), true);
    assert.equal(acceptsGzip('identity'), false);
    assert.equal(acceptsGzip(undefined), false);
  });

  test('arbitrary Accept headers never throw', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        assert.ok(['prometheus', 'openmetrics'].includes(negotiateFormat(s)));
        assert.equal(typeof acceptsGzip(s), 'boolean');
      }),
    );
  });
});
