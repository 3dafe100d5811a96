/**
 * Small helpers shared by CLI commands.
 * @module
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../errors.js';

/** A bad command-line argument: the CLI prints the message and exits 2. */
export class UsageError extends InvalidArgumentError {}

/** Parse a positive number option (`--interval 0.5`); throws {@link UsageError} naming the option. */
export function parsePositive(name: string, value: string, { integer = false } = {}): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parse a non-negative integer option (`--threshold 0`). */
export function parseNonNegativeInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `/proc/<pid>/comm` (the command name; a live process's tgid taskstats record carries no ac_comm), or undefined. */
export function readProcComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * An AbortSignal that fires on SIGINT or SIGTERM (and, if given, after
 * `durationS` seconds). Call `dispose()` to remove the handlers.
 */
export function stopSignal(durationS?: number): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  const t = durationS !== undefined ? setTimeout(onSig, durationS * 1000) : undefined;
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
      if (t) clearTimeout(t);
    },
  };
}
