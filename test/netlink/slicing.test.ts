/**
 * How asynchronous netlink calls share the event loop: queued datagrams are
 * read in place (no worker-thread round trip per datagram), reads and the
 * delivery of messages run in slices of an EventLoopSlicer, the budget spans
 * back-to-back calls, slow in-place reads move an operation to a worker
 * thread. Each test here fails if the slicing (or the in-place reads) is
 * turned off.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.ts';
import {
  decodeNetlinkMessages,
  defaultEventLoopSlicer,
  EventLoopSlicer,
  encodeNetlinkMessage,
  NETLINK_SOCK_DIAG,
  NetlinkSocket,
  type NetlinkTransport,
  NLM_F_MULTI,
  NLMSG_DONE,
} from '../../src/netlink/index.ts';
import * as sys from '../../src/sys/index.ts';

const PORT = 77;

/** A kernel that answers each request with `datagrams(seq)`, counting how each call reads and sends. */
class CountingTransport implements NetlinkTransport {
  readonly portId = PORT;
  queue: Buffer[] = [];
  inPlaceReads = 0;
  workerReads = 0;
  inPlaceSends = 0;
  workerSends = 0;
  /** Busy time (ms) of each in-place read that returns a datagram: the kernel's walk to fill the next one. */
  inPlaceReadCostMs = 0;
  constructor(private readonly datagrams: (seq: number) => Buffer[]) {}
  private enqueue(buf: Buffer, len: number): void {
    const [m] = decodeNetlinkMessages(Buffer.from(buf.subarray(0, len)));
    this.queue.push(...this.datagrams(m!.seq));
  }
  send(buf: Buffer, len: number): void {
    this.inPlaceSends++;
    this.enqueue(buf, len);
  }
  async sendAsync(buf: Buffer, len: number): Promise<void> {
    this.workerSends++;
    await new Promise((r) => setImmediate(r));
    this.enqueue(buf, len);
  }
  private take(buf: Buffer, len: number, flags: number): number {
    const d = this.queue[0];
    if (d === undefined) return -1;
    d.copy(buf, 0, 0, Math.min(len, d.length));
    if (!(flags & sys.MSG_PEEK)) this.queue.shift();
    return flags & sys.MSG_TRUNC ? d.length : Math.min(len, d.length);
  }
  recv(buf: Buffer, len: number, flags: number): number {
    this.inPlaceReads++;
    const n = this.take(buf, len, flags);
    if (n >= 0 && this.inPlaceReadCostMs > 0) spin(this.inPlaceReadCostMs);
    return n;
  }
  async recvAsync(buf: Buffer, len: number, flags: number): Promise<number> {
    this.workerReads++;
    await new Promise((r) => setImmediate(r));
    return this.take(buf, len, flags);
  }
  async pollAsync(): Promise<boolean> {
    return this.queue.length > 0;
  }
  setReceiveBufferSize(): void {}
  getReceiveBufferSize(): number {
    return 0;
  }
  close(): void {}
}

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: stands for decoding work or the kernel's walk
  }
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** `count` datagrams of `perDatagram` messages each (payload = running index), then NLMSG_DONE. */
function dumpOf(count: number, perDatagram: number): (seq: number) => Buffer[] {
  return (seq) => {
    const out: Buffer[] = [];
    let i = 0;
    for (let d = 0; d < count; d++) {
      const msgs: Buffer[] = [];
      for (let k = 0; k < perDatagram; k++)
        msgs.push(encodeNetlinkMessage({ type: 20, flags: NLM_F_MULTI, seq, pid: PORT }, u32(i++)));
      out.push(Buffer.concat(msgs));
    }
    out.push(encodeNetlinkMessage({ type: NLMSG_DONE, flags: NLM_F_MULTI, seq, pid: PORT }, u32(0)));
    return out;
  };
}

