/**
 * Fuzzing the per-process parsers: random mutations of real fixture files
 * (bytes flipped, inserted, deleted, lines duplicated or dropped, truncation)
 * must give a value or a ParseError, nothing else (no TypeError, no RangeError,
 * no hang). Also: arbitrary strings and byte arrays.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAuxv } from '../../src/procfs/auxv.ts';
import { parseCgroupIoStat, parseCgroupKeyValues, parseProcCgroups } from '../../src/procfs/cgroup.ts';
import { parseMountInfo } from '../../src/procfs/mountinfo.ts';
import { parseMountStats } from '../../src/procfs/mountstats.ts';
import { parseProcFDInfo } from '../../src/procfs/proc_fdinfo.ts';
import { parseProcInteger, parseProcIO, parseProcPidSchedstat } from '../../src/procfs/proc_io.ts';
import { parseProcLimits } from '../../src/procfs/proc_limits.ts';
import { parseProcMaps, parseProcSMapsRollup } from '../../src/procfs/proc_maps.ts';
import { parseBootTime, parseProcStat, parseProcStatm } from '../../src/procfs/proc_stat.ts';
import { parseProcStatus } from '../../src/procfs/proc_status.ts';
import { applyEdits, textEdits, valueOrParseError } from '../helpers/fuzz.ts';
import { procFixtureRoot as root } from './fixtures.ts';

const PARSERS: Record<string, (t: string) => unknown> = {
  stat: parseProcStat,
  status: parseProcStatus,
  io: parseProcIO,
  limits: parseProcLimits,
  schedstat: parseProcPidSchedstat,
  statm: parseProcStatm,
  cgroup: parseProcCgroups,
  mountinfo: parseMountInfo,
  mountstats: parseMountStats,
  maps: parseProcMaps,
  smaps_rollup: parseProcSMapsRollup,
  smaps: parseProcSMapsRollup,
  oom_score: (t) => parseProcInteger(t, 'oom_score'),
  fdinfo: (t) => parseProcFDInfo(t, 3),
  'cpu.stat': (t) => parseCgroupKeyValues(t, 'cpu.stat'),
  'io.stat': parseCgroupIoStat,
};

/** Every fixture file of a parsed kind (real and synthesized, including the broken ones). */
function samples(): { kind: string; text: string }[] {
  const out: { kind: string; text: string }[] = [];
  for (const pid of readdirSync(root)) {
    if (!/^\d+$/.test(pid)) continue;
    for (const f of Object.keys(PARSERS)) {
      const p = join(root, pid, f);
      try {
        if (statSync(p).isFile()) out.push({ kind: f, text: readFileSync(p, 'utf8') });
      } catch {}
    }
    try {
      for (const fd of readdirSync(join(root, pid, 'fdinfo'))) {
        out.push({ kind: 'fdinfo', text: readFileSync(join(root, pid, 'fdinfo', fd), 'utf8') });
      }
    } catch {}
  }
  out.push({ kind: 'cpu.stat', text: 'usage_usec 71092817\nuser_usec 48395921\nsystem_usec 22696896\nnice_usec 0\n' });
  out.push({ kind: 'io.stat', text: '254:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n' });
  return out;
}

describe('per-process parsers: fuzz', () => {
  const all = samples();

  it(`has fixture samples of every parsed kind (${all.length} files)`, () => {
    for (const k of Object.keys(PARSERS))
      assert.ok(
        all.some((s) => s.kind === k),
        `no fixture for ${k}`,
      );
  });

  it('every unmutated fixture parses or (for the broken ones) gives a ParseError', () => {
    for (const s of all) valueOrParseError(s.kind, () => PARSERS[s.kind]!(s.text));
  });

  it('mutated fixtures: a value or a ParseError, nothing else', () => {
    fc.assert(
      fc.property(fc.nat({ max: all.length - 1 }), textEdits(4), (i, edits) => {
        const s = all[i]!;
        const text = applyEdits(s.text, edits);
        valueOrParseError(s.kind, () => PARSERS[s.kind]!(text), text);
      }),
      { numRuns: 4000, seed: 4242 },
    );
  });

  it('arbitrary text: a value or a ParseError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(PARSERS)), fc.string({ maxLength: 300 }), (kind, text) => {
        valueOrParseError(kind, () => PARSERS[kind]!(text));
      }),
      { numRuns: 3000, seed: 17 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => valueOrParseError('btime', () => parseBootTime(text))),
      { numRuns: 500, seed: 6 },
    );
  });

  it('auxv: arbitrary bytes and mutated real auxv give a map or a ParseError', () => {
    const real = readFileSync(join(root, 'self', 'auxv'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => valueOrParseError('auxv', () => parseAuxv(b))),
      { numRuns: 1000, seed: 1 },
    );
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (at, byte, cut) => {
        const b = Buffer.from(real);
        b[at % b.length] = byte;
        valueOrParseError('auxv', () => parseAuxv(b.subarray(0, cut % (b.length + 1))));
      }),
      { numRuns: 1000, seed: 2 },
    );
    const m = parseAuxv(real);
    assert.equal(m.get(17), 100n);
    assert.equal(m.get(6), 4096n);
  });

  it('stat comm: any name between the parentheses round-trips', () => {
    const real = readFileSync(join(root, 'self', 'stat'), 'utf8');
    const tail = real.slice(real.lastIndexOf(')'));
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (name) => {
        const st = parseProcStat(`123 (${name}${tail}`);
        assert.equal(st.comm, name);
        assert.equal(st.pid, 123);
      }),
      { numRuns: 2000, seed: 3 },
    );
  });
});
