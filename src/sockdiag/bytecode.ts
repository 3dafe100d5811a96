/**
 * Compiler from a small filter expression to inet_diag bytecode
 * (`INET_DIAG_REQ_BYTECODE`, net/ipv4/inet_diag.c `inet_diag_bc_run`).
 *
 * The kernel runs the program once per socket. Every op is a conditional
 * jump: on success go to the next op (`yes` = the op's own length), on failure
 * jump `no` bytes ahead. Landing exactly on the end accepts the socket, going
 * past the end rejects it. Each compiled piece keeps one rule: its failure
 * target is "its own end + 4". Pieces then compose (as in iproute2's ss):
 * AND relocates the first piece's failure jumps to the end of the second,
 * OR puts an unconditional jump between the two, and NOT appends one.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { parseInetPrefix } from './address.js';
import {
  AF_INET,
  AF_INET6,
  INET_DIAG_BC_CGROUP_COND,
  INET_DIAG_BC_D_COND,
  INET_DIAG_BC_D_EQ,
  INET_DIAG_BC_D_GE,
  INET_DIAG_BC_D_LE,
  INET_DIAG_BC_DEV_COND,
  INET_DIAG_BC_JMP,
  INET_DIAG_BC_S_COND,
  INET_DIAG_BC_S_EQ,
  INET_DIAG_BC_S_GE,
  INET_DIAG_BC_S_LE,
} from './constants.js';

/** A port condition: an exact port, or a range (`ge`/`le`/`gt`/`lt`), or `ne`. */
export type PortCondition = number | { eq?: number; ne?: number; ge?: number; le?: number; gt?: number; lt?: number };

/**
 * A filter on sockets, run by the kernel. Conditions in one object are ANDed.
 *
 * - `localPort` / `remotePort`: a port or a range (host numbers).
 * - `localAddress` / `remoteAddress`: `a.b.c.d`, `a.b.c.d/len`, an IPv6 address or `v6/len`
 *   (an IPv4 condition also matches IPv4-mapped addresses of IPv6 sockets, as the kernel does);
 *   an array means any of them.
 * - `interfaceIndex`: the socket's bound device (`sk_bound_dev_if`).
 * - `cgroupId`: the socket's cgroup v2 id.
 * - `and` / `or` (arrays) and `not` combine filters.
 */
export type InetDiagFilter =
  | { and: InetDiagFilter[] }
  | { or: InetDiagFilter[] }
  | { not: InetDiagFilter }
  | {
      localPort?: PortCondition;
      remotePort?: PortCondition;
      localAddress?: string | string[];
      remoteAddress?: string | string[];
      interfaceIndex?: number;
      cgroupId?: bigint | number;
    };

const EMPTY: Buffer = Buffer.alloc(0);
const MAX_PROGRAM = 0xfff0;

function op(code: number, yes: number, no: number): Buffer {
  const b = Buffer.alloc(4);
  b[0] = code;
  b[1] = yes;
  b.writeUInt16LE(no, 2);
  return b;
}

/** Always false: an unconditional jump past the end. */
const FALSE = () => op(INET_DIAG_BC_JMP, 4, 8);

/** Relocate the failure jumps (targets = end + 4) of `prog` by `reloc` bytes. */
function patchRejects(prog: Buffer, reloc: number): void {
  let pos = 0;
  while (pos < prog.length) {
    const left = prog.length - pos;
    const no = prog.readUInt16LE(pos + 2);
    if (no === left + 4) {
      if (no + reloc > 0xffff) throw new InvalidArgumentError('inet_diag filter too large (jump > 65535 bytes)');
      prog.writeUInt16LE(no + reloc, pos + 2);
    }
    pos += prog[pos + 1]!;
  }
}

function and(a: Buffer, b: Buffer): Buffer {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = Buffer.concat([a, b]);
  patchRejects(out.subarray(0, a.length), b.length);
  return out;
}

