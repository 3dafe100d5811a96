/**
 * Selecting counters by name the way nstat does (`TcpExt*Listen*`), plus
 * plain names (`ListenOverflows`), `Proto.Name` / `Proto_Name` forms and
 * `/regex/`. All matching is case-insensitive.
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import type { CounterValue, NetCounterSet } from './parse.js';

/** One counter, flattened. */
export interface FlatCounter {
  proto: string;
  name: string;
  /** nstat's name: protocol and name concatenated (`TcpExtListenOverflows`, `Ip6InOctets`). */
  nstatName: string;
  value: CounterValue;
}

/**
 * nstat's name of a counter: `proto + name` (`TcpExtListenOverflows`). For
 * the snmp6 sections this gives back the kernel's own key (`Ip6InOctets`).
 */
export function nstatName(proto: string, name: string): string {
  return proto + name;
}

/** Every counter of a set as a flat list, in file order. */
export function flattenCounters(set: NetCounterSet): FlatCounter[] {
  const out: FlatCounter[] = [];
  for (const proto of Object.keys(set)) {
    const sec = set[proto]!;
    for (const name of Object.keys(sec)) out.push({ proto, name, nstatName: proto + name, value: sec[name]! });
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Translate a shell glob (`*`, `?`, `[…]`) into an anchored, case-insensitive RegExp (SyntaxError for a bad `[…]` such as `[z-a]`). */
export function netstatGlobToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'i');
}

/**
 * Build a predicate from nstat-like patterns. A counter matches when any
 * pattern matches one of its names — `TcpExtListenOverflows` (nstat),
 * `TcpExt.ListenOverflows`, `TcpExt_ListenOverflows` or the bare
 * `ListenOverflows`:
 * - `/re/` (optionally `/re/i`): a regular expression, searched (not anchored);
 * - a pattern with `*`, `?` or `[`: a shell glob, anchored;
 * - anything else: an exact name.
 *
 * No patterns match everything. Throws {@link InvalidArgumentError} for an invalid regular expression.
 */
export function counterMatcher(patterns: readonly string[]): (proto: string, name: string) => boolean {
  if (patterns.length === 0) return () => true;
  const tests: ((forms: string[]) => boolean)[] = patterns.map((p) => {
    const m = /^\/(.*)\/([a-z]*)$/.exec(p);
    if (m) {
      let re: RegExp;
      try {
        re = new RegExp(m[1]!, m[2]!.includes('i') ? m[2] : `${m[2]}i`);
      } catch (err) {
        throw new InvalidArgumentError(`invalid regular expression ${p}: ${(err as Error).message}`, p);
      }
      return (forms) => forms.some((f) => re.test(f));
    }
    if (/[*?[]/.test(p)) {
      let re: RegExp;
      try {
        re = netstatGlobToRegExp(p);
      } catch (err) {
        throw new InvalidArgumentError(`invalid pattern ${p}: ${(err as Error).message}`, p);
      }
      return (forms) => forms.some((f) => re.test(f));
    }
    const lower = p.toLowerCase();
    return (forms) => forms.some((f) => f.toLowerCase() === lower);
  });
  return (proto, name) => {
    const forms = [proto + name, `${proto}.${name}`, `${proto}_${name}`, name];
    return tests.some((t) => t(forms));
  };
}

/** Keep only the counters of `set` that `match` accepts (sections left empty are dropped). */
export function filterCounters(set: NetCounterSet, match: (proto: string, name: string) => boolean): NetCounterSet {
  const out: NetCounterSet = {};
  for (const proto of Object.keys(set)) {
    const sec = set[proto]!;
    let kept: Record<string, CounterValue> | undefined;
    for (const name of Object.keys(sec)) {
      if (!match(proto, name)) continue;
      kept ??= {};
      kept[name] = sec[name]!;
    }
    if (kept !== undefined) out[proto] = kept;
  }
  return out;
}

/**
 * Serialize a value holding bigints as JSON, writing each bigint as a bare
 * integer literal (exact digits; JSON.parse reads it back as a number, so
 * very large values lose precision there).
 */
export function stringifyCounters(value: unknown, space?: number): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${marker}${v.toString()}` : v), space);
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
