/**
 * Network counters: `/proc/net/netstat`, `/proc/net/snmp`, `/proc/net/snmp6`
 * (what `netstat -s` and `nstat` print), their meanings, deltas and the
 * listen-overflow diagnosis.
 * @module
 */
export * from './parse.js';
