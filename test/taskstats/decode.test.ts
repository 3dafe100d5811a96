import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../src/errors.ts';
import { TASKSTATS_FIELDS, TASKSTATS_SIZE_BY_VERSION } from '../../src/taskstats/layout.ts';
import { decodeTaskstatsMessage } from '../../src/taskstats/message.ts';
import { decodeTaskstats } from '../../src/taskstats/record.ts';
import { camel, computeLayout, distinctValues, encodeTaskstatsRecord } from './synth.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/taskstats/${name}`, import.meta.url));

test('offset table matches a C layout computed from the header declaration order (v8…v16)', () => {
  for (let v = 8; v <= 16; v++) {
    const { fields, size } = computeLayout(v);
    assert.equal(size, TASKSTATS_SIZE_BY_VERSION[v], `size of v${v}`);
    for (const f of TASKSTATS_FIELDS) {
      if (f.since > v) {
        assert.ok(!fields.has(f.kernelName), `${f.kernelName} must not exist in v${v}`);
        continue;
      }
      const c = fields.get(f.kernelName);
      assert.ok(c, `${f.kernelName} missing from v${v}`);
      assert.equal(v === 15 ? f.offsetV15 : f.offset, c.offset, `${f.kernelName} offset in v${v}`);
    }
  }
});

test('spot offsets from kernel/TASKSTATS.md (v16) and the v15 insertion', () => {
  const by = new Map(TASKSTATS_FIELDS.map((f) => [f.kernelName, f]));
  assert.equal(by.get('ac_pid')!.offset, 128);
  assert.equal(by.get('read_bytes')!.offset, 248);
  assert.equal(by.get('irq_delay_total')!.offset, 424);
  assert.equal(by.get('cpu_delay_max')!.offset, 432);
  assert.equal(by.get('irq_delay_min')!.offset, 552);
  // v15: max/min right after cpu_delay_total shift blkio_count by 16, ac_comm by 48
  assert.equal(by.get('cpu_delay_max')!.offsetV15, 32);
  assert.equal(by.get('blkio_count')!.offsetV15, 48);
  assert.equal(by.get('ac_comm')!.offsetV15, 128);
  assert.equal(by.get('ac_tgid')!.offsetV15, 464);
});

test('real v16 reply of this kernel: process self', () => {
  const buf = fixture('reply-pid-self.bin');
  const m = decodeTaskstatsMessage(buf, 16, buf.readUInt32LE(0));
  assert.equal(m.cmd, 2);
  assert.equal(m.entries.length, 1);
  const e = m.entries[0]!;
  assert.equal(e.scope, 'pid');
  const s = e.stats;
  assert.equal(s.version, 16);
  assert.equal(s.acPid, e.id);
  assert.equal(s.acTgid, e.id);
  assert.equal(s.acComm, 'node');
  assert.equal(s.acExitcode, 0);
  assert.equal(s.acUid, 0);
  assert.ok(s.cpuCount > 0n);
  assert.ok(s.cpuRunVirtualTotal > 0n);
  assert.ok(s.cpuDelayMax! >= s.cpuDelayMin!);
  assert.ok(s.cpuDelayTotal >= s.cpuDelayMax!);
  assert.equal(s.readChar % 1024n, 0n, 'I/O rounded down to 1 KiB by the kernel');
  assert.ok(s.acBtime64! > 1_600_000_000n);
  assert.equal(BigInt(s.acBtime), s.acBtime64);
  assert.equal(s.rawTail, undefined);
});

test('real exit event of a multi-threaded process: thread record + group aggregate (1172 bytes)', () => {
  const buf = fixture('event-exit-group.bin');
  assert.equal(buf.length, 1172);
  const m = decodeTaskstatsMessage(buf, 16, buf.readUInt32LE(0));
  assert.deepEqual(
    m.entries.map((e) => e.scope),
    ['pid', 'tgid'],
  );
  const [task, group] = m.entries;
  assert.equal(task!.stats.acTgid, group!.id);
  assert.equal(task!.stats.acExitcode >> 8, 3, 'the child exited with code 3');
  assert.ok((task!.stats.acFlag & 0x20) !== 0, 'AGROUP set on the last thread');
  assert.ok(group!.stats.cpuCount >= task!.stats.cpuCount, 'aggregate covers all threads');
});

test('a getdelays-style 1024-byte receive buffer truncates the group event: typed error', () => {
  const buf = fixture('broken-event-truncated-1024.bin');
  assert.throws(() => decodeTaskstatsMessage(buf, 16, buf.length), DecodeError);
});

test('ESRCH reply is not a taskstats message', () => {
  const buf = fixture('reply-esrch.bin');
  assert.equal(buf.readUInt16LE(4), 2, 'NLMSG_ERROR');
  assert.equal(buf.readInt32LE(16), -3, 'ESRCH');
  assert.throws(() => decodeTaskstatsMessage(buf, 16, buf.length), DecodeError);
});

