// Creates a map, a tp_btf program and its link, prints their ids, then waits to be killed.
import {
  attachTracing,
  BPF_ATTACH_TYPE,
  BPF_PROG_TYPE,
  BpfAssembler,
  BpfKeyValueMap,
  codec,
  listBpfObjectIds,
  loadProgram,
  R0,
  vmlinuxBtf,
} from '../../../src/index.js';

const before = { prog: listBpfObjectIds('prog'), map: listBpfObjectIds('map'), link: listBpfObjectIds('link') };
const m = BpfKeyValueMap.array('rg_hold', codec.u64, 1);
const p = loadProgram({
  name: 'rg_hold',
  type: BPF_PROG_TYPE.TRACING,
  insns: new BpfAssembler().ldMap(1, m).mov64(R0, 0).exit().assemble(),
  expectedAttachType: BPF_ATTACH_TYPE.TRACE_RAW_TP,
  attachBtfId: vmlinuxBtf().tracepointId('sock_send_length'),
});
attachTracing(p);
const diff = (k: 'prog' | 'map' | 'link') => listBpfObjectIds(k).filter((id) => !before[k].includes(id));
process.stdout.write(`${JSON.stringify({ prog: diff('prog'), map: diff('map'), link: diff('link') })}\n`);
setInterval(() => {}, 1000);
