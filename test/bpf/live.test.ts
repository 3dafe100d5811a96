import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  attachTracing,
  BPF_ATTACH_TYPE,
  BPF_PROG_TYPE,
  BpfAssembler,
  BpfKeyValueMap,
  BpfPerCpuArray,
  BpfProgramRefusedError,
  BpfRingBuffer,
  BpfVerifierError,
  codec,
  detectBpfCapabilities,
  listBpfObjectIds,
  loadProgram,
  R0,
  R1,
  R2,
  R3,
  R6,
  R7,
  R10,
  sumBigints,
  vmlinuxBtf,
} from '../../src/index.js';
import { needRoot, repoRoot, runCapture } from '../helpers/env.js';

const tracing = (name: string, a: BpfAssembler, tp = 'sock_send_length') =>
  loadProgram({
    name,
    type: BPF_PROG_TYPE.TRACING,
    insns: a.assemble(),
    expectedAttachType: BPF_ATTACH_TYPE.TRACE_RAW_TP,
    attachBtfId: vmlinuxBtf().tracepointId(tp),
  });

async function udpSends(sizes: number[]): Promise<void> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  for (const n of sizes)
    await new Promise<void>((r) => s.send(Buffer.alloc(n), s.address().port, '127.0.0.1', () => r()));
  await new Promise<void>((r) => s.close(() => r()));
}

test('maps: hash set/get/delete/keys, array, per-CPU array', (t) => {
  if (needRoot(t)) return;
  const h = BpfKeyValueMap.hash('rg_t_hash', codec.u32, codec.u64, 16);
  const a = BpfKeyValueMap.array('rg_t_arr', codec.u64, 4);
  const pc = new BpfPerCpuArray('rg_t_pc', codec.u64, 2);
  try {
    h.set(7, 70n);
    h.set(9, 90n);
    assert.equal(h.get(7), 70n);
    assert.equal(h.get(8), undefined);
    assert.deepEqual(h.keys().sort(), [7, 9]);
    assert.equal(h.delete(7), true);
    assert.equal(h.delete(7), false);
    assert.deepEqual(h.entries(), [[9, 90n]]);
    a.set(3, 33n);
    assert.equal(a.get(3), 33n);
    assert.equal(a.get(0), 0n);
    pc.setAll(1, 5n);
    assert.equal(pc.getPerCpu(1).length, pc.cpus);
    assert.equal(sumBigints(pc.getPerCpu(1)), 5n * BigInt(pc.cpus));
  } finally {
    h.close();
    a.close();
    pc.close();
  }
});

test('tp_btf program counts this process sends exactly and streams sizes through a ringbuf', async (t) => {
  if (needRoot(t)) return;
  const cnt = BpfKeyValueMap.array('rg_t_cnt', codec.u64, 2);
  const rb = new BpfRingBuffer('rg_t_rb', 1 << 16);
  const a = new BpfAssembler()
    .ldx(8, R6, R1, 8) // r6 = ctx[1] = ret (bytes sent)
    .ldx(8, R7, R1, 0) // r7 = ctx[0] = sk
    .ldx(2, R7, R7, vmlinuxBtf().offsetOf('sock', 'skc_family'))
    .jne(R7, 2, 'out') // AF_INET only: the test runner talks to this process over UNIX sockets
    .call('get_current_pid_tgid')
    .rsh64(R0, 32)
    .jne(R0, process.pid, 'out')
    .st(4, R10, -4, 0)
    .mov64Reg(R2, R10)
    .add64(R2, -4)
    .ldMap(R1, cnt)
    .call('map_lookup_elem')
    .jeq(R0, 0, 'out')
    .atomicAdd64(R0, 0, R6)
    .ldMap(R1, rb)
    .mov64(R2, 8)
    .mov64(R3, 0)
    .call('ringbuf_reserve')
    .jeq(R0, 0, 'out')
    .stx(8, R0, 0, R6)
    .mov64Reg(R1, R0)
    .mov64(R2, 0)
    .call('ringbuf_submit')
    .label('out')
    .mov64(R0, 0)
    .exit();
  const p = tracing('rg_t_send', a);
  const link = attachTracing(p);
  try {
    assert.match(p.verifierLog, /processed \d+ insns/);
    await udpSends([100, 200, 300, 17]);
    assert.equal(cnt.get(0), 617n);
    const sizes: number[] = [];
    rb.drain((d, o) => sizes.push(d.readUInt32LE(o)));
    assert.deepEqual(sizes, [100, 200, 300, 17]);
    assert.equal(rb.stats().records, 4);
  } finally {
    link.close();
    p.close();
    cnt.close();
    rb.close();
  }
});