test('fixtures v8…v15 and v17 decode to the same values as the real v16 record', () => {
  const v16 = decodeTaskstats(fixture('stats-v16.bin'));
  for (let v = 8; v <= 17; v++) {
    const rec = decodeTaskstats(fixture(`stats-v${v}.bin`));
    assert.equal(rec.version, v);
    for (const f of TASKSTATS_FIELDS) {
      if (f.name === 'version') continue;
      const got = (rec as unknown as Record<string, unknown>)[f.name];
      if (f.since > v) assert.equal(got, undefined, `${f.name} absent in v${v}`);
      else assert.deepEqual(got, (v16 as unknown as Record<string, unknown>)[f.name], `${f.name} in v${v}`);
    }
    if (v === 17) assert.equal(rec.rawTail!.toString(), 'v17-tail-bytes-0123456789abcdef');
    else assert.equal(rec.rawTail, undefined);
  }
});

test('v15 trap: a v15 record read with the v16 layout would be wrong; by version it is right', () => {
  const values = distinctValues();
  const v15 = encodeTaskstatsRecord(15, values);
  const v16 = encodeTaskstatsRecord(16, values);
  assert.equal(v15.length, v16.length);
  assert.notDeepEqual(v15, v16);
  for (const buf of [v15, v16]) {
    const rec = decodeTaskstats(buf) as unknown as Record<string, unknown>;
    for (const f of TASKSTATS_FIELDS) {
      if (f.name === 'version') continue;
      assert.deepEqual(rec[f.name], values[f.name], `${f.name} in v${buf.readUInt16LE(0)}`);
    }
  }
  // the same bytes relabelled as v16 yield different numbers: only `version` tells them apart
  const relabelled = Buffer.from(v15);
  relabelled.writeUInt16LE(16, 0);
  assert.notEqual(decodeTaskstats(relabelled).blkioCount, values.blkioCount);
});

test('unaligned offset inside a larger buffer decodes the same', () => {
  const raw = fixture('stats-v16.bin');
  const big = Buffer.alloc(raw.length + 7);
  raw.copy(big, 3);
  assert.deepEqual(decodeTaskstats(big, 3, raw.length), decodeTaskstats(raw));
});

test('broken records give DecodeError naming the problem', () => {
  assert.throws(() => decodeTaskstats(fixture('broken-stats-v7.bin')), /version 7 is older than 8/);
  assert.throws(
    () => decodeTaskstats(fixture('broken-stats-v16-short.bin')),
    /needs 560 bytes but the payload has 500/,
  );
  assert.throws(() => decodeTaskstats(Buffer.alloc(1)), DecodeError);
  assert.throws(() => decodeTaskstats(Buffer.alloc(600), 100, 560), /runs past/);
  assert.throws(() => decodeTaskstats(Buffer.alloc(600), -1, 10), DecodeError);
});

test('fuzz: arbitrary bytes decode to a record or a DecodeError, never anything else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 700 }), fc.integer({ min: 0, max: 20 }), (bytes, version) => {
      const buf = Buffer.from(bytes);
      if (buf.length >= 2 && version > 0) buf.writeUInt16LE(version, 0);
      try {
        const r = decodeTaskstats(buf);
        assert.ok(r.version >= 8);
        assert.ok(buf.length >= TASKSTATS_SIZE_BY_VERSION[Math.min(r.version, 16)]!);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: mutated real messages decode or throw DecodeError', () => {
  const seeds = ['reply-pid-self.bin', 'event-exit-group.bin', 'event-exit-thread.bin'].map(fixture);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(),
      (which, flips, cut) => {
        const buf = Buffer.from(seeds[which]!);
        for (const [pos, val] of flips) buf[16 + (pos % (buf.length - 16))] = val;
        const end = 16 + (cut % (buf.length - 15));
        try {
          const m = decodeTaskstatsMessage(buf, 16, end);
          for (const e of m.entries) assert.ok(e.stats.version >= 8);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      },
    ),
    { numRuns: 3000 },
  );
});

test('fuzz: round trip of random values through every version', () => {
  fc.assert(
    fc.property(fc.integer({ min: 8, max: 16 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v, seed) => {
      const values: Record<string, unknown> = {};
      let x = seed;
      for (const [name, { kind }] of computeLayout(16).fields) {
        x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
        const key = camel(name);
        if (kind === 'u64') values[key] = x;
        else if (kind === 'u32') values[key] = Number(x & 0xffffffffn);
        else if (kind === 'u8') values[key] = Number(x & 0xffn);
        else if (kind === 's8') values[key] = Number(x & 0xffn) - 128;
      }
      values.acComm = 'x';
      const rec = decodeTaskstats(encodeTaskstatsRecord(v, values)) as unknown as Record<string, unknown>;
      for (const f of TASKSTATS_FIELDS) {
        if (f.name === 'version' || f.since > v) continue;
        assert.deepEqual(rec[f.name], values[f.name], f.name);
      }
    }),
    { numRuns: 300 },
  );
});
