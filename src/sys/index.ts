/**
 * The system-call layer: the only module of raingauge that talks to libc
 * through the FFI library (koffi). Everything above it works with numbers
 * (descriptors, lengths) and Buffers.
 *
 * - Every socket is created with `SOCK_CLOEXEC`.
 * - A failing call throws {@link SysCallError} with the call and errno name;
 *   EINTR is retried transparently.
 * - Callers pass their own Buffers, so hot paths reuse memory instead of
 *   allocating per call.
 * - `*Async` variants run the call on a libuv worker thread so that blocking
 *   waits (poll with a timeout) never block the event loop.
 *
 * @module
 */
import koffi from 'koffi';
import { PermissionError } from '../errors.js';

import { errno, errnoName, libc, retry, sysError } from './libc.js';

export * from './bpf.js';
export * from './mmap.js';
export { errno, errnoName, sysError };

const c_socket = libc.func('int socket(int domain, int type, int protocol)');
const c_bind = libc.func('int bind(int fd, const void *addr, uint32_t len)');
const c_connect = libc.func('int connect(int fd, const void *addr, uint32_t len)');
const c_getsockname = libc.func('int getsockname(int fd, void *addr, _Inout_ uint32_t *len)');
const c_sendto = libc.func(
  'intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t alen)',
);
const c_recv = libc.func('intptr_t recv(int fd, void *buf, size_t len, int flags)');
const c_setsockopt = libc.func('int setsockopt(int fd, int level, int name, const void *val, uint32_t len)');
const c_getsockopt = libc.func('int getsockopt(int fd, int level, int name, void *val, _Inout_ uint32_t *len)');
const c_close = libc.func('int close(int fd)');
const c_poll = libc.func('int poll(void *fds, uint64_t nfds, int timeout)');
const c_read = libc.func('intptr_t read(int fd, void *buf, size_t len)');
const c_fcntl = libc.func('int fcntl(int fd, int cmd, int arg)');
const c_mount = libc.func(
  'int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)',
);

/** Address families used by raingauge. */
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;

/** Socket types and flags. */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_SEQPACKET = 5;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

/** Socket option levels and names. */
export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_RCVBUFFORCE = 33;
export const SOL_NETLINK = 270;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;
export const IPPROTO_TCP = 6;
export const TCP_INFO = 11;

/** recv/send flags. */
export const MSG_PEEK = 0x2;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;

/** poll events. */
export const POLLIN = 0x1;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;

const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

/**
 * Create a socket. `SOCK_CLOEXEC` is always added.
 * @throws {PermissionError} for EPERM/EACCES; {@link SysCallError} otherwise (EAFNOSUPPORT, EPROTONOSUPPORT …).
 */
export function socket(domain: number, type: number, protocol: number): number {
  const fd = c_socket(domain, type | SOCK_CLOEXEC, protocol) as number;
  if (fd < 0) {
    const e = koffi.errno();
    if (e === errno.EPERM || e === errno.EACCES) {
      throw new PermissionError(`socket(${domain}, ${type}, ${protocol}) was refused (${errnoName(e)})`, {
        cause: sysError('socket', e),
      });
    }
    throw sysError('socket', e, `domain ${domain}, type ${type}, protocol ${protocol}`);
  }
  return fd;
}

/** bind(2) with a raw sockaddr buffer. */
export function bind(fd: number, addr: Buffer): void {
  retry('bind', () => c_bind(fd, addr, addr.length) as number);
}

/** connect(2) with a raw sockaddr buffer. */
export function connect(fd: number, addr: Buffer): void {
  retry('connect', () => c_connect(fd, addr, addr.length) as number);
}

/** getsockname(2): fills `addr` and returns the address length. */
export function getsockname(fd: number, addr: Buffer): number {
  const len = [addr.length];
  retry('getsockname', () => c_getsockname(fd, addr, len) as number);
  return len[0]!;
}