function or(a: Buffer, b: Buffer): Buffer {
  if (a.length === 0 || b.length === 0) return EMPTY; // one side is always true
  return Buffer.concat([a, op(INET_DIAG_BC_JMP, 4, b.length + 4), b]);
}

function not(a: Buffer): Buffer {
  if (a.length === 0) return FALSE();
  return Buffer.concat([a, op(INET_DIAG_BC_JMP, 4, 8)]);
}

function checkPort(p: unknown, what: string): number {
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 65535) {
    throw new InvalidArgumentError(`${what} must be a port number 0-65535, got ${JSON.stringify(p)}`, p);
  }
  return p;
}

function portCmp(code: number, port: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = code;
  b[1] = 8;
  b.writeUInt16LE(12, 2);
  b.writeUInt16LE(port, 6); // the second op's `no` holds the port
  return b;
}

function portCondition(local: boolean, c: PortCondition): Buffer {
  const what = local ? 'localPort' : 'remotePort';
  const [EQ, GE, LE] = local
    ? [INET_DIAG_BC_S_EQ, INET_DIAG_BC_S_GE, INET_DIAG_BC_S_LE]
    : [INET_DIAG_BC_D_EQ, INET_DIAG_BC_D_GE, INET_DIAG_BC_D_LE];
  if (typeof c === 'number') return portCmp(EQ, checkPort(c, what));
  if (c === null || typeof c !== 'object') {
    throw new InvalidArgumentError(`${what} must be a port or { ge, le, gt, lt, eq, ne }`, c);
  }
  const known = new Set(['eq', 'ne', 'ge', 'le', 'gt', 'lt']);
  for (const k of Object.keys(c)) {
    if (!known.has(k))
      throw new InvalidArgumentError(`unknown ${what} condition "${k}" (use eq, ne, ge, le, gt, lt)`, c);
  }
  if (Object.keys(c).length === 0) throw new InvalidArgumentError(`empty ${what} condition`, c);
  let prog: Buffer = EMPTY;
  if (c.eq !== undefined) prog = and(prog, portCmp(EQ, checkPort(c.eq, `${what}.eq`)));
  if (c.ne !== undefined) prog = and(prog, not(portCmp(EQ, checkPort(c.ne, `${what}.ne`))));
  if (c.ge !== undefined) prog = and(prog, portCmp(GE, checkPort(c.ge, `${what}.ge`)));
  if (c.le !== undefined) prog = and(prog, portCmp(LE, checkPort(c.le, `${what}.le`)));
  if (c.gt !== undefined) {
    const p = checkPort(c.gt, `${what}.gt`);
    prog = and(prog, p === 65535 ? FALSE() : portCmp(GE, p + 1));
  }
  if (c.lt !== undefined) {
    const p = checkPort(c.lt, `${what}.lt`);
    prog = and(prog, p === 0 ? FALSE() : portCmp(LE, p - 1));
  }
  return prog;
}

function hostCondition(local: boolean, text: string): Buffer {
  if (typeof text !== 'string') {
    throw new InvalidArgumentError(`${local ? 'localAddress' : 'remoteAddress'} must be a string`, text);
  }
  const p = parseInetPrefix(text);
  const len = 4 + 8 + p.bytes.length;
  const b = Buffer.alloc(len);
  b[0] = local ? INET_DIAG_BC_S_COND : INET_DIAG_BC_D_COND;
  b[1] = len;
  b.writeUInt16LE(len + 4, 2);
  b[4] = p.family === 'inet' ? AF_INET : AF_INET6;
  b[5] = p.prefixLength;
  b.writeInt32LE(-1, 8); // any port
  p.bytes.copy(b, 12);
  return b;
}

function anyOf(items: string | string[], f: (s: string) => Buffer, what: string): Buffer {
  const list = Array.isArray(items) ? items : [items];
  if (list.length === 0) throw new InvalidArgumentError(`${what}: empty list`, items);
  return list.map(f).reduce((acc, x) => or(acc, x));
}

