/**
 * An `inet_diag` bytecode filter (`INET_DIAG_REQ_BYTECODE`, run by
 * `inet_diag_bc_run()` in `net/ipv4/inet_diag.c`) that keeps sockets whose
 * local port is one of a set, so the kernel does not even build messages for
 * the other sockets (client sides of connections, other services).
 *
 * Each port range becomes `S_GE lo; S_LE hi; JMP accept`, chained so that a
 * failed comparison falls through to the next range and the last one rejects.
 * S_GE/S_LE exist on every kernel with inet_diag bytecode (S_EQ needs 4.17+).
 * A jump is at most 65535 bytes, so at most {@link MAX_FILTER_RANGES} ranges fit.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';

const BC_JMP = 1;
const BC_S_GE = 2;
const BC_S_LE = 3;
const BLOCK = 20;

/** Most port ranges one filter can hold (the `no` jump of a bytecode op is a u16). */
export const MAX_FILTER_RANGES = Math.floor(0xfff0 / BLOCK);

/** Sort ports and merge consecutive ones into inclusive ranges. */
export function portRanges(ports: Iterable<number>): [number, number][] {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const p of sorted) {
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new InvalidArgumentError(`bad port ${p}`, p);
    const last = out[out.length - 1];
    if (last && last[1] + 1 === p) last[1] = p;
    else out.push([p, p]);
  }
  return out;
}

/**
 * Compile "local port in `ports`" to inet_diag bytecode, or return undefined
 * when there are too many ranges for one program (then dump unfiltered).
 * @throws {InvalidArgumentError} for an empty set (it would match nothing: skip the dump instead).
 */
export function sourcePortFilterBytecode(ports: Iterable<number>): Buffer | undefined {
  const ranges = portRanges(ports);
  if (ranges.length === 0) throw new InvalidArgumentError('a port filter needs at least one port', ports);
  if (ranges.length > MAX_FILTER_RANGES) return undefined;
  const total = ranges.length * BLOCK;
  const b = Buffer.alloc(total);
  ranges.forEach(([lo, hi], i) => {
    const o = i * BLOCK;
    const last = i === ranges.length - 1;
    const left = total - o;
    // S_GE lo: yes → S_LE, no → next block (or reject: past the end by 4)
    op(b, o, BC_S_GE, 8, last ? left + 4 : BLOCK);
    op(b, o + 4, 0, 0, lo);
    // S_LE hi: yes → JMP, no → next block (or reject)
    op(b, o + 8, BC_S_LE, 8, last ? left - 8 + 4 : BLOCK - 8);
    op(b, o + 12, 0, 0, hi);
    // JMP: always takes `no`, to exactly the end = accept
    op(b, o + 16, BC_JMP, 4, left - 16);
  });
  return b;
}

function op(b: Buffer, at: number, code: number, yes: number, no: number): void {
  b[at] = code;
  b[at + 1] = yes;
  b.writeUInt16LE(no, at + 2);
}

/**
 * Run a program the way the kernel's `inet_diag_bc_run()` does, for the ops
 * this module emits (S_GE, S_LE, JMP, NOP). For tests.
 */
export function runPortBytecode(bc: Buffer, sport: number): boolean {
  let pos = 0;
  let len = bc.length;
  while (len > 0) {
    const code = bc[pos]!;
    let yes = true;
    if (code === BC_S_GE) yes = sport >= bc.readUInt16LE(pos + 6);
    else if (code === BC_S_LE) yes = sport <= bc.readUInt16LE(pos + 6);
    else if (code === BC_JMP) yes = false;
    const step = yes ? bc[pos + 1]! : bc.readUInt16LE(pos + 2);
    len -= step;
    pos += step;
  }
  return len === 0;
}