/** sendto(2) of the first `len` bytes of `buf`; returns bytes sent. `addr` may be null for connected sockets. */
export function sendto(fd: number, buf: Buffer, len: number, flags: number, addr: Buffer | null): number {
  return Number(retry('sendto', () => c_sendto(fd, buf, len, flags, addr, addr ? addr.length : 0) as number | bigint));
}

/** send(2): sendto without an address. */
export function send(fd: number, buf: Buffer, len: number = buf.length, flags = 0): number {
  return sendto(fd, buf, len, flags, null);
}

/**
 * recv(2) into `buf` (up to `len` bytes). Returns the byte count (with MSG_TRUNC,
 * the real datagram length, which may exceed `len`).
 * With MSG_DONTWAIT an empty socket returns -1 instead of throwing EAGAIN.
 */
export function recv(fd: number, buf: Buffer, len: number = buf.length, flags = 0): number {
  for (;;) {
    const r = Number(c_recv(fd, buf, len, flags) as number | bigint);
    if (r >= 0) return r;
    const e = koffi.errno();
    if (e === errno.EINTR) continue;
    if (e === errno.EAGAIN && flags & MSG_DONTWAIT) return -1;
    throw sysError('recv', e);
  }
}

/** read(2) from any descriptor; returns -1 on EAGAIN (non-blocking descriptors), 0 at end of file. */
export function read(fd: number, buf: Buffer, len: number = buf.length): number {
  for (;;) {
    const r = Number(c_read(fd, buf, len) as number | bigint);
    if (r >= 0) return r;
    const e = koffi.errno();
    if (e === errno.EINTR) continue;
    if (e === errno.EAGAIN) return -1;
    throw sysError('read', e);
  }
}

/** setsockopt(2) with a raw value buffer. */
export function setsockopt(fd: number, level: number, name: number, value: Buffer): void {
  retry(
    'setsockopt',
    () => c_setsockopt(fd, level, name, value, value.length) as number,
    `level ${level} option ${name}`,
  );
}

const intBuf = Buffer.alloc(4);
/** setsockopt(2) with a C int value. */
export function setsockoptInt(fd: number, level: number, name: number, value: number): void {
  intBuf.writeInt32LE(value, 0);
  setsockopt(fd, level, name, intBuf);
}

/** getsockopt(2) into `out`; returns the length the kernel wrote. */
export function getsockopt(fd: number, level: number, name: number, out: Buffer): number {
  const len = [out.length];
  retry('getsockopt', () => c_getsockopt(fd, level, name, out, len) as number, `level ${level} option ${name}`);
  return len[0]!;
}

/** getsockopt(2) of a C int value. */
export function getsockoptInt(fd: number, level: number, name: number): number {
  getsockopt(fd, level, name, intBuf);
  return intBuf.readInt32LE(0);
}

/** close(2). EINTR is not retried (the descriptor is gone either way on Linux). */
export function close(fd: number): void {
  const r = c_close(fd) as number;
  if (r < 0) {
    const e = koffi.errno();
    if (e !== errno.EINTR) throw sysError('close', e);
  }
}

/**
 * mount(2) of a pseudo filesystem (`mount('nodev', '/sys/kernel/tracing', 'tracefs')`).
 * Needs CAP_SYS_ADMIN: EPERM/EACCES become {@link PermissionError}.
 */
export function mount(source: string, target: string, fstype: string, flags = 0): void {
  const r = c_mount(source, target, fstype, flags, null) as number;
  if (r < 0) {
    const e = koffi.errno();
    if (e === errno.EPERM || e === errno.EACCES) {
      throw new PermissionError(`mounting ${fstype} on ${target} was refused (${errnoName(e)}): run as root`, {
        capability: 'CAP_SYS_ADMIN',
        path: target,
        cause: sysError('mount', e),
      });
    }
    throw sysError('mount', e, `${fstype} on ${target}`);
  }
}

/** Set or clear O_NONBLOCK on a descriptor. */
export function setNonBlocking(fd: number, on = true): void {
  const flags = retry('fcntl', () => c_fcntl(fd, F_GETFL, 0) as number);
  retry('fcntl', () => c_fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) as number);
}

