/**
 * raingauge: the Linux kernel's own numbers about processes and sockets.
 *
 * Everything public is exported from here; see the README and docs/ for a tour.
 * @module
 */
export * from './bpf/index.js';
export * from './errors.js';
export * from './export/index.js';
export * from './http/index.js';
export * from './listeners/index.js';
export * from './netlink/index.js';
export * from './netstat/index.js';
export * from './probes/index.js';
export * from './procfs/index.js';
export * from './sockdiag/index.js';
export * from './stats/index.js';
export * from './sysfs/index.js';
export * from './taskstats/index.js';
export * from './tracefs/index.js';
