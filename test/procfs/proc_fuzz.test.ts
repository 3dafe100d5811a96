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
import { ParseError } from '../../src/errors.ts';
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

function valueOrParseError(kind: string, f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof ParseError)) {
      assert.fail(`${kind}: ${(err as Error)?.constructor?.name}: ${(err as Error)?.stack ?? err}`);
    }
  }
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), ch: fc.integer({ min: 0, max: 127 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), s: fc.string({ maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('dupline' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('special' as const),
    at: fc.nat(),
    s: fc.constantFrom('(', ')', ':', '\0', '\n', ' ', '\t', '-', '99999999999999999999999', 'kB', '__proto__:'),
  }),
);

function mutate(text: string, ms: { op: string; at: number; ch?: number; s?: string; n?: number }[]): string {
  let t = text;
  for (const m of ms) {
    const at = t.length === 0 ? 0 : m.at % (t.length + 1);
    if (m.op === 'flip') t = t.slice(0, at) + String.fromCharCode(m.ch!) + t.slice(at + 1);
    else if (m.op === 'insert' || m.op === 'special') t = t.slice(0, at) + m.s + t.slice(at);
    else if (m.op === 'delete') t = t.slice(0, at) + t.slice(at + m.n!);
    else if (m.op === 'truncate') t = t.slice(0, at);
    else {
      const ls = t.split('\n');
      const i = m.at % ls.length;
      ls.splice(i, 0, ls[i]!);
      t = ls.join('\n');
    }
  }
  return t;
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
      fc.property(fc.nat({ max: all.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, ms) => {
        const s = all[i]!;
        valueOrParseError(s.kind, () => PARSERS[s.kind]!(mutate(s.text, ms)));
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
