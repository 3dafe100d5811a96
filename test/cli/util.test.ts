import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatSeconds, renderTable } from '../../src/cli/format.ts';
import { fitFrame } from '../../src/cli/live.ts';
import { escapeControl, jsonText } from '../../src/cli/output.ts';
import { MAX_TIMER_MS, parseDuration, parseNonNegativeInt, parsePositiveInt, UsageError } from '../../src/cli/util.ts';

test('parseDuration: seconds, with optional ms/s/m/h suffixes', () => {
  assert.equal(parseDuration('--interval', '1'), 1);
  assert.equal(parseDuration('--interval', '0.5'), 0.5);
  assert.equal(parseDuration('--interval', '.25'), 0.25);
  assert.equal(parseDuration('--interval', '0.001'), 0.001);
  assert.equal(parseDuration('--interval', '250ms'), 0.25);
  assert.equal(parseDuration('--interval', '2m'), 120);
  assert.equal(parseDuration('--interval', String(MAX_TIMER_MS / 1000)), MAX_TIMER_MS / 1000);
  assert.equal(parseDuration('--x', '0', { allowZero: true }), 0);
});

test('parseDuration rejects what is not a plain duration, naming the option', () => {
  for (const bad of [
    '0',
    '0.0001',
    '0x10',
    '1e3',
    '-1',
    '+1',
    '',
    ' ',
    'Infinity',
    'NaN',
    '3000000',
    '1.',
    '1s2',
    '2d',
  ]) {
    assert.throws(
      () => parseDuration('--interval', bad),
      (e: unknown) => e instanceof UsageError && /--interval/.test(e.message),
      bad,
    );
  }
});

test('integer parsers accept digits only', () => {
  assert.equal(parsePositiveInt('--count', '3'), 3);
  assert.equal(parseNonNegativeInt('--threshold', '0'), 0);
  for (const bad of ['0x10', '1e2', '1.5', '-1', '', 'abc', '99999999999999999999']) {
    assert.throws(() => parsePositiveInt('--count', bad), UsageError, bad);
  }
  assert.throws(() => parsePositiveInt('--count', '0'), UsageError);
});

test('escapeControl: terminal controls and bidi overrides are shown, not interpreted', () => {
  assert.equal(escapeControl('@abs\x1b]0;pwned\x07'), '@abs\\e]0;pwned\\a');
  assert.equal(escapeControl('a\nb\tc\rd\x00\x7f'), 'a\\nb\\tc\\rd\\x00\\x7f');
  assert.equal(escapeControl('x\u009by\u202ez'), 'x\\u{9b}y\\u{202e}z');
  assert.equal(escapeControl('/run/ünïcødé.sock'), '/run/ünïcødé.sock');
});

test('jsonText: u64 as exact JSON numbers, bytes as hex', () => {
  assert.equal(
    jsonText({ a: 18446744073709551615n, b: 1, c: Buffer.from([1, 255]) }),
    '{"a":18446744073709551615,"b":1,"c":"01ff"}',
  );
  assert.deepEqual(JSON.parse(jsonText({ t: new Date(0) })), { t: '1970-01-01T00:00:00.000Z' });
});

test('renderTable: plain aligned columns, escaped cells, fitted to a width', () => {
  const t = renderTable(
    ['name', 'n'],
    [
      ['a\nb', 1],
      ['long-name', 22],
    ],
    { align: ['left', 'right'] },
  );
  assert.equal(t, 'name        n\na\\nb        1\nlong-name  22');
  assert.doesNotMatch(t, /[│┌─]/);
  const fitted = renderTable(['n', 'command'], [[1, 'x'.repeat(100)]], { width: 20, align: ['right', 'left'] });
  for (const line of fitted.split('\n')) assert.ok(line.length <= 20, line);
  assert.match(fitted, /…$/);
});

test('format: bytes and durations', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(2n ** 40n), '1.0 TiB');
  assert.equal(formatSeconds(0.0123), '12.3 ms');
  assert.equal(formatSeconds(185), '3m05s');
});

test('fitFrame: a frame never exceeds the window', () => {
  const text = Array.from({ length: 50 }, (_, i) => `line ${i} ${'x'.repeat(200)}`).join('\n');
  const f = fitFrame(text, 40, 10).split('\n');
  assert.equal(f.length, 9);
  assert.match(f.at(-1)!, /42 more lines/);
  for (const l of f) assert.ok(l.length <= 40);
});
