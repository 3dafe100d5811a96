/**
 * tracefs: find/mount it, private instances with a dead-man switch, event
 * `format` parsing, the binary `trace_pipe_raw` page decoder and a
 * non-blocking reader ({@link traceEvents}). See docs/tracefs.md.
 * @module
 */
export * from './errors.js';
export * from './format.js';
export * from './fs.js';
export * from './page.js';
export * from './session.js';
