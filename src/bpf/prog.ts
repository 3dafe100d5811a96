/**
 * Program load (verifier log always captured), links (`tp_btf` through
 * `BPF_RAW_TRACEPOINT_OPEN`, iterators through `BPF_LINK_CREATE`), iterator
 * reads, and listing of the kernel's BPF object ids (to prove nothing is left
 * behind). No object is ever pinned: programs, links and maps live as long as
 * this process's descriptors.
 * @module
 */
import { readFileSync } from 'node:fs';
import { PermissionError } from '../errors.js';
import { BPF_CMD, bpfCall, bpfSyscall, bufferAddress, close, errno, errnoName, read } from '../sys/index.js';
import { BpfProgramRefusedError, BpfVerifierError } from './errors.js';

/** Program types (`enum bpf_prog_type`). */
export const BPF_PROG_TYPE = {
  SOCKET_FILTER: 1,
  KPROBE: 2,
  TRACEPOINT: 5,
  RAW_TRACEPOINT: 17,
  CGROUP_SOCK: 9,
  TRACING: 26,
  LSM: 29,
} as const;

/** Attach types (`enum bpf_attach_type`) used by tracing programs. */
export const BPF_ATTACH_TYPE = {
  CGROUP_INET_SOCK_CREATE: 2,
  TRACE_RAW_TP: 23,
  TRACE_FENTRY: 24,
  TRACE_FEXIT: 25,
  MODIFY_RETURN: 26,
  LSM_MAC: 27,
  TRACE_ITER: 28,
  CGROUP_INET_SOCK_RELEASE: 34,
} as const;

/** What to load. */
export interface BpfProgramSpec {
  /** Up to 15 characters (shown by bpftool; used in errors). */
  name: string;
  type: number;
  /** Instruction bytes (from {@link BpfAssembler.assemble}). */
  insns: Buffer;
  expectedAttachType?: number;
  /** BTF type id to attach to (tp_btf typedef, fentry/iterator FUNC), in vmlinux. */
  attachBtfId?: number;
  /** Default `GPL` (needed by most tracing helpers). */
  license?: string;
  /** Verifier log level (default 1; 2 = every instruction's state). */
  logLevel?: number;
  /** Log buffer size in bytes (default 256 KiB; grown on ENOSPC up to 16 MiB). */
  logBytes?: number;
}

