/**
 * Socket probes (the SystemTap socket tapset on plain tracefs) and the
 * tapset's number ↔ name helpers. See docs/probes.md.
 * @module
 */
export * from './bpf-sockets.js';
export * from './sockets.js';
export * from './tables.js';
