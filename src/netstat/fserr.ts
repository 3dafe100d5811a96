/**
 * Filesystem error mapping for the netstat readers (kept local so this
 * source does not depend on the procfs module's internals).
 * @module
 */
import { NotFoundError, PermissionError } from '../errors.js';

/**
 * Map a filesystem error on `path` to raingauge's typed errors:
 * ENOENT/ESRCH → {@link NotFoundError}, EACCES/EPERM → {@link PermissionError}; others are rethrown.
 */
export function netstatFsError(err: unknown, path: string): never {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ESRCH') throw new NotFoundError(path, undefined, { cause: err });
  if (code === 'EACCES' || code === 'EPERM') {
    throw new PermissionError(
      `permission denied reading ${path} (another user's process: run as root or with CAP_SYS_PTRACE)`,
      { path, cause: err },
    );
  }
  throw err;
}
