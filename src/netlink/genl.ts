/**
 * Generic netlink (include/uapi/linux/genetlink.h): the `genlmsghdr` codec and
 * family lookup through the `nlctrl` controller.
 * @module
 */
import { DecodeError, InvalidArgumentError, NotSupportedError } from '../errors.js';
import { NetlinkError } from './errors.js';
import { encodeNetlinkAttributes, NetlinkAttributeCursor, nlAttrString } from './message.js';
import type { NetlinkSocket } from './socket.js';

/** `GENL_ID_CTRL`: the message type of the generic-netlink controller (`nlctrl`). */
export const GENL_ID_CTRL = 0x10;
/** Size of `struct genlmsghdr` (`cmd u8, version u8, reserved u16`). */
export const GENL_HDRLEN = 4;
/** Controller commands (`enum ctrl_cmd`). */
export const CTRL_CMD_NEWFAMILY = 1;
export const CTRL_CMD_GETFAMILY = 3;
/** Controller attributes (`enum ctrl_attr`). */
export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;
export const CTRL_ATTR_VERSION = 3;
export const CTRL_ATTR_HDRSIZE = 4;
export const CTRL_ATTR_MAXATTR = 5;
export const CTRL_ATTR_OPS = 6;
export const CTRL_ATTR_MCAST_GROUPS = 7;
/** Attributes inside one CTRL_ATTR_OPS entry. */
export const CTRL_ATTR_OP_ID = 1;
export const CTRL_ATTR_OP_FLAGS = 2;
/** Attributes inside one CTRL_ATTR_MCAST_GROUPS entry. */
export const CTRL_ATTR_MCAST_GRP_NAME = 1;
export const CTRL_ATTR_MCAST_GRP_ID = 2;

/** Encode a `struct genlmsghdr`. */
export function encodeGenlHeader(cmd: number, version: number): Buffer {
  const b = Buffer.alloc(GENL_HDRLEN);
  b.writeUInt8(cmd & 0xff, 0);
  b.writeUInt8(version & 0xff, 1);
  return b;
}

/** A generic-netlink family as the controller describes it. */
export interface GenlFamily {
  /** `CTRL_ATTR_FAMILY_NAME`. */
  name: string;
  /** `CTRL_ATTR_FAMILY_ID`: the netlink message type to use for this family. */
  id: number;
  /** `CTRL_ATTR_VERSION`: the family's protocol version (put it in genlmsghdr.version). */
  version: number;
  /** `CTRL_ATTR_HDRSIZE`: size of the family-specific header after genlmsghdr. */
  headerSize: number;
  /** `CTRL_ATTR_MAXATTR`: the highest attribute type the family accepts. */
  maxAttr: number;
  /** `CTRL_ATTR_OPS`: the commands the family supports (`CTRL_ATTR_OP_ID`, `CTRL_ATTR_OP_FLAGS` = GENL_* flags). */
  ops?: { id: number; flags: number }[];
  /** `CTRL_ATTR_MCAST_GROUPS`: multicast group name → group id (for NETLINK_ADD_MEMBERSHIP). */
  multicastGroups: Map<string, number>;
}

/**
 * Decode the payload of a CTRL_CMD_NEWFAMILY message (genlmsghdr + attributes).
 * @throws {DecodeError}
 */
export function decodeGenlFamily(payload: Buffer): GenlFamily {
  if (payload.length < GENL_HDRLEN) throw new DecodeError('genlmsghdr', 0, `${payload.length} bytes, needs 4`);
  const fam: GenlFamily = { name: '', id: -1, version: 0, headerSize: 0, maxAttr: 0, multicastGroups: new Map() };
  const ad = new NetlinkAttributeCursor(payload, GENL_HDRLEN, payload.length);
  while (ad.next()) {
    switch (ad.type) {
      case CTRL_ATTR_FAMILY_ID:
        fam.id = ad.u16('CTRL_ATTR_FAMILY_ID');
        break;
      case CTRL_ATTR_FAMILY_NAME:
        fam.name = ad.string();
        break;
      case CTRL_ATTR_VERSION:
        fam.version = ad.u32('CTRL_ATTR_VERSION');
        break;
      case CTRL_ATTR_HDRSIZE:
        fam.headerSize = ad.u32('CTRL_ATTR_HDRSIZE');
        break;
      case CTRL_ATTR_MAXATTR:
        fam.maxAttr = ad.u32('CTRL_ATTR_MAXATTR');
        break;
      case CTRL_ATTR_OPS: {
        const ops: { id: number; flags: number }[] = [];
        const list = ad.nested();
        while (list.next()) {
          const op = { id: -1, flags: 0 };
          const a3 = list.nested();
          while (a3.next()) {
            if (a3.type === CTRL_ATTR_OP_ID) op.id = a3.u32('CTRL_ATTR_OP_ID');
            else if (a3.type === CTRL_ATTR_OP_FLAGS) op.flags = a3.u32('CTRL_ATTR_OP_FLAGS');
          }
          list.adopt(a3);
          ops.push(op);
        }
        ad.adopt(list);
        fam.ops = ops;
        break;
      }
      case CTRL_ATTR_MCAST_GROUPS: {
        const list = ad.nested();
        while (list.next()) {
          let name: string | undefined;
          let id: number | undefined;
          const a3 = list.nested();
          while (a3.next()) {
            if (a3.type === CTRL_ATTR_MCAST_GRP_NAME) name = a3.string();
            else if (a3.type === CTRL_ATTR_MCAST_GRP_ID) id = a3.u32('CTRL_ATTR_MCAST_GRP_ID');
          }
          list.adopt(a3);
          if (name !== undefined && id !== undefined) fam.multicastGroups.set(name, id);
        }
        ad.adopt(list);
        break;
      }
    }
  }
  ad.check();
  if (fam.id < 0) throw new DecodeError('CTRL_CMD_NEWFAMILY', GENL_HDRLEN, 'no CTRL_ATTR_FAMILY_ID attribute');
  return fam;
}