/** Counts turns of the event loop (a setImmediate chain) until stopped. */
function turnCounter(): { readonly turns: number; stop(): void } {
  const state = { turns: 0, running: true };
  const tick = () => {
    state.turns++;
    if (state.running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turns() {
      return state.turns;
    },
    stop() {
      state.running = false;
    },
  };
}

test('sliced (default): queued datagrams are read in place, with no worker-thread read; worker mode reads each on a worker', async () => {
  const t = new CountingTransport(dumpOf(20, 10));
  const s = new NetlinkSocket(t, NETLINK_SOCK_DIAG);
  let seen = 0;
  assert.equal(
    await s.dump(20, 0, Buffer.alloc(0), () => {
      seen++;
    }),
    200,
  );
  assert.equal(seen, 200);
  assert.equal(t.workerReads, 0, 'every datagram was already queued: no worker round trip');
  assert.equal(t.inPlaceReads, 21);
  assert.equal(t.workerSends, 1, 'by default the request is sent from a worker thread');

  const w = new CountingTransport(dumpOf(20, 10));
  const sw = new NetlinkSocket(w, NETLINK_SOCK_DIAG, { asyncReads: 'worker' });
  assert.equal(await sw.dump(20, 0, Buffer.alloc(0), () => {}), 200);
  assert.equal(w.inPlaceReads, 0);
  assert.equal(w.workerReads, 21);
  assert.throws(
    () => new NetlinkSocket(w, NETLINK_SOCK_DIAG, { asyncReads: 'threads' as 'worker' }),
    InvalidArgumentError,
  );
});

test('sliced: a long dump is handed out in slices, the event loop turns between them (also inside one datagram)', async () => {
  // one datagram of 300 messages, 0.2 ms of work each: 60 ms unsliced in a single turn
  const t = new CountingTransport(dumpOf(1, 300));
  const slicer = new EventLoopSlicer(2);
  const s = new NetlinkSocket(t, NETLINK_SOCK_DIAG, { slicer });
  const perTurn = new Map<number, number>();
  const turns = turnCounter();
  try {
    await s.dump(20, 0, Buffer.alloc(0), () => {
      perTurn.set(turns.turns, (perTurn.get(turns.turns) ?? 0) + 1);
      spin(0.2);
    });
  } finally {
    turns.stop();
  }
  const most = Math.max(...perTurn.values());
  // a 2 ms slice holds ~10 messages of 0.2 ms (the clock is read every 8 messages: at most 16); preemption only lowers it
  assert.ok(most <= 20, `at most ${most} messages were delivered in one turn of the event loop`);
  assert.ok(perTurn.size >= 15, `the 300 messages were spread over ${perTurn.size} turns`);
  assert.ok(slicer.yields >= 15, `${slicer.yields} yields`);
});

test('sliced: dumpBatches keeps one batch per datagram while the event loop turns inside it', async () => {
  const t = new CountingTransport(dumpOf(3, 100));
  const s = new NetlinkSocket(t, NETLINK_SOCK_DIAG, { slicer: new EventLoopSlicer(1) });
  const turns = turnCounter();
  const sizes: number[] = [];
  const turnSets: number[] = [];
  try {
    let seenTurns = new Set<number>();
    for await (const batch of s.dumpBatches(20, 0, Buffer.alloc(0), (b, _t, off) => {
      seenTurns.add(turns.turns);
      spin(0.1);
      return b.readUInt32LE(off);
    })) {
      sizes.push(batch.length);
      turnSets.push(seenTurns.size);
      seenTurns = new Set();
      assert.equal(batch[0]! % 100, 0);
    }
  } finally {
    turns.stop();
  }
  assert.deepEqual(sizes, [100, 100, 100]);
  for (const n of turnSets) assert.ok(n >= 3, `a 10 ms datagram was mapped over ${n} turns`);
  assert.equal(t.workerReads, 0);
});

test('sliced: the budget spans calls — awaiting in-place calls back to back still lets the event loop turn', async () => {
  const t = new CountingTransport(dumpOf(1, 5));
  const slicer = new EventLoopSlicer(3);
  const s = new NetlinkSocket(t, NETLINK_SOCK_DIAG, { slicer });
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
  }, 1);
  try {
    let calls = 0;
    // everything resolves in microtasks here (in-place send, queued datagrams): only the slicer lets timers run
    for (const end = performance.now() + 200; performance.now() < end; calls++) {
      await s.dump(20, 0, Buffer.alloc(0), () => {}, 'tiny', { send: 'inPlace' });
    }
    assert.ok(calls > 50, `${calls} calls`);
    assert.ok(ticks >= 10, `a 1 ms timer fired ${ticks} times in 200 ms of back-to-back calls`);
    assert.equal(t.workerSends, 0, 'sent in place');
    // (an in-place read preempted for ≥ 1 ms on a busy machine moves the rest of its dump to a worker: rare)
    assert.ok(t.workerReads <= 3, `${t.workerReads} worker reads`);
    assert.ok(slicer.yields >= 10, `${slicer.yields} yields`);
  } finally {
    clearInterval(timer);
  }
});

