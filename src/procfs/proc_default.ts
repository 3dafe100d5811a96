/**
 * Package-level shortcuts on the default procfs mount (`/proc`), as Go
 * procfs offers them: `NewProc`, `Self`, `AllProcs`, `GetMounts`, `GetProcMounts`.
 * @module
 */
import { ProcFS } from './fs.js';
import type { MountInfo } from './mountinfo.js';
import type { Proc, Procs } from './proc.js';

let defaultFs: ProcFS | undefined;
function fs(): ProcFS {
  defaultFs ??= new ProcFS('/proc');
  return defaultFs;
}

/** The process `pid` under `/proc` (Go procfs `NewProc`). @throws {NotFoundError} when it does not exist. */
export function newProc(pid: number): Proc {
  return fs().proc(pid);
}

/** The calling process, via `/proc/self` (Go procfs `Self`). */
export function selfProc(): Proc {
  return fs().self();
}

/** Every process under `/proc` (Go procfs `AllProcs`). */
export function allProcs(): Procs {
  return fs().allProcs();
}

/** Mounts of the calling process's namespace, from `/proc/self/mountinfo` (Go procfs `GetMounts`). */
export function getMounts(): MountInfo[] {
  return fs().self().mountInfo();
}

/** Mounts seen by process `pid`, from `/proc/<pid>/mountinfo` (Go procfs `GetProcMounts`). */
export function getProcMounts(pid: number): MountInfo[] {
  return fs().proc(pid).mountInfo();
}
