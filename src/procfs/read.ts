/**
 * The one fast file reader of src/procfs: `open` + `read` into one reused buffer (grown when a file
 * does not fit, never capped) + `close` — no `fstat` (procfs sizes are 0 or lies, so the size
 * `readFileSync` asks for is wasted work) and no copy of the bytes before decoding.
 *
 * A synchronous read decodes the buffer before anything else can run, so one buffer per thread is
 * safe. Used by {@link Proc} readers and the bulk {@link ProcessScanner}.
 * @module
 * @internal
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';

let shared = Buffer.allocUnsafe(64 * 1024);

/**
 * Read the open descriptor `fd` whole into the shared buffer and return the number of bytes.
 * `positional`: pread from offset 0 (a kept-open descriptor read again). `shortReadIsEnd`: the file
 * is one seq_file record or has its own read (stat, status, statm, cmdline, environ, io …), whose
 * read fills the request unless the file ends — a short read then saves the `read` returning 0.
 * Throws the system error as Node raises it (the caller maps it).
 */
export function readFdIntoShared(fd: number, positional: boolean, shortReadIsEnd: boolean): number {
  let n = 0;
  for (;;) {
    if (n === shared.length) {
      const bigger = Buffer.allocUnsafe(shared.length * 2);
      shared.copy(bigger, 0, 0, n);
      shared = bigger;
    }
    const want = shared.length - n;
    const r = readSync(fd, shared, n, want, positional ? n : null);
    n += r;
    if (r === 0 || (shortReadIsEnd && r < want)) return n;
  }
}

/** The first `n` bytes of the shared buffer as text (`utf8`, or `latin1` for ASCII-only files). */
export function sharedText(n: number, encoding: 'utf8' | 'latin1' = 'utf8'): string {
  return shared.toString(encoding, 0, n);
}

/**
 * Read `path` whole as UTF-8 text (see the module doc). Throws the system error as Node raises it.
 * @param shortReadIsEnd see {@link readFdIntoShared}.
 */
export function readProcText(path: string, shortReadIsEnd = false): string {
  const fd = openSync(path, constants.O_RDONLY);
  let n: number;
  try {
    n = readFdIntoShared(fd, false, shortReadIsEnd);
  } finally {
    closeSync(fd);
  }
  return shared.toString('utf8', 0, n);
}
