/**
 * System settings taskstats depends on: the `kernel.task_delayacct` sysctl
 * (whether block-I/O, swap, reclaim, thrashing, compaction, wpcopy and IRQ
 * delays are collected) and the possible-CPU list used as the default
 * exit-event cpumask.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, NotSupportedError, ParseError, PermissionError } from '../errors.js';

/** Path of the `kernel.task_delayacct` sysctl. */
export const TASK_DELAYACCT_PATH = '/proc/sys/kernel/task_delayacct';
/** Path of the possible-CPU list (`cpu_possible_mask`). */
export const CPU_POSSIBLE_PATH = '/sys/devices/system/cpu/possible';

function readSysctl(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotSupportedError(
        'task_delayacct',
        `${path} is missing: the kernel was built without CONFIG_TASK_DELAY_ACCT (no delay accounting)`,
        { cause: err },
      );
    }
    throw err;
  }
}

/**
 * Whether delay accounting is on (`kernel.task_delayacct` = 1). It only
 * affects tasks started while it is on; CPU delay is collected regardless.
 * @throws {NotSupportedError} when the kernel has no delay accounting.
 */
export function delayAccounting(): boolean {
  const text = readSysctl(TASK_DELAYACCT_PATH).trim();
  if (text !== '0' && text !== '1') throw new ParseError(TASK_DELAYACCT_PATH, 'expected 0 or 1', { text });
  return text === '1';
}

/**
 * Turn delay accounting on or off (`kernel.task_delayacct`). Needs
 * CAP_SYS_ADMIN. Returns the previous value so callers can restore it.
 * Only tasks started afterwards get the extra delays.
 * @throws {PermissionError} without CAP_SYS_ADMIN.
 */
export function setDelayAccounting(on: boolean): boolean {
  const previous = delayAccounting();
  try {
    writeFileSync(TASK_DELAYACCT_PATH, on ? '1\n' : '0\n');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new PermissionError(
        `cannot write ${TASK_DELAYACCT_PATH} (${code}): changing delay accounting needs CAP_SYS_ADMIN (run as root)`,
        { capability: 'CAP_SYS_ADMIN', path: TASK_DELAYACCT_PATH, cause: err },
      );
    }
    throw err;
  }
  return previous;
}

const CPULIST = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

/** Check a cpulist string (`0-3,5,7-8`) and return it trimmed; throws {@link InvalidArgumentError} otherwise. */
export function validateCpuList(mask: string): string {
  const m = mask.trim();
  if (!CPULIST.test(m)) {
    throw new InvalidArgumentError(
      `cpumask must be a cpulist such as "0-3,5" (comma-separated CPU numbers or ranges), got ${JSON.stringify(mask)}`,
      mask,
    );
  }
  for (const part of m.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (b !== undefined && b < a!) {
      throw new InvalidArgumentError(`cpumask range ${part} is reversed`, mask);
    }
  }
  return m;
}

/** The possible CPUs as a cpulist string (e.g. `0-1`), from /sys/devices/system/cpu/possible. */
export function possibleCpuList(path = CPU_POSSIBLE_PATH): string {
  return validateCpuList(readFileSync(path, 'utf8'));
}
