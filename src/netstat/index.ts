/**
 * Network counters: `/proc/net/netstat`, `/proc/net/snmp`, `/proc/net/snmp6`
 * (what `netstat -s` and `nstat` print), their meanings, deltas, an
 * nstat-style history, node_exporter names and the listen-overflow diagnosis.
 * @module
 */
export * from './delta.js';
export * from './history.js';
export * from './meta.js';
export * from './overflows.js';
export * from './parse.js';
export * from './read.js';
export * from './select.js';
