import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { InvalidArgumentError, NotFoundError, ParseError, ProcessGoneError } from '../../src/errors.ts';
import {
  decodeAcFlag,
  decodeExitStatus,
  decodeTaskstats,
  delayAverageMs,
  delayFieldsAllZero,
  formatExitStatus,
  nsToMs,
  parseProcStatBlkioTicks,
  procDelayStats,
  taskstatsDelays,
  taskstatsJsonReplacer,
  taskstatsNamespaceProblem,
  validateCpuList,
} from '../../src/taskstats/index.ts';

const dir = fileURLToPath(new URL('../fixtures/taskstats/', import.meta.url));
const text = (name: string) => readFileSync(`${dir}${name}`, 'utf8');

test('decodeExitStatus: normal exit, signal, core dump, stop', () => {
  assert.deepEqual(decodeExitStatus(0), {
    kind: 'exited',
    exitCode: 0,
    signal: null,
    signalName: null,
    coreDumped: false,
    raw: 0,
  });
  assert.equal(decodeExitStatus(3 << 8).exitCode, 3);
  assert.equal(decodeExitStatus(255 << 8).exitCode, 255);
  const killed = decodeExitStatus(9);
  assert.deepEqual(
    [killed.kind, killed.signal, killed.signalName, killed.coreDumped],
    ['signaled', 9, 'SIGKILL', false],
  );
  const core = decodeExitStatus(11 | 0x80);
  assert.deepEqual([core.kind, core.signal, core.signalName, core.coreDumped], ['signaled', 11, 'SIGSEGV', true]);
  assert.equal(decodeExitStatus(40).signalName, 'SIGRT6');
  assert.equal(decodeExitStatus((19 << 8) | 0x7f).kind, 'stopped');
  assert.equal(formatExitStatus(3 << 8), 'exit 3');
  assert.equal(formatExitStatus(11 | 0x80), 'killed by SIGSEGV (core dumped)');
  assert.equal(formatExitStatus(15), 'killed by SIGTERM');
});

test('decodeExitStatus: every 16-bit status maps consistently', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), (s) => {
      const d = decodeExitStatus(s);
      if (d.kind === 'exited') assert.equal(d.exitCode, (s >> 8) & 0xff);
      if (d.kind === 'signaled') assert.equal(d.signal, s & 0x7f);
      assert.equal(d.raw, s);
    }),
  );
});

test('decodeAcFlag bits', () => {
  assert.deepEqual(decodeAcFlag(0x30), {
    forkedNoExec: false,
    superUser: false,
    coreDumped: false,
    killedBySignal: true,
    groupExit: true,
  });
  assert.equal(decodeAcFlag(0x01).forkedNoExec, true);
  assert.equal(decodeAcFlag(0x02).superUser, true);
  assert.equal(decodeAcFlag(0x08).coreDumped, true);
});

test('delay helpers: averages in ms, blocks by version, max/min only from v15', () => {
  assert.equal(nsToMs(1_500_000n), 1.5);
  assert.equal(delayAverageMs(3_000_000n, 2n), 1.5);
  assert.equal(delayAverageMs(5n, 0n), 0);
  const v16 = decodeTaskstats(readFileSync(`${dir}stats-v16.bin`));
  const d16 = taskstatsDelays(v16);
  assert.deepEqual(
    d16.map((d) => d.label),
    ['CPU', 'IO', 'SWAP', 'RECLAIM', 'THRASHING', 'COMPACT', 'WPCOPY', 'IRQ'],
  );
  assert.equal(d16[0]!.count, v16.cpuCount);
  assert.equal(d16[0]!.delayMaxNs, v16.cpuDelayMax);
  assert.equal(d16[0]!.averageMs, Number(v16.cpuDelayTotal) / Number(v16.cpuCount) / 1e6);
  const v8 = decodeTaskstats(readFileSync(`${dir}stats-v8.bin`));
  const d8 = taskstatsDelays(v8);
  assert.deepEqual(
    d8.map((d) => d.label),
    ['CPU', 'IO', 'SWAP', 'RECLAIM'],
  );
  assert.equal(d8[0]!.delayMaxNs, undefined);
  // the real capture was taken with kernel.task_delayacct = 0
  assert.equal(delayFieldsAllZero(v16), true);
  assert.equal(delayFieldsAllZero({ ...v16, blkioCount: 1n }), false);
});

