/**
 * Pure parsers for the kernel's network counter files (`/proc/net/netstat`, `/proc/net/snmp`,
 * `/proc/net/snmp6`, `/proc/net/dev_snmp6/<iface>`). They live in `src/util/net_counters.ts`,
 * below every kernel source, because both the netstat readers and `ProcFS` use them; this module
 * keeps the netstat names.
 * @module
 */
export * from '../util/net_counters.js';
