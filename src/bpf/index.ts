/**
 * An eBPF engine with nothing to compile: bpf(2) through the system-call
 * layer, maps, a small assembler, program load with the verifier log, links,
 * iterators, a lazy BTF reader and run-time capability detection. See docs/bpf.md.
 * @module
 */
export * from './asm.js';
export * from './btf.js';
export * from './caps.js';
export * from './errors.js';
export * from './maps.js';
export * from './prog.js';
