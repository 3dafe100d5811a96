/**
 * The socket probe decoder on pages captured from this kernel
 * (test/fixtures/tracefs/traffic: 3 UDP datagrams of 10–12 bytes, a TCP
 * connection carrying 1000 bytes each way, a UNIX connection carrying
 * "hello unix" each way, an exec), and on damaged records.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { DecodeError, InvalidArgumentError } from '../../src/errors.ts';
import {
  createSocketProbeDecoder,
  normalizeProbeName,
  planSocketProbes,
  SOCKET_PROBE_NAMES,
  type SocketProbeEvent,
} from '../../src/probes/index.ts';
import { Tracefs, TracePageCursor, TracepointMissingError } from '../../src/tracefs/index.ts';

const fixtures = fileURLToPath(new URL('../fixtures/tracefs/', import.meta.url));
const tfs = new Tracefs(fixtures);

function pages(dir: string, cpu: number): Buffer[] {
  const b = readFileSync(join(fixtures, dir, `cpu${cpu}.bin`));
  const out: Buffer[] = [];
  for (let p = 0; p < b.length; ) {
    const n = b.readUInt32LE(p);
    out.push(b.subarray(p + 4, p + 4 + n));
    p += 4 + n;
  }
  return out;
}

/** Decode both CPUs merged by time stamp, as the live reader does. */
function decode(probes: string[], filter = {}): SocketProbeEvent[] {
  const plan = planSocketProbes(tfs, { probes, filter });
  const dec = createSocketProbeDecoder(tfs, plan, filter, { resolveTasks: false });
  const recs: { cpu: number; page: Buffer; start: number; len: number; ts: number }[] = [];
  for (const cpu of [0, 1]) {
    for (const p of pages('traffic', cpu)) {
      const c = new TracePageCursor();
      c.reset(p, p.length);
      while (c.next()) recs.push({ cpu, page: p, start: c.start, len: c.length, ts: c.timestampNs });
    }
  }
  recs.sort((a, b) => a.ts - b.ts);
  const out: SocketProbeEvent[] = [];
  for (const r of recs) dec(r.cpu, r.page, r.start, r.len, r.ts, (e) => out.push(e));
  return out;
}

