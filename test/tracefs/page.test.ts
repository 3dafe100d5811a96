import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { DecodeError } from '../../src/errors.ts';
import {
  buildTracePage,
  genericEventDecoder,
  parseTraceCpuStats,
  type SyntheticRecord,
  type TraceEvent,
  Tracefs,
  walkTracePage,
} from '../../src/tracefs/index.ts';

const fixtures = fileURLToPath(new URL('../fixtures/tracefs/', import.meta.url));
const tfs = new Tracefs(fixtures);

/** Pages of a captured `cpuN.bin`: each preceded by its u32 read length. */
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

const EVENTS = [
  'sock:sock_send_length',
  'sock:sock_recv_length',
  'sock:inet_sock_set_state',
  'tcp:tcp_destroy_sock',
  'skb:kfree_skb',
  'syscalls:sys_enter_socket',
  'syscalls:sys_exit_socket',
  'syscalls:sys_enter_close',
  'sched:sched_process_exec',
  'sched:sched_process_exit',
  'sched:sched_process_fork',
];

function decodeAll(dir: string, cpu: number): TraceEvent[] {
  const dec = genericEventDecoder(EVENTS.map((e) => tfs.format(e)));
  const out: TraceEvent[] = [];
  for (const p of pages(dir, cpu)) {
    walkTracePage(p, p.length, (page, start, len, ts) => dec(cpu, page, start, len, ts, (e) => out.push(e)));
  }
  return out;
}

/** The kernel's own text rendering: `comm-tid [cpu] flags secs.micros: event: …`. */
function textLines(dir: string) {
  const text = readFileSync(join(fixtures, dir, 'trace.txt'), 'utf8');
  const out: { tid: number; cpu: number; micros: number; event: string; rest: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*.*-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+)\.(\d{6}):\s+([a-z_0-9]+)(?::|\(| ->)\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({
      tid: Number(m[1]),
      cpu: Number(m[2]),
      micros: Number(m[3]) * 1e6 + Number(m[4]),
      event: m[5]!,
      rest: m[6]!,
    });
  }
  return out;
}

describe('captured trace_pipe_raw pages against the kernel text rendering of the same buffer', () => {
  test('every record: same order, CPU, thread, event and microsecond time stamp', () => {
    const text = textLines('traffic');
    assert.ok(text.length > 100, `only ${text.length} text lines`);
    for (const cpu of [0, 1]) {
      const mine = decodeAll('traffic', cpu);
      const theirs = text.filter((t) => t.cpu === cpu);
      assert.equal(mine.length, theirs.length, `cpu ${cpu} record count`);
      mine.forEach((e, i) => {
        const t = theirs[i]!;
        const name = e.event.split(':')[1]!;
        const textName = name.startsWith('sys_enter_') ? `sys_${name.slice(10)}` : name;
        assert.equal(t.event, textName === 'sys_exit_socket' ? 'sys_socket' : textName, `cpu ${cpu} record ${i}`);
        assert.equal(e.tid, t.tid, `cpu ${cpu} record ${i} tid`);
        assert.equal(
          Math.floor((e.timestampNs + 500) / 1000),
          t.micros,
          `cpu ${cpu} record ${i} time (the kernel prints ns2usecs: rounded)`,
        );
      });
    }
  });

  test('field values match what the kernel printed', () => {
    const text = textLines('traffic');
    const all = [0, 1].flatMap((cpu) => {
      const mine = decodeAll('traffic', cpu);
      const theirs = text.filter((t) => t.cpu === cpu);
      return mine.map((e, i) => ({ e, t: theirs[i]! }));
    });
    let checked = 0;
    for (const { e, t } of all) {
      if (e.event === 'sock:sock_send_length' || e.event === 'sock:sock_recv_length') {
        const m = /length = (-?\d+), error = (-?\d+), flags = 0x([0-9a-f]+)/.exec(t.rest)!;
        const ret = e.fields.ret as number;
        const flags = e.fields.flags as number;
        assert.equal(Number(m[1]), !(flags & 2) && ret > 0 ? ret : 0);
        assert.equal(Number(m[2]), Math.min(ret, 0));
        assert.equal(Number.parseInt(m[3]!, 16), flags);
        checked++;
      } else if (e.event === 'syscalls:sys_enter_close') {
        const m = /fd: (?:0x)?([0-9a-f]+)\)/.exec(t.rest)!;
        assert.equal(Number.parseInt(m[1]!, 16), e.fields.fd);
        checked++;
      } else if (e.event === 'sched:sched_process_exec') {
        assert.match(t.rest, new RegExp(`filename=${e.fields.filename} pid=${e.fields.pid} `));
        checked++;
      } else if (e.event === 'sock:inet_sock_set_state' || e.event === 'tcp:tcp_destroy_sock') {
        const m = /sport=(\d+) dport=(\d+) saddr=([\d.]+) daddr=([\d.]+)/.exec(t.rest)!;
        assert.equal(Number(m[1]), e.fields.sport);
        assert.equal(Number(m[2]), e.fields.dport);
        assert.equal(m[3], [...(e.fields.saddr as Uint8Array)].join('.'));
        assert.equal(m[4], [...(e.fields.daddr as Uint8Array)].join('.'));
        checked++;
      }
    }
    assert.ok(checked > 60, `checked only ${checked}`);
  });

  test('the UDP payload sizes of the capture script (10, 11, 12 bytes) are in the send events', () => {
    const sends = [0, 1]
      .flatMap((c) => decodeAll('traffic', c))
      .filter((e) => e.event === 'sock:sock_send_length' && e.fields.protocol === 17)
      .map((e) => e.fields.ret);
    assert.deepEqual(sends, [10, 11, 12]);
  });

  test('overflow in overwrite mode: the page header lost count equals the kernel overrun', () => {
    const stats = parseTraceCpuStats(readFileSync(join(fixtures, 'overflow', 'stats-cpu1.txt'), 'utf8'));
    assert.ok(stats.overrun > 0);
    let lost = 0;
    let records = 0;
    for (const p of pages('overflow', 1)) {
      const info = walkTracePage(p, p.length, () => {});
      lost += info.lostEvents;
      records += info.records;
    }
    assert.equal(lost, stats.overrun);
    assert.equal(records, stats.entries);
  });
});

