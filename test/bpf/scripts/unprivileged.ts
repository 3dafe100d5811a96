// Run as an unprivileged user: every BPF entry point must answer with a typed error naming CAP_BPF.
import { BpfKeyValueMap, codec, detectBpfCapabilities, PermissionError } from '../../../src/index.js';

const out: Record<string, unknown> = {};
try {
  BpfKeyValueMap.array('rg_x', codec.u64, 1);
  out.map = 'created';
} catch (e) {
  out.map = e instanceof PermissionError ? { capability: e.capability, message: e.message } : String(e);
}
const caps = detectBpfCapabilities();
out.privileged = caps.privileged;
out.tpBtf = caps.tpBtf;
process.stdout.write(`${JSON.stringify(out)}\n`);
