/**
 * Errors of the BPF layer: verifier rejections with the log, BTF files that do
 * not decode, program types this kernel refuses.
 * @module
 */
import { DecodeError, NotSupportedError, RaingaugeError } from '../errors.js';

/**
 * `BPF_PROG_LOAD` failed. `log` is the verifier's log (always captured),
 * `errnoName` the kernel's answer; the message ends with the log's last lines.
 */
export class BpfVerifierError extends RaingaugeError {
  readonly program: string;
  readonly errno: number;
  readonly errnoName: string;
  readonly log: string;
  readonly insnCount: number;
  constructor(program: string, errno: number, errnoName: string, log: string, insnCount: number) {
    const tail = log.trim().split('\n').slice(-6).join('\n');
    super(
      `BPF program ${program} (${insnCount} instructions) was rejected: ${errnoName} (${errno})${
        tail ? `; verifier log:\n${tail}` : ' with an empty verifier log'
      }`,
      'ERR_RAINGAUGE_BPF_VERIFIER',
    );
    this.program = program;
    this.errno = errno;
    this.errnoName = errnoName;
    this.log = log;
    this.insnCount = insnCount;
  }
}

/**
 * The kernel refuses a program or attach type for a reason other than missing
 * privilege (e.g. fentry/fexit give EPERM with an empty log to root when
 * function tracing is blocked). `reason` says why; `fallback` what is used instead.
 */
export class BpfProgramRefusedError extends NotSupportedError {
  readonly attachKind: string;
  readonly reason: string;
  readonly fallback: string | undefined;
  constructor(attachKind: string, reason: string, fallback?: string, options?: { cause?: unknown }) {
    super(
      `bpf:${attachKind}`,
      `this kernel refuses BPF ${attachKind} programs: ${reason}${fallback ? `; using ${fallback} instead` : ''}`,
      options,
    );
    this.attachKind = attachKind;
    this.reason = reason;
    this.fallback = fallback;
  }
}

/** A BTF file is truncated or malformed. `file` names it, `offset` is the byte where decoding failed. */
export class BtfDecodeError extends DecodeError {
  readonly file: string;
  constructor(file: string, offset: number, reason: string) {
    super(`BTF ${file}`, offset, reason);
    this.file = file;
  }
}

/** A type, member, function or tracepoint is not in BTF (kernel too old or different config). */
export class BtfNotFoundError extends NotSupportedError {
  readonly lookup: string;
  constructor(lookup: string, file: string) {
    super(`btf:${lookup}`, `${lookup} is not described in ${file} (this kernel lacks it or was built without it)`);
    this.lookup = lookup;
  }
}