/** Known generic-netlink families → how to make them available. */
const FAMILY_HINTS: Record<string, string> = {
  TASKSTATS: 'enable CONFIG_TASKSTATS (built in; there is no module to load)',
  nl80211: 'load the cfg80211 module: modprobe cfg80211',
  ethtool: 'enable CONFIG_ETHTOOL_NETLINK',
  NET_DM: 'load the drop_monitor module: modprobe drop_monitor',
  TCP_METRICS: 'enable CONFIG_INET (tcp_metrics is built in)',
  thermal: 'enable CONFIG_THERMAL_NETLINK',
  wireguard: 'load the wireguard module: modprobe wireguard',
  team: 'load the team module: modprobe team',
  acpi_event: 'enable CONFIG_ACPI',
};

/**
 * Look a generic-netlink family up by name (CTRL_CMD_GETFAMILY to nlctrl).
 * `sock` must be a NETLINK_GENERIC socket.
 * @throws {NotSupportedError} when the kernel does not know the family (ENOENT), naming the kernel option or module.
 */
export async function resolveGenlFamily(sock: NetlinkSocket, name: string): Promise<GenlFamily> {
  const payload = familyRequest(name);
  let msgs: Awaited<ReturnType<NetlinkSocket['request']>>;
  try {
    msgs = await sock.request(GENL_ID_CTRL, 0, payload, `CTRL_CMD_GETFAMILY ${name}`);
  } catch (e) {
    throw mapFamilyError(e, name);
  }
  return pickFamily(msgs, name);
}

/** {@link resolveGenlFamily}, synchronously. */
export function resolveGenlFamilySync(sock: NetlinkSocket, name: string): GenlFamily {
  const payload = familyRequest(name);
  try {
    return pickFamily(sock.requestSync(GENL_ID_CTRL, 0, payload, `CTRL_CMD_GETFAMILY ${name}`), name);
  } catch (e) {
    throw mapFamilyError(e, name);
  }
}

/** `GENL_NAMSIZ`: family names are at most 15 bytes plus the NUL. */
export const GENL_NAMSIZ = 16;

/** The CTRL_CMD_GETFAMILY request payload for `name`. */
export function encodeGenlFamilyRequest(name: string): Buffer {
  if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) >= GENL_NAMSIZ || name.includes('\0')) {
    throw new InvalidArgumentError(
      `generic netlink family name must be 1-${GENL_NAMSIZ - 1} bytes without NUL, got ${JSON.stringify(name)}`,
      name,
    );
  }
  return Buffer.concat([
    encodeGenlHeader(CTRL_CMD_GETFAMILY, 1),
    encodeNetlinkAttributes([nlAttrString(CTRL_ATTR_FAMILY_NAME, name)]),
  ]);
}

const familyRequest = encodeGenlFamilyRequest;

function pickFamily(msgs: { type: number; payload: Buffer }[], name: string): GenlFamily {
  const m = msgs.find((x) => x.type === GENL_ID_CTRL);
  if (!m) throw new DecodeError('CTRL_CMD_GETFAMILY reply', 0, `no family message in the reply for ${name}`);
  return decodeGenlFamily(m.payload);
}

function mapFamilyError(e: unknown, name: string): unknown {
  if (e instanceof NetlinkError && e.errnoName === 'ENOENT') {
    const hint = FAMILY_HINTS[name] ?? 'load the kernel module that provides it (modprobe) or enable its kernel option';
    return new NotSupportedError(
      `genl:${name}`,
      `generic netlink family "${name}" is not available on this kernel: ${hint}`,
      { cause: e },
    );
  }
  return e;
}