describe('socket probes on captured pages', () => {
  const all = decode([...SOCKET_PROBE_NAMES]);

  test('UDP: three sends of 10, 11, 12 bytes and their receives', () => {
    const udp = all.filter((e) => e.protocol === 17 && e.family === 2);
    const sends = udp.filter((e) => e.name === 'socket.send');
    assert.deepEqual(
      sends.map((e) => [e.size, e.success, e.err, e.type]),
      [
        [10, 1, 0, 2],
        [11, 1, 0, 2],
        [12, 1, 0, 2],
      ],
    );
    const recvOk = udp.filter((e) => e.name === 'socket.receive' && e.success === 1).map((e) => e.size);
    assert.deepEqual(recvOk, [10, 11, 12]);
    for (const e of udp.filter((x) => x.name === 'socket.receive' && x.success === 0)) {
      assert.deepEqual([e.size, e.err], [-11, -11]); // EAGAIN ends libuv's read loop
    }
  });

  test('TCP: 1000 bytes each way, a state machine, three sockets destroyed', () => {
    const tcp = all.filter((e) => e.protocol === 6);
    const sent = tcp.filter((e) => e.name === 'socket.send' && e.success === 1).reduce((a, e) => a + e.size!, 0);
    const recv = tcp.filter((e) => e.name === 'socket.receive' && e.success === 1).reduce((a, e) => a + e.size!, 0);
    assert.equal(sent, 2000);
    assert.equal(recv, 2000);
    const closes = all.filter((e) => e.name === 'socket.close' && e.protocol === 6);
    assert.equal(closes.length, 3); // listener, client, accepted
    const listener = closes.find((e) => e.dport === 0)!;
    assert.equal(listener.saddr, '127.0.0.1');
    const states = all.filter((e) => e.name === 'tcp.state');
    assert.ok(states.some((e) => e.oldState === 7 && e.newState === 10)); // CLOSE → LISTEN
    assert.ok(states.some((e) => e.oldState === 2 && e.newState === 1)); // SYN_SENT → ESTABLISHED
    const client = states.find((e) => e.oldState === 2 && e.newState === 1)!;
    assert.equal(client.dport, listener.sport);
    assert.ok(closes.some((e) => e.sport === client.sport && e.dport === client.dport));
  });

  test('UNIX: "hello unix" (10 bytes) each way; type unknown from the tracepoint', () => {
    const unix = all.filter((e) => e.family === 1 && (e.name === 'socket.send' || e.name === 'socket.receive'));
    const sends = unix.filter((e) => e.name === 'socket.send' && e.size === 10);
    assert.equal(sends.length, 2);
    for (const e of unix) {
      assert.equal(e.protocol, 0);
      assert.equal(e.type, undefined);
      assert.equal(e.state, undefined);
      assert.equal(e.flags, undefined);
    }
  });

  test('create / create.return pairs per thread, and closes of non-TCP sockets by descriptor', () => {
    const creates = all.filter((e) => e.name === 'socket.create');
    const returns = all.filter((e) => e.name === 'socket.create.return');
    assert.equal(creates.length, 5);
    assert.equal(returns.length, 5);
    returns.forEach((r, i) => {
      assert.equal(r.tid, creates[i]!.tid);
      assert.equal(r.family, creates[i]!.family);
      assert.equal(r.requester, 0);
      assert.equal(r.success, 1);
      assert.ok(r.fd !== undefined && r.fd > 2);
    });
    // UDP (family 2, DGRAM) socket: created, then closed by descriptor
    const udp = returns.find((r) => r.family === 2 && r.type === 2)!;
    const close = all.find((e) => e.name === 'socket.close' && e.fd === udp.fd && e.family === 2);
    assert.ok(close, 'UDP socket close found');
    assert.ok(close.timeNs > udp.timeNs);
    // the UNIX listening/connecting sockets: family 1
    assert.ok(returns.some((r) => r.family === 1 && r.type === 1));
  });

  test('events are in time order and carry the thread id (pid/comm need /proc: undefined here)', () => {
    for (let i = 1; i < all.length; i++) assert.ok(all[i]!.timeNs >= all[i - 1]!.timeNs);
    for (const e of all.filter((x) => !x.interrupt)) {
      assert.equal(typeof e.tid, 'number');
      assert.equal(e.pid, undefined);
    }
  });

  test('plans: kernel filters from family/protocol/comm; skipped tracepoints', () => {
    const p = planSocketProbes(tfs, {
      probes: ['send', 'receive', 'close', 'state'],
      filter: { family: ['inet', 'inet6'], protocol: 'udp', comm: 'nod*' },
    });
    assert.equal(
      p.tracepoints.get('sock:sock_send_length'),
      '(family == 2 || family == 10) && protocol == 17 && comm ~ "nod*"',
    );
    assert.equal(p.tracepoints.has('tcp:tcp_destroy_sock'), false, 'no TCP when only UDP is wanted');
    assert.equal(p.tracepoints.get('syscalls:sys_enter_close'), 'comm ~ "nod*"');
    const u = planSocketProbes(tfs, { probes: ['send'], filter: { family: 'unix', comm: 'x' } });
    assert.equal(u.tracepoints.get('sock:sock_send_length'), 'family == 1 && comm == "x"');
    assert.throws(() => planSocketProbes(tfs, { probes: ['drop'], filter: { protocol: 'tcp' } }), InvalidArgumentError);
    assert.throws(() => planSocketProbes(tfs, { probes: ['socket.bogus'] }), /unknown probe/);
    assert.throws(() => planSocketProbes(tfs, { filter: { family: 'martian' } }), /unknown address family/);
    assert.throws(() => planSocketProbes(tfs, { filter: { comm: 'a"b' } }), /quotes/);
    assert.equal(normalizeProbeName('recv'), 'socket.receive');
  });

  test('kprobe detection: kprobe_events present or not', () => {
    assert.equal(planSocketProbes(tfs, { probes: ['send'] }).kprobesAvailable, false);
    const dir = mkdtempSync(join(tmpdir(), 'rg-kprobe-'));
    try {
      cpSync(join(fixtures, 'events'), join(dir, 'events'), { recursive: true });
      writeFileSync(join(dir, 'kprobe_events'), '');
      const withKprobes = new Tracefs(dir);
      assert.equal(withKprobes.kprobesAvailable(), true);
      assert.equal(planSocketProbes(withKprobes, { probes: ['send'] }).kprobesAvailable, true);
    } finally {
      rmSync(dir, { recursive: true });
    }
    // the live kernel (when tracefs is mounted): whatever kprobe_events says
    if (existsSync('/sys/kernel/tracing/events')) {
      assert.equal(
        new Tracefs('/sys/kernel/tracing').kprobesAvailable(),
        existsSync('/sys/kernel/tracing/kprobe_events'),
      );
    }
  });

  test('a tracepoint missing from the kernel is reported before anything is created', () => {
    const old = new Tracefs(join(fixtures, 'events', 'sock')); // no events/ below: nothing exists
    assert.throws(
      () => planSocketProbes(old, { probes: ['send'] }),
      (err: unknown) => err instanceof TracepointMissingError && /6\.3/.test(err.message),
    );
  });

  test('fuzz: damaged records decode or are skipped; records shorter than the format are never read', () => {
    const plan = planSocketProbes(tfs, { probes: [...SOCKET_PROBE_NAMES] });
    const dec = createSocketProbeDecoder(tfs, plan, {}, { resolveTasks: false });
    const formats = [...plan.tracepoints.keys()].map((t) => tfs.format(t));
    fc.assert(
      fc.property(fc.constantFrom(...formats), fc.uint8Array({ minLength: 0, maxLength: 120 }), (f, body) => {
        const b = Buffer.alloc(body.length + 8);
        b.set(body, 8);
        b.writeUInt16LE(f.id, 0);
        const need = Math.max(...f.fields.map((x) => x.offset + x.size));
        const page = Buffer.concat([b, Buffer.alloc(64, 0xee)]); // bytes after the payload
        let emitted = 0;
        try {
          dec(0, page, 0, b.length, 1, (e) => {
            emitted++;
            for (const v of [e.size, e.sport, e.family]) if (v !== undefined) assert.equal(typeof v, 'number');
          });
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
        }
        if (b.length < need) assert.equal(emitted, 0);
      }),
      { numRuns: 2000 },
    );
  });
});
