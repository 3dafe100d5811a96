/**
 * Where the procfs fixtures live (test/fixtures/procfs/), for every procfs
 * test and capture script: the tree captured from this kernel, the cgroupfs
 * tree, and a reader for single fixture files.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = new URL('../fixtures/procfs/', import.meta.url);

/** The procfs tree captured from this kernel (`proc/`, see sys_capture.ts and proc_capture.ts): a mount point for `new ProcFS(…)`. */
export const procFixtureRoot = fileURLToPath(new URL('proc', FIXTURES));

/** The cgroupfs tree the cgroup fixtures of `proc/` point into (a `mountPrefix`). */
export const cgroupfsFixtureRoot = fileURLToPath(new URL('proc-cgroupfs/', FIXTURES));

/** The text of a fixture file, by its path below test/fixtures/procfs/ (`proc/meminfo`, `odd/stat-2.4`, `broken/…`). */
export function procFixtureText(rel: string): string {
  return readFileSync(new URL(rel, FIXTURES), 'utf8');
}