function pollfds(fds: readonly number[], events: number): Buffer {
  const b = Buffer.alloc(8 * fds.length);
  fds.forEach((fd, i) => {
    b.writeInt32LE(fd, i * 8);
    b.writeInt16LE(events, i * 8 + 4);
  });
  return b;
}

function pollResult(b: Buffer, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(b.readInt16LE(i * 8 + 6));
  return out;
}

/**
 * poll(2) for readability of several descriptors, synchronously. Returns the
 * `revents` of each (0 = not ready). `timeoutMs` -1 waits forever (avoid on the main thread).
 */
export function poll(fds: readonly number[], timeoutMs: number, events = POLLIN): number[] {
  const b = pollfds(fds, events);
  retry('poll', () => c_poll(b, fds.length, timeoutMs) as number);
  return pollResult(b, fds.length);
}

/**
 * poll(2) on a libuv worker thread: waits up to `timeoutMs` for readability
 * without blocking the event loop. Resolves to the `revents` of each descriptor.
 * EINTR resolves as "nothing ready".
 */
export function pollAsync(fds: readonly number[], timeoutMs: number, events = POLLIN): Promise<number[]> {
  const b = pollfds(fds, events);
  return new Promise((resolve, reject) => {
    c_poll.async(b, fds.length, timeoutMs, (err: unknown, r: number) => {
      if (err) return reject(err);
      if (r < 0) {
        const e = koffi.errno();
        if (e === errno.EINTR) return resolve(fds.map(() => 0));
        return reject(sysError('poll', e));
      }
      resolve(pollResult(b, fds.length));
    });
  });
}

/**
 * recv(2) on a libuv worker thread (for large blocking reads such as a
 * sock_diag dump of a huge table). Resolves to the byte count.
 */
export function recvAsync(fd: number, buf: Buffer, len: number = buf.length, flags = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const attempt = () =>
      c_recv.async(fd, buf, len, flags, (err: unknown, r: number | bigint) => {
        if (err) return reject(err);
        const n = Number(r);
        if (n >= 0) return resolve(n);
        const e = koffi.errno();
        if (e === errno.EINTR) return attempt();
        if (e === errno.EAGAIN && flags & MSG_DONTWAIT) return resolve(-1);
        reject(sysError('recv', e));
      });
    attempt();
  });
}

/**
 * send(2) of the first `len` bytes of `buf` on a libuv worker thread. A
 * netlink dump request makes the kernel start the dump inside send (with a
 * filter that rejects most sockets, the whole table walk), so async callers
 * send off the main thread too. Resolves to the byte count.
 */
export function sendAsync(fd: number, buf: Buffer, len: number = buf.length, flags = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const attempt = () =>
      c_sendto.async(fd, buf, len, flags, null, 0, (err: unknown, r: number | bigint) => {
        if (err) return reject(err);
        const n = Number(r);
        if (n >= 0) return resolve(n);
        const e = koffi.errno();
        if (e === errno.EINTR) return attempt();
        reject(sysError('sendto', e));
      });
    attempt();
  });
}

/** Build a `struct sockaddr_nl` (12 bytes). */
export function sockaddrNl(pid = 0, groups = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(AF_NETLINK, 0);
  b.writeUInt32LE(pid >>> 0, 4);
  b.writeUInt32LE(groups >>> 0, 8);
  return b;
}

/**
 * Extract the kernel descriptor of a Node `net.Socket` or `net.Server`
 * (`_handle.fd`), or return a number as is. Throws if there is none.
 */
export function descriptorOf(x: unknown): number {
  if (typeof x === 'number' && Number.isInteger(x) && x >= 0) return x;
  const h = (x as { _handle?: { fd?: number } } | null)?._handle;
  if (h && typeof h.fd === 'number' && h.fd >= 0) return h.fd;
  throw new TypeError('expected a file descriptor, a connected net.Socket or a listening net.Server');
}