const payload = (n: number, fill = 0xab) => new Uint8Array(n).fill(fill);

describe('synthesized pages', () => {
  function walk(page: Buffer) {
    const recs: { len: number; ts: number; first: number }[] = [];
    const info = walkTracePage(page, page.length, (p, s, l, ts) => recs.push({ len: l, ts, first: p[s]! }));
    return { info, recs };
  }

  test('deltas accumulate from the page time stamp', () => {
    const { info, recs } = walk(
      buildTracePage(1000, [
        { kind: 'data', delta: 5, payload: payload(12) },
        { kind: 'data', delta: 7, payload: payload(8) },
      ]),
    );
    assert.equal(info.records, 2);
    assert.deepEqual(
      recs.map((r) => [r.len, r.ts]),
      [
        [12, 1005],
        [8, 1012],
      ],
    );
  });

  test('time extend adds (array << 27) | delta', () => {
    const big = 3 * 2 ** 27 + 17;
    const { recs } = walk(
      buildTracePage(10, [
        { kind: 'extend', delta: big },
        { kind: 'data', delta: 1, payload: payload(4) },
      ]),
    );
    assert.equal(recs[0]!.ts, 10 + big + 1);
  });

  test('absolute time stamp replaces the low 59 bits and keeps the top 5', () => {
    const { recs } = walk(
      buildTracePage(2 ** 40, [
        { kind: 'absolute', timestampNs: 123456789 },
        { kind: 'data', delta: 1, payload: payload(4) },
      ]),
    );
    assert.equal(recs[0]!.ts, 123456790);
    // page stamp with bit 59 set (values chosen to be exact in a double)
    const top = walk(
      buildTracePage(2 ** 59, [
        { kind: 'absolute', timestampNs: 128 * 1000 },
        { kind: 'data', delta: 128, payload: payload(4) },
      ]),
    );
    assert.equal(top.recs[0]!.ts, 2 ** 59 + 128 * 1001);
  });

  test('padding is skipped without adding its delta; delta 0 padding ends the page', () => {
    const { info, recs } = walk(
      buildTracePage(100, [
        { kind: 'data', delta: 1, payload: payload(4, 1) },
        { kind: 'padding', delta: 50, length: 12 },
        { kind: 'data', delta: 2, payload: payload(4, 2) },
        { kind: 'end' },
        { kind: 'data', delta: 3, payload: payload(4, 3) },
      ]),
    );
    assert.deepEqual(
      recs.map((r) => [r.first, r.ts]),
      [
        [1, 101],
        [2, 103],
      ],
    );
    assert.equal(info.records, 2);
  });

  test('large records (type_len 0) carry their own length', () => {
    const { recs } = walk(
      buildTracePage(0, [
        { kind: 'data', delta: 1, payload: payload(200, 7) },
        { kind: 'data', delta: 1, payload: payload(8, 9), large: true },
      ]),
    );
    assert.deepEqual(
      recs.map((r) => [r.len, r.first]),
      [
        [200, 7],
        [8, 9],
      ],
    );
  });

  test('lost events: stored count, or flag without count', () => {
    assert.equal(walk(buildTracePage(0, [], { lost: 4242 })).info.lostEvents, 4242);
    const u = walk(buildTracePage(0, [{ kind: 'data', delta: 0, payload: payload(4) }], { lost: 'unknown' })).info;
    assert.deepEqual([u.lostEvents, u.lostUnknown, u.records], [0, true, 1]);
    assert.equal(walk(buildTracePage(0, [])).info.records, 0);
  });

  test('broken pages are DecodeErrors', () => {
    assert.throws(() => walkTracePage(Buffer.alloc(8), 8, () => {}), DecodeError);
    const p = buildTracePage(0, [{ kind: 'data', delta: 0, payload: payload(16) }]);
    const tooBig = Buffer.from(p);
    tooBig.writeUInt32LE(5000, 8);
    assert.throws(() => walkTracePage(tooBig, tooBig.length, () => {}), /commit says 5000/);
    const cut = Buffer.from(p);
    cut.writeUInt32LE(10, 8); // data ends inside the record
    assert.throws(() => walkTracePage(cut, cut.length, () => {}), DecodeError);
    const large = buildTracePage(0, [{ kind: 'data', delta: 0, payload: payload(8), large: true }]);
    large.writeUInt32LE(2, 20); // length word < 4
    assert.throws(() => walkTracePage(large, large.length, () => {}), /large record length 2/);
    const lostPast = buildTracePage(0, []);
    lostPast.writeUInt32LE((4080 | 0xc0000000) >>> 0, 8);
    assert.throws(() => walkTracePage(lostPast, lostPast.length, () => {}), /lost-events count/);
  });
});