test('JSON replacer keeps u64 exact', () => {
  const s = JSON.stringify({ a: (1n << 63n) + 1n, b: Buffer.from('hi') }, taskstatsJsonReplacer);
  assert.equal(s, '{"a":"9223372036854775809","b":"6869"}');
});

test('/proc/<pid>/stat field 42 (delayacct_blkio_ticks) on captured files', () => {
  assert.equal(parseProcStatBlkioTicks(text('proc/4343/stat')), 7n, 'comm with spaces and parentheses');
  assert.equal(parseProcStatBlkioTicks(text('proc/4242/stat')), 0n);
  assert.throws(() => parseProcStatBlkioTicks('12 (x R 1 2'), ParseError);
  assert.throws(() => parseProcStatBlkioTicks('12 (x) R 1 2'), /field 42/);
});

test('fuzz: the stat parser returns a value or ParseError', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      try {
        parseProcStatBlkioTicks(s);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
      }
    }),
    { numRuns: 1000 },
  );
});

test('procDelayStats on a fixture tree', () => {
  const p = procDelayStats(4343, { procRoot: `${dir}proc` });
  assert.equal(p.source, 'procfs');
  assert.equal(p.cpuDelayTotal, 313420n);
  assert.equal(p.blkioDelayTicks, 7n);
  assert.equal(p.blkioDelayTotal, 70_000_000n);
  assert.equal(p.io?.writeBytes, 4096n);
  assert.throws(() => procDelayStats(999999, { procRoot: `${dir}proc` }), ProcessGoneError);
  assert.throws(
    () => procDelayStats(4444, { procRoot: `${dir}proc` }),
    (e: unknown) =>
      e instanceof NotFoundError && !(e instanceof ProcessGoneError) && /CONFIG_SCHED_INFO/.test(e.message),
  );
  assert.throws(() => procDelayStats(0), InvalidArgumentError);
  // broken files surface as ParseError naming the file
  assert.throws(
    () => procDelayStats(4545, { procRoot: `${dir}proc` }),
    (e: unknown) => e instanceof ParseError && e.file.endsWith('4545/schedstat'),
  );
  assert.throws(
    () => procDelayStats(4646, { procRoot: `${dir}proc` }),
    (e: unknown) => e instanceof ParseError && e.file.endsWith('4646/io'),
  );
});

test('procDelayStats live on this process matches /proc/self', () => {
  const p = procDelayStats(process.pid);
  const after = readFileSync('/proc/self/schedstat', 'utf8').split(' ').map(BigInt);
  assert.ok(p.cpuRunVirtualTotal > 0n && p.cpuRunVirtualTotal <= after[0]!);
  assert.ok(p.cpuDelayTotal <= after[1]!);
  assert.ok(p.io && p.io.readChar > 0n);
});

test('validateCpuList', () => {
  assert.equal(validateCpuList('0-1\n'), '0-1');
  assert.equal(validateCpuList('0,2-3,7'), '0,2-3,7');
  for (const bad of ['', '0-', 'a', '1,,2', '3-1', '0-1 2']) {
    assert.throws(() => validateCpuList(bad), InvalidArgumentError, bad);
  }
});

test('taskstatsNamespaceProblem on fixture trees: initial, own netns, container pid namespace, unreadable', () => {
  assert.equal(taskstatsNamespaceProblem(`${dir}ns-initial`), undefined);
  assert.match(taskstatsNamespaceProblem(`${dir}ns-netns`) ?? '', /not in the initial net namespace/);
  assert.match(taskstatsNamespaceProblem(`${dir}ns-container`) ?? '', /pid 2 is not kthreadd/);
  assert.equal(taskstatsNamespaceProblem(`${dir}no-such-tree`), undefined);
});
