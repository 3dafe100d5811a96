/**
 * Reading helpers for the system-wide procfs readers of {@link ProcFS} that need more than one
 * whole-file read (directories of one-value files, optional files). Private to src/procfs.
 * @module
 * @internal
 */
import { readdirSync } from 'node:fs';
import { FileAccessError, NotFoundError, NotSupportedError, PermissionError, throwErrnoError } from '../errors.js';
import { readKernelUnits } from './auxv.js';
import type { ProcFS } from './fs.js';

/** How to get permission to read a system-wide procfs file (the message tail of a PermissionError). */
export const PROCFS_PERMISSION_FIX = 'run as root or with CAP_SYS_PTRACE / CAP_DAC_READ_SEARCH';

/** Names of the entries of a directory below the mount point, sorted. */
export function listDir(fs: ProcFS, dir: string): string[] {
  const p = fs.path(dir);
  try {
    return readdirSync(p).sort();
  } catch (err) {
    throwErrnoError(err, p, { action: 'listing', permissionFix: PROCFS_PERMISSION_FIX });
  }
}

/**
 * Read every regular file of a directory of one-value files (`/proc/sys/vm`). Files that cannot be
 * read (write-only, permission denied) are returned in `unreadable`; files that vanish are skipped.
 */
export function readDirFiles(fs: ProcFS, dir: string): { files: Record<string, string>; unreadable: string[] } {
  const files: Record<string, string> = Object.create(null);
  const unreadable: string[] = [];
  for (const name of listDir(fs, dir)) {
    try {
      files[name] = fs.readText(dir, name);
    } catch (err) {
      if (err instanceof PermissionError) unreadable.push(name);
      else if (err instanceof NotFoundError) continue;
      else if (err instanceof FileAccessError && err.errnoName === 'EISDIR') continue;
      else if (err instanceof FileAccessError) unreadable.push(name);
      else throw err;
    }
  }
  return { files, unreadable };
}

/** Read a file, or `undefined` when it does not exist. */
export function readOptional(fs: ProcFS, ...parts: string[]): string | undefined {
  try {
    return fs.readText(...parts);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * Read a file that exists only with a kernel feature: a missing file becomes a
 * {@link NotSupportedError} naming the feature and how to get it.
 */
export function readFeature(fs: ProcFS, feature: string, fix: string, ...parts: string[]): string {
  try {
    return fs.readText(...parts);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new NotSupportedError(feature, `${fs.path(...parts)} does not exist: ${fix}`, { cause: err });
    }
    throw err;
  }
}

/**
 * Check that a directory that exists only with a kernel feature is there: a missing one becomes a
 * {@link NotSupportedError} naming the feature and how to get it.
 */
export function readFeatureDir(fs: ProcFS, feature: string, fix: string, dir: string): void {
  try {
    listDir(fs, dir);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new NotSupportedError(feature, `${fs.path(dir)} does not exist: ${fix}`, { cause: err });
    }
    throw err;
  }
}

/**
 * Page size in bytes from `AT_PAGESZ` of `<mount>/self/auxv`, or of the running kernel when the
 * mount has none (via {@link readKernelUnits}); `undefined` only when neither can be read.
 */
export function auxvPageSize(fs: ProcFS): number | undefined {
  try {
    return readKernelUnits(fs).pageSizeBytes;
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof PermissionError || err instanceof FileAccessError) {
      return undefined;
    }
    throw err;
  }
}
