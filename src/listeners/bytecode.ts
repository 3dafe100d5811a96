/**
 * The inet_diag bytecode filter (`INET_DIAG_REQ_BYTECODE`, run by
 * `inet_diag_bc_run()` in `net/ipv4/inet_diag.c`) that keeps sockets whose
 * local port is one of a set, so the kernel does not even build messages for
 * the other sockets (client sides of connections, other services).
 *
 * The ports are merged into ranges and compiled by sock_diag's one bytecode
 * compiler (`compileInetDiagFilter`) as `or` of `localPort: { ge, le }`:
 * S_GE/S_LE exist on every kernel with inet_diag bytecode (S_EQ needs
 * 4.17+). A jump is at most 65535 bytes, so at most {@link MAX_FILTER_RANGES}
 * ranges fit.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { compileInetDiagFilter, runInetDiagBytecode } from '../sockdiag/bytecode.js';

/** Bytes one range takes in the compiled program (S_GE + S_LE with their port words, and the OR jump). */
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
  const pieces = ranges.map(([lo, hi]) => ({ localPort: { ge: lo, le: hi } }));
  return compileInetDiagFilter(pieces.length === 1 ? pieces[0]! : { or: pieces });
}

const ANY4 = Buffer.alloc(4);

/** Run a port filter the way the kernel's `inet_diag_bc_run()` does, for a socket with local port `sport`. For tests. */
export function runPortBytecode(bc: Buffer, sport: number): boolean {
  return runInetDiagBytecode(bc, {
    family: 'inet',
    localPort: sport,
    remotePort: 0,
    localAddress: ANY4,
    remoteAddress: ANY4,
  });
}
