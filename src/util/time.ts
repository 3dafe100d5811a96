/**
 * Timing helpers shared by sources, features and the CLI (not part of the
 * public API).
 * @module
 * @internal
 */

/** Resolve after `ms` milliseconds unless `signal` aborts first (then resolve early, never reject). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
