/**
 * Run-time capability detection: which program and attach types this kernel
 * accepts, each with the reason when it does not. Each probe loads a
 * two-instruction program (`r0 = 0; exit`) and closes it at once.
 * @module
 */
import { PermissionError } from '../errors.js';
import { BpfAssembler, R0 } from './asm.js';
import { vmlinuxBtf } from './btf.js';
import { BpfProgramRefusedError } from './errors.js';
import { BPF_ATTACH_TYPE, BPF_PROG_TYPE, hasBpfCapabilities, loadProgram } from './prog.js';

/** Whether one kind of program can be used here, and why not. */
export interface BpfFeature {
  available: boolean;
  /** Why not (the kernel's answer or the missing capability); undefined when available. */
  reason: string | undefined;
}

/** What {@link detectBpfCapabilities} found. */
export interface BpfCapabilities {
  /** CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN) are effective. */
  privileged: boolean;
  /** /sys/kernel/btf/vmlinux is readable. */
  btf: BpfFeature;
  /** `tp_btf` programs (BTF-typed tracepoints). */
  tpBtf: BpfFeature;
  /** BPF iterators (`bpf_iter_tcp`). */
  iterTcp: BpfFeature;
  /** fentry (function entry) programs. */
  fentry: BpfFeature;
  /** fexit (function return) programs. */
  fexit: BpfFeature;
}

const TRIVIAL = new BpfAssembler().mov64(R0, 0).exit().assemble();

function probe(fn: () => { attachType: number; btfId: number }): BpfFeature {
  try {
    const { attachType, btfId } = fn();
    loadProgram({
      name: 'rg_probe',
      type: BPF_PROG_TYPE.TRACING,
      insns: TRIVIAL,
      expectedAttachType: attachType,
      attachBtfId: btfId,
    }).close();
    return { available: true, reason: undefined };
  } catch (e) {
    if (e instanceof BpfProgramRefusedError) return { available: false, reason: e.reason };
    if (e instanceof PermissionError) return { available: false, reason: e.message };
    return { available: false, reason: (e as Error).message };
  }
}

let cached: BpfCapabilities | undefined;

/**
 * Probe this kernel once per process (cached; `refresh` probes again).
 * fentry/fexit are probed on `sock_recvmsg`, a real function on the receive path.
 */
export function detectBpfCapabilities(refresh = false): BpfCapabilities {
  if (cached && !refresh) return cached;
  const privileged = hasBpfCapabilities();
  const no = (reason: string): BpfFeature => ({ available: false, reason });
  let btf: BpfFeature;
  try {
    vmlinuxBtf();
    btf = { available: true, reason: undefined };
  } catch (e) {
    btf = no((e as Error).message);
  }
  if (!privileged || !btf.available) {
    const reason = !privileged ? 'needs root or CAP_BPF + CAP_PERFMON (not effective in this process)' : btf.reason!;
    cached = { privileged, btf, tpBtf: no(reason), iterTcp: no(reason), fentry: no(reason), fexit: no(reason) };
    return cached;
  }
  const b = vmlinuxBtf();
  cached = {
    privileged,
    btf,
    tpBtf: probe(() => ({ attachType: BPF_ATTACH_TYPE.TRACE_RAW_TP, btfId: b.tracepointId('sock_send_length') })),
    iterTcp: probe(() => ({ attachType: BPF_ATTACH_TYPE.TRACE_ITER, btfId: b.funcId('bpf_iter_tcp') })),
    fentry: probe(() => ({ attachType: BPF_ATTACH_TYPE.TRACE_FENTRY, btfId: b.funcId('sock_recvmsg') })),
    fexit: probe(() => ({ attachType: BPF_ATTACH_TYPE.TRACE_FEXIT, btfId: b.funcId('sock_recvmsg') })),
  };
  return cached;
}
