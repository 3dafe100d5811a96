/**
 * Captures the tracefs fixtures used by the decoder tests from the running
 * kernel (run as root: `node --import tsx test/tracefs/capture-fixtures.ts`):
 *
 * - `events/<system>/<name>/format`, `header_page`, `header_event`;
 * - `traffic/`: raw pages (`cpuN.bin`, each page preceded by its u32 length)
 *   of known UDP/TCP/UNIX traffic and an exec, with the kernel's own text
 *   rendering of the same buffer (`trace.txt`, read before consuming);
 * - `overflow/`: pages of a tiny buffer in overwrite mode that overflowed,
 *   with `stats-cpuN.txt` (the kernel's overrun counts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tracefs } from '../../src/tracefs/index.ts';

const out = fileURLToPath(new URL('../fixtures/tracefs/', import.meta.url));
const EVENTS = [
  'sock:sock_send_length',
  'sock:sock_recv_length',
  'sock:inet_sock_set_state',
  'tcp:tcp_destroy_sock',
  'tcp:tcp_retransmit_skb',
  'tcp:tcp_send_reset',
  'tcp:tcp_receive_reset',
  'skb:kfree_skb',
  'syscalls:sys_enter_socket',
  'syscalls:sys_exit_socket',
  'syscalls:sys_enter_close',
  'sched:sched_process_exec',
  'sched:sched_process_exit',
  'sched:sched_process_fork',
];

const tfs = Tracefs.open();
for (const e of EVENTS) {
  const [s, n] = e.split(':') as [string, string];
  mkdirSync(join(out, 'events', s, n), { recursive: true });
  writeFileSync(join(out, 'events', s, n, 'format'), readFileSync(join(tfs.root, 'events', s, n, 'format')));
}
for (const f of ['header_page', 'header_event']) {
  writeFileSync(join(out, 'events', f), readFileSync(join(tfs.root, 'events', f)));
}

const TRAFFIC = `
const net = require('net'), dgram = require('dgram');
const u = dgram.createSocket('udp4');
u.bind(0, '127.0.0.1', () => {
  const port = u.address().port; let n = 0;
  for (let i = 0; i < 3; i++) u.send(Buffer.alloc(10 + i), port, '127.0.0.1');
  u.on('message', () => { if (++n === 3) { u.close(); tcp(); } });
});
function tcp() {
  const srv = net.createServer((c) => { c.on('data', (d) => c.end(d)); });
  srv.listen(0, '127.0.0.1', () => {
    const c = net.connect(srv.address().port, '127.0.0.1', () => c.write(Buffer.alloc(1000)));
    c.on('data', () => {}); c.on('close', () => { srv.close(); unix(); });
  });
}
function unix() {
  const p = '/tmp/rg-capture-' + process.pid + '.sock';
  const srv = net.createServer((c) => c.on('data', (d) => c.end(d)));
  srv.listen(p, () => {
    const c = net.connect(p, () => c.write('hello unix'));
    c.on('data', () => {}); c.on('close', () => { srv.close(); require('child_process').execFileSync('/bin/true'); });
  });
}
`;

function capture(dir: string, options: { bufferSizeKb?: number; script: string; pidFilter: boolean }) {
  mkdirSync(join(out, dir), { recursive: true });
  const inst = tfs.createInstance({ bufferSizeKb: options.bufferSizeKb, overwrite: true });
  try {
    inst.setOption('record-tgid', false);
    if (options.pidFilter) inst.setEventPids([process.pid]);
    for (const e of EVENTS) inst.enable(e);
    execFileSync(process.execPath, ['-e', options.script], { stdio: 'inherit' });
    inst.writeFile('tracing_on', '0');
    writeFileSync(join(out, dir, 'trace.txt'), inst.readFile('trace'));
    const page = Buffer.alloc(inst.subBufferBytes());
    for (const cpu of inst.cpus()) {
      writeFileSync(join(out, dir, `stats-cpu${cpu}.txt`), inst.readFile(`per_cpu/cpu${cpu}/stats`));
      const fd = inst.openRawPipe(cpu);
      const chunks: Buffer[] = [];
      for (;;) {
        const n = inst.readRaw(fd, page);
        if (n <= 0) break;
        const len = Buffer.alloc(4);
        len.writeUInt32LE(n);
        chunks.push(len, Buffer.from(page.subarray(0, n)));
      }
      inst.closeFd(fd);
      writeFileSync(join(out, dir, `cpu${cpu}.bin`), Buffer.concat(chunks));
    }
  } finally {
    inst.close();
  }
}

capture('traffic', { script: TRAFFIC, pidFilter: true });
// a 4 KiB-per-CPU buffer (one or two pages) overflowing in overwrite mode
const FLOOD = `
const s = require('dgram').createSocket('udp4');
s.bind(0, '127.0.0.1', () => { const p = s.address().port; let n = 0;
  (function go() { for (let i = 0; i < 200; i++) s.send(Buffer.alloc(8), p, '127.0.0.1'); if (++n < 10) setImmediate(go); else setTimeout(() => s.close(), 50); })(); });
s.on('message', () => {});
`;
capture('overflow', { script: FLOOD, pidFilter: true, bufferSizeKb: 4 });
process.stdout.write(`fixtures written to ${out}\n`);
