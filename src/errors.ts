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
