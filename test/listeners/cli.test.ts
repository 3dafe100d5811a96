import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyThreshold,
  backlogPercent,
  classifyListenArgs,
  type ListenRow,
  renderListenJson,
  renderListenLine,
  renderListenTable,
  screenLines,
} from '../../src/cli/commands/listen.ts';
import { UsageError } from '../../src/cli/util.ts';

const rows: ListenRow[] = [
  {
    key: '127.0.0.1:8080',
    kind: 'tcp',
    stats: {
      active: 3,
      queued: 5,
      backlog: 16,
      sockets: 1,
      owners: [{ pid: 7, command: 'node' }],
      ownersComplete: true,
    },
  },
  {
    key: '127.0.0.2:80',
    kind: 'tcp',
    stats: {
      active: 1,
      queued: 0,
      backlog: 511,
      sockets: 1,
      matchedKey: '0.0.0.0:80',
      owners: [],
      ownersComplete: false,
    },
  },
  {
    key: '/run/a.sock',
    kind: 'unix',
    stats: { active: 0, queued: 14, backlog: 16, sockets: 2, owners: [], ownersComplete: true },
  },
];

test('arguments are sorted into TCP addresses (canonical) and UNIX paths; anything else is a usage error', () => {
  assert.deepEqual(classifyListenArgs(['127.0.0.1:80', '[0::1]:80', '/run/x.sock', './y.sock', 'rel/z', '@abs']), {
    tcp: ['127.0.0.1:80', '[::1]:80'],
    unix: ['/run/x.sock', './y.sock', 'rel/z', '@abs'],
  });
  for (const bad of ['foo', 'x.sock', '127.0.0.1', 'localhost:80', '1.2.3.4:99999', '[::1]', 'a\0/b']) {
    assert.throws(() => classifyListenArgs([bad]), UsageError, bad);
  }
  assert.throws(() => classifyListenArgs(['x.sock']), /neither ADDRESS:PORT/);
});

test('JSON is exactly {"key":{"active":N,"queued":N,"backlog":N},…} on one line', () => {
  assert.equal(
    renderListenJson(rows),
    '{"127.0.0.1:8080":{"active":3,"queued":5,"backlog":16},"127.0.0.2:80":{"active":1,"queued":0,"backlog":511},"/run/a.sock":{"active":0,"queued":14,"backlog":16}}',
  );
  assert.equal(renderListenJson([]), '{}');
});

test('one line per sample when piped', () => {
  const line = renderListenLine(new Date('2026-01-02T03:04:05.000Z'), rows.slice(0, 1));
  assert.equal(line, '2026-01-02T03:04:05.000Z  127.0.0.1:8080 active=3 queued=5 backlog=16');
  assert.equal(renderListenLine(new Date(0), []), '1970-01-01T00:00:00.000Z  (no listeners)');
});

test('table: columns, % of backlog, fallback and owner notes, no escapes without color', () => {
  const out = renderListenTable(
    { time: new Date(), rows, missing: ['10.0.0.1:1'] },
    { color: false, owners: true, active: true },
  );
  assert.doesNotMatch(out, /\x1b\[/);
  assert.match(out, /address +│ active │ queued │ backlog │ % used │ owner/);
  assert.match(out, /127\.0\.0\.1:8080 +│ +3 │ +5 │ +16 │ +31% │ node\[7\]/);
  assert.match(out, /127\.0\.0\.2:80 → 0\.0\.0\.0:80 +│ +1 │ +0 │ +511 │ +0% │ \?/);
  assert.match(out, /\/run\/a\.sock +│ +0 │ +14 │ +16 │ +88% │ -/);
  assert.match(out, /127\.0\.0\.2:80 has no listener of its own: the numbers are those of 0\.0\.0\.0:80/);
  assert.match(out, /no listener on 10\.0\.0\.1:1/);
  assert.match(out, /owner "\?": held by another user's process/);
  const colored = renderListenTable(
    { time: new Date(), rows, missing: [] },
    { color: true, owners: false, active: false },
  );
  assert.match(colored, /\x1b\[31m/, 'nearly full queue in red');
  assert.match(colored, /\x1b\[33m5/, 'a queue in yellow');
  assert.doesNotMatch(colored, /owner/);
  assert.match(colored, /--no-active/);
});

test('frame height counts wrapped lines, not escape sequences', () => {
  assert.equal(screenLines('a\nb', 80), 2);
  assert.equal(screenLines(`\x1b[31m${'x'.repeat(80)}\x1b[39m`, 80), 1);
  assert.equal(screenLines('x'.repeat(81), 80), 2);
  assert.equal(screenLines('x'.repeat(200), 0), 1, 'unknown width');
});

test('threshold and percent', () => {
  const sample = { time: new Date(), rows, missing: [] };
  assert.equal(
    renderListenTable(sample, { color: false, owners: true, active: true }, []),
    'no listener reaches the threshold',
  );
  assert.equal(
    renderListenTable({ ...sample, rows: [] }, { color: false, owners: true, active: true }),
    'no listeners',
  );
  assert.deepEqual(
    applyThreshold(rows, 5).map((r) => r.key),
    ['127.0.0.1:8080', '/run/a.sock'],
  );
  assert.equal(applyThreshold(rows, undefined).length, 3);
  assert.equal(backlogPercent(rows[0]!.stats), 31.25);
  assert.equal(backlogPercent({ active: 0, queued: 1, backlog: 0, sockets: 1, backlogUnknown: true }), undefined);
  // listen(fd, 0): the kernel says 0, one connection may wait
  assert.equal(backlogPercent({ active: 0, queued: 1, backlog: 0, sockets: 1 }), 100);
});
