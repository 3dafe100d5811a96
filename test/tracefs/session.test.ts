/**
 * TraceSession read pacing, on a fake instance (no kernel needed): a busy
 * buffer is read once per `intervalMs` in whole batches, not re-read as soon
 * as the previous batch was handed out; a backlog (a CPU that filled
 * `maxPagesPerCpu`) is read on at once, yielding to the event loop between
 * pulls; an idle session polls once per period; close() wakes a waiting pull.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildTracePage,
  type SyntheticRecord,
  type TraceInstance,
  type TraceRecordDecoder,
  TraceSession,
} from '../../src/tracefs/index.ts';

const RECORDS_PER_PAGE = 10;

/** A page of RECORDS_PER_PAGE records whose payload is the u32 sequence number. */
function page(seq: number): Buffer {
  const recs: SyntheticRecord[] = [];
  for (let i = 0; i < RECORDS_PER_PAGE; i++) {
    const payload = Buffer.alloc(8);
    payload.writeUInt32LE(seq * RECORDS_PER_PAGE + i, 0);
    recs.push({ kind: 'data', delta: 10, payload });
  }
  return buildTracePage(1e9 + seq * 1e6, recs);
}

/** Just enough of a TraceInstance for TraceSession: per-CPU queues of pages, read counters. */
class FakeInstance {
  readonly queues: Buffer[][];
  reads = 0;
  emptyReads = 0;
  closed = false;
  /** When set, the time of the first read of each pull, keyed by the session's pullCount. */
  session?: { pullCount: number };
  readonly pullStartMs = new Map<number, number>();
  constructor(cpus: number) {
    this.queues = Array.from({ length: cpus }, () => []);
  }
  subBufferBytes(): number {
    return 4096;
  }
  cpus(): number[] {
    return this.queues.map((_, i) => i);
  }
  openRawPipe(cpu: number): number {
    return cpu;
  }
  readRaw(fd: number, buf: Buffer): number {
    this.reads++;
    if (this.session && !this.pullStartMs.has(this.session.pullCount)) {
      this.pullStartMs.set(this.session.pullCount, performance.now());
    }
    const p = this.queues[fd]!.shift();
    if (!p) {
      this.emptyReads++;
      return -1;
    }
    p.copy(buf);
    return p.length;
  }
  writeFile(): void {}
  cpuStats() {
    return { entries: 0, overrun: 0, commitOverrun: 0, bytes: 0, droppedEvents: 0, readEvents: 0 };
  }
  close(): void {
    this.closed = true;
  }
}

const decodeSeq: TraceRecordDecoder<number> = (_cpu, b, start, _len, _ts, emit) => emit(b.readUInt32LE(start));

function session(fake: FakeInstance, intervalMs: number, maxPagesPerCpu = 64): TraceSession<number> {
  return new TraceSession(fake as unknown as TraceInstance, decodeSeq, { intervalMs, maxPagesPerCpu });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TraceSession read pacing', () => {
  test('a steadily written buffer is read once per interval, every record delivered in order', async () => {
    const fake = new FakeInstance(2);
    const s = session(fake, 50);
    fake.session = s;
    let written = 0;
    // a writer adding one page every 5 ms, alternating CPUs
    const writer = setInterval(() => {
      fake.queues[written % 2]!.push(page(written));
      written++;
    }, 5);
    const got: number[] = [];
    const t0 = performance.now();
    const consumer = (async () => {
      for (let b = await s.nextBatch(); b; b = await s.nextBatch()) got.push(...b);
    })();
    await sleep(600);
    clearInterval(writer);
    const elapsed = performance.now() - t0;
    const closeAtMs = performance.now();
    s.close(); // drains what is left
    await consumer;
    assert.equal(got.length, written * RECORDS_PER_PAGE, 'every record delivered');
    assert.deepEqual(
      [...got].sort((a, b) => a - b),
      got.map((_, i) => i),
    );
    // pacing, checked on the gaps the session itself left between pulls (not on a pull count over
    // wall time, which a loaded machine skews): while the writer ran, each pull started at least
    // intervalMs after the previous one (timers never fire early by more than ~1 ms); re-reading as soon
    // as a batch was handed out would leave gaps near 0. Pulls after close() (its drain) are not paced.
    const starts = [...fake.pullStartMs.values()].filter((t) => t < closeAtMs);
    for (let i = 1; i < starts.length; i++) {
      const gapMs = starts[i]! - starts[i - 1]!;
      assert.ok(gapMs >= 45, `pull ${i} started ${gapMs.toFixed(1)} ms after the previous (>= 50 ms expected)`);
    }
    assert.ok(starts.length >= 6 && elapsed > 0, `${starts.length} paced pulls`);
    assert.ok(s.pullCount >= 6, `${s.pullCount} pulls: the reader kept reading`);
    // each pull: the pages written since the previous one, then one EAGAIN per CPU
    assert.ok(fake.emptyReads <= 2 * s.pullCount + 2, `${fake.emptyReads} empty reads for ${s.pullCount} pulls`);
    assert.ok(fake.closed);
  });

  test('a backlog is read on at once (not after intervalMs), yielding to the event loop between pulls', async () => {
    const fake = new FakeInstance(1);
    for (let i = 0; i < 20; i++) fake.queues[0]!.push(page(i));
    const s = session(fake, 10_000, 2);
    let immediates = 0;
    let counting = true;
    const tick = () => {
      immediates++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    const got: number[] = [];
    const t0 = performance.now();
    while (got.length < 20 * RECORDS_PER_PAGE) {
      const b = await s.nextBatch();
      assert.ok(b, 'session open');
      got.push(...b);
    }
    const ms = performance.now() - t0;
    counting = false;
    assert.equal(s.pullCount, 10);
    s.close();
    assert.ok(ms < 2000, `backlog of 20 pages (2 per pull) took ${ms.toFixed(0)} ms with a 10 s interval`);
    assert.deepEqual(
      got,
      got.map((_, i) => i),
    );
    assert.ok(immediates >= 9, `the event loop ran ${immediates} times during 10 pulls`);
  });

  test('an idle session polls once per interval', async () => {
    const fake = new FakeInstance(2);
    const s = session(fake, 40);
    const p = s.nextBatch();
    await sleep(420);
    const pulls = s.pullCount;
    s.close();
    assert.equal(await p, undefined);
    assert.ok(pulls >= 5 && pulls <= 13, `${pulls} pulls in 420 ms at a 40 ms interval`);
    assert.equal(fake.reads, fake.emptyReads, 'nothing was there to read');
  });

  test('close() wakes a pull waiting for its period', async () => {
    const fake = new FakeInstance(1);
    const s = session(fake, 60_000);
    const first = s.nextBatch(); // first pull happens at once and finds nothing, then waits 60 s
    await sleep(20);
    const t0 = performance.now();
    s.close();
    assert.equal(await first, undefined);
    assert.ok(performance.now() - t0 < 500);
    assert.equal(await s.nextBatch(), undefined);
  });
});
