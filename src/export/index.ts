/**
 * The exporter: Prometheus/OpenMetrics exposition, collectors with
 * node_exporter-compatible names, the `serve` HTTP server with its live
 * dashboard, and adapters for prom-client and OpenTelemetry. See docs/export.md.
 * @module
 */

export * from './adapters/otel.js';
export * from './adapters/promclient.js';
export * from './assets.js';
export * from './collector.js';
export * from './collectors/index.js';
export * from './dashboard.js';
export * from './exposition.js';
export * from './names.js';
export * from './scrape.js';
export * from './server.js';
