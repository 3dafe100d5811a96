/**
 * `/proc/crypto`: registered kernel crypto algorithms (kernel `c_show`).
 *
 * Go procfs: `FS.Crypto() []Crypto`.
 * @module
 */
import { kvBlocks, record, sint, uint, type Where } from './system_util.js';

/** One algorithm (Go procfs: `Crypto`). Fields are absent when the algorithm's type does not print them. */
export interface Crypto {
  /** Algorithm name (`name`). */
  name?: string;
  /** Implementation (`driver`). */
  driver?: string;
  /** Module, or `kernel` (`module`). */
  module?: string;
  /** Priority (`priority`). */
  priority?: number;
  /** Reference count (`refcnt`). */
  refcnt?: number;
  /** Self-test result (`selftest`: `passed`, `unknown`). */
  selftest?: string;
  /** `internal` (`yes`/`no`). */
  internal?: string;
  /** Algorithm type (`type`: `skcipher`, `shash`, `aead`, `rng`, …). */
  type?: string;
  /** `async` is `yes`. */
  async?: boolean;
  /** Block size, bytes (`blocksize`). */
  blocksize?: number;
  /** Chunk size, bytes (`chunksize`). */
  chunksize?: number;
  /** Context size, bytes (`ctxsize`). */
  ctxsize?: number;
  /** Digest size, bytes (`digestsize`). */
  digestsize?: number;
  /** IV size, bytes (`ivsize`). */
  ivsize?: number;
  /** Maximum authentication tag size (`maxauthsize`). */
  maxauthsize?: number;
  /** Maximum key size (`max keysize`). */
  maxKeysize?: number;
  /** Minimum key size (`min keysize`). */
  minKeysize?: number;
  /** Seed size (`seedsize`). */
  seedsize?: number;
  /** State size (`statesize`). Not in Go procfs. */
  statesize?: number;
  /** Walk size (`walksize`). */
  walksize?: number;
  /** Alignment mask (`alignmask`). */
  alignmask?: number;
  /** IV generator (`geniv`). */
  geniv?: string;
  /** Keys this parser does not type, raw. */
  other?: Record<string, string>;
}

const UINTS: Record<string, keyof Crypto> = {
  blocksize: 'blocksize',
  chunksize: 'chunksize',
  ctxsize: 'ctxsize',
  digestsize: 'digestsize',
  ivsize: 'ivsize',
  maxauthsize: 'maxauthsize',
  'max keysize': 'maxKeysize',
  'min keysize': 'minKeysize',
  seedsize: 'seedsize',
  statesize: 'statesize',
  walksize: 'walksize',
  alignmask: 'alignmask',
};
const STRS = new Set(['name', 'driver', 'module', 'selftest', 'internal', 'type', 'geniv']);

/**
 * Parse the text of `/proc/crypto`.
 * @throws ParseError on a line without `:` or a malformed number.
 */
export function parseCrypto(text: string, file = '/proc/crypto'): Crypto[] {
  return kvBlocks(text, file).map((b) => {
    const c: Record<string, unknown> = {};
    for (const { key, value, line, text } of b.entries) {
      const w: Where = { file, line, text };
      if (key === 'priority' || key === 'refcnt') c[key] = sint(value, w, key);
      else if (key === 'async') c.async = value === 'yes';
      else if (Object.hasOwn(UINTS, key)) c[UINTS[key]!] = uint(value, w, key);
      else if (STRS.has(key)) c[key] = value;
      else {
        c.other ??= record<string>();
        (c.other as Record<string, string>)[key] = value;
      }
    }
    return c as Crypto;
  });
}
