/**
 * Filesystem error mapping for the netstat readers: the one errno mapping of src/errors.ts
 * ({@link errnoError}) with the netstat readers' permission hint.
 * @module
 */
import { throwErrnoError } from '../errors.js';

/**
 * Map a filesystem error on `path` to raingauge's typed errors:
 * ENOENT/ESRCH → NotFoundError, EACCES/EPERM → PermissionError, any other errno → FileAccessError.
 */
export function netstatFsError(err: unknown, path: string): never {
  throwErrnoError(err, path, {
    permissionFix: "another user's process: run as root or with CAP_SYS_PTRACE",
    capability: 'CAP_SYS_PTRACE',
  });
}