function compile(e: InetDiagFilter, depth: number): Buffer {
  if (depth > 64) throw new InvalidArgumentError('inet_diag filter nested too deeply');
  if (e === null || typeof e !== 'object' || Array.isArray(e)) {
    throw new InvalidArgumentError(`inet_diag filter must be an object, got ${JSON.stringify(e)}`, e);
  }
  if ('and' in e || 'or' in e || 'not' in e) {
    if (Object.keys(e).length !== 1) {
      throw new InvalidArgumentError('and/or/not must be the only key of their object', e);
    }
    if ('not' in e) return not(compile(e.not, depth + 1));
    const list = 'and' in e ? e.and : (e as { or: InetDiagFilter[] }).or;
    if (!Array.isArray(list)) throw new InvalidArgumentError('and/or take an array of filters', e);
    const parts = list.map((x) => compile(x, depth + 1));
    if ('and' in e) return parts.reduce(and, EMPTY);
    return parts.length === 0 ? FALSE() : parts.reduce((acc, x) => or(acc, x));
  }
  const known = new Set(['localPort', 'remotePort', 'localAddress', 'remoteAddress', 'interfaceIndex', 'cgroupId']);
  const keys = Object.keys(e);
  for (const k of keys) {
    if (!known.has(k)) {
      throw new InvalidArgumentError(
        `unknown inet_diag filter key "${k}" (use ${[...known].join(', ')}, and, or, not)`,
        e,
      );
    }
  }
  if (keys.length === 0) throw new InvalidArgumentError('empty inet_diag filter object', e);
  const c = e as Exclude<InetDiagFilter, { and: unknown } | { or: unknown } | { not: unknown }>;
  let prog: Buffer = EMPTY;
  if (c.localAddress !== undefined)
    prog = and(
      prog,
      anyOf(c.localAddress, (s) => hostCondition(true, s), 'localAddress'),
    );
  if (c.remoteAddress !== undefined)
    prog = and(
      prog,
      anyOf(c.remoteAddress, (s) => hostCondition(false, s), 'remoteAddress'),
    );
  if (c.localPort !== undefined) prog = and(prog, portCondition(true, c.localPort));
  if (c.remotePort !== undefined) prog = and(prog, portCondition(false, c.remotePort));
  if (c.interfaceIndex !== undefined) {
    const i = c.interfaceIndex;
    if (!Number.isInteger(i) || i < 0 || i > 0xffffffff) throw new InvalidArgumentError('bad interfaceIndex', i);
    const b = Buffer.alloc(8);
    b[0] = INET_DIAG_BC_DEV_COND;
    b[1] = 8;
    b.writeUInt16LE(12, 2);
    b.writeUInt32LE(i, 4);
    prog = and(prog, b);
  }
  if (c.cgroupId !== undefined) {
    const id = BigInt(c.cgroupId);
    if (id < 0n || id > 0xffffffffffffffffn) throw new InvalidArgumentError('bad cgroupId', c.cgroupId);
    const b = Buffer.alloc(12);
    b[0] = INET_DIAG_BC_CGROUP_COND;
    b[1] = 12;
    b.writeUInt16LE(16, 2);
    b.writeBigUInt64LE(id, 4);
    prog = and(prog, b);
  }
  return prog;
}

/**
 * Compile a filter expression to inet_diag bytecode (the value of the
 * INET_DIAG_REQ_BYTECODE request attribute). An always-true filter compiles
 * to an empty program (send no attribute).
 *
 * ```ts
 * compileInetDiagFilter({ and: [{ localPort: 8080 }, { not: { remoteAddress: '10.0.0.0/8' } }] });
 * compileInetDiagFilter({ localPort: { ge: 1024, le: 2000 } });
 * ```
 * @throws {InvalidArgumentError} naming the offending part of the expression.
 */
export function compileInetDiagFilter(expr: InetDiagFilter): Buffer {
  const prog = compile(expr, 0);
  if (prog.length > MAX_PROGRAM) throw new InvalidArgumentError(`inet_diag filter too large (${prog.length} bytes)`);
  return prog;
}

