/**
 * Shared fuzz set-up for text parsers (fast-check): random edits of real
 * fixture files, junk text made of the characters parsers split on, and the
 * check every parser must pass: return a value or throw a ParseError, nothing
 * else.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ParseError } from '../../src/errors.ts';

/** Single characters text parsers split on or choke on (separators, control bytes, hex digits, non-ASCII). */
const CHARS = ' \t\n:.,()[]/|=-_0123456789abcdefxyzABCDEF@%#\u0000é'.split('');

/** Multi-character pieces worth inserting: a number past 2^64, a negative one, a unit, a prototype key. */
const PIECES = ['99999999999999999999999', '-1', 'kB', '__proto__:'];

/** One edit of a text; positions are taken modulo the text's length at the time the edit applies. */
export type TextEdit =
  | { op: 'set' | 'insert'; at: number; s: string }
  | { op: 'delete'; at: number; n: number }
  | { op: 'truncate' | 'dupline' | 'dropline'; at: number }
  | { op: 'number'; at: number; huge: boolean };

const piece = fc.oneof(fc.constantFrom(...CHARS, ...PIECES), fc.string({ maxLength: 8 }));

const edit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), s: piece }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), s: piece }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constantFrom('truncate' as const, 'dupline' as const, 'dropline' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('number' as const), at: fc.nat(), huge: fc.boolean() }),
);

/** Lists of 1 to `maxEdits` edits (fast-check shrinks toward fewer, simpler ones). */
export function textEdits(maxEdits = 6): fc.Arbitrary<TextEdit[]> {
  return fc.array(edit, { minLength: 1, maxLength: maxEdits });
}

/** `text` after `edits`, in order. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let t = text;
  for (const e of edits) {
    const at = e.at % (t.length + 1);
    if (e.op === 'set') t = t.slice(0, at) + e.s + t.slice(at + 1);
    else if (e.op === 'insert') t = t.slice(0, at) + e.s + t.slice(at);
    else if (e.op === 'delete') t = t.slice(0, at) + t.slice(at + e.n);
    else if (e.op === 'truncate') t = t.slice(0, at);
    else if (e.op === 'number') {
      // the (at mod 50)th digit run becomes a number past 2^64 or a negative one
      let k = 0;
      t = t.replace(/\d+/g, (m) => (k++ === e.at % 50 ? (e.huge ? '99999999999999999999999' : '-1') : m));
    } else {
      const ls = t.split('\n');
      const i = e.at % ls.length;
      if (e.op === 'dupline') ls.splice(i, 0, ls[i]!);
      else ls.splice(i, 1);
      t = ls.join('\n');
    }
  }
  return t;
}

/** `base` after random edits: replaced, inserted or deleted characters, truncation, duplicated or dropped lines, out-of-range numbers. */
export function mutatedText(base: string, maxEdits = 6): fc.Arbitrary<string> {
  return textEdits(maxEdits).map((edits) => applyEdits(base, edits));
}

/** Junk text up to `maxLength` characters drawn from the characters parsers split on. */
export function parserJunk(maxLength = 200): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...CHARS), maxLength });
}

/**
 * Run `fn` (a parse, with any checks of its value): it must return, or throw a
 * {@link ParseError} that names its file and says what was wrong. Anything
 * else fails, naming `label` and the input.
 */
export function valueOrParseError(label: string, fn: () => unknown, input?: string): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ParseError)) {
      const shown = input === undefined ? '' : ` for input ${JSON.stringify(input.slice(0, 300))}`;
      assert.fail(`${label}: threw ${(err as Error)?.stack ?? String(err)} instead of a ParseError${shown}`);
    }
    assert.ok(err.file.length > 0, `${label}: a ParseError names the file`);
    assert.ok(err.message.length > 0, `${label}: a ParseError says what was wrong`);
  }
}