describe('fuzz', () => {
  const rec: fc.Arbitrary<SyntheticRecord> = fc.oneof(
    fc.record({
      kind: fc.constant('data' as const),
      delta: fc.integer({ min: 0, max: 2 ** 27 - 1 }),
      payload: fc.uint8Array({ minLength: 1, maxLength: 150 }),
      large: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('extend' as const), delta: fc.integer({ min: 0, max: 2 ** 40 }) }),
    fc.record({
      kind: fc.constant('padding' as const),
      delta: fc.integer({ min: 1, max: 1000 }),
      length: fc.integer({ min: 1, max: 10 }).map((n) => n * 4),
    }),
  );

  test('build → walk round trip: same payloads and time stamps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 50 }),
        fc.array(rec, { maxLength: 20 }),
        fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
        (ts0, records, lost) => {
          let page: Buffer;
          try {
            page = buildTracePage(ts0, records, { lost });
          } catch (err) {
            if (err instanceof RangeError) return; // did not fit
            throw err;
          }
          const expected: { ts: number; payload: string }[] = [];
          let ts = ts0;
          for (const r of records) {
            if (r.kind === 'data') {
              ts += r.delta;
              const len = (r.payload.length + 3) & ~3;
              const padded = Buffer.alloc(len);
              padded.set(r.payload);
              expected.push({ ts, payload: padded.toString('hex') });
            } else if (r.kind === 'extend') ts += r.delta;
          }
          const got: { ts: number; payload: string }[] = [];
          const info = walkTracePage(page, page.length, (p, s, l, t) =>
            got.push({ ts: t, payload: p.toString('hex', s, s + l) }),
          );
          assert.deepEqual(got, expected);
          assert.equal(info.lostEvents, lost ?? 0);
        },
      ),
      { numRuns: 400 },
    );
  });

  test('arbitrary bytes → page info or DecodeError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, sane) => {
        const b = Buffer.from(bytes);
        if (sane && b.length >= 16) b.writeUInt32LE(Math.min(b.length - 16, b.readUInt32LE(8) & 0x3ff), 8);
        try {
          walkTracePage(b, b.length, (_p, s, l) => {
            assert.ok(s >= 16 && s + l <= b.length);
          });
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated captured pages → records or DecodeError', () => {
    const base = pages('traffic', 0)[0]!;
    const dec = genericEventDecoder(EVENTS.map((e) => tfs.format(e)));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { maxLength: 8 }), (muts) => {
        const b = Buffer.from(base);
        for (const [at, v] of muts) b[at] = v;
        try {
          walkTracePage(b, b.length, (p, s, l, ts) => dec(0, p, s, l, ts, () => {}));
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