/**
 * Run compiled bytecode in user space against one socket, with the kernel's
 * semantics (`inet_diag_bc_run`). Used by the tests to check the compiler
 * against the kernel; ports are host numbers, addresses 4 or 16 bytes.
 */
export function runInetDiagBytecode(
  prog: Buffer,
  s: {
    family: 'inet' | 'inet6';
    localPort: number;
    remotePort: number;
    localAddress: Buffer;
    remoteAddress: Buffer;
    interfaceIndex?: number;
    cgroupId?: bigint;
  },
): boolean {
  try {
    return runBytecode(prog, s);
  } catch (e) {
    if (e instanceof RangeError) throw new InvalidArgumentError(`malformed inet_diag bytecode: ${e.message}`);
    throw e;
  }
}

function runBytecode(prog: Buffer, s: Parameters<typeof runInetDiagBytecode>[1]): boolean {
  let pos = 0;
  let len = prog.length;
  while (len > 0) {
    const code = prog[pos]!;
    let yes = true;
    switch (code) {
      case 0:
        break;
      case INET_DIAG_BC_JMP:
        yes = false;
        break;
      case INET_DIAG_BC_S_EQ:
        yes = s.localPort === prog.readUInt16LE(pos + 6);
        break;
      case INET_DIAG_BC_S_GE:
        yes = s.localPort >= prog.readUInt16LE(pos + 6);
        break;
      case INET_DIAG_BC_S_LE:
        yes = s.localPort <= prog.readUInt16LE(pos + 6);
        break;
      case INET_DIAG_BC_D_EQ:
        yes = s.remotePort === prog.readUInt16LE(pos + 6);
        break;
      case INET_DIAG_BC_D_GE:
        yes = s.remotePort >= prog.readUInt16LE(pos + 6);
        break;
      case INET_DIAG_BC_D_LE:
        yes = s.remotePort <= prog.readUInt16LE(pos + 6);
        break;
      case INET_DIAG_BC_DEV_COND:
        yes = (s.interfaceIndex ?? 0) === prog.readUInt32LE(pos + 4);
        break;
      case INET_DIAG_BC_CGROUP_COND:
        yes = (s.cgroupId ?? 0n) === prog.readBigUInt64LE(pos + 4);
        break;
      case INET_DIAG_BC_S_COND:
      case INET_DIAG_BC_D_COND: {
        const local = code === INET_DIAG_BC_S_COND;
        const fam = prog[pos + 4]!;
        const plen = prog[pos + 5]!;
        const port = prog.readInt32LE(pos + 8);
        const addr = local ? s.localAddress : s.remoteAddress;
        const sport = local ? s.localPort : s.remotePort;
        if (port !== -1 && port !== sport) {
          yes = false;
          break;
        }
        const sfam = s.family === 'inet' ? AF_INET : AF_INET6;
        const cond = prog.subarray(pos + 12);
        if (fam !== 0 && fam !== sfam) {
          if (sfam === AF_INET6 && fam === AF_INET && isMapped(addr) && bitsMatch(addr.subarray(12), cond, plen)) break;
          yes = false;
          break;
        }
        if (plen === 0) break;
        yes = bitsMatch(addr, cond, plen);
        break;
      }
      default:
        throw new InvalidArgumentError(`unknown bytecode op ${code} at ${pos}`);
    }
    const step = yes ? prog[pos + 1]! : prog.readUInt16LE(pos + 2);
    if (step === 0) throw new InvalidArgumentError(`bytecode loops at ${pos}`);
    pos += step;
    len -= step;
  }
  return len === 0;
}

function isMapped(a: Buffer): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}

function bitsMatch(a: Buffer, b: Buffer, bits: number): boolean {
  const bytes = bits >> 3;
  for (let i = 0; i < bytes; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[bytes]! ^ b[bytes]!) & mask) === 0;
}
