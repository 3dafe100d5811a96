/**
 * Network counters: `/proc/net/netstat`, `/proc/net/snmp`, `/proc/net/snmp6`
 * (what `netstat -s` and `nstat` print), their meanings, deltas, an
 * nstat-style history and node_exporter names. The listen-overflow diagnosis
 * (a feature over these counters and the listener statistics) lives in the
 * listeners module.
 * @module
 */
export * from './delta.js';
export * from './history.js';
export * from './meta.js';
export * from './parse.js';
export * from './read.js';
export * from './select.js';
