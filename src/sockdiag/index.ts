/**
 * sock_diag: INET (TCP, UDP, RAW; IPv4 and IPv6) and UNIX socket dumps with
 * extensions and in-kernel filters, and TCP_INFO. See docs/sockdiag.md.
 * @module
 */
export * from './address.js';
export * from './bytecode.js';
export * from './constants.js';
export * from './inet.js';
export * from './request.js';
export * from './shared.js';
export * from './tcpinfo.js';
export * from './unix.js';
