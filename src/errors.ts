/**
 * Typed errors shared by every layer of raingauge.
 *
 * Every error says what failed (the file, the request or the system call),
 * carries the raw value that did not parse where there is one, and where a
 * user can fix the cause the message says how.
 *
 * @module
 */

/** Base class of every error raingauge throws. `code` is a stable machine-readable name. */
export class RaingaugeError extends Error {
  /** Stable identifier of the error kind, e.g. `ERR_RAINGAUGE_PARSE`. */
  readonly code: string;
  constructor(message: string, code = 'ERR_RAINGAUGE', options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A system call failed. `call` is the libc function, `errno`/`errnoName` what it returned. */
export class SysCallError extends RaingaugeError {
  readonly call: string;
  readonly errno: number;
  readonly errnoName: string;
  constructor(call: string, errno: number, errnoName: string, detail?: string) {
    super(`${call}() failed: ${errnoName} (${errno})${detail ? `: ${detail}` : ''}`, 'ERR_RAINGAUGE_SYSCALL');
    this.call = call;
    this.errno = errno;
    this.errnoName = errnoName;
  }
}

/**
 * The operation needs a privilege the process does not have.
 * `capability` names it (e.g. `CAP_NET_ADMIN`), the message says how to get it.
 */
export class PermissionError extends RaingaugeError {
  readonly capability: string | undefined;
  readonly path: string | undefined;
  constructor(message: string, options: { capability?: string; path?: string; cause?: unknown } = {}) {
    super(message, 'ERR_RAINGAUGE_PERMISSION', { cause: options.cause });
    this.capability = options.capability;
    this.path = options.path;
  }
}

/**
 * A kernel feature is missing on this system (module not loaded, kernel too
 * old, option not compiled in). `feature` names it; the message says the fix.
 */
export class NotSupportedError extends RaingaugeError {
  readonly feature: string;
  constructor(feature: string, message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_RAINGAUGE_NOT_SUPPORTED', options);
    this.feature = feature;
  }
}

/** A kernel file or message could not be understood. */
export class ParseError extends RaingaugeError {
  /** The file (or message kind) being parsed. */
  readonly file: string;
  /** 1-based line number where known. */
  readonly line: number | undefined;
  /** The offending text (truncated to 200 characters). */
  readonly text: string | undefined;
  constructor(file: string, reason: string, options: { line?: number; text?: string; cause?: unknown } = {}) {
    const text = options.text === undefined ? undefined : options.text.slice(0, 200);
    super(
      `cannot parse ${file}${options.line !== undefined ? ` line ${options.line}` : ''}: ${reason}${
        text !== undefined ? ` (text: ${JSON.stringify(text)})` : ''
      }`,
      'ERR_RAINGAUGE_PARSE',
      { cause: options.cause },
    );
    this.file = file;
    this.line = options.line;
    this.text = text;
  }
}

/** Binary data (a netlink message, a trace page, a kernel struct) is malformed. */
export class DecodeError extends RaingaugeError {
  /** What was being decoded, e.g. `nlmsghdr`, `inet_diag_msg`. */
  readonly what: string;
  /** Byte offset where decoding failed. */
  readonly offset: number;
  constructor(what: string, offset: number, reason: string) {
    super(`cannot decode ${what} at byte ${offset}: ${reason}`, 'ERR_RAINGAUGE_DECODE');
    this.what = what;
    this.offset = offset;
  }
}

/** A file, process, interface or other named thing does not exist. */
export class NotFoundError extends RaingaugeError {
  readonly path: string;
  constructor(path: string, message?: string, options?: { cause?: unknown }) {
    super(message ?? `not found: ${path}`, 'ERR_RAINGAUGE_NOT_FOUND', options);
    this.path = path;
  }
}

/** The process went away while it was being read (ENOENT/ESRCH under /proc/<pid>). */
export class ProcessGoneError extends NotFoundError {
  readonly pid: number;
  constructor(pid: number, path: string, options?: { cause?: unknown }) {
    super(path, `process ${pid} is gone (reading ${path})`, options);
    this.pid = pid;
  }
}

/** A caller passed a value that is not valid (malformed address, unknown option). */
export class InvalidArgumentError extends RaingaugeError {
  /** The offending value as given. */
  readonly value: unknown;
  constructor(message: string, value?: unknown) {
    super(message, 'ERR_RAINGAUGE_INVALID_ARGUMENT');
    this.value = value;
  }
}

/**
 * A file exists but the kernel refused to read it with an error that is neither "not found" nor
 * "permission denied" (EINVAL, EIO, EISDIR, ENODATA, EOPNOTSUPP …). `errnoName` is the errno.
 */
export class FileAccessError extends RaingaugeError {
  /** The file that could not be read. */
  readonly path: string;
  /** The errno name (`EINVAL`, `EIO`, `EISDIR`, …) or `errno N` when Node gave no name. */
  readonly errnoName: string;
  constructor(path: string, errnoName: string, message?: string, options?: { cause?: unknown }) {
    super(message ?? `cannot read ${path}: ${errnoName}`, 'ERR_RAINGAUGE_FILE_ACCESS', options);
    this.path = path;
    this.errnoName = errnoName;
  }
}

/**
 * A process still has its `/proc/<pid>` directory but has exited (a zombie waiting for its parent
 * to reap it) or is exiting: the files that need its memory, mounts or namespaces (`environ`,
 * `auxv`, `mountinfo`, `cwd`, `exe`, `ns/*` …) can no longer be read; `stat`, `status` and
 * `cmdline` still can.
 */
export class ProcessExitedError extends RaingaugeError {
  /** The process ID. */
  readonly pid: number;
  /** The file that could not be read. */
  readonly path: string;
  /** The errno the kernel returned (`ESRCH`, `EINVAL`, `ENOENT`). */
  readonly errnoName: string;
  constructor(pid: number, path: string, errnoName: string, options?: { cause?: unknown }) {
    super(
      `process ${pid} has exited (a zombie not yet reaped by its parent, or exiting): ${path} is no longer readable (${errnoName})`,
      'ERR_RAINGAUGE_PROCESS_EXITED',
      options,
    );
    this.pid = pid;
    this.path = path;
    this.errnoName = errnoName;
  }
}

/**
 * The errno name of a Node.js system error (`err.code`, e.g. `ENOENT`), `ENOTSUPP` for Linux's
 * internal 524, or `undefined` when `err` is not a system error.
 */
export function errnoNameOf(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | null;
  if (e === null || typeof e !== 'object') return undefined;
  if (e.errno === -524 || e.errno === 524) return 'ENOTSUPP';
  if (e.code === 'ENOTSUP') return 'EOPNOTSUPP';
  const code = e.code;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
  return typeof e.errno === 'number' ? `errno ${Math.abs(e.errno)}` : undefined;
}

/** What {@link errnoError} needs to know about the access that failed. */
export interface ErrnoContext {
  /** What was being done, for the message: `reading` (default), `listing`, `opening` … */
  action?: string;
  /**
   * The process whose `/proc/<pid>` directory holds the path: ESRCH/ENOENT/EINVAL then mean the
   * process is gone ({@link ProcessGoneError}) or has exited and is a zombie ({@link ProcessExitedError}).
   */
  pid?: number;
  /** With `pid`: whether the process directory still exists (asked only when the answer matters). */
  processDirExists?: () => boolean;
  /** With `pid`: whether the process is a zombie (asked only on ENOENT of a file of an existing directory). */
  isZombie?: () => boolean;
  /** Errno names that mean "does not exist" here (default `ENOENT`, `ENODEV`, `ENXIO`; ESRCH too without `pid`). */
  notFound?: readonly string[];
  /** Message of the {@link NotFoundError} (default `not found: <path>`). */
  notFoundMessage?: string;
  /** Capability that would allow the access (on the {@link PermissionError}). */
  capability?: string;
  /** How to get permission, appended to the message (default: run as root). */
  permissionFix?: string;
  /** Make the error for any other errno (default {@link FileAccessError}). */
  other?: (errnoName: string) => RaingaugeError;
}

const DEFAULT_NOT_FOUND: readonly string[] = ['ENOENT', 'ENODEV', 'ENXIO', 'ESRCH'];

/**
 * THE mapping from a failed file-system or system call (a Node.js error carrying an errno) to
 * raingauge's typed errors, used by every reader:
 *
 * - with `pid`: ESRCH, ENOENT and EINVAL → {@link ProcessGoneError} when the process directory is
 *   gone, else ESRCH/EINVAL (and ENOENT when `isZombie()` says so: `cwd`, `exe` of a zombie) →
 *   {@link ProcessExitedError}; ENOENT of a file of a live process → {@link NotFoundError};
 * - ENOENT, ENODEV, ENXIO (and ESRCH without `pid`) → {@link NotFoundError};
 * - EACCES, EPERM → {@link PermissionError} naming the capability and the fix;
 * - any other errno → {@link FileAccessError} (or `context.other`).
 *
 * A {@link RaingaugeError} passes through unchanged; an error without an errno is returned as is
 * (it is a bug, not a kernel answer).
 */
export function errnoError(err: unknown, path: string, context: ErrnoContext = {}): Error {
  if (err instanceof RaingaugeError) return err;
  const name = errnoNameOf(err);
  if (name === undefined) return err instanceof Error ? err : new RaingaugeError(String(err));
  const action = context.action ?? 'reading';
  const { pid } = context;
  if (pid !== undefined && (name === 'ESRCH' || name === 'ENOENT' || name === 'EINVAL')) {
    const dirExists = context.processDirExists?.() ?? true;
    if (!dirExists) return new ProcessGoneError(pid, path, { cause: err });
    if (name !== 'ENOENT' || context.isZombie?.()) return new ProcessExitedError(pid, path, name, { cause: err });
    return new NotFoundError(
      path,
      context.notFoundMessage ?? `not found: ${path} (this kernel or this process does not provide it)`,
      { cause: err },
    );
  }
  if ((context.notFound ?? DEFAULT_NOT_FOUND).includes(name)) {
    return new NotFoundError(path, context.notFoundMessage, { cause: err });
  }
  if (name === 'EACCES' || name === 'EPERM') {
    const fix = context.permissionFix ?? 'run as root';
    return new PermissionError(`permission denied ${action} ${path} (${fix})`, {
      path,
      ...(context.capability !== undefined ? { capability: context.capability } : {}),
      cause: err,
    });
  }
  return (
    context.other?.(name) ?? new FileAccessError(path, name, `cannot ${verb(action)} ${path}: ${name}`, { cause: err })
  );
}

function verb(action: string): string {
  return action.endsWith('ing') ? action.slice(0, -3) : action;
}

/** {@link errnoError}, thrown. */
export function throwErrnoError(err: unknown, path: string, context?: ErrnoContext): never {
  throw errnoError(err, path, context);
}
