/**
 * taskstats: per-task and per-process accounting from the kernel's
 * generic-netlink TASKSTATS family (CPU, I/O, memory, delay accounting) and
 * exit events, with a /proc fallback for unprivileged callers.
 * See docs/taskstats.md.
 * @module
 */

export * from './client.js';
export * from './layout.js';
export * from './message.js';
export * from './procfallback.js';
export * from './record.js';
export * from './status.js';
export * from './sysctl.js';