test('verifier rejection carries the log', (t) => {
  if (needRoot(t)) return;
  const rb = new BpfRingBuffer('rg_t_rb2', 4096);
  try {
    // a reserved record used without a NULL check
    const a = new BpfAssembler()
      .ldMap(R1, rb)
      .mov64(R2, 8)
      .mov64(R3, 0)
      .call('ringbuf_reserve')
      .st(8, R0, 0, 1)
      .mov64(R0, 0)
      .exit();
    assert.throws(
      () => tracing('rg_t_bad', a),
      (e: unknown) =>
        e instanceof BpfVerifierError && /ringbuf_mem_or_null/.test(e.log) && /ringbuf_mem_or_null/.test(e.message),
    );
    // reading past the tracepoint's arguments
    assert.throws(
      () => tracing('rg_t_bad2', new BpfAssembler().ldx(8, R0, R1, 24).mov64(R0, 0).exit()),
      (e: unknown) =>
        e instanceof BpfVerifierError && /doesn't have 4-th argument|invalid bpf_context access/.test(e.log),
    );
  } finally {
    rb.close();
  }
});

test('capability detection: tp_btf and iterators here; fentry/fexit refused with a reason', (t) => {
  if (needRoot(t)) return;
  const caps = detectBpfCapabilities(true);
  assert.equal(caps.privileged, true);
  assert.equal(caps.tpBtf.available, true, caps.tpBtf.reason);
  assert.equal(caps.iterTcp.available, true, caps.iterTcp.reason);
  if (!caps.fentry.available) {
    // this machine: the refusal path must be typed and explain itself
    assert.match(caps.fentry.reason!, /EPERM|EACCES|not/);
    assert.throws(
      () =>
        loadProgram({
          name: 'rg_t_fentry',
          type: BPF_PROG_TYPE.TRACING,
          insns: new BpfAssembler().mov64(R0, 0).exit().assemble(),
          expectedAttachType: BPF_ATTACH_TYPE.TRACE_FENTRY,
          attachBtfId: vmlinuxBtf().funcId('sock_recvmsg'),
        }),
      (e: unknown) => e instanceof BpfProgramRefusedError && e.attachKind === 'fentry',
    );
  }
});

test('nothing survives kill -9: prog, link and map ids are released', async (t) => {
  if (needRoot(t)) return;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bpf/scripts/hold.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`hold.ts exited ${code}`)));
  });
  const ids = JSON.parse(line) as { prog: number[]; map: number[]; link: number[] };
  assert.equal(ids.prog.length, 1);
  assert.equal(ids.link.length, 1);
  assert.ok(ids.map.length >= 1);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  // the kernel frees them asynchronously (RCU): wait for it, up to 10 s
  let left: number[] = [];
  for (let i = 0; i < 200; i++) {
    const now = [...listBpfObjectIds('prog'), ...listBpfObjectIds('link'), ...listBpfObjectIds('map')];
    left = [...ids.prog, ...ids.link, ...ids.map].filter((id) => now.includes(id));
    if (left.length === 0) break;
    await sleep(50);
  }
  assert.deepEqual(left, []);
});

test('without privilege: a typed error naming CAP_BPF', async (t) => {
  if (needRoot(t)) return;
  const r = await runCapture('setpriv', [
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    '--inh-caps=-all',
    process.execPath,
    '--import',
    'tsx',
    'test/bpf/scripts/unprivileged.ts',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim()) as {
    map: { capability: string; message: string };
    privileged: boolean;
    tpBtf: { available: boolean; reason: string };
  };
  assert.equal(out.map.capability, 'CAP_BPF');
  assert.match(out.map.message, /CAP_BPF/);
  assert.equal(out.privileged, false);
  assert.equal(out.tpBtf.available, false);
  assert.match(out.tpBtf.reason, /CAP_BPF/);
});
