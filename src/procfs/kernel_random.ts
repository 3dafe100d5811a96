/**
 * `/proc/sys/kernel/random/*`: the kernel random number generator's state.
 *
 * Go procfs: `FS.KernelRandom() KernelRandom`.
 * @module
 */
import { fail, lines, uint, type Where } from './system_util.js';

/**
 * Values of `/proc/sys/kernel/random/*` (Go procfs: `KernelRandom`). A field is absent when its file
 * does not exist on this kernel (`read_wakeup_threshold` was removed in 5.6; since 5.18
 * `entropy_avail` and `poolsize` are fixed at 256).
 */
export interface KernelRandom {
  /** Available entropy, bits (`entropy_avail`; Go procfs `EntropyAvaliable`, typo fixed). */
  entropyAvailable?: number;
  /** Entropy pool size, bits (`poolsize`). */
  poolSize?: number;
  /** Seconds after which the DRNG is reseeded (`urandom_min_reseed_secs`). */
  urandomMinReseedSeconds?: number;
  /** Entropy bits below which writers to /dev/random are woken (`write_wakeup_threshold`). */
  writeWakeupThreshold?: number;
  /** Entropy bits needed to wake readers of /dev/random (`read_wakeup_threshold`, before 5.6). */
  readWakeupThreshold?: number;
  /** This boot's random UUID (`boot_id`). Not in Go procfs. */
  bootId?: string;
}

/** File name under `/proc/sys/kernel/random/` → numeric field. */
export const KERNEL_RANDOM_FILES: Readonly<Record<string, keyof KernelRandom>> = {
  entropy_avail: 'entropyAvailable',
  poolsize: 'poolSize',
  urandom_min_reseed_secs: 'urandomMinReseedSeconds',
  write_wakeup_threshold: 'writeWakeupThreshold',
  read_wakeup_threshold: 'readWakeupThreshold',
};

/**
 * Build a {@link KernelRandom} from the texts of the files that exist (file name → content).
 * @throws ParseError when a numeric file does not hold one unsigned integer.
 */
export function parseKernelRandom(files: Record<string, string>, dir = '/proc/sys/kernel/random'): KernelRandom {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(KERNEL_RANDOM_FILES)) {
    const text = files[name];
    if (text === undefined) continue;
    const ls = lines(text);
    const w: Where = { file: `${dir}/${name}`, line: 1, text: ls[0] ?? '' };
    if (ls.length !== 1) fail(w, 'expected one line');
    out[field] = uint(ls[0]!.trim(), w, name);
  }
  if (files.boot_id !== undefined) out.bootId = files.boot_id.trim();
  return out as KernelRandom;
}