test('sliced: once in-place reads prove slow twice in a row (the kernel walking far), the rest of that dump is read on a worker', async () => {
  const t = new CountingTransport(dumpOf(10, 2));
  t.inPlaceReadCostMs = 2.5;
  const s = new NetlinkSocket(t, NETLINK_SOCK_DIAG);
  assert.equal(await s.dump(20, 0, Buffer.alloc(0), () => {}), 20);
  assert.equal(t.inPlaceReads, 2, 'two slow in-place reads');
  assert.equal(t.workerReads, 9, 'the other 8 datagrams and NLMSG_DONE');
  // the next operation starts in place again
  t.inPlaceReadCostMs = 0;
  assert.equal(await s.dump(20, 0, Buffer.alloc(0), () => {}), 20);
  assert.equal(t.inPlaceReads, 13);
});

test('send option: inPlace sends on the main thread, the default from a worker; bad values are refused', async () => {
  const t = new CountingTransport(dumpOf(1, 1));
  const s = new NetlinkSocket(t, NETLINK_SOCK_DIAG);
  await s.dump(20, 0, Buffer.alloc(0), () => {}, 'a', { send: 'inPlace' });
  assert.deepEqual([t.inPlaceSends, t.workerSends], [1, 0]);
  await s.dump(20, 0, Buffer.alloc(0), () => {}, 'b');
  assert.deepEqual([t.inPlaceSends, t.workerSends], [1, 1]);
  for await (const _ of s.dumpBatches(20, 0, Buffer.alloc(0), () => 0, 'c', { send: 'inPlace' })) void _;
  assert.deepEqual([t.inPlaceSends, t.workerSends], [2, 1]);
  await assert.rejects(
    s.dump(20, 0, Buffer.alloc(0), () => {}, 'd', { send: 'elsewhere' as 'worker' }),
    InvalidArgumentError,
  );
  // the socket is still usable after the refused call
  assert.equal(await s.dump(20, 0, Buffer.alloc(0), () => {}), 1);
});

test('EventLoopSlicer: due() after sliceMs of work, yield() lets timers run and starts a new slice; bad lengths refused', async () => {
  const sl = new EventLoopSlicer(2);
  assert.equal(sl.due(), false, 'the first step starts a slice');
  spin(2.5);
  assert.equal(sl.due(), true);
  let fired = false;
  setImmediate(() => {
    fired = true;
  });
  await sl.yield();
  assert.equal(fired, true);
  assert.equal(sl.due(), false);
  assert.equal(sl.yields, 1);
  assert.equal(sl.pause(), undefined, 'no yield needed yet');
  spin(2.5);
  await sl.pause();
  assert.equal(sl.yields, 2);
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '3' as unknown as number]) {
    assert.throws(() => new EventLoopSlicer(bad), InvalidArgumentError);
  }
  assert.equal(defaultEventLoopSlicer.sliceMs, 2);
});
