/**
 * The netlink layer: pure message/attribute codecs, a request/dump socket and
 * generic-netlink family lookup. See docs/netlink.md.
 * @module
 */
export * from './constants.js';
export * from './errors.js';
export * from './genl.js';
export * from './message.js';
export * from './slicer.js';
export * from './socket.js';
