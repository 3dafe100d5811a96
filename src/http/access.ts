/**
 * Who may read the stats endpoint and the watcher: by default only clients
 * connecting from a loopback address (or over a UNIX socket, which the file's
 * permissions already guard); an allow-list of addresses and CIDR prefixes or
 * a predicate opens it up explicitly.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP, type Server, type Socket } from 'node:net';
import { InvalidArgumentError } from '../errors.js';

/** An allow-list (`'10.0.0.0/8'`, `'192.0.2.7'`, `'[::1]'`, `'fd00::/8'`) or a predicate over the request. */
export type AccessRule = readonly string[] | ((req: IncomingMessage) => boolean);

/** Whether `addr` (as in `socket.remoteAddress`) is a loopback address: 127.0.0.0/8, ::1, or ::ffff:127.x.y.z. */
export function isLoopbackAddress(addr: string | undefined): boolean {
  if (addr === undefined) return false;
  if (addr.startsWith('127.')) return isIP(addr) === 4;
  if (addr === '::1') return true;
  if (addr.startsWith('::ffff:127.')) return isIP(addr.slice(7)) === 4;
  return false;
}

function isUnixSocketServer(server: Server | undefined): boolean {
  try {
    return typeof server?.address() === 'string';
  } catch {
    return false;
  }
}

function addEntry(list: BlockList, entry: string): void {
  const bad = (why: string) =>
    new InvalidArgumentError(
      `invalid allow-list entry ${JSON.stringify(entry)}: ${why} (expected an IP address such as 192.0.2.7 or ::1, or a CIDR prefix such as 10.0.0.0/8)`,
      entry,
    );
  if (typeof entry !== 'string') throw bad('not a string');
  const slash = entry.indexOf('/');
  const host = (slash === -1 ? entry : entry.slice(0, slash)).replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  if (family === 0) throw bad(`${JSON.stringify(host)} is not an IP address (names are not resolved)`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) {
    list.addAddress(host, type);
    // an IPv4 client of a dual-stack listener is seen as ::ffff:a.b.c.d
    if (family === 4) list.addAddress(`::ffff:${host}`, 'ipv6');
    return;
  }
  const bits = entry.slice(slash + 1);
  const n = Number(bits);
  if (!/^\d{1,3}$/.test(bits) || n > (family === 4 ? 32 : 128)) throw bad(`bad prefix length ${JSON.stringify(bits)}`);
  list.addSubnet(host, n, type);
  if (family === 4) list.addSubnet(`::ffff:${host}`, 96 + n, 'ipv6');
}

/**
 * Compile an {@link AccessRule} into a check over the request's socket. With
 * no rule: loopback and UNIX-socket clients only. An allow-list adds to
 * nothing (name loopback explicitly if you want it too).
 * @throws {InvalidArgumentError} for a malformed allow-list entry, naming it.
 */
export function compileAccess(rule: AccessRule | undefined): (req: IncomingMessage) => boolean {
  if (rule === undefined) {
    return (req) => {
      const s = req.socket;
      if (s.remoteAddress !== undefined) return isLoopbackAddress(s.remoteAddress);
      // a UNIX-socket client has no remoteAddress; its access is the socket file's permissions
      return isUnixSocketServer((s as Socket & { server?: Server }).server);
    };
  }
  if (typeof rule === 'function') return rule;
  if (!Array.isArray(rule)) {
    throw new InvalidArgumentError(
      'allow must be an array of addresses/CIDR prefixes or a function(req) → boolean',
      rule,
    );
  }
  const list = new BlockList();
  for (const e of rule) addEntry(list, e);
  return (req) => {
    const a = req.socket.remoteAddress;
    if (a === undefined) return false;
    return list.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
  };
}