/** A loaded program: its descriptor and the verifier log of the load. */
export class BpfProgram {
  readonly fd: number;
  readonly name: string;
  readonly verifierLog: string;
  readonly insnCount: number;
  private closed = false;
  constructor(fd: number, name: string, verifierLog: string, insnCount: number) {
    this.fd = fd;
    this.name = name;
    this.verifierLog = verifierLog;
    this.insnCount = insnCount;
  }
  /** Close the descriptor (the kernel frees the program once no link holds it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd);
  }
}

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

/** Effective capabilities of this process (`CapEff` of /proc/self/status). */
export function effectiveCapabilities(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

/** True when this process may load tracing programs (CAP_BPF + CAP_PERFMON, or CAP_SYS_ADMIN). */
export function hasBpfCapabilities(caps = effectiveCapabilities()): boolean {
  const has = (c: number) => (caps >> BigInt(c)) & 1n;
  return has(CAP_SYS_ADMIN) === 1n || (has(CAP_BPF) === 1n && has(CAP_PERFMON) === 1n);
}

const ATTACH_NAMES: Record<number, string> = {
  [BPF_ATTACH_TYPE.TRACE_FENTRY]: 'fentry',
  [BPF_ATTACH_TYPE.TRACE_FEXIT]: 'fexit',
  [BPF_ATTACH_TYPE.MODIFY_RETURN]: 'fmod_ret',
  [BPF_ATTACH_TYPE.LSM_MAC]: 'lsm',
  [BPF_ATTACH_TYPE.TRACE_RAW_TP]: 'tp_btf',
  [BPF_ATTACH_TYPE.TRACE_ITER]: 'iter',
};

/**
 * `BPF_PROG_LOAD` with a log buffer (attr: prog_type@0 insn_cnt@4 insns@8
 * license@16 log_level@24 log_size@28 log_buf@32 prog_name@48
 * expected_attach_type@68 attach_btf_id@108).
 * @throws {BpfVerifierError} with the log when the verifier rejects the program;
 *   {@link PermissionError} naming CAP_BPF when the process lacks it;
 *   {@link BpfProgramRefusedError} when a privileged process gets EPERM (the kernel refuses the type).
 */
export function loadProgram(spec: BpfProgramSpec): BpfProgram {
  if (spec.insns.length === 0 || spec.insns.length % 8 !== 0) {
    throw new BpfVerifierError(spec.name, errno.EINVAL, 'EINVAL', 'program is empty or not 8-byte instructions', 0);
  }
  const insnCount = spec.insns.length / 8;
  const license = Buffer.from(`${spec.license ?? 'GPL'}\0`, 'latin1');
  let logBytes = spec.logBytes ?? 256 * 1024;
  for (;;) {
    const log = Buffer.alloc(logBytes);
    const a = Buffer.alloc(144);
    a.writeUInt32LE(spec.type, 0);
    a.writeUInt32LE(insnCount, 4);
    a.writeBigUInt64LE(bufferAddress(spec.insns), 8);
    a.writeBigUInt64LE(bufferAddress(license), 16);
    a.writeUInt32LE(spec.logLevel ?? 1, 24);
    a.writeUInt32LE(logBytes, 28);
    a.writeBigUInt64LE(bufferAddress(log), 32);
    a.write(spec.name.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 15), 48, 'latin1');
    a.writeUInt32LE(spec.expectedAttachType ?? 0, 68);
    a.writeUInt32LE(spec.attachBtfId ?? 0, 108);
    const r = bpfSyscall(BPF_CMD.PROG_LOAD, a);
    const end = log.indexOf(0);
    const text = log.toString('utf8', 0, end < 0 ? log.length : end);
    if (r.ret >= 0) return new BpfProgram(r.ret, spec.name, text, insnCount);
    if (r.errno === errno.ENOSPC && logBytes < 16 * 1024 * 1024) {
      logBytes *= 4;
      continue;
    }
    if (r.errno === errno.EPERM || r.errno === errno.EACCES) {
      if (!hasBpfCapabilities()) {
        throw new PermissionError(
          `loading BPF program ${spec.name} was refused (${errnoName(r.errno)}): needs root or CAP_BPF + CAP_PERFMON`,
          { capability: 'CAP_BPF' },
        );
      }
      if (text.trim() === '') {
        const kind = ATTACH_NAMES[spec.expectedAttachType ?? -1] ?? `program type ${spec.type}`;
        throw new BpfProgramRefusedError(
          kind,
          `BPF_PROG_LOAD gave ${errnoName(r.errno)} with an empty verifier log to a privileged process (lockdown or a kernel that blocks function tracing)`,
        );
      }
    }
    throw new BpfVerifierError(spec.name, r.errno, errnoName(r.errno), text, insnCount);
  }
}

/** An attachment; closing it detaches the program. */
export class BpfLink {
  readonly fd: number;
  readonly what: string;
  private closed = false;
  constructor(fd: number, what: string) {
    this.fd = fd;
    this.what = what;
  }
  /** Detach (close the link descriptor). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    close(this.fd);
  }
}

/** Attach a `tp_btf` (or raw tracepoint) program: `BPF_RAW_TRACEPOINT_OPEN` (name@0 NULL for tp_btf, prog_fd@8). */
export function attachTracing(prog: BpfProgram, rawTracepointName?: string): BpfLink {
  const a = Buffer.alloc(16);
  const name = rawTracepointName ? Buffer.from(`${rawTracepointName}\0`, 'latin1') : undefined;
  a.writeBigUInt64LE(name ? bufferAddress(name) : 0n, 0);
  a.writeUInt32LE(prog.fd, 8);
  const fd = bpfCall(BPF_CMD.RAW_TRACEPOINT_OPEN, a, `RAW_TRACEPOINT_OPEN ${prog.name}`);
  return new BpfLink(fd, prog.name);
}

/** `BPF_LINK_CREATE` (prog_fd@0 target_fd@4 attach_type@8). */
export function createLink(prog: BpfProgram, attachType: number, targetFd = 0): BpfLink {
  const a = Buffer.alloc(64);
  a.writeUInt32LE(prog.fd, 0);
  a.writeUInt32LE(targetFd, 4);
  a.writeUInt32LE(attachType, 8);
  const fd = bpfCall(BPF_CMD.LINK_CREATE, a, `LINK_CREATE ${prog.name}`);
  return new BpfLink(fd, prog.name);
}

/**
 * Run an iterator once: `BPF_ITER_CREATE` on its link and `read()` the
 * descriptor to the end (the program runs for each object during the reads;
 * whatever it `seq_write`s is returned). The walk happens in the caller's
 * network namespace for network iterators.
 */
export function runIterator(link: BpfLink, chunk: Buffer = Buffer.alloc(64 * 1024)): Buffer {
  const a = Buffer.alloc(8);
  a.writeUInt32LE(link.fd, 0);
  const fd = bpfCall(BPF_CMD.ITER_CREATE, a, `ITER_CREATE ${link.what}`);
  const parts: Buffer[] = [];
  try {
    for (;;) {
      const n = read(fd, chunk);
      if (n <= 0) break;
      parts.push(Buffer.from(chunk.subarray(0, n)));
    }
  } finally {
    close(fd);
  }
  return Buffer.concat(parts);
}

/** Ids of the kernel's BPF objects of one kind (`BPF_{PROG,MAP,LINK}_GET_NEXT_ID`, start_id@0 next_id@4). */
export function listBpfObjectIds(kind: 'prog' | 'map' | 'link'): number[] {
  const cmd =
    kind === 'prog' ? BPF_CMD.PROG_GET_NEXT_ID : kind === 'map' ? BPF_CMD.MAP_GET_NEXT_ID : BPF_CMD.LINK_GET_NEXT_ID;
  const a = Buffer.alloc(12);
  const out: number[] = [];
  let start = 0;
  for (;;) {
    a.writeUInt32LE(start, 0);
    a.writeUInt32LE(0, 4);
    const r = bpfSyscall(cmd, a);
    if (r.ret < 0) {
      if (r.errno === errno.ENOENT) break;
      bpfCall(cmd, a, `${kind.toUpperCase()}_GET_NEXT_ID`); // throws the typed error
    }
    start = a.readUInt32LE(4);
    out.push(start);
  }
  return out;
}
